// Live transcription through the client against the simulator's WebSocket /v1/listen: success with per-chunk
// latencies, refused handshakes (429 with Retry-After, 5xx) retried, and a silent stream timed out.
import { afterEach, describe, expect, it } from 'vitest';
import { synthesizeClip } from '../../core/audio/clip.ts';
import { closeAll, metric, rejection, sim, testClient } from './helpers.ts';

const clip = synthesizeClip();
afterEach(closeAll);

describe('client live streaming', () => {
  it('streams the clip in chunks and gets the transcript, the final metadata and a latency per chunk', async () => {
    const s = await sim();
    const { client, registry } = testClient(s);
    const results: string[] = [];
    const answer = await client.transcribeStream(clip.wav, { chunkMs: 100, realtime: false, hooks: { onResult: (r) => r.transcript && results.push(r.transcript) } });
    expect(answer.transcript).toBe('alfa bravo charlie');
    expect(results).toEqual(['alfa', 'bravo', 'charlie']);
    expect(answer.audioSeconds).toBe(2.55);
    expect(answer.requestId).toMatch(/^[0-9a-f-]{36}$/);
    // 2.55 s in 100 ms chunks: 26 chunks, each answered.
    expect(answer.chunkLatenciesSeconds).toHaveLength(26);
    expect(answer.firstTranscriptSeconds).toBeDefined();
    expect(await metric(registry, 'dgmon_transcription_stream_latency_seconds_count', { source: 'client' })).toBe(26);
    expect(await metric(registry, 'dgmon_transcription_requests_total', { mode: 'stream', status: '2xx' })).toBe(1);
    expect(await metric(registry, 'dgmon_transcription_audio_seconds_total', { mode: 'stream' })).toBe(2.55);
    expect(s.listenStats().stream.byStatus).toEqual({ 101: 1 });
  });

  it('streams raw PCM described by encoding and sample_rate', async () => {
    const s = await sim();
    const { client } = testClient(s);
    const pcm = clip.wav.subarray(44);
    const answer = await client.transcribeStream(pcm, { realtime: false, params: { encoding: 'linear16', sample_rate: 16000, channels: 1 } });
    expect(answer.transcript).toBe('alfa bravo charlie');
    expect(answer.chunkLatenciesSeconds).toHaveLength(26);
  });

  it('retries a handshake refused with 429, waiting its Retry-After', async () => {
    const s = await sim('rate-limited');
    const delays: number[] = [];
    const { client, registry } = testClient(s, { hooks: { onRetry: (e) => (delays.push(e.delayMs), s.setScenario('healthy')) } });
    const answer = await client.transcribeStream(clip.wav, { realtime: false });
    expect(answer.transcript).toBe('alfa bravo charlie');
    expect(delays).toEqual([1000]);
    expect(s.listenStats().stream.byStatus).toEqual({ 429: 1, 101: 1 });
    expect(await metric(registry, 'dgmon_rate_limit_hits_total', { source: 'client' })).toBe(1);
    expect(await metric(registry, 'dgmon_transcription_requests_total', { mode: 'stream', status: '429' })).toBe(1);
  });

  it('gives up on a handshake refused with 503 after its retries', async () => {
    const s = await sim('engine-disconnected');
    const { client } = testClient(s, { retry: { maxRetries: 2 } });
    const err = await rejection(client.openStream());
    expect(err).toMatchObject({ reason: 'http', status: 503 });
    expect(s.listenStats().stream.byStatus).toEqual({ 503: 3 });
  });

  it('fails a stream that gets no answer within the timeout', async () => {
    const s = await sim('api-hang');
    const { client, registry } = testClient(s, { timeoutMs: 300 });
    const err = await rejection(client.transcribeStream(clip.wav, { realtime: false }));
    expect(err).toMatchObject({ reason: 'timeout' });
    expect(await metric(registry, 'dgmon_transcription_requests_total', { mode: 'stream', status: 'timeout' })).toBe(1);
    expect(await metric(registry, 'dgmon_transcription_requests_in_flight', { mode: 'stream' })).toBe(0);
  });

  it('measures the slow-streaming scenario above the 400 ms target', async () => {
    const s = await sim('slow-streaming');
    const { client, registry } = testClient(s);
    const answer = await client.transcribeStream(clip.wav, { realtime: false });
    // The simulator holds every result 0.7 s; nothing can arrive sooner, so every chunk lands above the 0.4 bucket.
    expect(Math.min(...answer.chunkLatenciesSeconds)).toBeGreaterThanOrEqual(0.4);
    expect(await metric(registry, 'dgmon_transcription_stream_latency_seconds_bucket', { le: '0.4' })).toBe(0);
  });
});
