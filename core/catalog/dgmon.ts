// Metrics the dgmon exporter emits (transcription calls of the client library and the probe: client.ts). Named here
// first, implemented exactly as written: one prefix (dgmon_), base units, _total on counters, _info for metadata.
import type { MetricDef } from './types.ts';

const def = (d: Omit<MetricDef, 'source'>): MetricDef => ({ ...d, source: 'dgmon' });

/** The states the Deepgram API reports in /v1/status system_health. */
export const API_HEALTH_STATES = ['Initializing', 'Ready', 'Healthy', 'Degraded', 'Critical'] as const;
/** The License Proxy's documented states; anything else is reported as Other. */
export const LICENSE_PROXY_STATES = ['Connected', 'TrustBased', 'Other'] as const;
/** What the exporter reads; each has its own up/duration/failure series. */
export const EXPORTER_SOURCES = ['engine', 'dcgm', 'nvidia_smi', 'api', 'license_proxy'] as const;
/** Why a source fetch failed: a small fixed set, so the label stays bounded. */
export const SOURCE_FAILURE_REASONS = ['timeout', 'connection', 'http_status', 'too_large', 'parse'] as const;
/** The checks behind /health. */
export const HEALTH_CHECKS = ['api_status', 'engine_connection'] as const;

export const DGMON = {
  apiSystemHealth: def({
    name: 'dgmon_api_system_health',
    type: 'stateset',
    unit: 'state',
    help: 'Deepgram API /v1/status system_health: 1 on the current state, 0 on the others.',
    labels: ['state'],
    notes: `state = ${API_HEALTH_STATES.join(' | ')}. Exposed as a gauge, one series per state.`,
  }),
  apiActiveRequests: def({
    name: 'dgmon_api_active_requests',
    type: 'gauge',
    unit: 'requests',
    help: 'Active requests the Deepgram API reports in /v1/status.',
    labels: ['kind'],
    notes: 'kind = batch | stream | listen_v2_stream (active_batch_requests, active_stream_requests, active_listen_v2_stream_requests).',
  }),
  apiEngineConnected: def({
    name: 'dgmon_api_engine_connected',
    type: 'gauge',
    unit: 'boolean',
    help: 'Whether the Deepgram API reports a connected Engine (/v1/status/engine engine_connection_status = Connected).',
    labels: [],
  }),
  apiModelInfo: def({
    name: 'dgmon_api_model_info',
    type: 'info',
    unit: 'info',
    help: 'A model the Deepgram API reports as loaded (/v1/models); value 1.',
    labels: ['model_type', 'name', 'canonical_name', 'architecture', 'version', 'uuid'],
    notes: 'model_type = stt | tts.',
  }),
  licenseProxyState: def({
    name: 'dgmon_license_proxy_state',
    type: 'stateset',
    unit: 'state',
    help: 'Deepgram License Proxy /v1/status state: 1 on the current state, 0 on the others.',
    labels: ['state'],
    notes: `state = ${LICENSE_PROXY_STATES.join(' | ')}.`,
  }),
  healthCheckSuccess: def({
    name: 'dgmon_health_check_success',
    type: 'gauge',
    unit: 'boolean',
    help: 'Result of the last Deepgram health check: 1 passed, 0 failed (the same result /health answers).',
    labels: ['check'],
    notes: `check = ${HEALTH_CHECKS.join(' | ')}.`,
  }),
  healthCheckDuration: def({
    name: 'dgmon_health_check_duration_seconds',
    type: 'gauge',
    unit: 'seconds',
    help: 'Latency of the last Deepgram health check.',
    labels: ['check'],
  }),
  rateLimitHits: def({
    name: 'dgmon_rate_limit_hits_total',
    type: 'counter',
    unit: 'requests',
    help: 'Requests to Deepgram answered 429 Too Many Requests.',
    labels: ['source'],
    notes: 'source = health_check | probe | client: the exporter and the client library count into the same name.',
  }),
  sourceUp: def({
    name: 'dgmon_source_up',
    type: 'gauge',
    unit: 'boolean',
    help: 'Whether the last fetch of this source succeeded.',
    labels: ['source'],
    notes: `source = ${EXPORTER_SOURCES.join(' | ')}; only configured sources appear.`,
  }),
  sourceScrapeDuration: def({
    name: 'dgmon_source_scrape_duration_seconds',
    type: 'gauge',
    unit: 'seconds',
    help: 'How long the last fetch of this source took.',
    labels: ['source'],
  }),
  sourceFailures: def({
    name: 'dgmon_source_failures_total',
    type: 'counter',
    unit: 'failures',
    help: 'Failed fetches of this source, by reason.',
    labels: ['source', 'reason'],
    notes: `reason = ${SOURCE_FAILURE_REASONS.join(' | ')}.`,
  }),
  buildInfo: def({
    name: 'dgmon_build_info',
    type: 'info',
    unit: 'info',
    help: 'dgmon version that built this exporter; value 1.',
    labels: ['version'],
  }),
} as const satisfies Record<string, MetricDef>;
