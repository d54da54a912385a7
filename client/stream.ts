// Live transcription over WebSocket /v1/listen with the `ws` package: the handshake (whose refusal carries the HTTP
// status, dg-request-id, dg-error and Retry-After that retries and metrics need), then one open stream: binary audio
// out, Results in, CloseStream → final Metadata → close. It measures what live latency means: for each chunk sent,
// the time until a result covers its end, and the time to the first transcript.
import { performance } from 'node:perf_hooks';
import WebSocket, { type RawData } from 'ws';
import { parseWav, type PcmFormat } from '../core/audio/wav.ts';
import { DeepgramClientError, parseRetryAfter } from './errors.ts';
import type { ListenParams } from './batch.ts';

export interface StreamResult {
  transcript: string;
  isFinal: boolean;
  /** Audio seconds the result covers. */
  start: number;
  duration: number;
}

export interface StreamAnswer {
  requestId: string;
  /** The final results' transcripts, joined. */
  transcript: string;
  /** The final Metadata's duration: seconds of audio Deepgram processed. */
  audioSeconds: number;
  /** From the first audio sent to the first non-empty transcript (undefined if there was none). */
  firstTranscriptSeconds?: number;
  /** Per chunk: from sending it to the first result covering its end. */
  chunkLatenciesSeconds: number[];
  wallSeconds: number;
}

export interface StreamHooks {
  /** Every Results message (the application's own data: the client never logs it). */
  onResult?(result: StreamResult): void;
  /** Per chunk latency as it is measured. */
  onChunkLatency?(seconds: number): void;
}

/** Opens the WebSocket; rejects with a classified DeepgramClientError when the handshake fails. */
export function connect(url: string, headers: Record<string, string>, signal: AbortSignal): Promise<{ ws: WebSocket; requestId?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    let requestId: string | undefined;
    let settled = false;
    const settle = (err?: DeepgramClientError) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (err) {
        ws.removeAllListeners('open');
        ws.on('error', () => {});
        ws.terminate();
        reject(err);
      } else resolve({ ws, requestId });
    };
    const onAbort = () => settle(new DeepgramClientError('timeout', 'Deepgram /v1/listen stream handshake did not complete within the timeout'));
    signal.addEventListener('abort', onAbort);
    ws.on('upgrade', (res) => {
      requestId = header(res.headers['dg-request-id']);
    });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      const id = header(res.headers['dg-request-id']);
      settle(
        new DeepgramClientError('http', `Deepgram /v1/listen stream refused with ${status}${id ? ` (request ${id})` : ''}`, {
          status,
          requestId: id,
          retryAfterSeconds: parseRetryAfter(header(res.headers['retry-after'])),
        }),
      );
    });
    ws.on('error', (err: NodeJS.ErrnoException) => settle(new DeepgramClientError('connection', `Deepgram /v1/listen stream unreachable (${err.code ?? 'connection failed'})`)));
    ws.on('open', () => settle());
  });
}

const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** Bytes of PCM per second of audio, from the params of headerless audio (encoding=linear16). */
export function formatFromParams(params: ListenParams): PcmFormat | undefined {
  if (params.encoding !== 'linear16' || params.sample_rate === undefined) return undefined;
  return { sampleRate: Number(params.sample_rate), channels: Number(params.channels ?? 1), bitsPerSample: 16 };
}

/** One open stream. Send audio, then finish(); every failure settles `done` with a DeepgramClientError. */
export class LiveStream {
  readonly done: Promise<StreamAnswer>;
  /** Settles when the connection is fully closed (what a concurrency slot waits for). */
  readonly closed: Promise<void>;
  private resolveDone!: (answer: StreamAnswer) => void;
  private rejectDone!: (err: DeepgramClientError) => void;
  private readonly startedAt = performance.now();
  private firstSentAt?: number;
  private firstTranscriptSeconds?: number;
  private bytesPerSecond?: number;
  private audioSent = 0;
  private readonly pending: { endSeconds: number; sentAt: number }[] = [];
  private readonly latencies: number[] = [];
  private readonly finals: string[] = [];
  private watchdog?: NodeJS.Timeout;
  private finishing = false;
  private ended = false;

