// The simulator's HTTP surface: API and License Proxy payloads, the control endpoint, endpoints that go down, answer
// garbage or hang, and a close() that ends promptly whatever is in flight.
import { afterAll, describe, expect, it } from 'vitest';
import { parseExposition } from '../../core/exposition/parse.ts';
import { ENGINE } from '../../core/catalog/index.ts';
import { SCENARIOS, SCENARIO_NAMES, describeScenarios, startSimulator } from '../../simulator/index.ts';
import { clock, closeAll, errorCode, fetchError, get, getJson, MINUTE, scrape, simulator } from './helpers.ts';

afterAll(closeAll);

/** Deepgram's own readiness probes (Helm chart), as regular expressions over the raw body. */
const API_READY = /^\{"engine_connection_status":"Connected".*\}$/;
const LICENSE_PROXY_READY = /^\{.*"state":"(Connected|TrustBased)".*\}$/;

describe('public interface', () => {
  it('scenario names are exactly the published list, each with a one-line description', () => {
    expect(SCENARIO_NAMES).toEqual([
      'idle', 'healthy', 'error-burst', 'slow-batch', 'slow-streaming', 'rate-limited', 'capacity-exhausted',
      'gpu-saturated', 'gpu-idle-cpu-fallback', 'gpu-xid', 'gpu-hot', 'gpu-memory-full', 'gpu-memory-errors',
      'engine-disconnected', 'api-degraded', 'api-critical', 'license-trust-based', 'engine-down', 'dcgm-down',
      'garbage-metrics', 'slow-upstream', 'api-hang',
    ]);
    for (const s of SCENARIOS) {
      expect(s.description.length).toBeGreaterThan(10);
      expect(s.description).not.toContain('\n');
    }
    const help = describeScenarios();
    expect(help.split('\n')).toHaveLength(SCENARIOS.length);
    for (const s of SCENARIOS) expect(help).toContain(`${s.name} `);
  });

  it('rejects bad options before opening any port', async () => {
    await expect(startSimulator({ scenario: 'nope' as never })).rejects.toThrow(/unknown scenario "nope"/);
    await expect(startSimulator({ gpus: 0 })).rejects.toThrow(/gpus/);
    await expect(startSimulator({ load: -1 })).rejects.toThrow(/load/);
    await expect(startSimulator({ ports: { engine: 70000 } })).rejects.toThrow(/port/);
  });

  it('fails to start on a port in use, and leaves nothing open', async () => {
    const c = clock();
    const first = await simulator({ clock: c });
    const port = Number(new URL(first.urls.dcgm).port);
    await expect(startSimulator({ ports: { dcgm: port } })).rejects.toThrow(/dcgm.*cannot listen/);
  });

  it('URLs are base URLs on 127.0.0.1, one port per endpoint; a fixed port is honoured', async () => {
    const c = clock();
    const sim = await simulator({ clock: c });
    const ports = Object.values(sim.urls).map((u) => {
      expect(u).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      return new URL(u).port;
    });
    expect(new Set(ports).size).toBe(5);
    const enginePort = Number(new URL(sim.urls.engine).port);
    await sim.close();
    const again = await simulator({ clock: c, ports: { engine: enginePort } });
    expect(again.urls.engine).toBe(`http://127.0.0.1:${enginePort}`);
  });
});

