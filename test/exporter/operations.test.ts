// The exporter as operators run it: the nvidia-smi source wired in, TLS on its endpoints, and a clean exit on
// SIGTERM from the real `dgmon exporter` command.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { request } from 'node:https';
import { parseConfig } from '../../core/config.ts';
import { startExporter, type ExporterHandle } from '../../exporter/index.ts';
import { createLogger } from '../../exporter/log.ts';
import { get, Capture } from '../support/net.ts';
import { startDgmon } from '../support/process.ts';
import { duplicateKeys } from '../support/json-keys.ts';

let dir: string;
const exporters: ExporterHandle[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(process.env.DGMON_TMP ?? tmpdir(), 'dgmon-ops-'));
});
afterAll(async () => {
  await Promise.all(exporters.map((e) => e.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function exporter(raw: Record<string, unknown>): Promise<ExporterHandle> {
  const handle = await startExporter(parseConfig({ exporter: { listen: '127.0.0.1:0', ...raw } }), { log: createLogger({ destination: new Capture() }), secrets: {} });
  exporters.push(handle);
  return handle;
}

describe('exporter operations', () => {
  it('serves GPU metrics from nvidia-smi under DCGM names when that source is on', async () => {
    const fixture = readFileSync(new URL('../fixtures/nvidia-smi/t4-healthy.csv', import.meta.url), 'utf8');
    const fake = join(dir, 'nvidia-smi');
    writeFileSync(join(dir, 'out.csv'), fixture);
    writeFileSync(fake, `#!/bin/sh\ncat "${join(dir, 'out.csv')}"\n`);
    chmodSync(fake, 0o755);
    const handle = await exporter({ sources: { nvidiaSmi: { enabled: true, binary: fake, timeout: '5s' } } });
    const text = (await get(`${handle.url}/metrics`)).text;
    expect(text).toMatch(/^dgmon_source_up\{source="nvidia_smi"\} 1$/m);
    expect(text).toMatch(/^DCGM_FI_DEV_GPU_UTIL\{gpu="0",[^}]*\} \d+/m);
    expect(text).toMatch(/^DCGM_FI_DEV_FB_USED\{/m);
  });

  it('reports a missing nvidia-smi as a failed source, not a crash', async () => {
    const handle = await exporter({ sources: { nvidiaSmi: { enabled: true, binary: join(dir, 'no-such-nvidia-smi') } } });
    const text = (await get(`${handle.url}/metrics`)).text;
    expect(text).toMatch(/^dgmon_source_up\{source="nvidia_smi"\} 0$/m);
    expect(text).toMatch(/^dgmon_source_failures_total\{source="nvidia_smi",reason="connection"\} 1$/m);
  });

  it('serves HTTPS when given a certificate', async () => {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const handle = await exporter({ tls: { certFile: cert, keyFile: key } });
    expect(handle.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const body = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(`${handle.url}/ready`, { ca: readFileSync(cert), timeout: 10_000 }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(body).toEqual({ status: 200, text: '{"status":"ready"}' });
  });

  it('`dgmon exporter` logs JSON, serves, and exits 0 on SIGTERM', async () => {
    const exporter = await startDgmon(['exporter', '--listen', '127.0.0.1:0'], /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*"msg":"exporter listening"/);
    try {
      expect((await get(`${exporter.ready[1]}/ready`)).status).toBe(200);
      expect(await exporter.stop('SIGTERM')).toBe(0);
    } finally {
      exporter.kill();
    }
    for (const line of exporter.stdout().trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('`dgmon simulate` serves a node on the given ports and switches scenarios, then exits 0 on SIGTERM', async () => {
    const ports = ['--engine-port', '0', '--api-port', '0', '--license-proxy-port', '0', '--dcgm-port', '0', '--control-port', '0'];
    const simulator = await startDgmon(['simulate', '--scenario', 'idle', ...ports], /control\s+(http:\/\/127\.0\.0\.1:\d+)\/scenario/);
    try {
      const control = simulator.ready[1]!;
      expect(simulator.stdout()).toContain('scenario idle');
      expect((await fetch(`${control}/scenario/gpu-hot`, { method: 'PUT', signal: AbortSignal.timeout(10_000) })).status).toBe(200);
      expect((await fetch(`${control}/scenario/no-such-fault`, { method: 'PUT', signal: AbortSignal.timeout(10_000) })).status).toBe(404);
      expect(await simulator.stop('SIGTERM')).toBe(0);
    } finally {
      simulator.kill();
    }
  });

  it('`dgmon demo` (npm start) writes the bundle, serves a live simulated node, and stops on SIGINT', async () => {
    const out = join(dir, 'demo-out');
    const demo = await startDgmon(['demo', '--out', out], /metrics\s+(http:\/\/127\.0\.0\.1:\d+\/metrics)/, { ...process.env, DGMON_LISTEN: '127.0.0.1:0' });
    try {
      expect(readFileSync(join(out, 'prometheus/alerts.yml'), 'utf8')).toContain('DeepgramHighErrorRate');
      const text = (await get(demo.ready[1]!)).text;
      for (const source of ['engine', 'dcgm', 'api', 'license_proxy']) expect(text).toMatch(new RegExp(`^dgmon_source_up\\{source="${source}"\\} 1$`, 'm'));
      expect(text).toMatch(/^engine_estimated_stream_capacity /m);
      expect(text).toMatch(/^DCGM_FI_DEV_GPU_UTIL\{/m);
      // The probe's first run logs through the client library as well: the lines where two loggers meet.
      await demo.waitForOutput(/"msg":"stream transcribed"/, 60_000);
      expect(await demo.stop('SIGINT')).toBe(0);
      const logLines = demo.stdout().split('\n').filter((l) => l.startsWith('{'));
      const banner = demo.stdout().split('\n').filter((l) => l !== '' && !l.startsWith('{'));
      for (const line of banner) expect(line, 'a line on stdout that is neither a log line nor the banner').toMatch(/^(dgmon[: ]|  \w|Ctrl-C)/);
      expect(logLines.length).toBeGreaterThanOrEqual(3);
      for (const line of logLines) {
        expect(duplicateKeys(line), line).toEqual([]);
        expect(JSON.parse(line), line).toMatchObject({ level: expect.any(String), time: expect.any(String), msg: expect.any(String) });
      }
      expect(logLines.some((l) => l.includes('"component":"probe"') && l.includes('"library":"dgmon/client"'))).toBe(true);
    } finally {
      demo.kill();
    }
  });
});
