// Pre-recorded transcription through the client against the real simulator: success, server errors retried to
// success and to failure, 429 with Retry-After, client errors not retried, timeouts.
import { afterEach, describe, expect, it } from 'vitest';
import { synthesizeClip } from '../../core/audio/clip.ts';
import type { RetryEvent } from '../../client/index.ts';
import { closeAll, metric, rejection, sim, testClient } from './helpers.ts';

const clip = synthesizeClip();
afterEach(closeAll);

describe('client batch transcription', () => {
  it('transcribes the generated clip: transcript, audio seconds, request id, one attempt', async () => {
    const s = await sim();
    const { client } = testClient(s);
    const result = await client.transcribe(clip.wav, { model: 'nova-3' });
    expect(result.transcript).toBe('alfa bravo charlie');
    expect(result.audioSeconds).toBe(2.55);
    expect(result.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.attempts).toBe(1);
    expect(result.fromFallback).toBe(false);
    expect(result.realtimeFactor).toBeGreaterThan(0);
    expect(s.listenStats().batch.byStatus).toEqual({ 200: 1 });
  });

  it('passes query parameters through (punctuate changes the transcript)', async () => {
    const s = await sim();
    const { client } = testClient(s);
    expect((await client.transcribe(clip.wav, { punctuate: true })).transcript).toBe('Alfa bravo charlie.');
  });

  it('retries a 5xx and succeeds once the API recovers', async () => {
    const s = await sim('engine-disconnected');
    const retries: RetryEvent[] = [];
    const { client } = testClient(s, {
      hooks: {
        onRetry: (e) => {
          retries.push(e);
          s.setScenario('healthy');
        },
      },
    });
    const result = await client.transcribe(clip.wav);
    expect(result.transcript).toBe('alfa bravo charlie');
    expect(result.attempts).toBe(2);
    expect(retries.map((r) => r.error.status)).toEqual([503]);
    expect(s.listenStats().batch.byStatus).toEqual({ 503: 1, 200: 1 });
  });

  it('gives up after maxRetries on a lasting 5xx with the status and request id', async () => {
    const s = await sim('engine-disconnected');
    const { client } = testClient(s, { retry: { maxRetries: 2 } });
    const err = await rejection(client.transcribe(clip.wav));
    expect(err).toMatchObject({ name: 'DeepgramClientError', reason: 'http', status: 503 });
    expect(err.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(s.listenStats().batch.byStatus).toEqual({ 503: 3 });
  });

  it('waits what a 429 Retry-After asks for, then succeeds', async () => {
    const s = await sim('rate-limited');
    const delays: number[] = [];
    const { client, registry } = testClient(s, {
      hooks: {
        onRetry: (e) => {
          delays.push(e.delayMs);
          s.setScenario('healthy');
        },
      },
    });
    const result = await client.transcribe(clip.wav);
    expect(result.attempts).toBe(2);
    // The backoff alone would be 10-50 ms in these tests; the simulator's Retry-After is 1 s.
    expect(delays).toEqual([1000]);
    expect(s.listenStats().batch.byStatus).toEqual({ 429: 1, 200: 1 });
    expect(await metric(registry, 'dgmon_rate_limit_hits_total', { source: 'client' })).toBe(1);
  });

  it('does not retry a 429 whose Retry-After exceeds maxRetryAfterMs', async () => {
    const s = await sim('rate-limited');
    const { client } = testClient(s, { retry: { maxRetryAfterMs: 500 } });
    const err = await rejection(client.transcribe(clip.wav));
    expect(err).toMatchObject({ reason: 'http', status: 429, retryAfterSeconds: 1 });
    expect(s.listenStats().batch.requests).toBe(1);
  });

  it('does not retry a 4xx (audio Deepgram cannot decode)', async () => {
    const s = await sim();
    const { client } = testClient(s);
    const err = await rejection(client.transcribe(Buffer.from('not audio at all')));
    expect(err).toMatchObject({ reason: 'http', status: 400 });
    expect(s.listenStats().batch.requests).toBe(1);
  });

  it('times out a hanging API per attempt, retries, and reports a timeout', async () => {
    const s = await sim('api-hang');
    const { client, registry } = testClient(s, { timeoutMs: 200, retry: { maxRetries: 1 } });
    const err = await rejection(client.transcribe(clip.wav));
    expect(err).toMatchObject({ reason: 'timeout' });
    expect(s.listenStats().batch.requests).toBe(2);
    expect(await metric(registry, 'dgmon_transcription_requests_total', { mode: 'batch', status: 'timeout' })).toBe(2);
  });

  it('reports an unreachable API as a connection failure', async () => {
    const s = await sim();
    const url = s.urls.api;
    await s.close();
    const { client } = testClient({ ...s, urls: { ...s.urls, api: url } }, { retry: { maxRetries: 0 } });
    expect(await rejection(client.transcribe(clip.wav))).toMatchObject({ reason: 'connection' });
  });
});
