// Dashboard queries as Grafana would send them to Prometheus, template variables replaced the way Grafana would:
// every variable at "All", $__rate_interval as the rate window of the config. Used to run, time and draw panels.
import type { DgmonConfig } from '../core/config.ts';
import { buildDashboards } from './index.ts';

export function substituteVariables(expr: string, config: DgmonConfig, range = '1h'): string {
  return expr
    .replaceAll('$__rate_interval', config.intervals.rate)
    .replaceAll('$__range', range)
    .replaceAll('$cluster', '.*')
    .replaceAll('$node', '.+');
}

export interface PanelQueries {
  /** "<dashboard uid> / <panel title>" */
  name: string;
  /** Each query with its variables substituted, ready for Prometheus; `instant` ones Grafana sends as one instant query. */
  queries: { refId: string; expr: string; instant: boolean }[];
  /** The panel's minimum step ("Min interval"), when it sets one: Grafana's step for its range queries is never finer. */
  interval?: string;
}

/**
 * Every non-row panel of every generated dashboard with its queries as Grafana would send them for a dashboard time
 * range of `range` (default 5m, the span the tests' short-lived Prometheus holds; $__range is that range).
 */
export function panelQueries(config: DgmonConfig, range = '5m'): PanelQueries[] {
  return buildDashboards(config).flatMap((dashboard) =>
    (dashboard.json.panels as { title: string; type: string; interval?: string; targets?: { expr: string; refId: string; instant?: boolean }[] }[])
      .filter((p) => p.type !== 'row')
      .map((panel) => ({
        name: `${dashboard.uid} / ${panel.title}`,
        queries: (panel.targets ?? []).map((t) => ({ refId: t.refId, expr: substituteVariables(t.expr, config, range), instant: t.instant === true })),
        ...(panel.interval ? { interval: panel.interval } : {}),
      })),
  );
}
