// The exporter in front of the simulator: every source's metrics arrive under catalogue names, and every scenario
// changes what it should, as seen through one scrape of the exporter.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { parseExposition } from '../../core/exposition/parse.ts';
import type { MetricFamily } from '../../core/exposition/types.ts';
import { ENGINE, DCGM, DGMON, seriesNames } from '../../core/catalog/index.ts';
import { startExporter, type ExporterHandle } from '../../exporter/index.ts';
import { createLogger } from '../../exporter/log.ts';
import { startSimulator, type Simulator, type ScenarioName } from '../../simulator/index.ts';
import { get, Capture } from '../support/net.ts';

let clock = Date.parse('2026-11-22T00:00:00Z');
let simulator: Simulator;
let exporter: ExporterHandle;

beforeAll(async () => {
  simulator = await startSimulator({ scenario: 'healthy', now: () => clock, load: 20 });
  const config = parseConfig({
    exporter: {
      listen: '127.0.0.1:0',
      scrapeBudget: '2s',
      healthCacheTtl: '1ms',
      sources: {
        // 700ms is 700.0000000000001 ms as seconds × 1000: the timers must be given whole milliseconds.
        engine: { url: `${simulator.urls.engine}/metrics`, timeout: '700ms' },
        dcgm: { url: `${simulator.urls.dcgm}/metrics`, timeout: '1500ms' },
        api: { url: simulator.urls.api, timeout: '1500ms' },
        licenseProxy: { url: simulator.urls.licenseProxy, timeout: '1500ms' },
      },
    },
  });
  exporter = await startExporter(config, { log: createLogger({ destination: new Capture() }), secrets: {} });
});
afterAll(async () => {
  await exporter?.close();
  await simulator?.close();
});

interface Scrape {
  families: MetricFamily[];
  value(name: string, labels?: Record<string, string>): number | undefined;
  sum(name: string, labels?: Record<string, string>): number;
  names(): Set<string>;
}

async function scrape(): Promise<Scrape> {
  const { status, text } = await get(`${exporter.url}/metrics`);
  expect(status).toBe(200);
  const families = parseExposition(text);
  const samples = families.flatMap((f) => f.samples);
  const matching = (name: string, labels: Record<string, string> = {}) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return {
    families,
    value: (name, labels) => matching(name, labels)[0]?.value,
    sum: (name, labels) => matching(name, labels).reduce((a, s) => a + s.value, 0),
    names: () => new Set(samples.map((s) => s.name)),
  };
}

/** Scrapes, lets `seconds` of simulated traffic pass, scrapes again. */
async function window(seconds: number): Promise<[Scrape, Scrape]> {
  const before = await scrape();
  clock += seconds * 1000;
  return [before, await scrape()];
}

async function inScenario(name: ScenarioName): Promise<void> {
  const res = await fetch(`${simulator.urls.control}/scenario/${name}`, { method: 'PUT', signal: AbortSignal.timeout(5_000) });
  expect(res.status).toBe(200);
  expect(simulator.scenario()).toBe(name);
  clock += 60_000;
}

const delta = (a: Scrape, b: Scrape, name: string, labels?: Record<string, string>) => b.sum(name, labels) - a.sum(name, labels);

