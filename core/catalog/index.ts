// The metric catalogue: every metric dgmon reads or emits, in one place. Generators, tests and the exporter draw
// names from here; a name typed anywhere else is a bug.
import { ENGINE } from './engine.ts';
import { DCGM } from './dcgm.ts';
import { DGMON } from './dgmon.ts';
import { CLIENT } from './client.ts';
import { PROBE } from './probe.ts';
import { seriesNames, type MetricDef } from './types.ts';

export { ENGINE, DCGM, DGMON, CLIENT, PROBE };
export * from './types.ts';
export { RESPONSE_STATUS_CLASSES, REQUEST_KINDS, SERVER_ERROR_MATCHER } from './engine.ts';
export { DCGM_BLANK_SENTINEL_MIN, DCGM_GPU_LABELS } from './dcgm.ts';
export { CALLER_SOURCES, TRANSCRIPTION_MODES, TRANSCRIPTION_STATUSES, CIRCUIT_STATES, CALLER_SERVER_ERROR_MATCHER, PROBE_SOURCE } from './client.ts';
export { PROBE_RESULTS, TRANSCRIPT_CHECKS } from './probe.ts';
export { API_HEALTH_STATES, LICENSE_PROXY_STATES, EXPORTER_SOURCES, SOURCE_FAILURE_REASONS, HEALTH_CHECKS, EXPIRY_CHECKS, API_KEY_ORIGINS, FROM_HEALTH_REPORT } from './dgmon.ts';

export const CATALOG: readonly MetricDef[] = [...Object.values(ENGINE), ...Object.values(DCGM), ...Object.values(DGMON), ...Object.values(CLIENT), ...Object.values(PROBE)];

/** Prometheus' own series that rules and dashboards may read besides the catalogue. */
export const PROMETHEUS_SERIES = ['up', 'ALERTS'] as const;

/** Every series name a query may legitimately read: catalogue series plus Prometheus' own. */
export function knownSeriesNames(): Set<string> {
  return new Set([...CATALOG.flatMap(seriesNames), ...PROMETHEUS_SERIES]);
}