describe('API and License Proxy', () => {
  it('healthy: status, engine connection, models, license state, in Deepgram\'s shapes', async () => {
    const c = clock();
    const sim = await simulator({ clock: c, scenario: 'idle' });
    const ready = await getJson(`${sim.urls.api}/v1/status`);
    expect(ready.body).toEqual({ system_health: 'Ready', active_batch_requests: 0, active_stream_requests: 0, active_listen_v2_stream_requests: 0 });
    expect(Object.keys(ready.body as object)).toEqual(['system_health', 'active_batch_requests', 'active_stream_requests', 'active_listen_v2_stream_requests']);
    sim.setScenario('healthy');
    c.advance(10 * MINUTE);
    const status = await getJson(`${sim.urls.api}/v1/status`);
    expect(status.status).toBe(200);
    expect((status.body as { system_health: string }).system_health).toBe('Healthy');
    expect((status.body as { active_stream_requests: number }).active_stream_requests).toBeGreaterThan(0);
    const engine = await get(`${sim.urls.api}/v1/status/engine`);
    expect(engine.type).toMatch(/^application\/json/);
    expect(engine.text).toMatch(API_READY);
    const models = (await getJson(`${sim.urls.api}/v1/models`)).body as { stt: Record<string, unknown>[]; tts: Record<string, unknown>[] };
    expect(models.stt.length).toBeGreaterThan(0);
    expect(models.tts.length).toBeGreaterThan(0);
    for (const m of models.stt) expect(Object.keys(m)).toEqual(['name', 'canonical_name', 'architecture', 'languages', 'version', 'uuid', 'batch', 'streaming', 'formatted_output']);
    for (const m of models.tts) expect(Object.keys(m)).toEqual(['name', 'canonical_name', 'architecture', 'languages', 'version', 'uuid', 'metadata']);
    // The Engine's TTS tier labels are the architectures of the loaded TTS models.
    const tiers = new Set((await scrape(sim.urls.engine)).families.flatMap((f) => (f.name === ENGINE.ttsFirstRawByteLatency.name ? f.samples.map((s) => s.labels.tier) : [])));
    expect([...tiers].sort()).toEqual(models.tts.map((m) => m.architecture).sort());
    const license = await get(`${sim.urls.licenseProxy}/v1/status`);
    expect(license.text).toBe('{"state":"Connected"}');
    expect(license.text).toMatch(LICENSE_PROXY_READY);
    expect((await get(`${sim.urls.api}/v1/nope`)).status).toBe(404);
  });

  it('license-trust-based: the License Proxy reports TrustBased', async () => {
    const c = clock();
    const sim = await simulator({ clock: c, scenario: 'license-trust-based' });
    const license = await get(`${sim.urls.licenseProxy}/v1/status`);
    expect(license.text).toBe('{"state":"TrustBased"}');
    expect(license.text).toMatch(LICENSE_PROXY_READY);
  });

  it('engine-disconnected: the API has no Engine, lists no models; Engine metrics stay up', async () => {
    const c = clock();
    const sim = await simulator({ clock: c, scenario: 'engine-disconnected' });
    c.advance(MINUTE);
    const engine = await get(`${sim.urls.api}/v1/status/engine`);
    expect(engine.text).toBe('{"engine_connection_status":"Disconnected"}');
    expect(engine.text).not.toMatch(API_READY);
    expect(((await getJson(`${sim.urls.api}/v1/status`)).body as { system_health: string }).system_health).toBe('Initializing');
    expect((await getJson(`${sim.urls.api}/v1/models`)).body).toEqual({ stt: [], tts: [] });
    expect((await get(`${sim.urls.engine}/metrics`)).status).toBe(200);
  });

  it('POST /v1/listen: 200 with a Deepgram response normally, 429 when rate-limited, 503 without an Engine', async () => {
    const c = clock();
    const sim = await simulator({ clock: c });
    const ok = await fetch(`${sim.urls.api}/v1/listen?encoding=linear16&sample_rate=16000`, { method: 'POST', body: new Uint8Array(32_000), signal: AbortSignal.timeout(5000) });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('dg-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const body = (await ok.json()) as { metadata: { request_id: string; duration: number } };
    expect(body.metadata.request_id).toBe(ok.headers.get('dg-request-id'));
    expect(body.metadata.duration).toBe(1);
    sim.setScenario('rate-limited');
    const limited = await fetch(`${sim.urls.api}/v1/listen`, { method: 'POST', body: 'x', signal: AbortSignal.timeout(5000) });
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { err_code: string }).err_code).toBe('TOO_MANY_REQUESTS');
    sim.setScenario('engine-disconnected');
    const down = await fetch(`${sim.urls.api}/v1/listen`, { method: 'POST', body: 'x', signal: AbortSignal.timeout(5000) });
    expect(down.status).toBe(503);
    await down.text();
    expect((await get(`${sim.urls.api}/v1/listen`)).status).toBe(405);
  });
});

