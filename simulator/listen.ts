// The API's transcription endpoints: pre-recorded POST /v1/listen and live WebSocket /v1/listen, shaped like Deepgram's
// (reference notes §3: metadata fields, dg-request-id / dg-error headers, legacy error bodies, 429 with Retry-After).
// The scenario sets how they behave: latency from the Engine profile (batch queue time and real-time factor, streaming
// latency per chunk), server errors at the scenario's share, 429 while rate-limited, 503 without an Engine, and no
// answer at all while hanging. It also counts what it served, so tests can check a client's concurrency cap.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { parseWav, pcmDurationSeconds, type PcmFormat } from '../core/audio/wav.ts';
import { errorBody, MODELS, requestId } from './api.ts';
import { hashString } from './random.ts';
import { ToneRecognizer, transcriptOf, type Word } from './recognizer.ts';
import type { Profile } from './scenarios.ts';

/** How long a hanging /v1/listen holds a request or stream before giving up on its own. */
export const LISTEN_HANG_MS = 10 * 60_000;
const MAX_AUDIO_BYTES = 64 * 1024 * 1024;
const MODEL = MODELS.stt[0] as (typeof MODELS.stt)[number];
const MODEL_INFO = { name: `${MODEL.name}-${MODEL.architecture}`, version: MODEL.version, arch: MODEL.architecture };

export interface ListenCounts {
  requests: number;
  inFlight: number;
  /** Most requests (batch) or streams open at once since the last reset. */
  maxInFlight: number;
  /** Answers by HTTP status ("101" = a stream accepted). */
  byStatus: Record<string, number>;
}

export interface ListenStats {
  batch: ListenCounts;
  stream: ListenCounts;
}

export interface ListenDeps {
  profile(): Profile;
  /** Brings the simulator's models up to the clock and returns it (milliseconds). */
  sync(): number;
  seed: number;
  /** Runs fn after ms unless the request goes away or the simulator stops first. */
  later(res: ServerResponse, ms: number, fn: () => void): void;
}

type Verdict = { kind: 'serve' } | { kind: 'hang' } | { kind: 'reject'; status: number; code: string; message: string; headers: Record<string, string> };

const counts = (): ListenCounts => ({ requests: 0, inFlight: 0, maxInFlight: 0, byStatus: {} });

