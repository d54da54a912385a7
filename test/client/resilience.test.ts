// The circuit breaker (open → half-open → closed, and back to open on a failed trial) with its fallback hook, and
// the concurrency caps holding under bursts, all observed from the simulator's side as well as the client's.
import { afterEach, describe, expect, it } from 'vitest';
import { synthesizeClip } from '../../core/audio/clip.ts';
import type { CircuitStateName, TranscribeResult } from '../../client/index.ts';
import { closeAll, metric, rejection, sim, testClient } from './helpers.ts';

const clip = synthesizeClip();
afterEach(closeAll);

const HALF_OPEN_AFTER_MS = 150;
/** Waits past the breaker's open period (a wait, not a timing assertion: half-opening needs the time to pass). */
const pastOpenPeriod = () => new Promise((resolve) => setTimeout(resolve, HALF_OPEN_AFTER_MS + 50));

const fallbackResult: TranscribeResult = {
  requestId: 'fallback',
  transcript: '',
  confidence: 0,
  audioSeconds: 0,
  response: null,
  wallSeconds: 0,
  realtimeFactor: 0,
  attempts: 0,
  fromFallback: true,
};

describe('circuit breaker', () => {
  it('opens after consecutive 5xx, serves the fallback without calling Deepgram, half-opens, and closes on success', async () => {
    const s = await sim('engine-disconnected');
    const states: CircuitStateName[] = [];
    const fallbacks: string[] = [];
    const { client, registry } = testClient(s, {
      retry: { maxRetries: 0 },
      breaker: { consecutiveFailures: 2, halfOpenAfterMs: HALF_OPEN_AFTER_MS },
      hooks: { onCircuitState: (state) => states.push(state), onFallback: (err) => fallbacks.push(err.reason) },
      fallback: () => fallbackResult,
    });
    // 503s are retryable, so with a fallback configured the caller gets the fallback even before the circuit opens.
    expect((await client.transcribe(clip.wav)).fromFallback).toBe(true);
    expect(client.circuitState).toBe('closed');
    await client.transcribe(clip.wav);
    expect(client.circuitState).toBe('open');
    expect(await metric(registry, 'dgmon_circuit_breaker_state', { state: 'open' })).toBe(1);

    const whileOpen = await client.transcribe(clip.wav);
    expect(whileOpen).toMatchObject({ fromFallback: true, requestId: 'fallback' });
    expect(fallbacks).toEqual(['http', 'http', 'circuit_open']);
    expect(s.listenStats().batch.requests).toBe(2); // the open circuit sent nothing

    s.setScenario('healthy');
    await pastOpenPeriod();
    const trial = await client.transcribe(clip.wav);
    expect(trial).toMatchObject({ fromFallback: false, transcript: 'alfa bravo charlie' });
    expect(states).toEqual(['open', 'half_open', 'closed']);
    expect(await metric(registry, 'dgmon_circuit_breaker_state', { state: 'closed' })).toBe(1);
    expect(await metric(registry, 'dgmon_circuit_breaker_state', { state: 'open' })).toBe(0);
  });

  it('goes back to open when a call fails after the trial, and throws circuit_open without a fallback', async () => {
    const s = await sim('api-critical');
    s.setScenario('engine-disconnected');
    const states: CircuitStateName[] = [];
    const { client } = testClient(s, {
      retry: { maxRetries: 0 },
      breaker: { consecutiveFailures: 1, halfOpenAfterMs: HALF_OPEN_AFTER_MS },
      hooks: { onCircuitState: (state) => states.push(state) },
    });
    expect(await rejection(client.transcribe(clip.wav))).toMatchObject({ reason: 'http', status: 503 });
    expect(await rejection(client.transcribe(clip.wav))).toMatchObject({ reason: 'circuit_open' });
    await pastOpenPeriod();
    expect(await rejection(client.transcribe(clip.wav))).toMatchObject({ reason: 'http', status: 503 });
    // The breaker's own trial (the health endpoint, which answers without an Engine) closed it once the open period
    // had passed; the next call failed and opened it again. A trial that fails keeps it open: idle-breaker.test.ts.
    expect(states).toEqual(['open', 'half_open', 'closed', 'open']);
    expect(s.listenStats().batch.requests).toBe(2);
  });

  it('is not opened by client errors (4xx)', async () => {
    const s = await sim();
    const { client } = testClient(s, { breaker: { consecutiveFailures: 1 } });
    await rejection(client.transcribe(Buffer.from('garbage')));
    await rejection(client.transcribe(Buffer.from('garbage')));
    expect(client.circuitState).toBe('closed');
  });
});

describe('concurrency cap', () => {
  it('never lets more batch requests reach Deepgram at once than maxConcurrentRequests', async () => {
    const s = await sim();
    const { client, registry } = testClient(s, { maxConcurrentRequests: 3 });
    const burst = await Promise.all(Array.from({ length: 12 }, () => client.transcribe(clip.wav)));
    expect(burst.every((r) => r.transcript === 'alfa bravo charlie')).toBe(true);
    const stats = s.listenStats().batch;
    expect(stats.requests).toBe(12);
    expect(stats.maxInFlight).toBe(3); // reached, never exceeded
    expect(await metric(registry, 'dgmon_transcription_requests_in_flight', { mode: 'batch' })).toBe(0);
  });

  it('refuses calls beyond the queue with queue_full, without sending them', async () => {
    const s = await sim();
    const { client } = testClient(s, { maxConcurrentRequests: 1, maxQueued: 2 });
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => client.transcribe(clip.wav)));
    const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason as { reason: string });
    expect(refused.map((r) => r.reason)).toEqual(['queue_full', 'queue_full']);
    expect(s.listenStats().batch.requests).toBe(3);
    expect(s.listenStats().batch.maxInFlight).toBe(1);
  });

  it('holds a stream slot while the stream is open', async () => {
    const s = await sim();
    const { client } = testClient(s, { maxConcurrentStreams: 2 });
    const answers = await Promise.all(Array.from({ length: 5 }, () => client.transcribeStream(clip.wav, { realtime: false })));
    expect(answers.map((a) => a.transcript)).toEqual(Array(5).fill('alfa bravo charlie'));
    expect(s.listenStats().stream.maxInFlight).toBe(2);
  });
});
