// The simulator's scenarios: what each one makes one Deepgram node (Engine, API, License Proxy, dcgm-exporter) look
// like. Names are public interface (the control endpoint, `dgmon simulate`, end-to-end tests): never rename one.
// Each scenario is the healthy profile with a few fields overridden, so a scenario changes only what it is about.

export const SCENARIOS = [
  { name: 'idle', description: 'Engine up with no traffic yet: only its start-up metrics (lazy registration); API Ready.' },
  { name: 'healthy', description: 'Steady batch, streaming and TTS traffic; ~100x real time; GPU 40-70 % busy; everything green; /v1/listen fast.' },
  { name: 'error-burst', description: 'About 8 % of Engine requests and of /v1/listen calls answer 5xx (API still Healthy).' },
  { name: 'slow-batch', description: 'Batch requests queue inside the Engine: P95 response time 20-60 s; POST /v1/listen answers after about 25 s.' },
  { name: 'slow-streaming', description: 'Streaming latency around 0.7 s (mean over the 0.4 s target), slow stream set-up; live /v1/listen answers each chunk 0.7 s late.' },
  { name: 'rate-limited', description: 'Traffic above max_active_requests=40: active requests pinned at the limit, many 4xx, API /v1/listen answers 429 with Retry-After: 1.' },
  { name: 'capacity-exhausted', description: 'Open streams at ~94 % of estimated stream capacity, active requests near max_active_requests=40.' },
  { name: 'gpu-saturated', description: 'Heavy load: GPU ~98 % busy, hot and slower, streams at ~75 % of capacity.' },
  { name: 'gpu-idle-cpu-fallback', description: 'Engine running on CPU: GPU ~1 % busy with no framebuffer used while requests are active; ~20x real time.' },
  { name: 'gpu-xid', description: 'GPU 0 reports Xid 79 (GPU has fallen off the bus), DCGM_EXP_XID_ERRORS_COUNT{xid="79"} > 0.' },
  { name: 'gpu-hot', description: 'GPU 0 at 92 C and clock-throttled; batch slows down somewhat.' },
  { name: 'gpu-memory-full', description: 'GPU 0 framebuffer 97 % used.' },
  { name: 'gpu-memory-errors', description: 'GPU 0 uncorrectable remapped rows rising every minute and row-remap failure = 1.' },
  { name: 'engine-disconnected', description: 'Engine metrics up but the API reports engine_connection_status Disconnected; no traffic reaches the Engine.' },
  { name: 'api-degraded', description: 'About 35 % of requests answer 5xx: API system_health Degraded.' },
  { name: 'api-critical', description: 'About 75 % of requests answer 5xx: API system_health Critical.' },
  { name: 'license-trust-based', description: 'License Proxy lost license.deepgram.com and serves in TrustBased mode.' },
  { name: 'engine-down', description: 'Engine metrics port refuses connections; API reports no connected Engine (Initializing).' },
  { name: 'dcgm-down', description: 'dcgm-exporter port refuses connections; Engine keeps serving.' },
  { name: 'garbage-metrics', description: 'Engine /metrics answers 200 with text that is not an exposition format.' },
  { name: 'slow-upstream', description: 'Engine and dcgm-exporter /metrics answer only after 30 s.' },
  { name: 'api-hang', description: 'API /v1/listen takes batch requests and streams but never answers (client timeouts).' },
] as const satisfies readonly { name: string; description: string }[];

export type ScenarioName = (typeof SCENARIOS)[number]['name'];

export const SCENARIO_NAMES: readonly ScenarioName[] = SCENARIOS.map((s) => s.name);

export function isScenarioName(name: string): name is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(name);
}

/** Scenario names and descriptions as aligned lines, for --help texts. */
export function describeScenarios(): string {
  const width = Math.max(...SCENARIOS.map((s) => s.name.length));
  return SCENARIOS.map((s) => `  ${s.name.padEnd(width)}  ${s.description}`).join('\n');
}

/** Which GPUs a GPU fault affects: the first one (one failing card) or every GPU on the node. */
export type GpuScope = 'gpu0' | 'all';

