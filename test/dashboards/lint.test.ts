// Dashboard lint: the grafana/dashboard-linter rules (see shared STYLE.md) over every generated dashboard, plus
// dgmon's own: every query parses, reads only catalogued or recorded series, every threshold is its alert's, and
// every alert's dashboard link sets only variables its dashboard has.
import { describe, it, expect } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { knownSeriesNames } from '../../core/catalog/index.ts';
import { buildDashboards } from '../../dashboards/index.ts';
import { buildRules } from '../../alerts/index.ts';
import { DASHBOARD_UIDS, dashboardVariables, variableRef } from '../../core/links.ts';
import { fleetShape, parsePromql } from '../support/promql-parse.ts';
import { substituteVariables } from '../../dashboards/queries.ts';

interface Target { expr: string; refId: string; datasource?: { uid: string } }
interface Panel {
  type: string;
  title?: string;
  description?: string;
  datasource?: { type: string; uid: string };
  targets?: Target[];
  links?: { title: string; url: string }[];
  fieldConfig?: { defaults?: { unit?: string; thresholds?: { steps: { value: number | null }[] }; links?: { title: string; url: string }[] } };
  gridPos: { x: number; y: number; w: number; h: number };
}
interface Variable { name: string; type: string; label?: string; multi?: boolean; includeAll?: boolean; allValue?: string; refresh?: number; hide?: number }

describe('fleetShape: how many series a query returns as the fleet grows', () => {
  const perNode = (m: string) => m.startsWith('node');
  const cases: [string, string][] = [
    ['node:x', 'per-node'],
    ['cluster:x', 'aggregated'],
    ['sum by (cluster) (node:x)', 'aggregated'],
    ['sum by (cluster, node) (node:x)', 'per-node'],
    ['sum without (gpu) (node:x)', 'per-node'],
    ['sum without (node) (node:x)', 'aggregated'],
    ['topk(10, node:x)', 'bounded'],
    ['changes(node:x[5m]) > 0', 'per-node'],
    ['node:x and on (node) bottomk(10, node:y)', 'bounded'],
    ['node:x unless on (node) bottomk(10, node:y)', 'per-node'],
    ['topk(10, node:x) or node:y', 'per-node'],
    ['node:x / on (node) group_left topk(10, node:y)', 'per-node'],
    ['node:x / topk(10, node:y)', 'bounded'],
    ['histogram_quantile(0.9, sum by (le) (node:x))', 'aggregated'],
    ['1 - topk(3, node:x)', 'bounded'],
    ['count by (state) (node:x == 1)', 'aggregated'],
  ];
  for (const [expr, shape] of cases) it(`${expr} is ${shape}`, () => expect(fleetShape(expr, perNode, 'node')).toBe(shape));
});

const CONFIGS = {
  defaults: parseConfig({}),
  'multi-cluster': parseConfig({ cluster: { multiCluster: true } }),
  // The labels renamed, as dgmon.yaml invites: variables, filters, legends and links must follow.
  'renamed labels': parseConfig({ cluster: { label: 'region', multiCluster: true }, node: { label: 'host' } }),
};

