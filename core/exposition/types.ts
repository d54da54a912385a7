// The Prometheus exposition model shared by the exporter (which parses upstream /metrics and serves them again) and
// the simulator (which renders the Engine's and dcgm-exporter's /metrics).

export type FamilyType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped' | 'info' | 'stateset' | 'gaugehistogram' | 'unknown';

export interface Sample {
  /** The series name as exposed, e.g. engine_requests_total or engine_stream_latency_bucket. */
  name: string;
  labels: Record<string, string>;
  /** NaN, +Inf and -Inf are allowed. */
  value: number;
}

export interface MetricFamily {
  /** The family name from # TYPE/# HELP (OpenMetrics counters: without _total, e.g. engine_requests). */
  name: string;
  type: FamilyType;
  help?: string;
  unit?: string;
  samples: Sample[];
}
