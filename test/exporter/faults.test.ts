// The exporter against broken upstreams: down, hanging, failing, truncated, garbage, huge, flapping. It never
// crashes, answers within its budget, reports which source failed and why, and keeps serving the rest.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { sampleValue as sample } from '../support/exposition.ts';
import { startExporter, type ExporterHandle } from '../../exporter/index.ts';
import { createLogger } from '../../exporter/log.ts';
import { serve, deadPort, get, Capture, type TestServer } from '../support/net.ts';

const GOOD_DCGM = [
  '# HELP DCGM_FI_DEV_GPU_TEMP GPU temperature (in C).',
  '# TYPE DCGM_FI_DEV_GPU_TEMP gauge',
  'DCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-1",pci_bus_id="00000000:08:00.0",device="nvidia0",modelName="Tesla T4",Hostname="node-1"} 41',
  '',
].join('\n');

const servers: TestServer[] = [];
const exporters: ExporterHandle[] = [];
afterAll(async () => {
  await Promise.all(exporters.map((e) => e.close()));
  await Promise.all(servers.map((s) => s.close()));
});

async function exporterWith(engineUrl: string, engineTimeout = '5s'): Promise<{ exporter: ExporterHandle; logs: Capture }> {
  const dcgm = await serve((_req, res) => res.end(GOOD_DCGM));
  servers.push(dcgm);
  const logs = new Capture();
  const config = parseConfig({
    exporter: {
      listen: '127.0.0.1:0',
      scrapeBudget: '2s',
      maxBodyBytes: 1024 * 1024,
      sources: { engine: { url: engineUrl, timeout: engineTimeout }, dcgm: { url: `${dcgm.url}/metrics` } },
    },
  });
  const exporter = await startExporter(config, { log: createLogger({ destination: logs }), secrets: {} });
  exporters.push(exporter);
  return { exporter, logs };
}


async function expectEngineDown(engineUrl: string, reason: string, engineTimeout?: string) {
  const { exporter, logs } = await exporterWith(engineUrl, engineTimeout);
  const { status, text } = await get(`${exporter.url}/metrics`);
  expect(status).toBe(200);
  expect(sample(text, 'dgmon_source_up', { source: 'engine' })).toBe(0);
  expect(sample(text, 'dgmon_source_up', { source: 'dcgm' })).toBe(1);
  expect(sample(text, 'dgmon_source_failures_total', { source: 'engine', reason })).toBe(1);
  // The healthy source is still served.
  expect(sample(text, 'DCGM_FI_DEV_GPU_TEMP', { gpu: '0' })).toBe(41);
  expect(logs.text).toContain('"source":"engine"');
  expect(logs.text).toContain(`"reason":"${reason}"`);
  return { exporter, text };
}

