// The expiry watch against real TLS endpoints on 127.0.0.1 with certificates made by openssl: the notAfter openssl
// reads back is what the exporter must report, verified or not, per SNI name, with failures named by reason.
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { DGMON } from '../../core/catalog/index.ts';
import { parseConfig } from '../../core/config.ts';
import { startExporter, type ExporterHandle } from '../../exporter/index.ts';
import { createLogger } from '../../exporter/log.ts';
import { makeCertificate, startTlsEndpoint, type Certificate, type TlsEndpoint } from '../../simulator/tls-endpoint.ts';
import { sampleValue } from '../support/exposition.ts';
import { Capture, deadPort, get } from '../support/net.ts';
import { run } from '../support/tools.ts';

let dir: string;
let root: Certificate;
let intermediate: Certificate;
let leaf: Certificate;
let chained: TlsEndpoint;
const endpoints: TlsEndpoint[] = [];
const exporters: ExporterHandle[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(process.env.DGMON_TMP ?? tmpdir(), 'dgmon-expiry-tls-'));
  // An intermediate that expires before the leaf it signs: the chain's expiry is the intermediate's.
  root = makeCertificate({ commonName: 'dgmon test root', days: 400, ca: true });
  intermediate = makeCertificate({ commonName: 'dgmon test intermediate', days: 20, ca: true, issuer: root });
  leaf = makeCertificate({ commonName: 'proxy.test', dnsNames: ['proxy.test'], days: 60, issuer: intermediate });
  writeFileSync(join(dir, 'root.pem'), root.cert);
  chained = await startTlsEndpoint({ certificate: leaf, chain: [intermediate] });
  endpoints.push(chained);
}, 60_000);

