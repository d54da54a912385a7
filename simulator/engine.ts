// The Deepgram Engine's side of the simulated node: a traffic model that turns elapsed time x load into the Engine's
// counters and histograms, the active-request gauges, and the metric families its /metrics serves. Every name, help
// text and bucket bound comes from the catalogue (core/catalog/engine.ts).
//
// Time advances in whole-second ticks from the simulator's start, in order, each tick drawing from one seeded
// generator: the state after N seconds depends only on the clock and the scenario switches, never on how often
// /metrics was read (a clock jump of more than MAX_STEPS_PER_ADVANCE seconds is integrated in coarser steps, the one
// exception). Gauges (active requests) are functions of the current second and the scenario.
import { ENGINE, REQUEST_KINDS, RESPONSE_STATUS_CLASSES, type MetricDef } from '../core/catalog/index.ts';
import type { MetricFamily, Sample } from '../core/exposition/types.ts';
import { createRng, logNormal, noise, signedNoise } from './random.ts';
import type { Profile } from './scenarios.ts';

export type RequestKind = (typeof REQUEST_KINDS)[number];
type StatusClass = (typeof RESPONSE_STATUS_CLASSES)[number];

/** Share of arriving requests per kind. */
const KIND_SHARE: Record<RequestKind, number> = { batch: 0.45, stream: 0.35, tts: 0.2 };
/** Open streams build up over this long after the Engine's first request. */
const STREAM_RAMP_SECONDS = 60;
/** Mean seconds a TTS request takes, for the active-request gauge (Little's law, as for batch). */
const TTS_SECONDS = 1.2;
/** Batch file audio: median seconds and log-space spread (most files 1-8 minutes). */
const FILE_AUDIO_MEDIAN = 150;
const FILE_AUDIO_SIGMA = 0.7;
/** Share of streams that are Flux (/v2/listen) streams. */
const FLUX_SHARE = 0.25;
/** engine.toml [flux] max_streams per GPU. */
const FLUX_MAX_STREAMS_PER_GPU = 20;
/** TTS model families in the tier label, with their share of TTS requests. */
const TTS_TIERS: readonly { tier: string; share: number }[] = [
  { tier: 'aura-2', share: 0.7 },
  { tier: 'aura', share: 0.3 },
];
/** Share of successful TTS responses that fail while the audio is being generated. */
const TTS_FAILURE_SHARE = 0.01;
/** Window the API's system_health looks back over (Deepgram does not document its size). */
export const HEALTH_WINDOW_SECONDS = 120;
/** Larger clock jumps are integrated in coarser steps so one scrape never runs more steps than this. */
const MAX_STEPS_PER_ADVANCE = 20_000;
/**
 * At most this many random draws per group of like requests (same kind and status) in one step; a larger group is
 * spread over the draws as integer weights. Below it (the default load, one-second steps) every request is drawn.
 */
const DRAWS_PER_GROUP = 16;

/** Splits `count` items over at most `draws` weights that add up to `count`. */
function weights(count: number, draws = DRAWS_PER_GROUP): number[] {
  const n = Math.min(count, draws);
  return Array.from({ length: n }, (_, i) => Math.floor(count / n) + (i < count % n ? 1 : 0));
}

/** Families the Metrics Guide shows with `# UNIT seconds` (the others carry no UNIT line, whatever their suffix). */
const UNIT_SECONDS = new Set<string>([
  ENGINE.asrPerBatchAudioDuration.name,
  ENGINE.asrPerBatchWallTime.name,
  ENGINE.asrPerFileAudioDuration.name,
  ENGINE.asrPerFileWallTime.name,
  ENGINE.fluxCursorLatency.name,
]);

export interface ActiveRequests {
  batch: number;
  /** Every open stream, /v1/listen and Flux /v2/listen (engine_active_requests{kind="stream"}). */
  stream: number;
  tts: number;
  /** The Flux part of `stream` (engine_flux_used_streams, API active_listen_v2_stream_requests). */
  flux: number;
}

