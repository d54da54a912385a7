// Dashboard queries as Grafana would send them to Prometheus, template variables replaced the way Grafana would:
// every variable at "All" (or one node picked), $__rate_interval as the rate window of the config. Used to run, time
// and draw panels.
import type { DgmonConfig } from '../core/config.ts';
import { dashboardVariables, variableRef } from '../core/links.ts';
import { buildDashboards } from './index.ts';

/** `$name` and not the start of a longer name (`$host` must leave `$hostname` alone). */
const reference = (name: string) => new RegExp(`${variableRef(name).replace('$', '\\$')}(?![A-Za-z0-9_])`, 'g');

/** What the node variable is set to: All (its `.+`), or one node, picked by name. */
export type NodeSelection = 'all' | { node: string };

/**
 * A picked node as Grafana writes it into a regex matcher of a multi-value variable: each regex character behind a
 * backslash, the backslash doubled inside the PromQL string.
 */
const escapeRegex = (value: string) => value.replace(/[$^*{}[\]'+?.()|\\]/g, (c) => `\\\\${c}`);

export function substituteVariables(expr: string, config: DgmonConfig, range = '1h', selection: NodeSelection = 'all'): string {
  const variables = dashboardVariables(config);
  return expr
    .replaceAll('$__rate_interval', config.intervals.rate)
    .replaceAll('$__range', range)
    .replace(reference(variables.cluster), '.*')
    .replace(reference(variables.node), selection === 'all' ? '.+' : escapeRegex(selection.node));
}

/** The part of a panel's JSON (Grafana's classic model) that says what it queries. */
export interface PanelTargetsJson {
  type: string;
  title: string;
  targets?: { expr: string; refId: string; legendFormat?: string; instant?: boolean; range?: boolean; hide?: boolean }[];
}

export interface PanelTarget {
  refId: string;
  /** Variables substituted, ready for Prometheus. */
  expr: string;
  /** Grafana's legend template, e.g. `{{node}} GPU {{gpu}}`; empty when the panel sets none. */
  legendFormat: string;
  /** An instant query (one value per series, at the end of the range) rather than a range query. */
  instant: boolean;
}

/** A panel's visible targets, variables substituted for a dashboard time range of `range` (a duration). */
export function panelTargets(panel: PanelTargetsJson, config: DgmonConfig, range: string, selection: NodeSelection = 'all'): PanelTarget[] {
  return (panel.targets ?? [])
    .filter((t) => !t.hide)
    .map((t) => ({
      refId: t.refId,
      expr: substituteVariables(t.expr, config, range, selection),
      legendFormat: t.legendFormat ?? '',
      instant: t.instant === true && t.range !== true,
    }));
}

export interface PanelQueries {
  /** "<dashboard uid> / <panel title>" */
  name: string;
  /** Each query with its variables substituted, ready for Prometheus; `instant` ones Grafana sends as one instant query; the legend names its series. */
  queries: { refId: string; expr: string; instant: boolean; legendFormat: string }[];
  /** The panel's minimum step ("Min interval"), when it sets one: Grafana's step for its range queries is never finer. */
  interval?: string;
}

/**
 * Every non-row panel of every generated dashboard with its queries as Grafana would send them for a dashboard time
 * range of `range` (default 5m, the span the tests' short-lived Prometheus holds; $__range is that range).
 */
export function panelQueries(config: DgmonConfig, range = '5m', selection: NodeSelection = 'all'): PanelQueries[] {
  return buildDashboards(config).flatMap((dashboard) =>
    (dashboard.json.panels as (PanelTargetsJson & { interval?: string })[])
      .filter((p) => p.type !== 'row')
      .map((panel) => ({
        name: `${dashboard.uid} / ${panel.title}`,
        queries: panelTargets(panel, config, range, selection).map(({ refId, expr, instant, legendFormat }) => ({ refId, expr, instant, legendFormat })),
        ...(panel.interval ? { interval: panel.interval } : {}),
      })),
  );
}
