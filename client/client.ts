// The production-safe Deepgram client: one instance per process (deepgramClient() keeps it), every call guarded by
// the resilience policies, measured into the catalogue's metrics and logged without content or secrets.
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { BatchCaller, type BatchAnswer, type ListenParams } from './batch.ts';
import { DeepgramClientError } from './errors.ts';
import { healthHandler, metricsHandler, type Handler } from './handlers.ts';
import { HealthCheck, type HealthReport } from './health.ts';
import { createClientLogger } from './log.ts';
import { ClientMetrics, type Mode } from './metrics.ts';
import { resolveOptions, type ClientOptions, type ResolvedOptions } from './options.ts';
import { CIRCUIT_STATE_NAMES, createGuards, type CircuitStateName, type Guards, type ResilienceEvents } from './resilience.ts';
import { connect, formatFromParams, LiveStream, type StreamAnswer, type StreamHooks } from './stream.ts';

export interface TranscribeResult extends BatchAnswer {
  /** Wall time of the whole call, retries included. */
  wallSeconds: number;
  /** Audio seconds per wall second (Deepgram's "real-time factor"). */
  realtimeFactor: number;
  /** Calls sent: 1 + retries. */
  attempts: number;
  /** True when the fallback hook produced this result. */
  fromFallback: boolean;
}

/** Called instead of failing when Deepgram cannot serve: circuit open, queue full, or retries used up on 429/5xx/timeouts. */
export type Fallback = (error: DeepgramClientError, request: { audio: Uint8Array; params: ListenParams }) => TranscribeResult | Promise<TranscribeResult>;

export interface ClientHooks extends ResilienceEvents {
  onFallback?(error: DeepgramClientError): void;
}

export interface TranscriptionClientOptions extends ClientOptions {
  fallback?: Fallback;
  /** Observers of retries (with the delay used), circuit state changes and fallbacks. */
  hooks?: ClientHooks;
}

export interface StreamFileOptions {
  params?: ListenParams;
  /** Audio per chunk (default 100 ms; Deepgram advises 20-100 ms). */
  chunkMs?: number;
  /** Pace chunks at the audio's own speed, as a live source would (default true). */
  realtime?: boolean;
  hooks?: StreamHooks;
  /** Cancels the stream: the handshake, its retries, the pacing and the stream itself. */
  signal?: AbortSignal;
}

export class TranscriptionClient {
  readonly options: ResolvedOptions;
  readonly log: Logger;
  readonly registry: Registry;
  private readonly metrics?: ClientMetrics;
  private readonly guards: Guards;
  private readonly batch: BatchCaller;
  private readonly health: HealthCheck;
  private readonly streams = new Set<LiveStream>();

  constructor(private readonly settings: TranscriptionClientOptions = {}) {
    const o = (this.options = resolveOptions(settings));
    // A key of its own: the application's logger (the exporter's probe among them) may bind `component` already.
    this.log = settings.logger?.child({ library: 'dgmon/client' }) ?? createClientLogger({ secrets: o.apiKey ? [o.apiKey] : [] });
    this.metrics = settings.registry === false ? undefined : new ClientMetrics(settings.registry, o.source);
    this.registry = this.metrics?.registry ?? new Registry();
    const hooks = settings.hooks ?? {};
    this.guards = createGuards(o, {
      onRetry: (e) => {
        this.log.warn({ attempt: e.attempt, delay_ms: Math.round(e.delayMs), reason: e.error.reason, status: e.error.status, request_id: e.error.requestId }, 'retrying Deepgram call');
        hooks.onRetry?.(e);
      },
      onCircuitState: (state) => {
        this.metrics?.circuitState(state);
        this.log[state === 'closed' ? 'info' : 'warn']({ state }, 'Deepgram circuit breaker changed state');
        hooks.onCircuitState?.(state);
      },
    }, (signal) => this.trial(signal));
    this.batch = new BatchCaller(o);
    this.health = new HealthCheck({
      url: `${o.baseUrl}${o.health.path}`,
      headers: this.authHeaders(),
      timeoutMs: o.health.timeoutMs,
      cacheTtlMs: o.health.cacheTtlMs,
      circuit: () => this.circuitState,
      onRateLimited: () => this.metrics?.rateLimited(),
    });
  }

