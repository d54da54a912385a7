// Which catalogue metrics the generated bundle reads, and under which selector: those are the metrics that must
// arrive for the rules and dashboards to mean anything. Derived from the generated queries themselves, so a new
// rule or panel is covered without a list to keep up to date.
import type { DgmonConfig } from '../core/config.ts';
import { CATALOG, CLIENT, DGMON, seriesNames, type MetricDef, type MetricPresence } from '../core/catalog/index.ts';
import { buildRules } from '../alerts/index.ts';
import { buildDashboards } from '../dashboards/index.ts';

export type SourceKind = 'engine' | 'dcgm' | 'exporter' | 'clients';

export interface NeededMetric {
  def: MetricDef;
  /** The configured selector the bundle reads it through. */
  source: SourceKind;
  presence: MetricPresence;
}

/** Every PromQL query in the generated rules and dashboards (panel targets and template variables). */
export function bundleQueries(config: DgmonConfig): string[] {
  const rules = buildRules(config);
  const queries = [...rules.recording, ...rules.alerting].flatMap((g) => g.rules.map((r) => r.expr));
  const walk = (node: unknown, key = ''): void => {
    if (typeof node === 'string') {
      if (key === 'expr' || key === 'query') queries.push(node);
    } else if (Array.isArray(node)) node.forEach((n) => walk(n));
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, k);
  };
  for (const d of buildDashboards(config)) walk(d.json);
  return queries;
}

/** Whether `name` occurs in `query` as a whole series name (not inside a longer name or a recorded level:name:op). */
export function readsSeries(query: string, name: string): boolean {
  return new RegExp(`(?<![A-Za-z0-9_:])${name}(?![A-Za-z0-9_:])`).test(query);
}

/**
 * The selector a metric is read through. The rate-limit counter and the transcription families are also published
 * by applications using dgmon's client library, so the rules read them through the clients selector.
 */
export function sourceOf(def: MetricDef): SourceKind {
  if (def.name === DGMON.rateLimitHits.name || Object.values(CLIENT).some((c) => c.name === def.name)) return 'clients';
  return def.source === 'dgmon' ? 'exporter' : def.source;
}

export function neededMetrics(config: DgmonConfig): NeededMetric[] {
  const queries = bundleQueries(config);
  return CATALOG.filter((def) => seriesNames(def).some((series) => queries.some((q) => readsSeries(q, series)))).map((def) => ({
    def,
    source: sourceOf(def),
    presence: def.presence ?? 'always',
  }));
}