describe('exporter in front of the simulator', () => {
  it('serves every catalogued Engine metric, the DCGM defaults and its own metrics in one scrape', async () => {
    await inScenario('healthy');
    clock += 120_000;
    const s = await scrape();
    const names = s.names();
    for (const def of Object.values(ENGINE)) {
      if (def.name === ENGINE.ttsFailuresDuringResponse.name) continue; // registered only at the first TTS failure
      for (const series of seriesNames(def)) expect(names, series).toContain(series);
    }
    for (const def of [DCGM.gpuUtil, DCGM.gpuTemp, DCGM.fbUsed, DCGM.fbFree, DCGM.powerUsage, DCGM.xidErrors, DCGM.smClock]) expect(names, def.name).toContain(def.name);
    for (const def of [DGMON.apiSystemHealth, DGMON.apiActiveRequests, DGMON.apiEngineConnected, DGMON.apiModelInfo, DGMON.licenseProxyState, DGMON.healthCheckSuccess, DGMON.sourceUp]) {
      expect(names, def.name).toContain(def.name);
    }
    for (const source of ['engine', 'dcgm', 'api', 'license_proxy']) expect(s.value('dgmon_source_up', { source }), source).toBe(1);
    expect(s.value('dgmon_api_system_health', { state: 'Healthy' })).toBe(1);
    expect(s.value('dgmon_license_proxy_state', { state: 'Connected' })).toBe(1);
  });

  it('healthy traffic: few server errors, fast batch and streams, a busy GPU', async () => {
    await inScenario('healthy');
    const [a, b] = await window(300);
    const total = delta(a, b, 'engine_requests_total');
    expect(total).toBeGreaterThan(100);
    expect(delta(a, b, 'engine_requests_total', { response_status: '5xx' }) / total).toBeLessThan(0.05);
    expect(delta(a, b, 'engine_stream_latency_sum') / delta(a, b, 'engine_stream_latency_count')).toBeLessThan(0.4);
    expect(b.value('DCGM_FI_DEV_GPU_UTIL')).toBeGreaterThan(10);
  });

  const cases: [ScenarioName, (a: Scrape, b: Scrape) => void][] = [
    ['error-burst', (a, b) => expect(delta(a, b, 'engine_requests_total', { response_status: '5xx' }) / delta(a, b, 'engine_requests_total')).toBeGreaterThan(0.05)],
    ['slow-batch', (a, b) => expect(delta(a, b, 'engine_batch_response_time_seconds_sum') / delta(a, b, 'engine_batch_response_time_seconds_count')).toBeGreaterThan(10)],
    ['slow-streaming', (a, b) => expect(delta(a, b, 'engine_stream_latency_sum') / delta(a, b, 'engine_stream_latency_count')).toBeGreaterThan(0.4)],
    ['capacity-exhausted', (_a, b) => expect(b.sum('engine_active_requests', { kind: 'stream' })).toBeGreaterThanOrEqual(0.8 * b.sum('engine_estimated_stream_capacity'))],
    ['rate-limited', (_a, b) => {
      expect(b.sum('engine_max_active_requests')).toBeGreaterThan(0);
      expect(b.sum('engine_active_requests')).toBeGreaterThanOrEqual(0.9 * b.sum('engine_max_active_requests'));
    }],
    ['gpu-saturated', (_a, b) => expect(b.value('DCGM_FI_DEV_GPU_UTIL')).toBeGreaterThan(90)],
    ['gpu-idle-cpu-fallback', (_a, b) => {
      expect(b.value('DCGM_FI_DEV_GPU_UTIL')).toBeLessThan(5);
      expect(b.sum('engine_active_requests')).toBeGreaterThan(0);
    }],
    ['gpu-xid', (_a, b) => expect(b.value('DCGM_FI_DEV_XID_ERRORS')).toBe(79)],
    ['gpu-hot', (_a, b) => expect(b.value('DCGM_FI_DEV_GPU_TEMP')).toBeGreaterThan(85)],
    ['gpu-memory-full', (_a, b) => {
      const used = b.sum('DCGM_FI_DEV_FB_USED');
      expect(used / (used + b.sum('DCGM_FI_DEV_FB_FREE') + b.sum('DCGM_FI_DEV_FB_RESERVED'))).toBeGreaterThan(0.95);
    }],
    ['gpu-memory-errors', (a, b) => {
      expect(b.value('DCGM_FI_DEV_ROW_REMAP_FAILURE')).toBe(1);
      expect(delta(a, b, 'DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS')).toBeGreaterThan(0);
    }],
    ['engine-disconnected', (_a, b) => {
      expect(b.value('dgmon_api_engine_connected')).toBe(0);
      expect(b.value('dgmon_health_check_success', { check: 'engine_connection' })).toBe(0);
    }],
    ['api-degraded', (_a, b) => expect(b.value('dgmon_api_system_health', { state: 'Degraded' })).toBe(1)],
    ['api-critical', (_a, b) => expect(b.value('dgmon_api_system_health', { state: 'Critical' })).toBe(1)],
    ['license-trust-based', (_a, b) => expect(b.value('dgmon_license_proxy_state', { state: 'TrustBased' })).toBe(1)],
    ['engine-down', (_a, b) => {
      expect(b.value('dgmon_source_up', { source: 'engine' })).toBe(0);
      expect(b.value('dgmon_source_up', { source: 'dcgm' })).toBe(1);
      expect(b.value('dgmon_api_engine_connected')).toBe(0);
    }],
    ['dcgm-down', (_a, b) => {
      expect(b.value('dgmon_source_up', { source: 'dcgm' })).toBe(0);
      expect(b.value('dgmon_source_up', { source: 'engine' })).toBe(1);
      expect(b.value('DCGM_FI_DEV_GPU_UTIL')).toBeUndefined();
    }],
    ['garbage-metrics', (a, b) => {
      expect(b.value('dgmon_source_up', { source: 'engine' })).toBe(0);
      expect(delta(a, b, 'dgmon_source_failures_total', { source: 'engine', reason: 'parse' })).toBeGreaterThan(0);
    }],
    ['slow-upstream', (a, b) => {
      expect(b.value('dgmon_source_up', { source: 'engine' })).toBe(0);
      expect(delta(a, b, 'dgmon_source_failures_total', { source: 'engine', reason: 'timeout' })).toBeGreaterThan(0);
      expect(b.value('dgmon_source_up', { source: 'api' })).toBe(1);
    }],
  ];
  for (const [scenario, check] of cases) {
    it(`${scenario} shows in the exporter's metrics`, async () => {
      await inScenario(scenario);
      const [a, b] = await window(300);
      check(a, b);
      await inScenario('healthy');
    });
  }

  it('/health follows the API: 503 with the Engine disconnected, 200 again when it reconnects', async () => {
    await inScenario('engine-disconnected');
    expect((await get(`${exporter.url}/health`)).status).toBe(503);
    await inScenario('healthy');
    expect((await get(`${exporter.url}/health`)).status).toBe(200);
  });
});