  get circuitState(): CircuitStateName {
    return CIRCUIT_STATE_NAMES[this.guards.breaker.state];
  }

  /** Pre-recorded transcription of a whole file (WAV, MP3, …, or raw PCM named by encoding/sample_rate in params). */
  async transcribe(audio: Uint8Array, params: ListenParams = {}, options: { signal?: AbortSignal } = {}): Promise<TranscribeResult> {
    const started = performance.now();
    let attempts = 0;
    try {
      const answer = await this.guards.batch.run(
        (signal, attempt) => {
          attempts = attempt + 1;
          return this.measured('batch', signal, () => this.batch.call(audio, params, signal));
        },
        undefined,
        options.signal,
      );
      const wallSeconds = (performance.now() - started) / 1000;
      this.metrics?.succeeded('batch', wallSeconds, answer.audioSeconds);
      this.log.info({ mode: 'batch', request_id: answer.requestId, audio_seconds: answer.audioSeconds, wall_seconds: wallSeconds, attempts }, 'transcribed');
      return { ...answer, wallSeconds, realtimeFactor: wallSeconds > 0 ? answer.audioSeconds / wallSeconds : 0, attempts, fromFallback: false };
    } catch (err) {
      const error = err instanceof DeepgramClientError ? err : new DeepgramClientError('protocol', (err as Error).message);
      this.log.error({ mode: 'batch', reason: error.reason, status: error.status, request_id: error.requestId, attempts }, 'Deepgram transcription failed');
      const canFallBack = error.reason === 'circuit_open' || error.reason === 'queue_full' || error.retryable;
      if (!this.settings.fallback || !canFallBack) throw error;
      this.settings.hooks?.onFallback?.(error);
      this.log.warn({ mode: 'batch', reason: error.reason }, 'using the fallback');
      return { ...(await this.settings.fallback(error, { audio, params })), fromFallback: true };
    }
  }

  /** Opens a live stream; the stream keeps a concurrency slot until it ends. */
  async openStream(params: ListenParams = {}, hooks: StreamHooks = {}, signal?: AbortSignal): Promise<LiveStream> {
    const url = `${this.options.baseUrl.replace(/^http/, 'ws')}/v1/listen${query(params)}`;
    let started = 0;
    const stream = await this.guards.stream.open(
      (signal) =>
        this.measured('stream', signal, async () => {
          const { ws, requestId } = await connect(url, this.authHeaders(), signal);
          return new LiveStream(ws, requestId, formatFromParams(params), this.options.timeoutMs, {
            ...hooks,
            onChunkLatency: (s) => {
              this.metrics?.chunkAnswered(s);
              hooks.onChunkLatency?.(s);
            },
          });
        }, false),
      (s) => s.closed,
      signal,
    );
    started = performance.now();
    this.streams.add(stream);
    this.metrics?.started('stream');
    stream.done.then(
      (answer) => {
        this.metrics?.call('stream', '2xx');
        this.metrics?.succeeded('stream', (performance.now() - started) / 1000, answer.audioSeconds);
        this.log.info({ mode: 'stream', request_id: answer.requestId, audio_seconds: answer.audioSeconds, chunks: answer.chunkLatenciesSeconds.length }, 'stream transcribed');
      },
      (error: DeepgramClientError) => {
        this.metrics?.call('stream', error.callStatus ?? '5xx');
        this.log.error({ mode: 'stream', reason: error.reason, status: error.status, request_id: error.requestId }, 'Deepgram stream failed');
      },
    ).finally(() => {
      this.streams.delete(stream);
      this.metrics?.ended('stream');
    });
    return stream;
  }

