// The shape of one catalogue entry: everything a generator, a test or the exporter needs to know about a metric.

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'info' | 'stateset';
export type MetricPresence = 'always' | 'traffic' | 'optional';

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
  /**
   * When a working source publishes it: 'always' (the default) from start-up; 'traffic' only once the traffic it
   * measures has happened (the Engine registers most metrics at its first request); 'optional' only in some setups
   * (a field dcgm-exporter leaves off by default, one MIG or some GPUs lack, an upstream not every install has).
   * `dgmon verify` fails on a missing 'always' metric and only warns about the others.
   */
  presence?: MetricPresence;
  /** Why it is in the catalogue, caveats, provenance. */
  notes?: string;
}

/** Every series name a family exposes (histograms: _bucket, _sum, _count). */
export function seriesNames(def: MetricDef): string[] {
  if (def.type === 'histogram') return [`${def.name}_bucket`, `${def.name}_sum`, `${def.name}_count`];
  return [def.name];
}
