// The exporter's synthetic probe: a known clip sent to the Deepgram API on its own schedule, batch and live
// streaming, through dgmon's client (timeout, retries with backoff and jitter, circuit breaker) with source="probe".
// It runs in the background and only writes into the exporter's registry, so a scrape never waits on it; a hanging
// API costs the probe its timeout, never a scrape its budget.
import { readFileSync } from 'node:fs';
import type { Registry } from 'prom-client';
import { TranscriptionClient } from '../../client/client.ts';
import { DeepgramClientError } from '../../client/errors.ts';
import type { ListenParams } from '../../client/batch.ts';
import { synthesizeClip } from '../../core/audio/clip.ts';
import type { DgmonConfig } from '../../core/config.ts';
import { durationSeconds } from '../../core/duration.ts';
import type { Logger } from '../log.ts';
import { ProbeMetrics, type ProbeMode, type ProbeResult } from './metrics.ts';
import { checkTranscript } from './sanity.ts';
import { Schedule } from './schedule.ts';

export type ProbeSettings = DgmonConfig['exporter']['probe'];

export interface ProbeOptions {
  settings: ProbeSettings;
  /** The API to probe (settings.apiUrl, else the exporter's API source). */
  apiUrl: string;
  apiKey?: string;
  /** The exporter's registry: one /metrics, one family each. */
  registry: Registry;
  log: Logger;
  /** Backoff of the retries in ms (production: the client's 500 ms doubling up to 10 s). */
  backoff?: { initialDelayMs: number; maxDelayMs: number };
}

/** How a run that threw ended, for dgmon_probe_runs_total. */
export function resultOf(error: unknown): ProbeResult {
  if (!(error instanceof DeepgramClientError)) return 'server_error';
  if (error.reason === 'circuit_open' || error.reason === 'queue_full') return 'not_sent';
  if (error.callStatus === '429') return 'rate_limited';
  if (error.callStatus === '4xx') return 'client_error';
  return 'server_error';
}

export class Probe {
  readonly client: TranscriptionClient;
  private readonly metrics: ProbeMetrics;
  private readonly audio: Uint8Array;
  private readonly params: ListenParams;
  private readonly modes: ProbeMode[];
  private readonly schedules: Schedule[] = [];
  private readonly cancel = new AbortController();

  constructor(private readonly options: ProbeOptions) {
    const s = options.settings;
    this.modes = [...(s.batch ? (['batch'] as const) : []), ...(s.stream ? (['stream'] as const) : [])];
    this.audio = s.audioFile ? readAudio(s.audioFile) : synthesizeClip().wav;
    this.params = s.model ? { model: s.model } : {};
    this.metrics = new ProbeMetrics(options.registry, this.modes);
    this.client = new TranscriptionClient({
      baseUrl: options.apiUrl,
      apiKey: options.apiKey,
      source: 'probe',
      registry: options.registry,
      logger: options.log.child({ component: 'probe' }),
      timeoutMs: durationSeconds(s.timeout) * 1000,
      // Runs never overlap, so one slot each is all the probe ever needs.
      maxConcurrentRequests: 1,
      maxConcurrentStreams: 1,
      retry: { maxRetries: s.retries, ...options.backoff },
      breaker: { consecutiveFailures: s.breaker.consecutiveFailures, halfOpenAfterMs: durationSeconds(s.breaker.halfOpenAfter) * 1000 },
    });
  }

  /** Starts both schedules: batch soon, the stream half an interval later, so the two never compete. */
  start(): void {
    const interval = durationSeconds(this.options.settings.interval) * 1000;
    this.modes.forEach((mode, i) => {
      const schedule = new Schedule(() => this.run(mode), interval);
      schedule.start(i === 0 ? Math.min(interval / 10, 5_000) : interval / 2);
      this.schedules.push(schedule);
    });
    this.options.log.info({ url: this.options.apiUrl, modes: this.modes, interval: this.options.settings.interval }, 'probe started');
  }

  /** One probe of `mode`, recorded. Never throws. */
  async run(mode: ProbeMode): Promise<void> {
    try {
      const transcript = mode === 'batch' ? await this.batch() : await this.stream();
      this.metrics.ran(mode, 'success');
      this.metrics.checked(mode, checkTranscript(transcript, this.options.settings.expectedWords));
    } catch (err) {
      if (this.cancel.signal.aborted) return;
      const result = resultOf(err);
      this.metrics.ran(mode, result);
      const e = err as DeepgramClientError;
      this.options.log.warn({ mode, result, reason: e.reason, status: e.status, request_id: e.requestId }, 'probe failed');
    }
  }

  /** Stops the schedules, cancels the calls under way and waits for them to end. */
  async close(): Promise<void> {
    this.cancel.abort();
    this.client.close();
    await Promise.all(this.schedules.map((s) => s.stop()));
  }

  private async batch(): Promise<string> {
    const result = await this.client.transcribe(this.audio, this.params, { signal: this.cancel.signal });
    this.metrics.batchSpeedup(result.realtimeFactor);
    return result.transcript;
  }

  private async stream(): Promise<string> {
    const answer = await this.client.transcribeStream(this.audio, { params: this.params, chunkMs: this.options.settings.chunkMs, signal: this.cancel.signal });
    if (answer.firstTranscriptSeconds !== undefined) this.metrics.firstTranscriptAfter(answer.firstTranscriptSeconds);
    return answer.transcript;
  }
}

function readAudio(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`exporter.probe.audioFile: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