/** A bucket bound as the Engine writes it: always with a decimal point (1.0, 0.25, +Inf). */
export function formatLe(bound: number): string {
  if (bound === Infinity) return '+Inf';
  return Number.isInteger(bound) ? `${bound}.0` : String(bound);
}

class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  /** Records `weight` observations of `value` (weight > 1 stands for many similar requests, see DRAWS_PER_GROUP). */
  observe(value: number, weight = 1): void {
    let i = 0;
    while (i < this.bounds.length && value > (this.bounds[i] as number)) i++;
    this.counts[i] = (this.counts[i] ?? 0) + weight;
    this.sum += value * weight;
    this.count += weight;
  }

  samples(name: string, labels: Record<string, string> = {}): Sample[] {
    const out: Sample[] = [];
    let cumulative = 0;
    [...this.bounds, Infinity].forEach((bound, i) => {
      cumulative += this.counts[i] ?? 0;
      out.push({ name: `${name}_bucket`, labels: { ...labels, le: formatLe(bound) }, value: cumulative });
    });
    out.push({ name: `${name}_sum`, labels, value: round6(this.sum) });
    out.push({ name: `${name}_count`, labels, value: this.count });
    return out;
  }
}

const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

export interface EngineModelOptions {
  gpus: number;
  /** Requests per second arriving at the Engine in the healthy profile (all kinds together). */
  load: number;
  seed: number;
  startMs: number;
  /** Seconds of requests the API's system_health judges (default HEALTH_WINDOW_SECONDS); end-to-end tests shorten it. */
  healthWindowSeconds?: number;
  /**
   * Seconds integrated per step (default 1). The fleet benchmark sets it to its sample interval: thousands of node-hours
   * are then generated in seconds, with each step's requests still drawn as up to DRAWS_PER_GROUP like groups.
   */
  stepSeconds?: number;
}

export class EngineModel {
  private readonly rng: () => number;
  /** Seconds since start already integrated. */
  private second = 0;
  private registered = false;
  private ttsFailuresRegistered = false;
  private everServed = false;
  /** The second of the first request; open streams ramp up over STREAM_RAMP_SECONDS from it. */
  private firstServedSecond = 0;

  private readonly requests = new Map<RequestKind, Record<StatusClass, number>>();
  private readonly arrivalCredit: Record<RequestKind, number> = { batch: 0, stream: 0, tts: 0 };
  private readonly clientErrorCredit: Record<RequestKind, number> = { batch: 0, stream: 0, tts: 0 };
  private readonly serverErrorCredit: Record<RequestKind, number> = { batch: 0, stream: 0, tts: 0 };
  private fluxCredit = 0;
  private ttsFailureCredit = 0;
  private ttsFailures = 0;
  /** Requests and server errors per integrated step, for the API's recent success share. */
  private recent: { second: number; total: number; server: number }[] = [];

  private readonly batchResponse = new Histogram(ENGINE.batchResponseTime.buckets ?? []);
  private readonly perBatchAudio = new Histogram(ENGINE.asrPerBatchAudioDuration.buckets ?? []);
  private readonly perBatchWall = new Histogram(ENGINE.asrPerBatchWallTime.buckets ?? []);
  private readonly perBatchRtf = new Histogram(ENGINE.asrPerBatchRealtimeFactor.buckets ?? []);
  private readonly perFileAudio = new Histogram(ENGINE.asrPerFileAudioDuration.buckets ?? []);
  private readonly perFileWall = new Histogram(ENGINE.asrPerFileWallTime.buckets ?? []);
  private readonly perFileRtf = new Histogram(ENGINE.asrPerFileRealtimeFactor.buckets ?? []);
  private readonly streamConnect = new Histogram(ENGINE.streamConnectionLatency.buckets ?? []);
  private readonly streamLatency = new Histogram(ENGINE.streamLatency.buckets ?? []);
  private readonly fluxCursor = new Histogram(ENGINE.fluxCursorLatency.buckets ?? []);
  /** Per tier, created at the tier's first TTS response (lazy registration). */
  private readonly ttsRaw = new Map<string, Histogram>();
  private readonly ttsTranscoded = new Map<string, Histogram>();