for (const [name, config] of Object.entries(CONFIGS)) {
  describe(`dashboards (${name})`, () => {
    const dashboards = buildDashboards(config);
    const rules = buildRules(config);
    const recorded = new Set(rules.recording.flatMap((g) => g.rules.map((r) => r.record)));
    const known = knownSeriesNames();
    const names = dashboardVariables(config);

    for (const d of dashboards) {
      const json = d.json as { title: string; uid: string; tags: string[]; editable: boolean; panels: Panel[]; templating: { list: Variable[] }; links: unknown[] };
      const variables = json.templating.list;
      const panels = json.panels.filter((p) => p.type !== 'row');

      it(`${d.uid}: title, tag, stable uid, read-only, linked to the other dashboards`, () => {
        expect(json.title).toMatch(/^Deepgram \/ /);
        expect(json.tags).toContain('deepgram');
        expect(Object.values(DASHBOARD_UIDS)).toContain(json.uid);
        expect(json.editable).toBe(false);
        expect(json.links.length).toBeGreaterThan(0);
      });

      it(`${d.uid}: every panel inside the 24-column grid, none overlapping another`, () => {
        // Grafana moves a panel that reaches past column 24 down a line, leaving holes where the layout meant a row.
        const all = json.panels;
        for (const p of all) expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
        const overlap = (a: Panel['gridPos'], b: Panel['gridPos']) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        for (const [i, a] of all.entries()) for (const b of all.slice(i + 1)) expect(overlap(a.gridPos, b.gridPos), `${a.title} / ${b.title}`).toBe(false);
      });

      it(`${d.uid}: datasource, cluster and node variables as the linter wants them`, () => {
        const ds = variables.find((v) => v.name === 'datasource');
        expect(ds).toMatchObject({ type: 'datasource', label: 'Data source' });
        const cluster = variables.find((v) => v.name === names.cluster);
        expect(cluster).toMatchObject({ type: 'query', multi: true, includeAll: true, refresh: 2 });
        // Hidden unless multi-cluster (2 = hide variable).
        expect(cluster!.hide).toBe(config.cluster.multiCluster ? 0 : 2);
        expect(variables.find((v) => v.name === names.node)).toMatchObject({ type: 'query', multi: true, includeAll: true, allValue: '.+', refresh: 2 });
      });

      if (config.cluster.multiCluster) {
        // Where one store holds several clusters, a panel that ignores the cluster variable shows every cluster's
        // series under a cluster chosen (the fleet panels on raw exporter, probe and client series once did).
        it(`${d.uid}: every query is narrowed by the cluster variable`, () => {
          const unfiltered = panels.flatMap((p) => (p.targets ?? []).filter((t) => !t.expr.includes(`${config.cluster.label}=~"${variableRef(names.cluster)}"`)).map((t) => `${p.title}: ${t.expr}`));
          expect(unfiltered).toEqual([]);
        });
      }

      it(`${d.uid}: every panel has a title, description, unit, datasource and targets`, () => {
        expect(panels.length).toBeGreaterThan(3);
        for (const p of panels) {
          expect(p.title, JSON.stringify(p).slice(0, 80)).toBeTruthy();
          expect(p.description, p.title).toBeTruthy();
          expect(p.fieldConfig?.defaults?.unit, p.title).toBeTruthy();
          expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
          expect(p.targets?.length, p.title).toBeGreaterThan(0);
          for (const t of p.targets!) expect(t.datasource?.uid, p.title).toBe('${datasource}');
        }
      });

      it(`${d.uid}: every query parses and reads only catalogued or recorded series`, () => {
        for (const p of panels) {
          for (const t of p.targets!) {
            const expr = substituteVariables(t.expr, config);
            const parsed = parsePromql(expr);
            expect(parsed.errors, `${p.title}: ${expr}`).toEqual([]);
            for (const metric of parsed.metrics) expect(known.has(metric) || recorded.has(metric), `${p.title} reads ${metric}`).toBe(true);
          }
        }
      });

      it(`${d.uid}: rate() and increase() over raw counters use $__rate_interval ($__range for a total, the SLO period for the budget)`, () => {
        for (const p of panels) {
          for (const t of p.targets!) {
            for (const [, window] of t.expr.matchAll(/\b(?:rate|irate|increase)\([^[]*\[([^\]]+)\]/g)) {
              // Exclusion: the error budget is defined over the SLO period, whatever range the dashboard shows.
              expect(['$__rate_interval', '$__range', config.slo.period], `${p.title}: ${t.expr}`).toContain(window);
            }
            // A raw _total counter outside rate()/increase() is a graph of "since process start".
            // Recorded series (level:metric:ops) are already rates or gauges: only raw counters count here.
            for (const [, metric] of t.expr.matchAll(/(?<![:\w])([a-zA-Z_][a-zA-Z0-9_]*_total)\b(?!:)/g)) {
              expect(new RegExp(`(rate|increase)\\(${metric}`).test(t.expr), `${p.title}: ${metric} outside rate/increase`).toBe(true);
            }
          }
        }
      });

      it(`${d.uid}: every threshold line is a value of the alert the panel links to`, () => {
        for (const p of panels) {
          const steps = (p.fieldConfig?.defaults?.thresholds?.steps ?? []).map((s) => s.value).filter((v): v is number => v !== null);
          if (steps.length === 0) continue;
          const alert = p.links?.find((l) => l.title.startsWith('Runbook: '))?.title.slice('Runbook: '.length);
          expect(alert, `${p.title} draws thresholds but links no alert`).toBeDefined();
          const settings = (config.alerts as Record<string, Record<string, unknown>>)[alert!];
          const allowed = new Set<number>([0, ...Object.values(settings ?? {}).filter((v): v is number => typeof v === 'number')]);
          if (alert === 'DeepgramErrorBudgetBurn') allowed.add(config.slo.availability.objective);
          for (const value of steps) expect(allowed.has(value), `${p.title}: ${value} is not a setting of ${alert}`).toBe(true);
        }
      });
    }

    it('every var-X in an alert\'s dashboard_url names a variable of that dashboard', () => {
      // Grafana ignores a var- parameter for a variable the dashboard lacks: the link would open every node.
      const variablesOf = new Map(dashboards.map((d) => [d.uid, (d.json as { templating: { list: Variable[] } }).templating.list.map((v) => v.name)]));
      const links = rules.alerting.flatMap((g) => g.rules.map((r) => ({ alert: r.alert, url: r.annotations.dashboard_url! })));
      expect(links.length).toBeGreaterThan(0);
      for (const { alert, url } of links) {
        const uid = url.match(/\/d\/([^?{]+)/)?.[1];
        expect(variablesOf.has(uid!), `${alert}: ${url}`).toBe(true);
        for (const [, variable] of url.matchAll(/[?&]var-([^=]+)=/g)) expect(variablesOf.get(uid!), `${alert}: ${url}`).toContain(variable);
      }
      expect(links.some((l) => l.url.includes(`?var-${names.node}=`)), 'some alert opens its node').toBe(true);
    });

    it('every top-k per-node panel links each series to the node dashboard on its node, by variables that dashboard has', () => {
      const nodeDashboard = dashboards.find((d) => d.uid === DASHBOARD_UIDS.node)!;
      const nodeVariables = (nodeDashboard.json as { templating: { list: Variable[] } }).templating.list.map((v) => v.name);
      const perNode = dashboards.flatMap((d) =>
        ((d.json as { panels: Panel[] }).panels ?? []).filter((p) => p.targets?.some((t) => /\b(topk|bottomk)\(/.test(t.expr))).map((p) => ({ uid: d.uid, p })),
      );
      expect(perNode.length, 'top-k panels').toBeGreaterThanOrEqual(4);
      for (const { uid, p } of perNode) {
        const links = p.fieldConfig?.defaults?.links ?? [];
        expect(links.length, `${uid} / ${p.title}: no drill-down link`).toBe(1);
        const url = links[0]!.url;
        expect(url.startsWith(`/d/${DASHBOARD_UIDS.node}?`), url).toBe(true);
        const params = [...url.matchAll(/[?&]var-([^=]+)=\$\{__field\.labels\.([^}]+)\}/g)].map(([, variable, label]) => ({ variable, label }));
        for (const { variable } of params) expect(nodeVariables, url).toContain(variable);
        // Each linked label is one the series keep: the top-k keeps every label of the series it picks.
        expect(params.map((x) => x.label).sort(), url).toEqual([...(config.cluster.multiCluster ? [config.cluster.label] : []), config.node.label].sort());
        expect(url).toContain('${__url_time_range}');
      }
    });

    it('no panel draws a series per node at All: each per-node query is a top-k selection or sums the nodes away', () => {
      // Raw series are one per target; a recorded series is per node when its level (before the first colon) names
      // the node (node:, node_gpu:, node_kind_status:).
      const perNode = (metric: string) => !metric.includes(':') || metric.split(':')[0]!.split('_').includes('node');
      const shapes = dashboards.flatMap((d) =>
        ((d.json as { panels: Panel[] }).panels ?? []).flatMap((p) =>
          (p.targets ?? []).map((t) => ({ what: `${d.uid} / ${p.title} ${t.refId}`, shape: fleetShape(substituteVariables(t.expr, config), perNode, config.node.label) })),
        ),
      );
      expect(shapes.filter((s) => s.shape === 'per-node').map((s) => s.what)).toEqual([]);
      // The check can fail: the per-node panels are there, bounded.
      expect(shapes.filter((s) => s.shape === 'bounded').length).toBeGreaterThanOrEqual(25);
    });

    it('the thresholds move with the config', () => {
      const custom = parseConfig({ alerts: { DeepgramHighErrorRate: { threshold: 0.02 }, DeepgramHighLatencyP95: { thresholdSeconds: 30 } } });
      const text = JSON.stringify(buildDashboards(custom).map((x) => x.json));
      expect(text).toContain('"value":0.02');
      expect(text).toContain('"value":30');
    });
  });
}
