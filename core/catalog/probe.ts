// Metrics only the exporter's synthetic probe writes: what a known clip, sent on a schedule, says that the shared
// transcription families (client.ts, written with source="probe") cannot: runs rather than calls, time to the first
// transcript, speed-up, whether the transcript is right, and when the probe last succeeded.
import type { MetricDef } from './types.ts';

const def = (d: Omit<MetricDef, 'source'>): MetricDef => ({ ...d, source: 'dgmon', presence: 'optional' });

/**
 * How one probe run (a call and its retries) ended: success; server_error (5xx, timeout, connection, or an answer
 * without results); rate_limited (429 on the last attempt); client_error (other 4xx: a config problem); not_sent (the
 * circuit breaker was open, so the API was not called).
 */
export const PROBE_RESULTS = ['success', 'server_error', 'rate_limited', 'client_error', 'not_sent'] as const;
/** Why a transcript passed or failed the sanity check. */
export const TRANSCRIPT_CHECKS = ['ok', 'empty', 'missing_words'] as const;

const notes = 'Only when exporter.probe.enabled; mode = batch | stream.';

export const PROBE = {
  runs: def({
    name: 'dgmon_probe_runs_total',
    type: 'counter',
    unit: 'runs',
    help: 'Synthetic probe runs by mode and result; a run is one call with its retries.',
    labels: ['mode', 'result'],
    notes: `${notes} result = ${PROBE_RESULTS.join(' | ')}. DeepgramHighErrorRate{source="probe"} counts server_error and not_sent.`,
  }),
  consecutiveFailures: def({
    name: 'dgmon_probe_consecutive_failures',
    type: 'gauge',
    unit: 'runs',
    help: 'Probe runs in a row that did not succeed, per mode; 0 after a success.',
    labels: ['mode'],
    notes: `${notes} DeepgramHealthCheckFailing{source="probe"} reads it.`,
  }),
  lastSuccess: def({
    name: 'dgmon_probe_last_success_timestamp_seconds',
    type: 'gauge',
    unit: 'seconds',
    help: 'When a probe of this mode last succeeded, as a Unix timestamp.',
    labels: ['mode'],
    notes: `${notes} Absent until the first success.`,
  }),
  firstTranscript: def({
    name: 'dgmon_probe_first_transcript_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Live streaming probe: time from the first audio chunk sent to the first non-empty transcript.',
    labels: [],
    buckets: [0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10],
    notes: 'Only when exporter.probe.enabled with stream on. It includes the audio of the first word (0.3 s of silence, then 0.45 s of tone in the built-in clip), so it is never below it.',
  }),
  realtimeSpeedup: def({
    name: 'dgmon_probe_realtime_speedup',
    type: 'gauge',
    unit: 'ratio',
    help: 'Batch probe: seconds of audio per second of wall time of the last successful run (retries included).',
    labels: [],
    notes: 'Only when exporter.probe.enabled with batch on. Streams are paced in real time, so their ratio says nothing and is not recorded.',
  }),
  transcriptOk: def({
    name: 'dgmon_probe_transcript_ok',
    type: 'gauge',
    unit: 'boolean',
    help: 'Whether the last transcript of this probe mode passed its sanity check (non-empty, holding the expected words): 1 yes, 0 no, with the reason.',
    labels: ['mode', 'reason'],
    notes: `${notes} reason = ${TRANSCRIPT_CHECKS.join(' | ')}; one series per mode (the reason of the last check). A failed run leaves it as it was.`,
  }),
} as const satisfies Record<string, MetricDef>;