  constructor(private readonly options: EngineModelOptions) {
    this.rng = createRng(options.seed);
    for (const kind of REQUEST_KINDS) {
      this.requests.set(kind, Object.fromEntries(RESPONSE_STATUS_CLASSES.map((c) => [c, 0])) as Record<StatusClass, number>);
    }
  }

  /** Whole seconds since start at `nowMs`. */
  secondAt(nowMs: number): number {
    return Math.max(0, Math.floor((nowMs - this.options.startMs) / 1000));
  }

  /** Integrates traffic up to `nowMs` under `profile`. Call it before every read and before every scenario switch. */
  advance(nowMs: number, profile: Profile): void {
    const target = this.secondAt(nowMs);
    const pending = target - this.second;
    if (pending <= 0) return;
    const step = Math.max(this.options.stepSeconds ?? 1, Math.ceil(pending / MAX_STEPS_PER_ADVANCE));
    while (this.second < target) {
      const dt = Math.min(step, target - this.second);
      this.step(this.second, dt, profile);
      this.second += dt;
    }
    const horizon = this.second - (this.options.healthWindowSeconds ?? HEALTH_WINDOW_SECONDS);
    this.recent = this.recent.filter((r) => r.second >= horizon);
  }

  /** Active requests in the current second under `profile`. */
  active(nowMs: number, profile: Profile): ActiveRequests {
    return this.activeAtSecond(this.secondAt(nowMs), profile);
  }

  streamCapacity(profile: Profile): number {
    return profile.streamCapacityPerGpu * this.options.gpus;
  }

  maxActiveRequests(profile: Profile): number {
    return profile.maxActivePerGpu * this.options.gpus;
  }

  /** Requests served so far by kind and status class. */
  requestCount(kind: RequestKind, status: StatusClass): number {
    return this.requests.get(kind)?.[status] ?? 0;
  }

  /**
   * The API's system_health: Ready until the first request, then from the share of recent requests that did not
   * fail with a server error (Deepgram: Healthy > 90 %, Degraded 40-90 %, Critical < 40 %).
   */
  systemHealth(): 'Ready' | 'Healthy' | 'Degraded' | 'Critical' {
    if (!this.everServed) return 'Ready';
    const total = this.recent.reduce((s, r) => s + r.total, 0);
    const server = this.recent.reduce((s, r) => s + r.server, 0);
    if (total === 0) return 'Healthy';
    const success = 1 - server / total;
    if (success > 0.9) return 'Healthy';
    if (success >= 0.4) return 'Degraded';
    return 'Critical';
  }