export class ListenService {
  private seq = 0;
  private current: ListenStats = { batch: counts(), stream: counts() };
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_AUDIO_BYTES });
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly deps: ListenDeps) {}

  stats(): ListenStats {
    return structuredClone(this.current);
  }

  resetStats(): void {
    const open = (c: ListenCounts) => ({ ...counts(), inFlight: c.inFlight, maxInFlight: c.inFlight });
    this.current = { batch: open(this.current.batch), stream: open(this.current.stream) };
  }

  /** Drops every stream and pending answer (the simulator is closing or its API port goes away). */
  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const ws of this.wss.clients) ws.terminate();
  }

  /** The next request id, and what the scenario does with this request. */
  private admit(): { id: string; verdict: Verdict } {
    const n = ++this.seq;
    const id = requestId(this.deps.seed, 1_000_000 + n);
    const p = this.deps.profile();
    this.deps.sync();
    const reject = (status: number, code: string, message: string, headers: Record<string, string> = {}): Verdict => ({ kind: 'reject', status, code, message, headers });
    if (p.listenHang) return { id, verdict: { kind: 'hang' } };
    if (!p.engineConnected) return { id, verdict: reject(503, 'SERVICE_UNAVAILABLE', 'No Engine is available to process the request.') };
    if (p.apiRateLimited) {
      return { id, verdict: reject(429, 'TOO_MANY_REQUESTS', 'Too many requests. Please try again later.', { 'retry-after': String(p.retryAfterSeconds) }) };
    }
    // Server errors at the scenario's share, deterministically: the n-th request fails when the share's running total
    // crosses an integer.
    if (Math.floor(n * p.serverErrorShare) > Math.floor((n - 1) * p.serverErrorShare)) {
      return { id, verdict: reject(500, 'INTERNAL_SERVER_ERROR', 'The Engine failed to process the request.') };
    }
    return { id, verdict: { kind: 'serve' } };
  }

  private open(which: keyof ListenStats, delta: 1 | -1): void {
    const c = this.current[which];
    c.inFlight += delta;
    c.maxInFlight = Math.max(c.maxInFlight, c.inFlight);
  }

  private answered(which: keyof ListenStats, status: number): void {
    const c = this.current[which];
    c.byStatus[status] = (c.byStatus[status] ?? 0) + 1;
  }

  /** POST /v1/listen with the audio as the body (WAV, or raw PCM named by encoding/sample_rate/channels). */
  handleBatch(req: IncomingMessage, res: ServerResponse): void {
    this.current.batch.requests++;
    this.open('batch', 1);
    res.on('close', () => this.open('batch', -1));
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_AUDIO_BYTES) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      const { id, verdict } = this.admit();
      const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        this.answered('batch', status);
        const text = JSON.stringify(body);
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'dg-request-id': id, ...headers });
        res.end(text);
      };
      if (verdict.kind === 'hang') return this.deps.later(res, LISTEN_HANG_MS, () => res.destroy());
      if (verdict.kind === 'reject') return reply(verdict.status, errorBody(verdict.code, verdict.message, id), { 'dg-error': verdict.message, ...verdict.headers });
      const query = new URL(req.url ?? '/', 'http://x').searchParams;
      const audio = Buffer.concat(chunks);
      const decoded = decodeAudio(audio, query);
      if (!decoded) {
        const message = 'Bad Request: failed to process audio: corrupt or unsupported data';
        return reply(400, errorBody('Bad Request', message, id), { 'dg-error': message });
      }
      const recognizer = new ToneRecognizer(decoded.format);
      const words = [...recognizer.push(decoded.pcm), ...recognizer.end()];
      const p = this.deps.profile();
      const latencyMs = (p.batchQueueSeconds + decoded.seconds / p.batchRtf) * 1000;
      const created = this.deps.sync();
      this.deps.later(res, latencyMs, () => reply(200, prerecordedResponse(id, created, decoded.seconds, decoded.format.channels, transcriptOf(words, punctuating(query)))));
    });
  }

  /** The HTTP upgrade of a live /v1/listen stream: refused like a batch request, or accepted and served. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.current.stream.requests++;
    const { id, verdict } = this.admit();
    if (verdict.kind === 'reject') {
      this.answered('stream', verdict.status);
      const body = JSON.stringify(errorBody(verdict.code, verdict.message, id));
      const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'dg-request-id': id, 'dg-error': verdict.message, ...verdict.headers, connection: 'close' };
      const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
      socket.end(`HTTP/1.1 ${verdict.status} ${STATUS_TEXT[verdict.status] ?? 'Error'}\r\n${lines.join('\r\n')}\r\n\r\n${body}`);
      return;
    }
    const onHeaders = (headers: string[]) => headers.push(`dg-request-id: ${id}`);
    this.wss.once('headers', onHeaders);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.wss.off('headers', onHeaders);
      this.answered('stream', 101);
      this.open('stream', 1);
      ws.on('close', () => this.open('stream', -1));
      if (verdict.kind === 'hang') return; // accepted, then silence: the client's own timeout must end it
      this.serveStream(ws, id, new URL(req.url ?? '/', 'http://x').searchParams);
    });
  }

  private serveStream(ws: WebSocket, id: string, query: URLSearchParams): void {
    const created = this.deps.sync();
    const own = new Set<NodeJS.Timeout>();
    const after = (ms: number, fn: () => void) => {
      const timer = setTimeout(() => {
        own.delete(timer);
        this.timers.delete(timer);
        if (ws.readyState === ws.OPEN) fn();
      }, ms);
      own.add(timer);
      this.timers.add(timer);
    };
    ws.on('close', () => {
      for (const timer of own) this.timers.delete(timer), clearTimeout(timer);
    });
    const latencyMs = () => this.deps.profile().streamLatency * 1000;
    const punctuate = punctuating(query);
    let format: PcmFormat | undefined = rawFormat(query);
    let recognizer: ToneRecognizer | undefined;
    let processed = 0;
    let closing = false;
    const results = (start: number, duration: number, words: Word[], final: boolean) => {
      const t = transcriptOf(words, punctuate);
      return {
        type: 'Results',
        channel_index: [0, 1],
        duration: round(duration),
        start: round(start),
        is_final: final,
        speech_final: final && words.length > 0,
        from_finalize: false,
        channel: { alternatives: [{ transcript: t.transcript, confidence: words.length ? 0.99 : 0, words: t.words }] },
        metadata: { request_id: id, model_info: MODEL_INFO, model_uuid: MODEL.uuid },
      };
    };
    const fail = (description: string) => {
      ws.send(JSON.stringify({ type: 'Error', variant: 'SchemaError', description, message: description }));
      ws.close(1011, 'DATA-0000');
    };
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (closing) return;
      const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (isBinary) {
        let pcm = bytes;
        if (!recognizer) {
          const wav = parseWav(bytes);
          if (wav) {
            format = wav;
            pcm = bytes.subarray(wav.dataOffset);
          }
          if (!format) return fail('Could not determine the audio format: send a WAV header or set encoding=linear16 and sample_rate.');
          recognizer = new ToneRecognizer(format);
        }
        const seconds = pcmDurationSeconds(pcm.length, format as PcmFormat);
        const words = recognizer.push(pcm);
        const start = processed;
        processed += seconds;
        after(latencyMs(), () => ws.send(JSON.stringify(results(start, seconds, words, true))));
        return;
      }
      let message: { type?: unknown };
      try {
        message = JSON.parse(bytes.toString('utf8')) as { type?: unknown };
      } catch {
        return fail('Text messages must be JSON control messages.');
      }
      if (message.type === 'KeepAlive') return;
      if (message.type === 'Finalize' || message.type === 'CloseStream') {
        const last = recognizer?.end() ?? [];
        const end = message.type === 'CloseStream';
        closing = end;
        // Behind every pending chunk (the same latency keeps the order), then the summary and a normal close.
        after(latencyMs(), () => {
          if (last.length) ws.send(JSON.stringify({ ...results(processed, 0, last, true), from_finalize: true }));
          if (!end) return;
          ws.send(JSON.stringify({ type: 'Metadata', transaction_key: 'deprecated', request_id: id, sha256: sha256Of(id), created: new Date(created).toISOString(), duration: round(processed), channels: format?.channels ?? 1, models: [MODEL.uuid], model_info: { [MODEL.uuid]: MODEL_INFO } }));
          ws.close(1000);
        });
        return;
      }
      fail(`Unknown control message type ${JSON.stringify(message.type)}.`);
    });
  }
}

const STATUS_TEXT: Record<number, string> = { 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' };
/** A stand-in for the audio's SHA-256 (64 hex digits), stable per request id. */
const sha256Of = (id: string) => hashString(`${id}/sha`).toString(16).padStart(8, '0').repeat(8);
const round = (s: number) => Math.round(s * 1000) / 1000;
const truthy = (v: string | null) => v === 'true' || v === '1';
const punctuating = (query: URLSearchParams) => truthy(query.get('punctuate')) || truthy(query.get('smart_format'));