describe('control endpoint', () => {
  it('GET /scenario lists the current scenario and every scenario', async () => {
    const c = clock();
    const sim = await simulator({ clock: c, scenario: 'gpu-hot' });
    const { status, body } = await getJson(`${sim.urls.control}/scenario`);
    expect(status).toBe(200);
    expect(body).toEqual({ current: 'gpu-hot', scenarios: SCENARIOS.map((s) => ({ name: s.name, description: s.description })) });
    const help = await get(`${sim.urls.control}/`);
    expect(help.text).toContain('PUT');
    expect(help.text).toContain('gpu-memory-errors');
  });

  it('PUT and POST /scenario/<name> switch; the answer comes once the ports match', async () => {
    const c = clock();
    const sim = await simulator({ clock: c });
    const put = await getJson(`${sim.urls.control}/scenario/error-burst`, { method: 'PUT' });
    expect(put).toMatchObject({ status: 200, body: { previous: 'healthy', current: 'error-burst' } });
    expect(sim.scenario()).toBe('error-burst');
    const post = await getJson(`${sim.urls.control}/scenario/engine-down`, { method: 'POST' });
    expect(post.body).toEqual({ previous: 'error-burst', current: 'engine-down' });
    expect(errorCode(await fetchError(`${sim.urls.engine}/metrics`, 2000))).toBe('ECONNREFUSED');
    await getJson(`${sim.urls.control}/scenario/healthy`, { method: 'PUT' });
    expect((await get(`${sim.urls.engine}/metrics`)).status).toBe(200);
    expect((await getJson(`${sim.urls.control}/scenario`)).body).toMatchObject({ current: 'healthy' });
  });

  it('GET /metrics-requests counts the /metrics requests each upstream received, and nothing else', async () => {
    const c = clock();
    const sim = await simulator({ clock: c });
    expect((await getJson(`${sim.urls.control}/metrics-requests`)).body).toEqual({ engine: 0, dcgm: 0 });
    await Promise.all([1, 2, 3].map(() => get(`${sim.urls.engine}/metrics`)));
    await get(`${sim.urls.dcgm}/metrics`);
    // Not fetches of /metrics: another path, and a method the endpoint refuses.
    await get(`${sim.urls.engine}/other`);
    await get(`${sim.urls.dcgm}/metrics`, { method: 'POST' });
    const counted = await getJson(`${sim.urls.control}/metrics-requests`);
    expect(counted).toMatchObject({ status: 200, body: { engine: 3, dcgm: 1 } });
    expect(sim.metricsRequests()).toEqual({ engine: 3, dcgm: 1 });
    expect((await get(`${sim.urls.control}/metrics-requests`, { method: 'PUT' })).status).toBe(405);
  });

  it('rejects unknown scenarios with 404 and the list, and wrong methods with 405', async () => {
    const c = clock();
    const sim = await simulator({ clock: c });
    const unknown = await getJson(`${sim.urls.control}/scenario/melted`, { method: 'PUT' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: 'unknown scenario "melted"', scenarios: SCENARIO_NAMES });
    expect(sim.scenario()).toBe('healthy');
    expect((await get(`${sim.urls.control}/scenario/healthy`)).status).toBe(405);
    expect((await get(`${sim.urls.control}/scenario`, { method: 'DELETE' })).status).toBe(405);
    expect(() => sim.setScenario('melted' as never)).toThrow(/unknown scenario/);
  });
});

