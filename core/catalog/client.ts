// Metrics of Deepgram transcription calls made by dgmon's client library (applications) and by the exporter's
// synthetic probe. Both write the same families and tell themselves apart by the `source` label (client | probe, or
// what an application configures), so one rule or panel reads every caller, and `source` narrows it.
// Rate-limit hits use the shared DGMON.rateLimitHits (dgmon_rate_limit_hits_total{source}).
import type { MetricDef } from './types.ts';

// 'optional': only where an application uses the client or the exporter's probe is on (`dgmon verify` warns, never fails).
const def = (d: Omit<MetricDef, 'source'>): MetricDef => ({ ...d, source: 'dgmon', presence: 'optional' });

/** The callers that write these families (the client's `source` is configurable; these are the defaults). */
export const CALLER_SOURCES = ['client', 'probe'] as const;
/** batch = pre-recorded POST /v1/listen; stream = live WebSocket /v1/listen. */
export const TRANSCRIPTION_MODES = ['batch', 'stream'] as const;
/**
 * Outcome of one call to Deepgram (each retry is a call): HTTP status classes, 429 apart from the other 4xx, and the
 * two outcomes without an HTTP answer. Server-side failures, for error-rate rules: 5xx | timeout | connection.
 */
export const TRANSCRIPTION_STATUSES = ['2xx', '4xx', '429', '5xx', 'timeout', 'connection'] as const;
/** The statuses that are Deepgram's failures (what error-rate rules count), as a PromQL matcher. */
export const CALLER_SERVER_ERROR_MATCHER = 'status=~"5xx|timeout|connection"';
/** The probe's series among the callers'; client rules leave them out (the probe has rules of its own). */
export const PROBE_SOURCE = 'probe';
/** The circuit breaker's states (cockatiel's Closed, Open, HalfOpen, Isolated). */
export const CIRCUIT_STATES = ['closed', 'open', 'half_open', 'isolated'] as const;

export const CLIENT = {
  transcriptionRequests: def({
    name: 'dgmon_transcription_requests_total',
    type: 'counter',
    unit: 'requests',
    help: 'Calls to Deepgram /v1/listen by outcome; every retry counts as a call.',
    labels: ['source', 'mode', 'status'],
    notes: `mode = ${TRANSCRIPTION_MODES.join(' | ')}; status = ${TRANSCRIPTION_STATUSES.join(' | ')}. Calls refused locally (circuit open, concurrency queue full) never reach Deepgram and are not counted.`,
  }),
  transcriptionDuration: def({
    name: 'dgmon_transcription_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Wall time of successful Deepgram transcriptions: a batch request until its response, a stream from connecting until its final metadata.',
    labels: ['source', 'mode'],
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300],
    notes: 'Failed calls are left out, so fast errors cannot pull the P95 down. The 10 s bucket edge is DeepgramHighLatencyP95\'s default threshold.',
  }),
  streamLatency: def({
    name: 'dgmon_transcription_stream_latency_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Live streaming: time from sending an audio chunk until the first result that covers its end.',
    labels: ['source'],
    buckets: [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2, 5],
    notes: 'The 0.4 s bucket edge is Deepgram\'s per-stream latency target.',
  }),
  audioProcessed: def({
    name: 'dgmon_transcription_audio_seconds_total',
    type: 'counter',
    unit: 'seconds',
    help: 'Seconds of audio Deepgram transcribed (metadata.duration of successful responses).',
    labels: ['source', 'mode'],
  }),
  requestsInFlight: def({
    name: 'dgmon_transcription_requests_in_flight',
    type: 'gauge',
    unit: 'requests',
    help: 'Calls to Deepgram /v1/listen under way (batch requests waiting for their answer, open streams).',
    labels: ['source', 'mode'],
  }),
  circuitState: def({
    name: 'dgmon_circuit_breaker_state',
    type: 'stateset',
    unit: 'state',
    help: 'State of the circuit breaker in front of Deepgram: 1 on the current state, 0 on the others.',
    labels: ['source', 'state'],
    notes: `state = ${CIRCUIT_STATES.join(' | ')}. Exposed as a gauge, one series per state.`,
  }),
} as const satisfies Record<string, MetricDef>;