afterAll(async () => {
  await Promise.all(exporters.map((e) => e.close()));
  await Promise.all(endpoints.map((e) => e.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function exporterWatching(tls: object[], expiry: object = {}): Promise<{ exporter: ExporterHandle; logs: Capture }> {
  const logs = new Capture();
  const config = parseConfig({ exporter: { listen: '127.0.0.1:0', scrapeBudget: '3s', expiry: { timeout: '2s', ...expiry, tls } } });
  const exporter = await startExporter(config, { log: createLogger({ destination: logs }), secrets: {} });
  exporters.push(exporter);
  return { exporter, logs };
}

async function scrape(exporter: ExporterHandle): Promise<string> {
  const { status, text } = await get(`${exporter.url}/metrics`);
  expect(status).toBe(200);
  return text;
}

const value = (text: string, def: { name: string }, labels: Record<string, string>) => sampleValue(text, def.name, labels);

describe('TLS expiry', () => {
  it('reports the leaf and the earlier intermediate, verified against caFile and the server name', async () => {
    const { exporter } = await exporterWatching([{ name: 'proxy', address: chained.address, serverName: 'proxy.test', caFile: join(dir, 'root.pem') }]);
    const text = await scrape(exporter);
    const labels = { target: 'proxy', server_name: 'proxy.test' };
    expect(value(text, DGMON.tlsCertExpiry, labels)).toBe(leaf.notAfter);
    expect(value(text, DGMON.tlsChainExpiry, labels)).toBe(intermediate.notAfter);
    expect(intermediate.notAfter).toBeLessThan(leaf.notAfter);
    expect(value(text, DGMON.tlsCertVerified, labels)).toBe(1);
    expect(value(text, DGMON.expiryCheckSuccess, { check: 'tls', target: 'proxy' })).toBe(1);
    expect(value(text, DGMON.expiryCheckFailures, { check: 'tls', target: 'proxy', reason: 'connection' })).toBe(0);
    // About 60 days ahead, as asked of openssl (a day's slack for the clock, never a timing claim).
    expect(Math.abs(leaf.notAfter - Date.now() / 1000 - 60 * 86400)).toBeLessThan(86400);
    const lint = run('promtool', ['check', 'metrics'], { input: text });
    expect(lint.code, lint.stdout + lint.stderr).toBe(0);
  });

  it('still reports the expiry of a certificate that does not verify (unknown CA, wrong name)', async () => {
    const { exporter } = await exporterWatching([
      { name: 'untrusted', address: chained.address, serverName: 'proxy.test' },
      { name: 'misnamed', address: chained.address, serverName: 'other.test', caFile: join(dir, 'root.pem') },
    ]);
    const text = await scrape(exporter);
    for (const [target, serverName] of [['untrusted', 'proxy.test'], ['misnamed', 'other.test']] as const) {
      const labels = { target, server_name: serverName };
      expect(value(text, DGMON.tlsCertVerified, labels), target).toBe(0);
      expect(value(text, DGMON.tlsCertExpiry, labels), target).toBe(leaf.notAfter);
      expect(value(text, DGMON.expiryCheckSuccess, { check: 'tls', target }), target).toBe(1);
    }
  });

  it('sends the configured server name (SNI) and reads the certificate served for it', async () => {
    const names = { 'a.test': 30, 'b.test': 70 } as const;
    const byServerName = Object.fromEntries(Object.entries(names).map(([name, days]) => [name, makeCertificate({ commonName: name, dnsNames: [name], days })]));
    const fallback = makeCertificate({ commonName: 'default.test', dnsNames: ['default.test'], days: 10 });
    const multi = await startTlsEndpoint({ certificate: fallback, byServerName });
    endpoints.push(multi);
    const { exporter } = await exporterWatching([
      { name: 'a', address: multi.address, serverName: 'a.test' },
      { name: 'b', address: multi.address, serverName: 'b.test' },
      // An IP address without serverName sends no SNI: the endpoint's default certificate.
      { address: multi.address },
    ]);
    const text = await scrape(exporter);
    expect(value(text, DGMON.tlsCertExpiry, { target: 'a', server_name: 'a.test' })).toBe(byServerName['a.test']!.notAfter);
    expect(value(text, DGMON.tlsCertExpiry, { target: 'b', server_name: 'b.test' })).toBe(byServerName['b.test']!.notAfter);
    expect(value(text, DGMON.tlsCertExpiry, { target: multi.address, server_name: '' })).toBe(fallback.notAfter);
    expect(new Set([fallback.notAfter, byServerName['a.test']!.notAfter, byServerName['b.test']!.notAfter]).size).toBe(3);
  });

  it('names a refused connection and a silent peer, and keeps serving the rest of the scrape', async () => {
    const refused = (await deadPort()).replace('http://', '');
    // Accepts TCP and never speaks TLS: only the check's timeout ends the handshake.
    const sockets = new Set<Socket>();
    const silent: TcpServer = createTcpServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    try {
      const silentAddress = `127.0.0.1:${(silent.address() as { port: number }).port}`;
      const { exporter, logs } = await exporterWatching(
        [
          { name: 'refused', address: refused },
          { name: 'silent', address: silentAddress },
          { name: 'proxy', address: chained.address, serverName: 'proxy.test' },
        ],
        { timeout: '1s', apiKeys: { declared: [{ name: 'production', expires: '2030-01-31' }] } },
      );
      const text = await scrape(exporter);
      expect(value(text, DGMON.expiryCheckSuccess, { check: 'tls', target: 'refused' })).toBe(0);
      expect(value(text, DGMON.expiryCheckFailures, { check: 'tls', target: 'refused', reason: 'connection' })).toBe(1);
      expect(value(text, DGMON.expiryCheckSuccess, { check: 'tls', target: 'silent' })).toBe(0);
      expect(value(text, DGMON.expiryCheckFailures, { check: 'tls', target: 'silent', reason: 'timeout' })).toBe(1);
      expect(value(text, DGMON.tlsCertExpiry, { target: 'refused' })).toBeUndefined();
      // The healthy endpoint, the declared key and the exporter's own series are all there.
      expect(value(text, DGMON.tlsCertExpiry, { target: 'proxy' })).toBe(leaf.notAfter);
      expect(value(text, DGMON.apiKeyExpiry, { key: 'production', origin: 'config' })).toBe(Date.UTC(2030, 0, 31) / 1000);
      expect(value(text, DGMON.buildInfo, {})).toBe(1);
      expect(logs.text).toContain('"target":"refused"');
      expect(logs.text).toContain('"reason":"timeout"');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('reads each endpoint once per interval, and keeps the last expiry it saw when the endpoint goes away', async () => {
    let connections = 0;
    const counted = await startTlsEndpoint({ certificate: leaf, chain: [intermediate] });
    endpoints.push(counted);
    // TCP connections: the client closes right after its side of the handshake, before the server may see it finish.
    counted.server.on('connection', () => connections++);
    const cached = await exporterWatching([{ name: 'cached', address: counted.address }], { interval: '1h' });
    await scrape(cached.exporter);
    await scrape(cached.exporter);
    await scrape(cached.exporter);
    expect(connections).toBe(1);

    // interval 0s: every scrape checks again.
    const eager = await exporterWatching([{ name: 'eager', address: counted.address }], { interval: '0s' });
    expect(value(await scrape(eager.exporter), DGMON.expiryCheckSuccess, { target: 'eager' })).toBe(1);
    expect(connections).toBe(2);
    await counted.close();
    const after = await scrape(eager.exporter);
    expect(value(after, DGMON.expiryCheckSuccess, { target: 'eager' })).toBe(0);
    expect(value(after, DGMON.expiryCheckFailures, { target: 'eager', reason: 'connection' })).toBe(1);
    expect(value(after, DGMON.tlsCertExpiry, { target: 'eager' })).toBe(leaf.notAfter);
  });

  it('refuses a bad address, duplicate names and an unreadable caFile, naming the field', async () => {
    expect(() => parseConfig({ exporter: { expiry: { tls: [{ address: 'https://proxy.test' }] } } })).toThrow(/exporter\.expiry\.tls\.0\.address: must be HOST:PORT/);
    expect(() => parseConfig({ exporter: { expiry: { tls: [{ address: 'a.test:443' }, { address: 'a.test:443' }] } } })).toThrow(/exporter\.expiry\.tls\.1\.name: "a\.test:443" is used twice/);
    const config = parseConfig({ exporter: { listen: '127.0.0.1:0', expiry: { tls: [{ address: chained.address, caFile: join(dir, 'missing.pem') }] } } });
    await expect(startExporter(config, { log: createLogger({ destination: new Capture() }), secrets: {} })).rejects.toThrow(/exporter\.expiry\.tls\.0\.caFile: cannot read .*ENOENT/);
  });
});
