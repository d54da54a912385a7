// /health, /ready, the landing page, basic auth and secrets, against a stand-in Deepgram API whose state the test
// controls. The real simulator is exercised in exporter.test.ts.
import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../core/config.ts';
import { startExporter, readSecrets, type ExporterHandle } from '../../exporter/index.ts';
import { createLogger } from '../../exporter/log.ts';
import { serve, get, Capture, type TestServer } from '../support/net.ts';
import { run } from '../support/tools.ts';
import { main, type Io } from '../../cli/main.ts';

const API_KEY = 'dg-secret-0123456789abcdef';

let api: TestServer;
let mode: 'up' | 'down' | 'disconnected' | 'limited' = 'up';
let authHeaders: string[] = [];
const exporters: ExporterHandle[] = [];
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(process.env.DGMON_TMP ?? tmpdir(), 'dgmon-health-'));
  api = await serve((req, res) => {
    authHeaders.push(String(req.headers.authorization));
    if (mode === 'down') {
      res.statusCode = 502;
      res.end(`upstream failed for key ${API_KEY}`);
      return;
    }
    if (mode === 'limited') {
      res.statusCode = 429;
      res.setHeader('retry-after', '1');
      res.end();
      return;
    }
    res.setHeader('content-type', 'application/json');
    if (req.url === '/v1/status') res.end(JSON.stringify({ system_health: 'Healthy', active_batch_requests: 2, active_stream_requests: 5, active_listen_v2_stream_requests: 1 }));
    else if (req.url === '/v1/status/engine') res.end(JSON.stringify({ engine_connection_status: mode === 'disconnected' ? 'Disconnected' : 'Connected' }));
    else if (req.url === '/v1/models') res.end(JSON.stringify({ stt: [{ name: 'nova-3', canonical_name: 'nova-3-general', architecture: 'nova-3', version: '2025-01-01.0', uuid: 'u-1' }], tts: [] }));
    else {
      res.statusCode = 404;
      res.end();
    }
  });
});
afterAll(async () => {
  await Promise.all(exporters.map((e) => e.close()));
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

async function exporter(extra: Record<string, unknown> = {}, logs = new Capture()) {
  const config = parseConfig({ exporter: { listen: '127.0.0.1:0', healthCacheTtl: '1s', sources: { api: { url: api.url, timeout: '1s' } }, ...extra } });
  const handle = await startExporter(config, { log: createLogger({ destination: logs, secrets: [API_KEY] }), secrets: { apiKey: API_KEY, basicAuthPassword: 'pw-secret-xyz' } });
  exporters.push(handle);
  return { handle, logs };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('/health', () => {
  it('answers 200 with each check and its latency while the API is up and an Engine connected', async () => {
    mode = 'up';
    const { handle } = await exporter();
    const res = await get(`${handle.url}/health`);
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text);
    expect(body.status).toBe('healthy');
    expect(body.checks.map((c: { name: string; status: string }) => [c.name, c.status])).toEqual([
      ['api_status', 'pass'],
      ['engine_connection', 'pass'],
    ]);
    expect(typeof body.checks[0].latency_ms).toBe('number');
  });

  it('turns 503 when the API dies and back to 200 when it returns, within TTL plus timeout', async () => {
    mode = 'up';
    const { handle } = await exporter();
    expect((await get(`${handle.url}/health`)).status).toBe(200);
    mode = 'down';
    await sleep(1_100); // the 1 s TTL
    const down = await get(`${handle.url}/health`);
    expect(down.status).toBe(503);
    expect(JSON.parse(down.text).checks[0]).toMatchObject({ name: 'api_status', status: 'fail', reason: 'http_status' });
    mode = 'up';
    await sleep(1_100);
    expect((await get(`${handle.url}/health`)).status).toBe(200);
  });

  it('answers 503 when the API has no connected Engine', async () => {
    mode = 'disconnected';
    const { handle } = await exporter();
    const res = await get(`${handle.url}/health`);
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text).checks[1]).toMatchObject({ name: 'engine_connection', status: 'fail', reason: 'not_connected' });
    const metrics = (await get(`${handle.url}/metrics`)).text;
    expect(metrics).toMatch(/^dgmon_health_check_success\{check="engine_connection"\} 0$/m);
    expect(metrics).toMatch(/^dgmon_api_engine_connected 0$/m);
    mode = 'up';
  });

  it('serves a burst of probes from one cached check', async () => {
    mode = 'up';
    const { handle } = await exporter({ healthCacheTtl: '30s' });
    const before = authHeaders.length;
    await Promise.all(Array.from({ length: 50 }, () => get(`${handle.url}/health`)));
    // One check is two API requests (/v1/status and /v1/status/engine).
    expect(authHeaders.length - before).toBe(2);
  });

  it('counts 429 answers as rate-limit hits', async () => {
    mode = 'limited';
    const { handle } = await exporter();
    expect((await get(`${handle.url}/health`)).status).toBe(503);
    const metrics = (await get(`${handle.url}/metrics`)).text;
    expect(metrics).toMatch(/^dgmon_rate_limit_hits_total\{source="health_check"\} [1-9]/m);
    mode = 'up';
  });
});