/** The raw PCM format the query names (Deepgram wants encoding and sample_rate for headerless audio). */
function rawFormat(query: URLSearchParams): PcmFormat | undefined {
  if (query.get('encoding') !== 'linear16') return undefined;
  const sampleRate = Number(query.get('sample_rate'));
  const channels = Number(query.get('channels') ?? '1');
  if (!Number.isInteger(sampleRate) || sampleRate <= 0 || !Number.isInteger(channels) || channels <= 0) return undefined;
  return { sampleRate, channels, bitsPerSample: 16 };
}

function decodeAudio(audio: Buffer, query: URLSearchParams): { format: PcmFormat; pcm: Buffer; seconds: number } | undefined {
  const wav = parseWav(audio);
  if (wav) return { format: wav, pcm: audio.subarray(wav.dataOffset, wav.dataOffset + wav.dataBytes), seconds: wav.durationSeconds };
  const format = rawFormat(query);
  if (!format || audio.length === 0) return undefined;
  return { format, pcm: audio, seconds: pcmDurationSeconds(audio.length, format) };
}

/** A pre-recorded response: metadata as Deepgram documents it, one channel with one alternative. */
function prerecordedResponse(id: string, createdMs: number, seconds: number, channels: number, t: { transcript: string; words: Word[] }): unknown {
  return {
    metadata: {
      transaction_key: 'deprecated',
      request_id: id,
      sha256: sha256Of(id),
      created: new Date(createdMs).toISOString(),
      duration: round(seconds),
      channels,
      models: [MODEL.uuid],
      model_info: { [MODEL.uuid]: MODEL_INFO },
    },
    results: { channels: [{ alternatives: [{ transcript: t.transcript, confidence: t.words.length ? 0.99 : 0, words: t.words }] }] },
  };
}