  /**
   * The /metrics families, in the order the Metrics Guide lists them. Before the first request only the start-up
   * three (stream capacity, active and max active requests); the TTS histograms from the first TTS response (one
   * series set per tier seen), the TTS failure counter from the first failure.
   */
  families(nowMs: number, profile: Profile): MetricFamily[] {
    const active = this.active(nowMs, profile);
    const families: MetricFamily[] = [
      gauge(ENGINE.estimatedStreamCapacity, [{ labels: {}, value: this.streamCapacity(profile) }]),
      gauge(ENGINE.activeRequests, [
        { labels: { kind: 'batch' }, value: active.batch },
        { labels: { kind: 'stream' }, value: active.stream },
        { labels: { kind: 'tts' }, value: active.tts },
      ]),
      gauge(ENGINE.maxActiveRequests, [{ labels: {}, value: this.maxActiveRequests(profile) }]),
    ];
    if (!this.registered) return families;

    families.push({
      ...meta(ENGINE.requests),
      samples: REQUEST_KINDS.flatMap((kind) =>
        RESPONSE_STATUS_CLASSES.map((status) => ({ name: ENGINE.requests.name, labels: { kind, response_status: status }, value: this.requestCount(kind, status) })),
      ),
    });
    families.push(histogram(ENGINE.batchResponseTime, this.batchResponse));
    families.push(histogram(ENGINE.asrPerBatchAudioDuration, this.perBatchAudio));
    families.push(histogram(ENGINE.asrPerBatchWallTime, this.perBatchWall));
    families.push(histogram(ENGINE.asrPerBatchRealtimeFactor, this.perBatchRtf));
    families.push(histogram(ENGINE.asrPerFileAudioDuration, this.perFileAudio));
    families.push(histogram(ENGINE.asrPerFileWallTime, this.perFileWall));
    families.push(histogram(ENGINE.asrPerFileRealtimeFactor, this.perFileRtf));
    families.push(histogram(ENGINE.streamConnectionLatency, this.streamConnect));
    families.push(histogram(ENGINE.streamLatency, this.streamLatency));
    if (this.ttsRaw.size > 0) {
      families.push(tieredHistogram(ENGINE.ttsFirstRawByteLatency, this.ttsRaw));
      families.push(tieredHistogram(ENGINE.ttsFirstTranscodedByteLatency, this.ttsTranscoded));
    }
    if (this.ttsFailuresRegistered) {
      families.push({ ...meta(ENGINE.ttsFailuresDuringResponse), samples: [{ name: ENGINE.ttsFailuresDuringResponse.name, labels: {}, value: this.ttsFailures }] });
    }
    families.push(histogram(ENGINE.fluxCursorLatency, this.fluxCursor));
    const fluxMax = FLUX_MAX_STREAMS_PER_GPU * this.options.gpus;
    families.push(gauge(ENGINE.fluxMaxStreams, [{ labels: {}, value: fluxMax }]));
    families.push(gauge(ENGINE.fluxUsedStreams, [{ labels: {}, value: active.flux }]));
    families.push(gauge(ENGINE.fluxFractionStreams, [{ labels: {}, value: fluxMax > 0 ? round6(active.flux / fluxMax) : 0 }]));
    return families;
  }

  private rate(kind: RequestKind, profile: Profile): number {
    return this.options.load * KIND_SHARE[kind] * profile.traffic;
  }

  /** Active requests in a given second since start under `profile`. */
  activeAtSecond(second: number, profile: Profile): ActiveRequests {
    // Nothing is active before the first request, nor while no traffic reaches the Engine.
    if (profile.traffic <= 0 || !this.everServed) return { batch: 0, stream: 0, tts: 0, flux: 0 };
    const seed = this.options.seed;
    const jitter = (k: number, spread: number) => 1 + spread * signedNoise(seed, second, 101 + k);
    const meanBatchSeconds = (FILE_AUDIO_MEDIAN * Math.exp((FILE_AUDIO_SIGMA * FILE_AUDIO_SIGMA) / 2)) / profile.batchRtf + profile.batchQueueSeconds;
    let batch = Math.round(this.rate('batch', profile) * meanBatchSeconds * jitter(0, 0.15));
    const ramp = Math.min(1, (second - this.firstServedSecond + 1) / STREAM_RAMP_SECONDS);
    let stream = Math.round(profile.streamFill * this.streamCapacity(profile) * ramp * jitter(1, 0.03));
    let tts = Math.round(this.rate('tts', profile) * TTS_SECONDS * jitter(2, 0.3));
    const limit = this.maxActiveRequests(profile);
    if (limit > 0 && profile.atLimit === 'streams-first') {
      // Open streams keep their slots; batch and TTS take the rest (in proportion to their demand), all but a slot.
      stream = Math.min(stream, limit);
      const room = Math.max(0, limit - stream - (noise(seed, second, 104) < 0.5 ? 0 : 1));
      const demand = Math.max(1, batch + tts);
      tts = Math.floor((room * tts) / demand);
      batch = room - tts;
    } else if (limit > 0 && (profile.atLimit === 'shared' || batch + stream + tts > limit)) {
      // More demand than the limit: the kinds share it in proportion, the rest is refused.
      const scale = limit / Math.max(1, batch + stream + tts);
      batch = Math.floor(batch * scale);
      tts = Math.floor(tts * scale);
      stream = limit - batch - tts;
    }
    const flux = Math.round(stream * FLUX_SHARE);
    return { batch, stream, tts, flux };
  }

