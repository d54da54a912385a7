// The synthetic probe against the real simulator: batch and streaming success with the transcript checked, 5xx,
// 429 counted apart, timeouts, the circuit breaker sparing a dead API, exact values after a known sequence, and a
// clean stop.
import { afterEach, describe, expect, it } from 'vitest';
import { CLIENT, DGMON, PROBE } from '../../core/catalog/index.ts';
import { closeAll, sim, testProbe, until } from './probe-helpers.ts';
import { deadPort } from '../support/net.ts';

afterEach(closeAll);

const requests = (mode: string, status: string) => [CLIENT.transcriptionRequests.name, { source: 'probe', mode, status }] as const;

describe('probe', () => {
  it('transcribes the clip in batch and streaming, and checks the transcript holds the expected words', async () => {
    const s = await sim();
    const p = testProbe(s.urls.api, { expectedWords: ['Alfa', 'charlie'] });
    await p.probe.run('batch');
    await p.probe.run('stream');
    for (const mode of ['batch', 'stream']) {
      expect(await p.metric(PROBE.runs.name, { mode, result: 'success' })).toBe(1);
      expect(await p.metric(PROBE.runs.name, { mode, result: 'server_error' })).toBe(0);
      expect(await p.metric(PROBE.transcriptOk.name, { mode, reason: 'ok' })).toBe(1);
      expect(await p.metric(PROBE.consecutiveFailures.name, { mode })).toBe(0);
      expect(await p.metric(PROBE.lastSuccess.name, { mode })).toBeGreaterThan(Date.parse('2025-01-01') / 1000);
      expect(await p.metric(...requests(mode, '2xx'))).toBe(1);
      expect(await p.metric(CLIENT.audioProcessed.name, { source: 'probe', mode })).toBe(2.55);
    }
    expect(await p.metric(`${PROBE.firstTranscript.name}_count`)).toBe(1);
    // The first word ends 0.75 s into the clip, and the stream is paced in real time.
    expect(await p.metric(`${PROBE.firstTranscript.name}_bucket`, { le: '0.5' })).toBe(0);
    expect(await p.metric(`${CLIENT.streamLatency.name}_count`, { source: 'probe' })).toBeGreaterThan(0);
    expect(await p.metric(PROBE.realtimeSpeedup.name)).toBeGreaterThan(0);
    expect(s.listenStats().batch.byStatus).toEqual({ 200: 1 });
    expect(s.listenStats().stream.byStatus).toEqual({ 101: 1 });
  });

  it('marks a transcript without the expected words, and an empty one, with the reason', async () => {
    const s = await sim();
    const p = testProbe(s.urls.api, { expectedWords: ['delta'], stream: false });
    await p.probe.run('batch');
    expect(await p.metric(PROBE.runs.name, { mode: 'batch', result: 'success' })).toBe(1);
    expect(await p.metric(PROBE.transcriptOk.name, { mode: 'batch', reason: 'missing_words' })).toBe(0);
    expect(await p.text()).not.toContain('reason="ok"');
    // Silence: the simulator hears no word.
    const silent = testProbe(s.urls.api, { audioFile: await silenceFile(), stream: false });
    await silent.probe.run('batch');
    expect(await silent.metric(PROBE.transcriptOk.name, { mode: 'batch', reason: 'empty' })).toBe(0);
  });

  it('counts a lasting 5xx as one failed run of retried calls, and failures in a row', async () => {
    const s = await sim('engine-disconnected');
    const p = testProbe(s.urls.api, { retries: 2, breaker: { consecutiveFailures: 10 } });
    await p.probe.run('batch');
    await p.probe.run('batch');
    await p.probe.run('stream');
    expect(await p.metric(PROBE.runs.name, { mode: 'batch', result: 'server_error' })).toBe(2);
    expect(await p.metric(PROBE.runs.name, { mode: 'stream', result: 'server_error' })).toBe(1);
    expect(await p.metric(PROBE.consecutiveFailures.name, { mode: 'batch' })).toBe(2);
    expect(await p.metric(...requests('batch', '5xx'))).toBe(6);
    expect(await p.metric(...requests('stream', '5xx'))).toBe(3);
    expect(s.listenStats().batch.byStatus).toEqual({ 503: 6 });
    expect(await p.metric(PROBE.lastSuccess.name)).toBe(0);
    expect(p.log.text).toContain('"result":"server_error"');
  });

  it('counts 429 apart: rate_limited runs, 429 calls and rate-limit hits, no 5xx', async () => {
    const s = await sim('rate-limited');
    const p = testProbe(s.urls.api, { retries: 1, stream: false });
    await p.probe.run('batch');
    expect(await p.metric(PROBE.runs.name, { mode: 'batch', result: 'rate_limited' })).toBe(1);
    expect(await p.metric(PROBE.runs.name, { mode: 'batch', result: 'server_error' })).toBe(0);
    expect(await p.metric(...requests('batch', '429'))).toBe(2);
    expect(await p.metric(...requests('batch', '5xx'))).toBe(0);
    expect(await p.metric(DGMON.rateLimitHits.name, { source: 'probe' })).toBe(2);
    expect(s.listenStats().batch.byStatus).toEqual({ 429: 2 });
  });

  it('times out a hanging API after its timeout', async () => {
    const s = await sim('api-hang');
    const p = testProbe(s.urls.api, { timeout: '300ms', retries: 0 });
    await p.probe.run('batch');
    await p.probe.run('stream');
    expect(await p.metric(PROBE.runs.name, { mode: 'batch', result: 'server_error' })).toBe(1);
    expect(await p.metric(...requests('batch', 'timeout'))).toBe(1);
    expect(await p.metric(PROBE.runs.name, { mode: 'stream', result: 'server_error' })).toBe(1);
    expect(await p.metric(...requests('stream', 'timeout'))).toBe(1);
  });

  it('opens its circuit on a failing API and stops calling it: later runs are not sent', async () => {
    const s = await sim('engine-disconnected');
    const p = testProbe(s.urls.api, { retries: 2, breaker: { consecutiveFailures: 3, halfOpenAfter: '10m' } });
    await p.probe.run('batch');
    for (let i = 0; i < 4; i++) await p.probe.run(i % 2 ? 'batch' : 'stream');
    // Three calls (one run and its retries) opened it; nothing reached the API after.
    expect(s.listenStats().batch.byStatus).toEqual({ 503: 3 });
    expect(s.listenStats().stream.requests).toBe(0);
    expect(await p.metric(PROBE.runs.name, { result: 'not_sent' })).toBe(4);
    expect(await p.metric(PROBE.consecutiveFailures.name, { mode: 'batch' })).toBe(3);
    expect(await p.metric(CLIENT.circuitState.name, { source: 'probe', state: 'open' })).toBe(1);
  });

  it('spares a dead port the same way: three connection failures, then none', async () => {
    const p = testProbe(await deadPort(), { retries: 2, breaker: { consecutiveFailures: 3, halfOpenAfter: '10m' }, stream: false });
    for (let i = 0; i < 3; i++) await p.probe.run('batch');
    expect(await p.metric(...requests('batch', 'connection'))).toBe(3);
    expect(await p.metric(PROBE.runs.name, { mode: 'batch', result: 'server_error' })).toBe(1);
    expect(await p.metric(PROBE.runs.name, { mode: 'batch', result: 'not_sent' })).toBe(2);
  });

  it('exposes exact values after a known sequence of runs', async () => {
    const s = await sim();
    const p = testProbe(s.urls.api, { retries: 1, stream: false, breaker: { consecutiveFailures: 10 } });
    await p.probe.run('batch'); // ok
    await p.probe.run('batch'); // ok
    s.setScenario('engine-disconnected');
    await p.probe.run('batch'); // 503, 503
    s.setScenario('rate-limited');
    await p.probe.run('batch'); // 429, 429 (Retry-After 1 s waited)
    expect(await p.metric(PROBE.consecutiveFailures.name, { mode: 'batch' })).toBe(2);
    s.setScenario('healthy');
    await p.probe.run('batch'); // ok
    const expected: [string, Record<string, string>, number][] = [
      [PROBE.runs.name, { mode: 'batch', result: 'success' }, 3],
      [PROBE.runs.name, { mode: 'batch', result: 'server_error' }, 1],
      [PROBE.runs.name, { mode: 'batch', result: 'rate_limited' }, 1],
      [PROBE.runs.name, { mode: 'batch', result: 'client_error' }, 0],
      [PROBE.runs.name, { mode: 'batch', result: 'not_sent' }, 0],
      [PROBE.consecutiveFailures.name, { mode: 'batch' }, 0],
      [CLIENT.transcriptionRequests.name, { source: 'probe', mode: 'batch', status: '2xx' }, 3],
      [CLIENT.transcriptionRequests.name, { source: 'probe', mode: 'batch', status: '5xx' }, 2],
      [CLIENT.transcriptionRequests.name, { source: 'probe', mode: 'batch', status: '429' }, 2],
      [CLIENT.transcriptionRequests.name, { source: 'probe', mode: 'batch', status: 'timeout' }, 0],
      [`${CLIENT.transcriptionDuration.name}_count`, { source: 'probe', mode: 'batch' }, 3],
      [DGMON.rateLimitHits.name, { source: 'probe' }, 2],
      [CLIENT.requestsInFlight.name, { source: 'probe', mode: 'batch' }, 0],
      [PROBE.transcriptOk.name, { mode: 'batch', reason: 'ok' }, 1],
    ];
    for (const [name, labels, value] of expected) expect([name, labels, await p.metric(name, labels)]).toEqual([name, labels, value]);
    expect(await p.metric(CLIENT.audioProcessed.name, { source: 'probe', mode: 'batch' })).toBeCloseTo(3 * 2.55, 9);
    expect(s.listenStats().batch.byStatus).toEqual({ 200: 3, 503: 2, 429: 2 });
  });

  it('runs on its own schedule and leaves no timer behind when closed, even with a call hanging', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const s = await sim();
    const p = testProbe(s.urls.api, { interval: '1s', timeout: '30s' });
    p.probe.start();
    await until(async () => (await p.metric(PROBE.runs.name, { result: 'success' })) >= 3, 'three probe runs');
    s.setScenario('api-hang');
    await until(() => s.listenStats().batch.inFlight + s.listenStats().stream.inFlight > 0, 'a probe call hanging');
    await p.probe.close();
    await closeAll();
    // Other tests' timers may have ended meanwhile; the probe must not have added any.
    expect(timers()).toBeLessThanOrEqual(before);
    expect(s.listenStats().batch.inFlight + s.listenStats().stream.inFlight).toBe(0);
  });
});

async function silenceFile(): Promise<string> {
  const { encodeWav } = await import('../../core/audio/wav.ts');
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const path = join(mkdtempSync(join(tmpdir(), 'dgmon-probe-')), 'silence.wav');
  writeFileSync(path, encodeWav(new Float32Array(16_000), 16_000));
  return path;
}
