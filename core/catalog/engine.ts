// Deepgram Engine metrics (`/metrics` on port 9991), exactly as Deepgram's Metrics Guide documents them.
// Only the first three are registered at start-up; the rest appear after the Engine's first request, and the TTS
// series after its first TTS request. Rules must therefore treat "no series" as "no traffic", never as a fault.
import type { MetricDef } from './types.ts';

const STREAM_LATENCY_BUCKETS = [...Array.from({ length: 20 }, (_, i) => (i + 1) / 10), 5, 10];
const TTS_BUCKETS = [0.05, 0.1, ...Array.from({ length: 19 }, (_, i) => (i + 2) / 10), 2.5, 3, 4, 5, 10, 30, 60];
const RTF_BUCKETS = [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000, 3000, 10000];

// Registered at the first request unless said otherwise (see the header).
const def = (d: Omit<MetricDef, 'source'>): MetricDef => ({ presence: 'traffic', ...d, source: 'engine' });

export const ENGINE = {
  estimatedStreamCapacity: def({
    presence: 'always',
    name: 'engine_estimated_stream_capacity',
    type: 'gauge',
    unit: 'streams',
    help: 'The number of streams the node believes it can serve with acceptable latency.',
    labels: [],
    notes: 'Registered at start-up. Rises as streams open until the GPU is full; a concurrency, so compare it with active streams, never with a request rate.',
  }),
  activeRequests: def({
    presence: 'always',
    name: 'engine_active_requests',
    type: 'gauge',
    unit: 'requests',
    help: 'Number of active inference requests.',
    labels: ['kind'],
    notes: 'kind = batch | stream | tts. Registered at start-up.',
  }),
  maxActiveRequests: def({
    presence: 'always',
    name: 'engine_max_active_requests',
    type: 'gauge',
    unit: 'requests',
    help: 'Maximum number of active inference requests. Zero means no limit.',
    labels: [],
    notes: 'engine.toml max_active_requests; 0 = unlimited, so ratios against it must exclude 0.',
  }),
  requests: def({
    name: 'engine_requests_total',
    type: 'counter',
    unit: 'requests',
    help: 'Number of inference requests.',
    labels: ['kind', 'response_status'],
    notes: 'response_status holds status classes 1xx..5xx, not codes. Family declared as engine_requests (OpenMetrics).',
  }),
  batchResponseTime: def({
    name: 'engine_batch_response_time_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Time to process a batch request.',
    labels: [],
    buckets: [1, 2.5, 5, 10, 30, 60],
  }),
  asrPerBatchAudioDuration: def({
    name: 'engine_asr_per_batch_audio_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Total audio duration represented by each inferencer ASR batch.',
    labels: [],
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40, 60, 120],
  }),
  asrPerBatchWallTime: def({
    name: 'engine_asr_per_batch_wall_time_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Wall-clock time spent inferring each inferencer ASR batch.',
    labels: [],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  }),
  asrPerBatchRealtimeFactor: def({
    name: 'engine_asr_per_batch_realtime_factor',
    type: 'histogram',
    unit: 'ratio',
    help: 'Per-batch ASR real-time factor: audio duration inferenced divided by wall-clock inference time.',
    labels: [],
    buckets: RTF_BUCKETS,
  }),
  asrPerFileAudioDuration: def({
    name: 'engine_asr_per_file_audio_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Total audio duration for each /listen batch-mode ASR request.',
    labels: [],
    buckets: [1, 3, 10, 30, 100, 300, 1000, 3000, 10000, 30000, 100000],
    notes: '_sum is the batch audio seconds processed.',
  }),
  asrPerFileWallTime: def({
    name: 'engine_asr_per_file_wall_time_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Wall-clock time spent processing each /listen batch-mode ASR request.',
    labels: [],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 240],
  }),
  asrPerFileRealtimeFactor: def({
    name: 'engine_asr_per_file_realtime_factor',
    type: 'histogram',
    unit: 'ratio',
    help: 'Per-file ASR real-time factor for /listen batch mode: audio duration processed divided by wall-clock processing time.',
    labels: [],
    buckets: RTF_BUCKETS,
  }),
  streamConnectionLatency: def({
    name: 'engine_stream_connection_latency_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Latency establishing a streaming connection.',
    labels: [],
    buckets: [0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 3.5, 4, 5, 10],
  }),
  streamLatency: def({
    name: 'engine_stream_latency',
    type: 'histogram',
    unit: 'seconds',
    help: 'Latency processing streaming requests.',
    labels: [],
    buckets: STREAM_LATENCY_BUCKETS,
    notes: 'Seconds although the name has no _seconds suffix. The 400 ms target is the 0.4 bucket.',
  }),
  ttsFirstRawByteLatency: def({
    name: 'engine_tts_first_raw_byte_latency',
    type: 'histogram',
    unit: 'seconds',
    help: 'Latency to the first raw (untranscoded) TTS audio byte.',
    labels: ['tier'],
    buckets: TTS_BUCKETS,
    notes: 'Registered after the first TTS request.',
  }),
  ttsFirstTranscodedByteLatency: def({
    name: 'engine_tts_first_transcoded_byte_latency',
    type: 'histogram',
    unit: 'seconds',
    help: 'Latency to the first transcoded TTS audio byte (what the caller perceives).',
    labels: ['tier'],
    buckets: TTS_BUCKETS,
    notes: 'Registered after the first TTS request.',
  }),
  ttsFailuresDuringResponse: def({
    name: 'engine_tts_failures_during_response_total',
    type: 'counter',
    unit: 'failures',
    help: 'Number of failures that occur during audio generation.',
    labels: [],
    notes: 'Registered at the first failure.',
  }),
  fluxCursorLatency: def({
    presence: 'optional',
    name: 'engine_flux_cursor_latency_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Flux cursor latency after transcoding and rate limiting.',
    labels: [],
    buckets: [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
  }),
  fluxMaxStreams: def({
    presence: 'optional',
    name: 'engine_flux_max_streams',
    type: 'gauge',
    unit: 'streams',
    help: 'The max number of flux streams that can be processed on the GPU.',
    labels: [],
  }),
  fluxUsedStreams: def({
    presence: 'optional',
    name: 'engine_flux_used_streams',
    type: 'gauge',
    unit: 'streams',
    help: 'The number of flux streams that are being processed on the GPU.',
    labels: [],
  }),
  fluxFractionStreams: def({
    presence: 'optional',
    name: 'engine_flux_fraction_streams',
    type: 'gauge',
    unit: 'ratio',
    help: 'The fraction of flux streams that are being processed on the GPU.',
    labels: [],
  }),
} as const satisfies Record<string, MetricDef>;

/** Values the Engine puts in engine_requests_total{response_status}. */
export const RESPONSE_STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
export const REQUEST_KINDS = ['batch', 'stream', 'tts'] as const;

/**
 * Server errors in engine_requests_total. The Engine writes the class ("5xx"); the regex also matches a build that
 * writes codes ("503"), as Deepgram's own dashboards assume.
 */
export const SERVER_ERROR_MATCHER = 'response_status=~"5.."';