describe('exporter endpoints', () => {
  it('exports the API status under catalogue names', async () => {
    mode = 'up';
    const { handle } = await exporter();
    const text = (await get(`${handle.url}/metrics`)).text;
    expect(text).toMatch(/^dgmon_api_system_health\{state="Healthy"\} 1$/m);
    expect(text).toMatch(/^dgmon_api_system_health\{state="Degraded"\} 0$/m);
    expect(text).toMatch(/^dgmon_api_active_requests\{kind="stream"\} 5$/m);
    expect(text).toMatch(/^dgmon_api_active_requests\{kind="listen_v2_stream"\} 1$/m);
    expect(text).toMatch(/^dgmon_api_model_info\{model_type="stt",name="nova-3",canonical_name="nova-3-general",architecture="nova-3",version="2025-01-01.0",uuid="u-1"\} 1$/m);
    expect(text).toMatch(/^dgmon_source_up\{source="api"\} 1$/m);
    expect(text).toMatch(/^dgmon_health_check_success\{check="api_status"\} 1$/m);
    expect(text).toMatch(/^dgmon_build_info\{version="[^"]+"\} 1$/m);
  });

  it('produces output that passes promtool check metrics', async () => {
    mode = 'up';
    const { handle } = await exporter();
    const text = (await get(`${handle.url}/metrics`)).text;
    const check = run('promtool', ['check', 'metrics'], { input: text });
    expect(check.code, check.stdout + check.stderr).toBe(0);
  });

  it('serves a landing page linking its endpoints, and /ready', async () => {
    const { handle } = await exporter();
    const page = await get(`${handle.url}/`);
    for (const link of ['/metrics', '/health', '/ready']) expect(page.text).toContain(`href="${link}"`);
    expect((await get(`${handle.url}/ready`)).status).toBe(200);
  });

  it('requires basic auth on /metrics and / when configured, not on /health and /ready', async () => {
    mode = 'up';
    const { handle } = await exporter({ basicAuth: { username: 'prom', passwordFile: '/dev/null' } });
    expect((await get(`${handle.url}/metrics`)).status).toBe(401);
    const auth = `Basic ${Buffer.from('prom:pw-secret-xyz').toString('base64')}`;
    expect((await get(`${handle.url}/metrics`, { headers: { authorization: auth } })).status).toBe(200);
    expect((await get(`${handle.url}/health`)).status).toBe(200);
    expect((await get(`${handle.url}/ready`)).status).toBe(200);
  });
});

describe('secrets', () => {
  it('sends the API key to the API and never writes it to logs, metrics or /health', async () => {
    mode = 'up';
    const logs = new Capture();
    const { handle } = await exporter({}, logs);
    await get(`${handle.url}/metrics`);
    expect(authHeaders).toContain(`Token ${API_KEY}`);
    mode = 'down';
    await sleep(1_100);
    const health = await get(`${handle.url}/health`);
    const metrics = await get(`${handle.url}/metrics`);
    handle.log.info({ apiKey: API_KEY, nested: { note: `key ${API_KEY}` } }, `a careless line with ${API_KEY}`);
    await sleep(50);
    expect(logs.text.length).toBeGreaterThan(0);
    for (const text of [logs.text, health.text, metrics.text]) expect(text).not.toContain(API_KEY);
    expect(logs.text).toContain('[REDACTED]');
    mode = 'up';
  });

  it('reads the API key from a file or DEEPGRAM_API_KEY', () => {
    const file = join(dir, 'key');
    writeFileSync(file, `${API_KEY}\n`);
    expect(readSecrets(parseConfig({ exporter: { apiKeyFile: file } }), {}).apiKey).toBe(API_KEY);
    expect(readSecrets(parseConfig({}), { DEEPGRAM_API_KEY: 'from-env-1234' }).apiKey).toBe('from-env-1234');
    expect(() => readSecrets(parseConfig({ exporter: { apiKeyFile: join(dir, 'missing') } }), {})).toThrow(/exporter\.apiKeyFile: cannot read .*ENOENT/);
  });
});

describe('dgmon exporter configuration errors', () => {
  const io = (): Io & { errText: () => string } => {
    let err = '';
    return { out: () => undefined, err: (t) => (err += t), errText: () => err };
  };
  const cases: [string[], RegExp][] = [
    [['exporter', '--engine-url', 'ftp://engine/metrics'], /exporter\.sources\.engine\.url: must be an http:\/\/ or https:\/\/ URL/],
    [['exporter', '--listen', 'nine-eight-nine-eight'], /exporter\.listen: must be HOST:PORT/],
    [['exporter', '--api-url', 'localhost:8080'], /exporter\.sources\.api\.url: must be an http/],
  ];
  for (const [args, message] of cases) {
    it(`exits 2 for ${args.slice(1).join(' ')}`, async () => {
      const sink = io();
      expect(await main(args, sink)).toBe(2);
      expect(sink.errText()).toMatch(message);
    });
  }
  it('exits 2 for a bad DGMON_DCGM_URL in the environment', async () => {
    process.env.DGMON_DCGM_URL = 'dcgm:9400';
    try {
      const sink = io();
      expect(await main(['exporter'], sink)).toBe(2);
      expect(sink.errText()).toMatch(/exporter\.sources\.dcgm\.url/);
    } finally {
      delete process.env.DGMON_DCGM_URL;
    }
  });
});