  constructor(
    private readonly ws: WebSocket,
    readonly requestId: string | undefined,
    format: PcmFormat | undefined,
    private readonly timeoutMs: number,
    private readonly hooks: StreamHooks = {},
  ) {
    if (format) this.bytesPerSecond = format.sampleRate * format.channels * (format.bitsPerSample / 8);
    this.done = new Promise((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
    ws.on('message', (data: RawData, isBinary: boolean) => this.onMessage(data, isBinary));
    ws.on('close', (code: number) => {
      if (!this.ended) this.fail(code === 1000 ? new DeepgramClientError('protocol', 'Deepgram closed the stream before its final metadata') : new DeepgramClientError('connection', `Deepgram stream closed (code ${code})`, { requestId }));
    });
    ws.on('error', () => {}); // the close that follows reports it
  }

  /** Sends one chunk of audio (the first may carry a WAV header). */
  send(chunk: Uint8Array): void {
    if (this.ended || this.finishing) throw new DeepgramClientError('protocol', 'the stream is finished; open a new one');
    let audioBytes = chunk.byteLength;
    if (this.firstSentAt === undefined) {
      this.firstSentAt = performance.now();
      const wav = parseWav(chunk);
      if (wav) {
        this.bytesPerSecond = wav.sampleRate * wav.channels * (wav.bitsPerSample / 8);
        audioBytes -= wav.dataOffset;
      }
    }
    if (this.bytesPerSecond) {
      this.audioSent += audioBytes / this.bytesPerSecond;
      this.pending.push({ endSeconds: this.audioSent, sentAt: performance.now() });
    }
    this.ws.send(chunk);
    this.arm();
  }

  /** Keeps an idle stream open (Deepgram closes streams without audio for about 10 s). */
  keepAlive(): void {
    if (!this.ended) this.ws.send(JSON.stringify({ type: 'KeepAlive' }));
  }

  /** Tells Deepgram the audio is complete and waits for the final metadata. */
  finish(): Promise<StreamAnswer> {
    if (!this.ended && !this.finishing) {
      this.finishing = true;
      this.ws.send(JSON.stringify({ type: 'CloseStream' }));
      this.arm();
    }
    return this.done;
  }

  /** Drops the stream at once. */
  abort(): void {
    this.fail(new DeepgramClientError('connection', 'stream aborted by the application', { requestId: this.requestId }));
  }

  /** A timeout runs while Deepgram owes an answer: results for sent audio, or the final metadata. */
  private arm(): void {
    clearTimeout(this.watchdog);
    if (this.ended || (!this.finishing && this.pending.length === 0)) return;
    this.watchdog = setTimeout(() => this.fail(new DeepgramClientError('timeout', 'Deepgram stream did not answer within the timeout', { requestId: this.requestId })), this.timeoutMs);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (isBinary || this.ended) return;
    let message: { type?: string; [k: string]: unknown };
    try {
      message = JSON.parse(String(data)) as typeof message;
    } catch {
      return this.fail(new DeepgramClientError('protocol', 'Deepgram stream sent a message that is not JSON', { requestId: this.requestId }));
    }
    if (message.type === 'Results') this.onResults(message as unknown as ResultsMessage);
    else if (message.type === 'Metadata') return this.succeed(message as { duration?: unknown; request_id?: unknown });
    else if (message.type === 'Error') {
      // The description may quote the request; only the variant is kept.
      return this.fail(new DeepgramClientError('http', `Deepgram stream error (${String(message.variant ?? 'unknown')})`, { status: 400, requestId: this.requestId }));
    }
    this.arm();
  }

  private onResults(m: ResultsMessage): void {
    const now = performance.now();
    const transcript = m.channel?.alternatives?.[0]?.transcript ?? '';
    const start = Number(m.start ?? 0);
    const duration = Number(m.duration ?? 0);
    const covered = start + duration + 0.002; // results carry millisecond-rounded times
    while (this.pending.length && (this.pending[0] as { endSeconds: number }).endSeconds <= covered) {
      const chunk = this.pending.shift() as { sentAt: number };
      const seconds = (now - chunk.sentAt) / 1000;
      this.latencies.push(seconds);
      this.hooks.onChunkLatency?.(seconds);
    }
    if (transcript && this.firstTranscriptSeconds === undefined && this.firstSentAt !== undefined) this.firstTranscriptSeconds = (now - this.firstSentAt) / 1000;
    if (m.is_final && transcript) this.finals.push(transcript);
    this.hooks.onResult?.({ transcript, isFinal: m.is_final === true, start, duration });
  }

  private succeed(meta: { duration?: unknown; request_id?: unknown }): void {
    this.ended = true;
    clearTimeout(this.watchdog);
    this.resolveDone({
      requestId: typeof meta.request_id === 'string' ? meta.request_id : (this.requestId ?? ''),
      transcript: this.finals.join(' '),
      audioSeconds: typeof meta.duration === 'number' ? meta.duration : this.audioSent,
      firstTranscriptSeconds: this.firstTranscriptSeconds,
      chunkLatenciesSeconds: [...this.latencies],
      wallSeconds: (performance.now() - this.startedAt) / 1000,
    });
    // Deepgram closes after its Metadata; closing from here too only covers a server that does not.
    this.ws.close(1000);
  }

  private fail(err: DeepgramClientError): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.watchdog);
    this.rejectDone(err);
    this.ws.terminate();
  }
}

interface ResultsMessage {
  start?: number;
  duration?: number;
  is_final?: boolean;
  channel?: { alternatives?: { transcript?: string }[] };
}