describe('broken upstreams', () => {
  it('engine-down refuses connections on the Engine port and comes back on the same URL', async () => {
    const c = clock();
    const sim = await simulator({ clock: c });
    c.advance(MINUTE);
    await scrape(sim.urls.engine); // leaves a keep-alive connection in the client's pool
    sim.setScenario('engine-down');
    await sim.settled();
    expect(errorCode(await fetchError(`${sim.urls.engine}/metrics`, 2000))).toBe('ECONNREFUSED');
    expect(((await getJson(`${sim.urls.api}/v1/status`)).body as { system_health: string }).system_health).toBe('Initializing');
    expect((await get(`${sim.urls.api}/v1/status/engine`)).text).toBe('{"engine_connection_status":"Disconnected"}');
    expect((await get(`${sim.urls.dcgm}/metrics`)).status).toBe(200);
    sim.setScenario('healthy');
    await sim.settled();
    expect((await get(`${sim.urls.engine}/metrics`)).status).toBe(200);
  });

  it('a simulator started in engine-down has the Engine port closed from the start', async () => {
    const c = clock();
    const sim = await simulator({ clock: c, scenario: 'engine-down' });
    expect(errorCode(await fetchError(`${sim.urls.engine}/metrics`, 2000))).toBe('ECONNREFUSED');
  });

  it('dcgm-down refuses connections on the dcgm port; the Engine keeps serving', async () => {
    const c = clock();
    const sim = await simulator({ clock: c, scenario: 'dcgm-down' });
    c.advance(MINUTE);
    expect(errorCode(await fetchError(`${sim.urls.dcgm}/metrics`, 2000))).toBe('ECONNREFUSED');
    const { families } = await scrape(sim.urls.engine);
    expect(families.map((f) => f.name)).toContain('engine_requests');
  });

  it('garbage-metrics answers 200 with a body no exposition parser accepts', async () => {
    const c = clock();
    const sim = await simulator({ clock: c, scenario: 'garbage-metrics' });
    c.advance(MINUTE);
    const r = await get(`${sim.urls.engine}/metrics`);
    expect(r.status).toBe(200);
    expect(r.text.length).toBeGreaterThan(0);
    expect(() => parseExposition(r.text)).toThrow();
    expect((await get(`${sim.urls.dcgm}/metrics`)).status).toBe(200);
  });

  it('slow-upstream: Engine and dcgm /metrics do not answer within 2 s; the API does', async () => {
    const c = clock();
    const sim = await simulator({ clock: c, scenario: 'slow-upstream' });
    const started = Date.now();
    const [engine, dcgm] = await Promise.all([fetchError(`${sim.urls.engine}/metrics`, 2000), fetchError(`${sim.urls.dcgm}/metrics`, 2000)]);
    expect(errorCode(engine)).toBe('TimeoutError');
    expect(errorCode(dcgm)).toBe('TimeoutError');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect((await get(`${sim.urls.api}/v1/status`)).status).toBe(200);
  });

  it('close() ends promptly with requests held by slow-upstream and idle keep-alive connections', async () => {
    const c = clock();
    const sim = await startSimulator({ host: '127.0.0.1', now: c.now, scenario: 'slow-upstream' });
    try {
      await get(`${sim.urls.api}/v1/status`); // an idle keep-alive connection
      const pending = [fetchError(`${sim.urls.engine}/metrics`, 20_000), fetchError(`${sim.urls.dcgm}/metrics`, 20_000)];
      await new Promise((resolve) => setTimeout(resolve, 200)); // the requests reach the servers
      const started = Date.now();
      await sim.close();
      expect(Date.now() - started).toBeLessThan(1000);
      const results = await Promise.all(pending);
      for (const r of results) expect(r).not.toBe('answered');
      expect(errorCode(await fetchError(`${sim.urls.api}/v1/status`, 2000))).toBe('ECONNREFUSED');
      await sim.close(); // idempotent
    } finally {
      await sim.close();
    }
  });
});
