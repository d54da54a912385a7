// The shape of one catalogue entry: everything a generator, a test or the exporter needs to know about a metric.

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'info' | 'stateset';

export interface MetricDef {
  /** The family name as exposed. Counters carry `_total`; histograms are the base name (series add _bucket/_sum/_count). */
  name: string;
  type: MetricType;
  /** Base unit of the value: seconds, bytes, ratio, celsius, watts, megahertz, millijoules, percent, requests, … */
  unit: string;
  help: string;
  /** Labels the source itself emits (scrape labels like job/instance are added by Prometheus). */
  labels: readonly string[];
  /** Histogram bucket upper bounds, without +Inf. */
  buckets?: readonly number[];
  /** Who emits it. */
  source: 'engine' | 'dcgm' | 'dgmon';
  /** Why it is in the catalogue, caveats, provenance. */
  notes?: string;
}

/** Every series name a family exposes (histograms: _bucket, _sum, _count). */
export function seriesNames(def: MetricDef): string[] {
  if (def.type === 'histogram') return [`${def.name}_bucket`, `${def.name}_sum`, `${def.name}_count`];
  return [def.name];
}
