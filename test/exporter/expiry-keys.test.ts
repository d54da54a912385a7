// API-key expiry: keys declared in dgmon.yaml, and a project's keys read from a local stand-in for Deepgram's
// management API serving the documented shape. The management key reaches the Authorization header and nothing else.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { DGMON } from '../../core/catalog/index.ts';
import { parseConfig } from '../../core/config.ts';
import { readSecrets, startExporter, type ExporterHandle } from '../../exporter/index.ts';
import { createLogger } from '../../exporter/log.ts';
import { sampleValue } from '../support/exposition.ts';
import { Capture, get, serve, type TestServer } from '../support/net.ts';

const MANAGEMENT_KEY = 'mgmt-secret-4f9a2c7e81d3b6a05e2f';
const PROJECT = 'proj-7a1b';
const ACTIVE_ID = '6f0c3a52-8f1e-4a5e-9d0b-2b7c1e0f9a11';
const FALLBACK_ID = 'c2d9e8f7-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
const NEVER_ID = '0e1d2c3b-4a59-4687-9a0b-1c2d3e4f5a6b';

/** GET /v1/projects/{id}/keys as Deepgram documents it: member and api_key per entry, expiration_date optional. */
const LISTING = {
  api_keys: [
    {
      member: { member_id: 'm-1', email: 'ops@example.com', first_name: 'Ada', last_name: 'Ops' },
      api_key: { api_key_id: ACTIVE_ID, comment: 'production', scopes: ['usage:write'], tags: [], created: '2025-01-01T00:00:00.000Z', expiration_date: '2030-04-01T00:00:00.000Z' },
    },
    {
      member: { member_id: 'm-1', email: 'ops@example.com', first_name: 'Ada', last_name: 'Ops' },
      api_key: { api_key_id: FALLBACK_ID, comment: 'fallback', scopes: ['usage:write'], created: '2025-02-01T00:00:00.000Z', expiration_date: '2030-06-30T12:00:00Z' },
    },
    // A key that never expires has no expiration_date: nothing to watch.
    { member: { member_id: 'm-2', email: 'dev@example.com' }, api_key: { api_key_id: NEVER_ID, comment: 'dev', scopes: ['member'], created: '2024-01-01T00:00:00Z' } },
  ],
};

type Mode = 'ok' | 'unauthorized' | 'garbled' | 'no-list';
let mode: Mode = 'ok';
const seen: { path: string; authorization: string }[] = [];
let management: TestServer;
let dir: string;
const exporters: ExporterHandle[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(process.env.DGMON_TMP ?? tmpdir(), 'dgmon-expiry-keys-'));
  management = await serve((req, res) => {
    seen.push({ path: req.url ?? '', authorization: String(req.headers.authorization ?? '') });
    res.setHeader('content-type', 'application/json');
    if (mode === 'unauthorized') {
      res.statusCode = 401;
      return res.end(JSON.stringify({ err_code: 'INVALID_AUTH', err_msg: `Invalid credentials: ${MANAGEMENT_KEY}` }));
    }
    if (mode === 'garbled') return res.end('{"api_keys": [{"api_key": {"api_key_id": "6f0c');
    if (mode === 'no-list') return res.end(JSON.stringify({ keys: [] }));
    res.end(JSON.stringify(LISTING));
  });
});

afterAll(async () => {
  await Promise.all(exporters.map((e) => e.close()));
  await management.close();
  rmSync(dir, { recursive: true, force: true });
});

async function exporterWith(apiKeys: object): Promise<{ exporter: ExporterHandle; logs: Capture }> {
  const keyFile = join(dir, 'management-key');
  writeFileSync(keyFile, `${MANAGEMENT_KEY}\n`);
  const config = parseConfig({
    exporter: { listen: '127.0.0.1:0', expiry: { interval: '0s', timeout: '2s', apiKeys: { ...apiKeys, listing: { baseUrl: management.url, keyFile, ...(apiKeys as { listing?: object }).listing } } } },
  });
  // The exporter's own path: the key read from keyFile, the logger told to scrub it.
  const secrets = readSecrets(config, {});
  const logs = new Capture();
  const exporter = await startExporter(config, { secrets, log: createLogger({ destination: logs, secrets: [secrets.managementKey!] }) });
  exporters.push(exporter);
  return { exporter, logs };
}

const metricsOf = async (exporter: ExporterHandle) => (await get(`${exporter.url}/metrics`)).text;
const keyExpiry = (text: string, key: string, origin: string) => sampleValue(text, DGMON.apiKeyExpiry.name, { key, origin });

