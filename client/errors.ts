// The one error the client throws, classified once: why the call failed, whether Deepgram answered, whether trying
// again can help. Messages name the endpoint, status and request id; never the key, the audio or a transcript.
import type { TRANSCRIPTION_STATUSES } from '../core/catalog/index.ts';

export type FailureReason =
  /** Deepgram answered with a non-2xx status. */
  | 'http'
  /** No answer within the timeout. */
  | 'timeout'
  /** No answer at all: refused, reset, DNS, TLS, or the stream dropped. */
  | 'connection'
  /** The circuit breaker is open: the call was not sent. */
  | 'circuit_open'
  /** The concurrency cap and its queue are full: the call was not sent. */
  | 'queue_full'
  /** The answer was not what Deepgram sends (not JSON, no results). */
  | 'protocol';

export type CallStatus = (typeof TRANSCRIPTION_STATUSES)[number];

export class DeepgramClientError extends Error {
  override readonly name = 'DeepgramClientError';
  readonly reason: FailureReason;
  readonly status?: number;
  readonly requestId?: string;
  /** Seconds from a 429's Retry-After header. */
  readonly retryAfterSeconds?: number;

  constructor(reason: FailureReason, message: string, details: { status?: number; requestId?: string; retryAfterSeconds?: number; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.reason = reason;
    this.status = details.status;
    this.requestId = details.requestId;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }

  /** Worth sending again: 429, 5xx, timeouts and connection failures (a batch body can be replayed as is). */
  get retryable(): boolean {
    if (this.reason === 'timeout' || this.reason === 'connection') return true;
    return this.reason === 'http' && this.status !== undefined && (this.status === 429 || this.status >= 500);
  }

  /** Deepgram's side failed (what opens the circuit): 5xx, timeouts, connection failures; not 4xx, not 429. */
  get serverSide(): boolean {
    if (this.reason === 'timeout' || this.reason === 'connection') return true;
    return this.reason === 'http' && this.status !== undefined && this.status >= 500;
  }

  /** The status label of a call that reached (or tried to reach) Deepgram; undefined for calls never sent. */
  get callStatus(): CallStatus | undefined {
    if (this.reason === 'timeout' || this.reason === 'connection') return this.reason;
    if (this.reason !== 'http' || this.status === undefined) return undefined;
    if (this.status === 429) return '429';
    return this.status >= 500 ? '5xx' : '4xx';
  }
}

/** Retry-After as seconds: delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

export function statusClass(status: number): CallStatus {
  if (status === 429) return '429';
  if (status >= 500) return '5xx';
  if (status >= 400) return '4xx';
  return '2xx';
}
