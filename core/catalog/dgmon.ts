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
/** The expiry watch's checks: a TLS handshake with a proxy endpoint, and a read of Deepgram's key listing. */
export const EXPIRY_CHECKS = ['tls', 'api_key_listing'] as const;
/** Where an API key's expiry date came from: declared in dgmon.yaml, or read from Deepgram's key listing. */
export const API_KEY_ORIGINS = ['config', 'listing'] as const;

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
    presence: 'optional',
    notes: 'model_type = stt | tts. Absent where the API build has no /v1/models.',
  }),
  licenseProxyState: def({
    name: 'dgmon_license_proxy_state',
    type: 'stateset',
    unit: 'state',
    help: 'Deepgram License Proxy /v1/status state: 1 on the current state, 0 on the others.',
    labels: ['state'],
    presence: 'optional',
    notes: `state = ${LICENSE_PROXY_STATES.join(' | ')}. Only where a License Proxy runs and the exporter reads it.`,
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
    presence: 'traffic',
    notes: 'source = health_check | probe | client: the exporter and the client library count into the same name. A client publishes it at its first 429.',
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
  // Expiry is exposed as the moment it happens (a Unix timestamp, as blackbox_exporter's probe_ssl_earliest_cert_expiry),
  // not as "seconds left": the value does not change between checks, so a cached reading is never stale, a sample
  // means the same whenever it was taken, and `x - time()` in a rule or panel is exact at evaluation time.
  tlsCertExpiry: def({
    name: 'dgmon_tls_cert_expiry_timestamp_seconds',
    presence: 'optional', // only when exporter.expiry watches something
    type: 'gauge',
    unit: 'seconds',
    help: 'When the leaf certificate a TLS endpoint presents expires (notAfter), as a Unix timestamp.',
    labels: ['target', 'server_name'],
    notes: 'The certificate the proxy operator renews. Reported whether or not the certificate verifies (see dgmon_tls_cert_verified).',
  }),
  tlsChainExpiry: def({
    name: 'dgmon_tls_chain_expiry_timestamp_seconds',
    presence: 'optional', // only when exporter.expiry watches something
    type: 'gauge',
    unit: 'seconds',
    help: 'When the first certificate of the chain a TLS endpoint presents expires (leaf and intermediates; self-signed roots left out), as a Unix timestamp.',
    labels: ['target', 'server_name'],
    notes: 'What DeepgramTLSCertificateExpiringSoon reads: a stale intermediate in the proxy\'s bundle breaks clients as surely as an expired leaf. Roots come from the client\'s trust store, so a served root\'s date says nothing.',
  }),
  tlsCertVerified: def({
    name: 'dgmon_tls_cert_verified',
    presence: 'optional', // only when exporter.expiry watches something
    type: 'gauge',
    unit: 'boolean',
    help: 'Whether the certificate a TLS endpoint presents verifies against the trust store (or caFile) and matches the server name: 1 yes, 0 no.',
    labels: ['target', 'server_name'],
  }),
  apiKeyExpiry: def({
    name: 'dgmon_api_key_expiry_timestamp_seconds',
    presence: 'optional', // only when exporter.expiry watches something
    type: 'gauge',
    unit: 'seconds',
    help: 'When a Deepgram API key expires, as a Unix timestamp.',
    labels: ['key', 'origin', 'comment'],
    notes: `key = the name given in dgmon.yaml, or the api_key_id of a listed key (an identifier, never the secret). origin = ${API_KEY_ORIGINS.join(' | ')}. comment only when exporter.expiry.apiKeys.listing.labelComments is on.`,
  }),
  expiryCheckSuccess: def({
    name: 'dgmon_expiry_check_success',
    presence: 'optional', // only when exporter.expiry watches something
    type: 'gauge',
    unit: 'boolean',
    help: 'Whether the last expiry check of this target succeeded: 1 yes, 0 no (the last known expiry is still served).',
    labels: ['check', 'target'],
    notes: `check = ${EXPIRY_CHECKS.join(' | ')}; target = the TLS target name or the Deepgram project id.`,
  }),
  expiryCheckDuration: def({
    name: 'dgmon_expiry_check_duration_seconds',
    presence: 'optional', // only when exporter.expiry watches something
    type: 'gauge',
    unit: 'seconds',
    help: 'How long the last expiry check of this target took.',
    labels: ['check', 'target'],
  }),
  expiryCheckFailures: def({
    name: 'dgmon_expiry_check_failures_total',
    presence: 'optional', // only when exporter.expiry watches something
    type: 'counter',
    unit: 'failures',
    help: 'Failed expiry checks of this target, by reason.',
    labels: ['check', 'target', 'reason'],
    notes: `reason = ${SOURCE_FAILURE_REASONS.join(' | ')}, as for dgmon_source_failures_total.`,
  }),
  buildInfo: def({
    name: 'dgmon_build_info',
    type: 'info',
    unit: 'info',
    help: 'dgmon version that built this exporter; value 1.',
    labels: ['version'],
  }),
  rulesInfo: def({
    name: 'dgmon_rules_info',
    type: 'info',
    unit: 'info',
    help: 'The dgmon rule bundle Prometheus has loaded; value 1. Recorded by the bundle itself, not by the exporter.',
    labels: ['version', 'fingerprint'],
    notes: 'version = the dgmon that generated the rules; fingerprint = a hash of every other generated rule group, so two bundles with the same fingerprint hold the same rules. `dgmon verify` compares it with the bundle it would generate.',
  }),
} as const satisfies Record<string, MetricDef>;

/**
 * The series the exporter takes from its shared health report (cached for exporter.healthCacheTtl, so /health and
 * /metrics make one API call between them): a change at the API reaches a scrape up to that TTL late.
 */
export const FROM_HEALTH_REPORT: readonly MetricDef[] = [
  DGMON.healthCheckSuccess,
  DGMON.healthCheckDuration,
  DGMON.apiSystemHealth,
  DGMON.apiActiveRequests,
  DGMON.apiEngineConnected,
];