describe('API key expiry', () => {
  it('serves declared keys as timestamps, under their names', async () => {
    const { exporter } = await exporterWith({ declared: [{ name: 'production', expires: '2030-01-31' }, { name: 'fallback', expires: '2030-03-01T06:00:00+02:00' }] });
    const text = await metricsOf(exporter);
    expect(keyExpiry(text, 'production', 'config')).toBe(Date.UTC(2030, 0, 31) / 1000);
    expect(keyExpiry(text, 'fallback', 'config')).toBe(Date.UTC(2030, 2, 1, 4) / 1000);
    // Nothing declared needs checking: no check series for them.
    expect(text).not.toContain(DGMON.expiryCheckSuccess.name);
  });

  it('lists a project\'s active keys with the management key, labelling them by id only', async () => {
    mode = 'ok';
    seen.length = 0;
    const { exporter, logs } = await exporterWith({ listing: { projectId: PROJECT } });
    const text = await metricsOf(exporter);
    expect(seen.at(-1)).toEqual({ path: `/v1/projects/${PROJECT}/keys?status=active`, authorization: `Token ${MANAGEMENT_KEY}` });
    expect(keyExpiry(text, ACTIVE_ID, 'listing')).toBe(Date.UTC(2030, 3, 1) / 1000);
    expect(keyExpiry(text, FALLBACK_ID, 'listing')).toBe(Date.UTC(2030, 5, 30, 12) / 1000);
    expect(keyExpiry(text, NEVER_ID, 'listing')).toBeUndefined();
    expect(sampleValue(text, DGMON.expiryCheckSuccess.name, { check: 'api_key_listing', target: PROJECT })).toBe(1);
    // Comments are free text and members are people: neither becomes a label unless asked.
    for (const absent of ['comment=', 'production', 'ops@example.com', 'Ada', MANAGEMENT_KEY]) expect(text).not.toContain(absent);
    expect(logs.text).not.toContain(MANAGEMENT_KEY);
  });

  it('labels keys with their comment when labelComments is on', async () => {
    mode = 'ok';
    const { exporter } = await exporterWith({ listing: { projectId: PROJECT, labelComments: true } });
    const text = await metricsOf(exporter);
    expect(sampleValue(text, DGMON.apiKeyExpiry.name, { key: FALLBACK_ID, comment: 'fallback' })).toBe(Date.UTC(2030, 5, 30, 12) / 1000);
  });

  for (const [failure, reason] of [['unauthorized', 'http_status'], ['garbled', 'parse'], ['no-list', 'parse']] as const) {
    it(`reports a ${failure} answer as reason ${reason}, keeps the keys it read before, and never shows the management key`, async () => {
      mode = 'ok';
      const { exporter, logs } = await exporterWith({ listing: { projectId: PROJECT }, declared: [{ name: 'self-hosted', expires: '2030-01-31' }] });
      await metricsOf(exporter);
      mode = failure;
      const text = await metricsOf(exporter);
      const check = { check: 'api_key_listing', target: PROJECT };
      expect(sampleValue(text, DGMON.expiryCheckSuccess.name, check)).toBe(0);
      expect(sampleValue(text, DGMON.expiryCheckFailures.name, { ...check, reason })).toBe(1);
      expect(keyExpiry(text, ACTIVE_ID, 'listing')).toBe(Date.UTC(2030, 3, 1) / 1000);
      expect(keyExpiry(text, 'self-hosted', 'config')).toBe(Date.UTC(2030, 0, 31) / 1000);
      expect(logs.text).toContain('"reason":"' + reason + '"');
      // The 401 body echoes the key on purpose: it must not travel into logs or metrics.
      for (const out of [text, logs.text]) expect(out).not.toContain(MANAGEMENT_KEY);
      mode = 'ok';
    });
  }

  it('reads the management key from keyFile or DEEPGRAM_MANAGEMENT_API_KEY, and refuses listing without one', () => {
    const file = join(dir, 'key-file');
    writeFileSync(file, `${MANAGEMENT_KEY}\n`);
    const listing = (extra: object) => ({ exporter: { expiry: { apiKeys: { listing: { projectId: PROJECT, ...extra } } } } });
    expect(readSecrets(parseConfig(listing({ keyFile: file })), {}).managementKey).toBe(MANAGEMENT_KEY);
    expect(readSecrets(parseConfig({}), { DEEPGRAM_MANAGEMENT_API_KEY: 'from-env-5678' }).managementKey).toBe('from-env-5678');
    const saved = process.env.DEEPGRAM_MANAGEMENT_API_KEY;
    delete process.env.DEEPGRAM_MANAGEMENT_API_KEY;
    try {
      expect(() => parseConfig(listing({}))).toThrow(/exporter\.expiry\.apiKeys\.listing\.keyFile: must name a file/);
    } finally {
      if (saved !== undefined) process.env.DEEPGRAM_MANAGEMENT_API_KEY = saved;
    }
  });

  it('refuses a declared key that looks like a key, a bad date, and warning not above critical', () => {
    const declared = (key: object) => ({ exporter: { expiry: { apiKeys: { declared: [key] } } } });
    expect(() => parseConfig(declared({ name: '0123456789abcdef0123456789abcdef01234567', expires: '2030-01-01' }))).toThrow(/declared\.0\.name: looks like an API key itself/);
    expect(() => parseConfig(declared({ name: 'production', expires: '31/01/2030' }))).toThrow(/declared\.0\.expires: must be an ISO 8601 date/);
    expect(() => parseConfig({ alerts: { DeepgramAPIKeyExpiringSoon: { warningDays: 3, criticalDays: 7 } } })).toThrow(
      /alerts\.DeepgramAPIKeyExpiringSoon\.warningDays: must be more than criticalDays \(7\)/,
    );
  });
});