  private step(second: number, dt: number, profile: Profile): void {
    if (profile.traffic <= 0) return;
    const rng = this.rng;
    let total = 0;
    let server = 0;
    for (const kind of REQUEST_KINDS) {
      this.arrivalCredit[kind] += this.rate(kind, profile) * dt * (0.6 + 0.8 * rng());
      const arrivals = Math.floor(this.arrivalCredit[kind]);
      this.arrivalCredit[kind] -= arrivals;
      if (arrivals === 0) continue;
      this.registered = true;
      const split = this.classify(kind, arrivals, profile);
      const counts = this.requests.get(kind);
      for (const status of ['2xx', '4xx', '5xx'] as const) {
        if (split[status] === 0) continue;
        if (counts) counts[status] += split[status];
        for (const weight of weights(split[status])) this.serve(kind, status, weight, profile);
      }
      total += arrivals;
      server += split['5xx'];
    }
    // Inferencer batches: the GPU batches audio of all open requests, a few per second and more under load.
    const active = this.activeAtSecond(second, profile);
    const inferBatches = this.registered ? Math.round(dt * (1 + (active.batch + active.stream) / 5) * (0.7 + 0.6 * rng())) : 0;
    for (const weight of weights(inferBatches)) {
      const audio = logNormal(rng, 3, 0.9, 0.05, 120);
      const rtf = logNormal(rng, profile.batchRtf * 1.5, 0.35, 0.5);
      this.perBatchAudio.observe(audio, weight);
      this.perBatchWall.observe(audio / rtf, weight);
      this.perBatchRtf.observe(rtf, weight);
    }
    if (total > 0) {
      this.recent.push({ second, total, server });
      if (!this.everServed) this.firstServedSecond = second;
      this.everServed = true;
    }
  }

  /**
   * Status classes of `n` requests of `kind`: exact shares by credit (server errors first, client errors among the
   * rest), so a scenario's error share is steady rather than noisy.
   */
  private classify(kind: RequestKind, n: number, profile: Profile): Record<'2xx' | '4xx' | '5xx', number> {
    this.serverErrorCredit[kind] += n * profile.serverErrorShare;
    const s5 = Math.min(n, Math.floor(this.serverErrorCredit[kind]));
    this.serverErrorCredit[kind] -= s5;
    this.clientErrorCredit[kind] += (n - s5) * profile.clientErrorShare;
    const s4 = Math.min(n - s5, Math.floor(this.clientErrorCredit[kind]));
    this.clientErrorCredit[kind] -= s4;
    return { '2xx': n - s5 - s4, '4xx': s4, '5xx': s5 };
  }

