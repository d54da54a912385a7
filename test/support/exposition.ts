// Reading values back out of an exporter's /metrics text, the way Prometheus would see them.
import { parseExposition } from '../../core/exposition/parse.ts';

/** The value of the first sample named `name` whose labels include `labels`; undefined when there is none. */
export function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const family of parseExposition(text)) {
    for (const s of family.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
    }
  }
  return undefined;
}

/**
 * dcgm-exporter's own names trip promtool's naming lint (rc=3): camelCase labels (modelName, ...), counters without
 * _total (DCGM_FI_DEV_PCIE_REPLAY_COUNTER, also "should not include type 'counter'"), families without HELP. dgmon
 * passes them through unchanged (dashboards and rules use these names), so these findings are the only ones allowed.
 */
export const UPSTREAM_LINT = [
  /label names should be written in 'snake_case' not 'camelCase'$/,
  /counter metrics should have "_total" suffix$/,
  /metric name should not include type 'counter'$/,
  /no help text$/,
];
