// What an application sees of the client besides transcripts: metric values after a known sequence of calls, a
// /metrics that passes promtool, /health 200 and 503 (cached), logs without the key or any transcript, the
// process-wide singleton, and the package's own import path `dgmon/client`.
import express from 'express';
import type { AddressInfo } from 'node:net';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { synthesizeClip } from '../../core/audio/clip.ts';
import { CLIENT, DGMON, TRANSCRIPTION_STATUSES } from '../../core/catalog/index.ts';
import * as client from '../../client/index.ts';
import { serve } from '../support/net.ts';
import { run } from '../support/tools.ts';
import { closeAll, metric, rejection, sim, testClient } from './helpers.ts';

const clip = synthesizeClip();
afterEach(closeAll);

/** Serves an express app on a free 127.0.0.1 port for one callback, then closes it. */
async function withApp<T>(app: express.Express, fn: (url: string) => Promise<T>): Promise<T> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    return await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('metrics', () => {
  it('counts a known sequence of calls exactly, under source="client"', async () => {
    const s = await sim();
    const { client: c, registry } = testClient(s, { retry: { maxRetries: 0 } });
    await c.transcribe(clip.wav);
    await c.transcribe(clip.wav);
    await c.transcribeStream(clip.wav, { realtime: false });
    await rejection(c.transcribe(Buffer.from('garbage'))); // 400
    s.setScenario('engine-disconnected');
    await rejection(c.transcribe(clip.wav)); // 503
    s.setScenario('rate-limited');
    await rejection(c.transcribe(clip.wav)); // 429 (no retries configured)

    const calls = (mode: string, status: string) => metric(registry, CLIENT.transcriptionRequests.name, { source: 'client', mode, status });
    expect(await calls('batch', '2xx')).toBe(2);
    expect(await calls('batch', '4xx')).toBe(1);
    expect(await calls('batch', '5xx')).toBe(1);
    expect(await calls('batch', '429')).toBe(1);
    expect(await calls('batch', 'timeout')).toBe(0);
    expect(await calls('stream', '2xx')).toBe(1);
    expect(await metric(registry, DGMON.rateLimitHits.name, { source: 'client' })).toBe(1);
    expect(await metric(registry, CLIENT.audioProcessed.name, { mode: 'batch' })).toBeCloseTo(5.1, 9);
    expect(await metric(registry, CLIENT.audioProcessed.name, { mode: 'stream' })).toBe(2.55);
    expect(await metric(registry, `${CLIENT.transcriptionDuration.name}_count`, { mode: 'batch' })).toBe(2);
    expect(await metric(registry, `${CLIENT.transcriptionDuration.name}_count`, { mode: 'stream' })).toBe(1);
    expect(await metric(registry, CLIENT.requestsInFlight.name)).toBe(0);
    expect(await metric(registry, CLIENT.circuitState.name, { state: 'closed' })).toBe(1);
  });

  it('serves /metrics through metricsHandler() that passes promtool check metrics, every series under a catalogue name', async () => {
    const s = await sim();
    const { client: c } = testClient(s, { source: 'checkout_api' });
    await c.transcribe(clip.wav);
    const app = express().get('/metrics', c.metricsHandler());
    const text = await withApp(app, async (url) => {
      const r = await fetch(`${url}/metrics`);
      expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
      return r.text();
    });
    const check = run('promtool', ['check', 'metrics'], { input: text });
    expect(check.code, check.stdout + check.stderr).toBe(0);
    const families = [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]);
    expect(families.sort()).toEqual([...Object.values(CLIENT).map((d) => d.name), DGMON.rateLimitHits.name].sort());
    expect(text).toMatch(/^dgmon_transcription_requests_total\{source="checkout_api",mode="batch",status="2xx"\} 1$/m);
    for (const status of TRANSCRIPTION_STATUSES) expect(text).toContain(`mode="stream",status="${status}"`);
  });

  it('lets two clients with different sources share one registry', async () => {
    const s = await sim();
    const a = testClient(s, { source: 'client' });
    const b = testClient(s, { source: 'probe', registry: a.registry });
    await b.client.transcribe(clip.wav);
    expect(await metric(a.registry, CLIENT.transcriptionRequests.name, { source: 'probe', status: '2xx' })).toBe(1);
    expect(await metric(a.registry, CLIENT.transcriptionRequests.name, { source: 'client', status: '2xx' })).toBe(0);
  });
});