export interface Profile {
  /** Multiplier on the configured load; 0 = no request reaches the Engine. */
  traffic: number;
  /** Share of requests (every kind) answered 4xx and 5xx; the rest are 2xx. */
  clientErrorShare: number;
  serverErrorShare: number;
  /** Median per-file real-time factor of batch ASR (audio seconds per wall second). */
  batchRtf: number;
  /** Median seconds a batch request waits inside the Engine before inference starts. */
  batchQueueSeconds: number;
  /** Median engine_stream_latency and its log-space spread. */
  streamLatency: number;
  streamLatencySigma: number;
  /** Median engine_stream_connection_latency_seconds. */
  streamConnectLatency: number;
  /** Median TTS first raw byte latency. */
  ttsFirstByte: number;
  /** Median Flux cursor latency. */
  fluxCursorLatency: number;
  /** engine.toml max_active_requests per GPU of the node; 0 = no limit. */
  maxActivePerGpu: number;
  /** engine_estimated_stream_capacity per GPU. */
  streamCapacityPerGpu: number;
  /**
   * Open streams as a share of engine_estimated_stream_capacity. Streams are long-lived and a node is sized for its
   * streams, so occupancy (not the arrival rate) sets how many are open: the scenario looks the same at any load.
   */
  streamFill: number;
  /**
   * How the active requests meet max_active_requests: 'shared' = demand exceeds the limit, the kinds fill it in
   * proportion (the rest is refused); 'streams-first' = open streams hold their slots and batch/TTS take what is
   * left, filling the limit; false = only capped at the limit.
   */
  atLimit: false | 'shared' | 'streams-first';
  /** Engine metrics endpoint behaviour. */
  engineEndpoint: 'up' | 'down' | 'garbage' | 'slow';
  dcgmEndpoint: 'up' | 'down' | 'slow';
  /** Whether the API has the Engine connected. */
  engineConnected: boolean;
  /** The Engine runs on the CPU: no GPU memory, no GPU work. */
  cpuFallback: boolean;
  /** Centre and spread of DCGM_FI_DEV_GPU_UTIL (%) while the Engine has work. */
  gpuUtil: number;
  gpuUtilJitter: number;
  /** Overrides for a GPU fault, on the GPUs `faultScope` names. */
  faultScope: GpuScope;
  gpuTempCelsius?: number;
  smClockMhz?: number;
  fbUsedRatio?: number;
  xid?: { code: number; everySeconds: number };
  memoryErrors: boolean;
  licenseState: 'Connected' | 'TrustBased';
  /** API /v1/listen answers 429 (rate limit) instead of transcribing, with this Retry-After. */
  apiRateLimited: boolean;
  retryAfterSeconds: number;
  /** API /v1/listen accepts requests and streams and never answers them. */
  listenHang: boolean;
}

const HEALTHY: Profile = {
  traffic: 1,
  clientErrorShare: 0.015,
  serverErrorShare: 0.0003,
  batchRtf: 100,
  batchQueueSeconds: 0.1,
  streamLatency: 0.18,
  streamLatencySigma: 0.28,
  streamConnectLatency: 0.12,
  ttsFirstByte: 0.11,
  fluxCursorLatency: 0.02,
  maxActivePerGpu: 0,
  streamCapacityPerGpu: 60,
  streamFill: 0.45,
  atLimit: false,
  engineEndpoint: 'up',
  dcgmEndpoint: 'up',
  engineConnected: true,
  cpuFallback: false,
  gpuUtil: 55,
  gpuUtilJitter: 12,
  faultScope: 'gpu0',
  memoryErrors: false,
  licenseState: 'Connected',
  apiRateLimited: false,
  retryAfterSeconds: 1,
  listenHang: false,
};

const OVERRIDES: Record<ScenarioName, Partial<Profile>> = {
  idle: { traffic: 0 },
  healthy: {},
  'error-burst': { serverErrorShare: 0.08 },
  'slow-batch': { batchQueueSeconds: 25, gpuUtil: 62 },
  'slow-streaming': { streamFill: 0.6, streamLatency: 0.7, streamLatencySigma: 0.35, streamConnectLatency: 0.9, gpuUtil: 75, gpuUtilJitter: 8 },
  'rate-limited': { traffic: 2, maxActivePerGpu: 40, atLimit: 'shared', clientErrorShare: 0.25, apiRateLimited: true, gpuUtil: 80, gpuUtilJitter: 6 },
  'capacity-exhausted': { traffic: 1.6, maxActivePerGpu: 40, atLimit: 'streams-first', streamCapacityPerGpu: 38, streamFill: 0.94, streamLatency: 0.28, gpuUtil: 85, gpuUtilJitter: 6 },
  'gpu-saturated': { traffic: 1.6, streamFill: 0.75, gpuUtil: 98, gpuUtilJitter: 1.5, batchRtf: 85, streamLatency: 0.27, faultScope: 'all', gpuTempCelsius: 79 },
  'gpu-idle-cpu-fallback': { cpuFallback: true, streamFill: 0.7, batchRtf: 20, streamLatency: 0.9, streamLatencySigma: 0.35, streamConnectLatency: 1.2, ttsFirstByte: 0.6, streamCapacityPerGpu: 12, gpuUtil: 1, gpuUtilJitter: 1, faultScope: 'all' },
  'gpu-xid': { xid: { code: 79, everySeconds: 180 } },
  'gpu-hot': { gpuTempCelsius: 92, smClockMhz: 1110, batchRtf: 85, gpuUtil: 70, gpuUtilJitter: 8 },
  'gpu-memory-full': { fbUsedRatio: 0.97 },
  'gpu-memory-errors': { memoryErrors: true },
  'engine-disconnected': { traffic: 0, engineConnected: false },
  'api-degraded': { serverErrorShare: 0.35 },
  'api-critical': { serverErrorShare: 0.75 },
  'license-trust-based': { licenseState: 'TrustBased' },
  'engine-down': { traffic: 0, engineConnected: false, engineEndpoint: 'down' },
  'dcgm-down': { dcgmEndpoint: 'down' },
  'garbage-metrics': { engineEndpoint: 'garbage' },
  'slow-upstream': { engineEndpoint: 'slow', dcgmEndpoint: 'slow' },
  'api-hang': { listenHang: true },
};

export function profileOf(name: ScenarioName): Profile {
  return { ...HEALTHY, ...OVERRIDES[name] };
}