  /** Streams a whole clip in chunks (paced in real time by default) and returns what Deepgram made of it. */
  async transcribeStream(audio: Uint8Array, options: StreamFileOptions = {}): Promise<StreamAnswer> {
    const params = options.params ?? {};
    const format = formatFromParams(params);
    const bytesPerSecond = format ? format.sampleRate * format.channels * 2 : 32_000;
    const chunkBytes = Math.max(2, Math.round((bytesPerSecond * (options.chunkMs ?? 100)) / 1000) & ~1);
    const stream = await this.openStream(params, options.hooks, options.signal);
    const abort = () => stream.abort();
    options.signal?.addEventListener('abort', abort, { once: true });
    try {
      for (let at = 0; at < audio.byteLength; at += chunkBytes) {
        stream.send(audio.subarray(at, at + chunkBytes));
        if (options.realtime !== false) await new Promise((resolve) => setTimeout(resolve, options.chunkMs ?? 100));
      }
      return await stream.finish();
    } finally {
      options.signal?.removeEventListener('abort', abort);
    }
  }

  /** Deepgram connectivity (cached for health.cacheTtlMs). */
  checkHealth(): Promise<HealthReport> {
    return this.health.report();
  }

  healthHandler(): Handler {
    return healthHandler(this.health);
  }

  metricsHandler(): Handler {
    return metricsHandler(this.registry);
  }

  /** Ends every open stream and the breaker's pending trial (for shutdown). */
  close(): void {
    this.guards.close();
    for (const stream of this.streams) stream.abort();
  }

  /**
   * The open breaker's trial once halfOpenAfter has passed with no call: one GET of the health endpoint (no audio,
   * nothing billed). A 5xx, a timeout or no connection keeps the circuit open; any other answer closes it.
   */
  private async trial(signal: AbortSignal): Promise<void> {
    const url = `${this.options.baseUrl}${this.options.health.path}`;
    let status: number;
    try {
      const response = await fetch(url, { headers: this.authHeaders(), signal: AbortSignal.any([signal, AbortSignal.timeout(this.options.health.timeoutMs)]) });
      await response.arrayBuffer();
      status = response.status;
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      throw new DeepgramClientError(timedOut ? 'timeout' : 'connection', `circuit trial: ${url} ${timedOut ? 'did not answer in time' : 'unreachable'}`);
    }
    this.log.info({ status }, 'Deepgram circuit trial answered');
    if (status >= 500) throw new DeepgramClientError('http', `circuit trial: ${url} answered ${status}`, { status });
  }

  /** One call to Deepgram, counted by outcome and as in flight; `count2xx` false leaves a stream's success for its end. */
  private async measured<T>(mode: Mode, signal: AbortSignal, call: () => Promise<T>, count2xx = true): Promise<T> {
    if (mode === 'batch') this.metrics?.started(mode);
    try {
      const value = await call();
      if (count2xx) this.metrics?.call(mode, '2xx');
      return value;
    } catch (err) {
      // An attempt aborted by the timeout policy fails with whatever the aborted I/O says; it is a timeout.
      const error = signal.aborted ? new DeepgramClientError('timeout', 'Deepgram did not answer within the timeout') : err;
      const status = error instanceof DeepgramClientError ? error.callStatus : undefined;
      if (status) this.metrics?.call(mode, status);
      if (error instanceof DeepgramClientError) this.log.warn({ mode, reason: error.reason, status: error.status, request_id: error.requestId }, 'Deepgram call failed');
      throw error;
    } finally {
      if (mode === 'batch') this.metrics?.ended(mode);
    }
  }

  private authHeaders(): Record<string, string> {
    return this.options.apiKey ? { authorization: `Token ${this.options.apiKey}` } : {};
  }
}

function query(params: ListenParams): string {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]);
  return entries.length ? `?${new URLSearchParams(entries).toString()}` : '';
}

let singleton: TranscriptionClient | undefined;

/**
 * The process's one client (one connection pool, one concurrency cap, one circuit breaker): created by the first
 * call with its options, returned as is afterwards. Passing options again once it exists is an error, so two parts
 * of an application cannot silently disagree on its settings.
 */
export function deepgramClient(options?: TranscriptionClientOptions): TranscriptionClient {
  if (singleton && options) throw new Error('dgmon client: deepgramClient() is already configured; call it without options, or use new TranscriptionClient() for a separate client');
  singleton ??= new TranscriptionClient(options);
  return singleton;
}