  /** Observes `weight` like requests of `kind` that ended with `status` (one set of random draws for all of them). */
  private serve(kind: RequestKind, status: '2xx' | '4xx' | '5xx', weight: number, profile: Profile): void {
    const rng = this.rng;
    if (kind === 'batch') {
      if (status === '2xx') {
        const audio = logNormal(rng, FILE_AUDIO_MEDIAN, FILE_AUDIO_SIGMA, 1, 14_400);
        const rtf = logNormal(rng, profile.batchRtf, 0.25, 0.5);
        const wall = audio / rtf;
        const queue = profile.batchQueueSeconds * logNormal(rng, 1, 0.5);
        this.perFileAudio.observe(audio, weight);
        this.perFileWall.observe(wall, weight);
        this.perFileRtf.observe(rtf, weight);
        this.batchResponse.observe(queue + wall + 0.03, weight);
      } else {
        // Refused early (4xx) or failed part-way (5xx).
        this.batchResponse.observe(status === '4xx' ? logNormal(rng, 0.03, 0.5, 0.002) : logNormal(rng, 2, 0.8, 0.01), weight);
      }
      return;
    }
    if (kind === 'stream') {
      if (status === '4xx') return;
      this.streamConnect.observe(logNormal(rng, profile.streamConnectLatency, 0.45, 0.01), weight);
      if (status !== '2xx') return;
      this.streamLatency.observe(logNormal(rng, profile.streamLatency, profile.streamLatencySigma, 0.01), weight);
      // A quarter of the streams are Flux streams, each with a few cursor-latency observations.
      this.fluxCredit += FLUX_SHARE * weight;
      const fluxStreams = Math.floor(this.fluxCredit);
      this.fluxCredit -= fluxStreams;
      for (const w of weights(fluxStreams * 5, 5)) this.fluxCursor.observe(logNormal(rng, profile.fluxCursorLatency, 0.7, 0.0002), w);
      return;
    }
    if (status !== '2xx') return;
    const u = rng();
    let acc = 0;
    const tier = TTS_TIERS.find((t) => (acc += t.share) > u)?.tier ?? 'aura-2';
    const raw = logNormal(rng, profile.ttsFirstByte, 0.35, 0.01);
    const transcoded = raw + logNormal(rng, 0.025, 0.4, 0.002);
    this.tierHistogram(this.ttsRaw, tier).observe(raw, weight);
    this.tierHistogram(this.ttsTranscoded, tier).observe(transcoded, weight);
    this.ttsFailureCredit += TTS_FAILURE_SHARE * weight;
    const failures = Math.floor(this.ttsFailureCredit);
    if (failures > 0) {
      this.ttsFailureCredit -= failures;
      this.ttsFailures += failures;
      this.ttsFailuresRegistered = true;
    }
  }

  private tierHistogram(map: Map<string, Histogram>, tier: string): Histogram {
    let h = map.get(tier);
    if (!h) {
      h = new Histogram(ENGINE.ttsFirstRawByteLatency.buckets ?? []);
      map.set(tier, h);
    }
    return h;
  }
}

function meta(def: MetricDef): Omit<MetricFamily, 'samples'> {
  return { name: def.name, type: def.type === 'counter' || def.type === 'gauge' || def.type === 'histogram' ? def.type : 'unknown', help: def.help, ...(UNIT_SECONDS.has(def.name) ? { unit: 'seconds' } : {}) };
}

function gauge(def: MetricDef, values: { labels: Record<string, string>; value: number }[]): MetricFamily {
  return { ...meta(def), samples: values.map((v) => ({ name: def.name, labels: v.labels, value: v.value })) };
}

function histogram(def: MetricDef, h: Histogram): MetricFamily {
  return { ...meta(def), samples: h.samples(def.name) };
}

function tieredHistogram(def: MetricDef, byTier: Map<string, Histogram>): MetricFamily {
  const tiers = [...byTier.keys()].sort();
  return { ...meta(def), samples: tiers.flatMap((tier) => byTier.get(tier)?.samples(def.name, { tier }) ?? []) };
}

/** A deterministic non-exposition body for the garbage-metrics scenario. */
export function garbageMetrics(second: number, seed: number): string {
  const id = Math.floor(noise(seed, second, 7) * 1e9).toString(16);
  return [
    '<!DOCTYPE html>',
    '<html><head><title>Engine metrics</title></head>',
    `<body><h1>metrics registry unavailable</h1><p>trace ${id}</p>`,
    'engine_requests_total{kind="batch" response_status=2xx} twelve',
    '{"engine_active_requests": [1, 2, 3]',
    '</body></html>',
    '',
  ].join('\n');
}
