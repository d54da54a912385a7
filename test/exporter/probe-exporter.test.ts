// The probe inside the exporter: one coherent /metrics (promtool clean, each family once) with the probe's series,
// scrapes served while a probe call hangs, the API key in neither logs nor metrics, and a clean stop.
import { afterEach, describe, expect, it } from 'vitest';
import { CLIENT, PROBE } from '../../core/catalog/index.ts';
import { parseConfig } from '../../core/config.ts';
import { startExporter, type ExporterHandle } from '../../exporter/index.ts';
import { createLogger } from '../../exporter/log.ts';
import { get, Capture } from '../support/net.ts';
import { sampleValue } from '../support/exposition.ts';
import { run } from '../support/tools.ts';
import { closeAll, sim, until } from './probe-helpers.ts';

const KEY = 'f3b1c0ffee5ecret0123456789abcdef01234567';
const exporters = new Set<ExporterHandle>();
afterEach(async () => {
  await Promise.all([...exporters].map((e) => e.close()));
  exporters.clear();
  await closeAll();
});

async function exporterWithProbe(apiUrl: string, probe: Record<string, unknown>): Promise<{ handle: ExporterHandle; log: Capture }> {
  const log = new Capture();
  const config = parseConfig({
    exporter: { listen: '127.0.0.1:0', scrapeBudget: '2s', healthCacheTtl: '1ms', sources: { api: { url: apiUrl, timeout: '1s' } }, probe: { enabled: true, interval: '1s', ...probe } },
  });
  const handle = await startExporter(config, { log: createLogger({ destination: log, secrets: [KEY] }), secrets: { apiKey: KEY } });
  exporters.add(handle);
  return { handle, log };
}

const scrape = async (handle: ExporterHandle) => {
  const r = await get(`${handle.url}/metrics`);
  expect(r.status).toBe(200);
  return r.text;
};

describe('the probe in the exporter', () => {
  it('serves its series in the one /metrics: promtool clean, every family once, beside the health check', async () => {
    const s = await sim();
    const { handle } = await exporterWithProbe(s.urls.api, { expectedWords: ['bravo'] });
    await until(async () => (sampleValue(await scrape(handle), PROBE.runs.name, { mode: 'stream', result: 'success' }) ?? 0) >= 1, 'a stream probe');
    const text = await scrape(handle);
    const check = run('promtool', ['check', 'metrics'], { input: text });
    expect(check.code, check.stdout + check.stderr).toBe(0);
    const families = [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]);
    expect(new Set(families).size).toBe(families.length);
    for (const def of [...Object.values(PROBE), ...Object.values(CLIENT)]) expect(families).toContain(def.name);
    // The exporter's own health check and the probe count 429s into the one family.
    expect(text).toMatch(/^dgmon_rate_limit_hits_total\{source="health_check"\} 0$/m);
    expect(text).toMatch(/^dgmon_rate_limit_hits_total\{source="probe"\} 0$/m);
    expect(sampleValue(text, PROBE.transcriptOk.name, { mode: 'batch', reason: 'ok' })).toBe(1);
    expect(sampleValue(text, CLIENT.transcriptionRequests.name, { source: 'probe', mode: 'batch', status: '2xx' })).toBeGreaterThanOrEqual(1);
  });

  it('keeps serving scrapes while a probe call hangs (the probe never runs inside a scrape)', async () => {
    const s = await sim('api-hang');
    // A probe timeout far beyond the scrape budget and the test's own fetch timeout (20 s).
    const { handle } = await exporterWithProbe(s.urls.api, { timeout: '5m', stream: false });
    await until(() => s.listenStats().batch.inFlight > 0, 'the batch probe hanging');
    const text = await scrape(handle);
    expect(sampleValue(text, CLIENT.requestsInFlight.name, { source: 'probe', mode: 'batch' })).toBe(1);
    expect(sampleValue(text, 'dgmon_source_up', { source: 'api' })).toBe(1);
    await handle.close();
    exporters.delete(handle);
    // Closing cancels the hanging call: the simulator sees the connection go (it would hold it for 10 minutes).
    await until(() => s.listenStats().batch.inFlight === 0, 'the hanging call cancelled');
  });

  it('sends the key and never shows it in logs or metrics, also when calls fail', async () => {
    const s = await sim();
    const { handle, log } = await exporterWithProbe(s.urls.api, { retries: 0 });
    await until(async () => (sampleValue(await scrape(handle), PROBE.runs.name, { mode: 'stream', result: 'success' }) ?? 0) >= 1, 'a stream probe');
    s.setScenario('engine-disconnected');
    await until(async () => (sampleValue(await scrape(handle), PROBE.runs.name, { mode: 'batch', result: 'server_error' }) ?? 0) >= 1, 'a failed batch probe');
    const text = await scrape(handle);
    expect(log.text).toContain('probe failed');
    for (const where of [text, log.text, (await get(`${handle.url}/health`)).text]) expect(where).not.toContain(KEY);
  });
});
