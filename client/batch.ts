// One pre-recorded transcription call (POST /v1/listen) through Deepgram's official SDK, which takes a custom base
// URL (self-hosted), an abort signal and per-request query parameters. Its own retries are off (maxRetries 0): the
// client's retry policy decides, honouring Retry-After, and counts every attempt.
import { DeepgramClient as SdkClient, DeepgramError, DeepgramTimeoutError } from '@deepgram/sdk';
import { DeepgramClientError, parseRetryAfter } from './errors.ts';
import type { ResolvedOptions } from './options.ts';

export type ListenParams = Record<string, string | number | boolean | undefined>;

/** What one successful call returned, reduced to what applications and the probe read. */
export interface BatchAnswer {
  requestId: string;
  transcript: string;
  confidence: number;
  /** metadata.duration: seconds of audio Deepgram processed. */
  audioSeconds: number;
  /** The whole response, for callers that want words, utterances or other channels. */
  response: unknown;
}

interface ListenResponseShape {
  metadata?: { request_id?: unknown; duration?: unknown };
  results?: { channels?: { alternatives?: { transcript?: unknown; confidence?: unknown }[] }[] };
}

export class BatchCaller {
  private readonly sdk: SdkClient;

  constructor(options: ResolvedOptions) {
    this.sdk = new SdkClient({
      baseUrl: options.baseUrl,
      ...(options.apiKey ? { apiKey: options.apiKey } : { auth: false as const }),
      maxRetries: 0,
      // The client's timeout policy fires first and aborts; this is only a backstop.
      timeoutInSeconds: options.timeoutMs / 1000 + 5,
    });
  }

  async call(audio: Uint8Array, params: ListenParams, signal: AbortSignal): Promise<BatchAnswer> {
    let data: unknown;
    let requestId: string | undefined;
    try {
      const answer = await this.sdk.listen.v1.media
        .transcribeFile(Buffer.from(audio.buffer, audio.byteOffset, audio.byteLength), {}, { abortSignal: signal, maxRetries: 0, queryParams: definedOnly(params) })
        .withRawResponse();
      data = answer.data;
      requestId = answer.rawResponse.headers.get('dg-request-id') ?? undefined;
    } catch (err) {
      throw classify(err);
    }
    const body = data as ListenResponseShape;
    const alternative = body?.results?.channels?.[0]?.alternatives?.[0];
    const id = typeof body?.metadata?.request_id === 'string' ? body.metadata.request_id : requestId;
    if (!alternative || typeof alternative.transcript !== 'string' || !id) {
      throw new DeepgramClientError('protocol', 'Deepgram /v1/listen answered 200 without results', { requestId: id });
    }
    return {
      requestId: id,
      transcript: alternative.transcript,
      confidence: typeof alternative.confidence === 'number' ? alternative.confidence : 0,
      audioSeconds: typeof body.metadata?.duration === 'number' ? body.metadata.duration : 0,
      response: data,
    };
  }
}

function definedOnly(params: ListenParams): Record<string, string | number | boolean> {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as Record<string, string | number | boolean>;
}

/** The SDK's errors as the client's: HTTP status with request id and Retry-After, timeouts, connection failures. */
function classify(err: unknown): DeepgramClientError {
  if (err instanceof DeepgramClientError) return err;
  if (err instanceof DeepgramTimeoutError) return new DeepgramClientError('timeout', 'Deepgram /v1/listen did not answer within the timeout');
  if (err instanceof DeepgramError && err.statusCode !== undefined) {
    const headers = err.rawResponse?.headers;
    const requestId = headers?.get('dg-request-id') ?? undefined;
    return new DeepgramClientError('http', `Deepgram /v1/listen answered ${err.statusCode}${requestId ? ` (request ${requestId})` : ''}`, {
      status: err.statusCode,
      requestId,
      retryAfterSeconds: parseRetryAfter(headers?.get('retry-after')),
    });
  }
  // Refused, reset, DNS or TLS: the SDK reports them without a status. The cause's code says which, never the key.
  const code = (err as { cause?: { code?: string; cause?: { code?: string } } })?.cause;
  return new DeepgramClientError('connection', `Deepgram /v1/listen unreachable (${code?.code ?? code?.cause?.code ?? 'connection failed'})`);
}