describe('health handler', () => {
  it('answers 200 with the latency while Deepgram answers, reuses the result within its TTL, and 503 when unreachable', async () => {
    const s = await sim();
    const { client: c } = testClient(s, { health: { cacheTtlMs: 60_000, timeoutMs: 2000 } });
    const app = express().get('/health', c.healthHandler());
    await withApp(app, async (url) => {
      const ok = await fetch(`${url}/health`);
      expect(ok.status).toBe(200);
      const body = (await ok.json()) as client.HealthReport;
      expect(body).toMatchObject({ status: 'ok', deepgram: { ok: true, status_code: 200 }, circuit: 'closed' });
      expect(body.deepgram.latency_seconds).toBeGreaterThanOrEqual(0);
      await s.close();
      const cached = (await (await fetch(`${url}/health`)).json()) as client.HealthReport;
      expect(cached.checked_at).toBe(body.checked_at);
    });
    const fresh = testClient(s, { health: { cacheTtlMs: 60_000, timeoutMs: 2000 } });
    await withApp(express().get('/health', fresh.client.healthHandler()), async (url) => {
      const down = await fetch(`${url}/health`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ status: 'unavailable', deepgram: { ok: false, error: expect.stringMatching(/^unreachable/) } });
    });
  });

  it('answers 503 when the health endpoint answers an error status, or nothing within the timeout', async () => {
    const s = await sim();
    const { client: c } = testClient(s, { health: { path: '/v1/listen' } });
    expect(await c.checkHealth()).toMatchObject({ status: 'unavailable', deepgram: { ok: false, status_code: 405, error: 'answered 405' } });
    const silent = await serve(() => undefined);
    try {
      const { client: slow } = testClient({ ...s, urls: { ...s.urls, api: silent.url } }, { health: { timeoutMs: 200 } });
      expect(await slow.checkHealth()).toMatchObject({ status: 'unavailable', deepgram: { ok: false, error: 'no answer within 200 ms' } });
    } finally {
      await silent.close();
    }
  });
});

describe('logs', () => {
  it('never contain the API key, the transcript or the audio, even when an object is logged whole', async () => {
    const key = 'dg-test-key-5f0c2a9e7d41';
    const s = await sim();
    const { client: c, log } = testClient(s, { apiKey: key, retry: { maxRetries: 1 } });
    const result = await c.transcribe(clip.wav);
    await c.transcribeStream(clip.wav, { realtime: false });
    s.setScenario('engine-disconnected');
    await rejection(c.transcribe(clip.wav));
    // An application that logs the result or its request carelessly through the client's logger:
    c.log.info({ result, audio: clip.wav.toString('base64'), headers: { authorization: `Token ${key}` } }, `calling with ${key}`);
    expect(log.text).toContain('"msg":"transcribed"');
    expect(log.text).toContain('"msg":"retrying Deepgram call"');
    expect(log.text).not.toContain(key);
    for (const word of clip.transcript.split(' ')) expect(log.text.toLowerCase()).not.toContain(word);
    expect(log.text).not.toContain(clip.wav.subarray(44, 100).toString('base64').slice(0, 24));
    expect(log.text).toContain('[REDACTED]');
  });
});

describe('options and the singleton', () => {
  it('refuses bad options naming each field and its fix', () => {
    expect(() => new client.TranscriptionClient({ baseUrl: 'deepgram:8080', timeoutMs: -1, maxConcurrentRequests: 0, registry: false })).toThrow(
      /baseUrl: must be an http\(s\) URL[\s\S]*timeoutMs: must be a positive number of milliseconds[\s\S]*maxConcurrentRequests: must be an integer >= 1/,
    );
    expect(() => new client.TranscriptionClient({ apiKeyFile: '/nonexistent/key', registry: false })).toThrow(/apiKeyFile: cannot read \/nonexistent\/key \(ENOENT\)/);
  });

  it('deepgramClient() returns one client per process and refuses a second configuration', () => {
    const first = client.deepgramClient({ baseUrl: 'http://127.0.0.1:9', registry: false });
    expect(client.deepgramClient()).toBe(first);
    expect(() => client.deepgramClient({ baseUrl: 'http://127.0.0.1:9' })).toThrow(/already configured/);
  });

  it('is importable as dgmon/client from a plain node process: ESM import and CommonJS require of the built package', () => {
    // The package's exports resolve to dist/ (built by the test set-up), with no TypeScript loader.
    const imported = spawnSync(process.execPath, ['--input-type=module', '-e', "const m = await import('dgmon/client'); console.log(typeof m.deepgramClient, typeof m.synthesizeClip);"], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(imported.stderr).toBe('');
    expect(imported.stdout.trim()).toBe('function function');
    const required = spawnSync(process.execPath, ['-e', "const m = require('dgmon/client'); console.log(typeof m.TranscriptionClient);"], { encoding: 'utf8', timeout: 60_000 });
    expect(required.stderr).toBe('');
    expect(required.stdout.trim()).toBe('function');
  });
});