describe('exporter under upstream faults', () => {
  it('reports a refused connection as reason connection', async () => {
    await expectEngineDown(`${await deadPort()}/metrics`, 'connection');
  });

  it('answers within its budget while an upstream hangs, reporting a timeout', async () => {
    const hang = await serve(() => undefined);
    servers.push(hang);
    // The engine's own timeout (10 min) is far past the test's 60 s limit: only the 2 s scrape budget can end the
    // fetch, so a scrape that answers at all proves the budget works. No clock is read here.
    await expectEngineDown(`${hang.url}/metrics`, 'timeout', '10m');
  });

  it('reports HTTP 500 as reason http_status', async () => {
    const failing = await serve((_req, res) => {
      res.statusCode = 500;
      res.end('boom');
    });
    servers.push(failing);
    await expectEngineDown(`${failing.url}/metrics`, 'http_status');
  });

  it('does not follow a redirect: a 3xx is reason http_status', async () => {
    const elsewhere = await serve((_req, res) => res.end('engine_active_requests{kind="batch"} 7\n'));
    const redirecting = await serve((_req, res) => {
      res.statusCode = 302;
      res.setHeader('location', `${elsewhere.url}/metrics`);
      res.end();
    });
    servers.push(elsewhere, redirecting);
    const { text } = await expectEngineDown(`${redirecting.url}/metrics`, 'http_status');
    expect(sample(text, 'engine_active_requests', { kind: 'batch' })).toBeUndefined();
  });

  it('refuses garbage whole, as reason parse, and serves none of it', async () => {
    const garbage = await serve((_req, res) => res.end('<html><body>502 Bad Gateway</body></html>\n{"not":"metrics"}\n'));
    servers.push(garbage);
    const { text } = await expectEngineDown(`${garbage.url}/metrics`, 'parse');
    expect(text).not.toContain('Bad Gateway');
  });

  it('refuses a body cut off mid-line', async () => {
    const truncated = await serve((_req, res) => {
      res.write('# TYPE engine_active_requests gauge\nengine_active_requests{kind="batch"} 3\nengine_active_requests{kind="str');
      res.socket?.destroy();
    });
    servers.push(truncated);
    const { exporter } = await exporterWith(`${truncated.url}/metrics`);
    const { text } = await get(`${exporter.url}/metrics`);
    expect(sample(text, 'dgmon_source_up', { source: 'engine' })).toBe(0);
    expect(sample(text, 'dgmon_source_failures_total', { source: 'engine', reason: 'connection' })).toBe(1);
    expect(sample(text, 'engine_active_requests', { kind: 'batch' })).toBeUndefined();
  });

  it('stops reading a 50 MB body at the size limit, as reason too_large', async () => {
    const chunk = `engine_active_requests{kind="batch"} 1\n`.repeat(1024);
    const huge = await serve((_req, res) => {
      let sent = 0;
      const push = () => {
        while (sent < 50 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', push);
        }
        res.end();
      };
      res.on('error', () => undefined);
      push();
    });
    servers.push(huge);
    await expectEngineDown(`${huge.url}/metrics`, 'too_large');
  });

  it('follows a flapping upstream: down, up, down', async () => {
    let healthy = false;
    const flapping = await serve((_req, res) => {
      if (!healthy) {
        res.statusCode = 503;
        res.end();
        return;
      }
      res.end('# TYPE engine_max_active_requests gauge\nengine_max_active_requests 0\n');
    });
    servers.push(flapping);
    const { exporter } = await exporterWith(`${flapping.url}/metrics`);
    const states: (number | undefined)[] = [];
    for (const next of [true, false, true]) {
      states.push(sample((await get(`${exporter.url}/metrics`)).text, 'dgmon_source_up', { source: 'engine' }));
      healthy = next;
    }
    states.push(sample((await get(`${exporter.url}/metrics`)).text, 'dgmon_source_up', { source: 'engine' }));
    expect(states).toEqual([0, 1, 0, 1]);
    const last = (await get(`${exporter.url}/metrics`)).text;
    expect(sample(last, 'dgmon_source_failures_total', { source: 'engine', reason: 'http_status' })).toBe(2);
  });

  it('coalesces concurrent scrapes into one upstream fetch', async () => {
    const slow = await serve((_req, res) => setTimeout(() => res.end('# TYPE engine_max_active_requests gauge\nengine_max_active_requests 0\n'), 300));
    servers.push(slow);
    const { exporter } = await exporterWith(`${slow.url}/metrics`);
    const answers = await Promise.all(Array.from({ length: 20 }, () => get(`${exporter.url}/metrics`)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(slow.hits()).toBe(1);
    // One collection, encoded once: every scraper gets the same bytes, with their length and no ETag to compute.
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    expect(answers[0]!.text).toContain('engine_max_active_requests 0');
    for (const a of answers) {
      expect(a.headers.get('content-length')).toBe(String(Buffer.byteLength(a.text)));
      expect(a.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(a.headers.get('etag')).toBeNull();
    }
  });
});
