// The simulated Engine /metrics: lazy registration, every catalogue metric with its documented type, labels, buckets
// and help once traffic has started, the OpenMetrics shape of the real Engine, a traffic model whose numbers look like
// a real node's, counters that never go back, and scenarios that move the numbers the alerts read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE, REQUEST_KINDS, RESPONSE_STATUS_CLASSES, type MetricDef } from '../../core/catalog/index.ts';
import type { MetricFamily } from '../../core/exposition/types.ts';
import { SCENARIO_NAMES, type ScenarioName, type Simulator } from '../../simulator/index.ts';
import { EngineModel } from '../../simulator/engine.ts';
import { DcgmModel } from '../../simulator/dcgm.ts';
import { profileOf } from '../../simulator/scenarios.ts';
import { clock, closeAll, family, getJson, MINUTE, samples, scrape, seriesKey, simulator, sum, value, SECOND } from './helpers.ts';

afterAll(closeAll);

const STARTUP = [ENGINE.estimatedStreamCapacity, ENGINE.activeRequests, ENGINE.maxActiveRequests];
/** The family name the Engine declares: OpenMetrics counters without _total. */
const familyName = (def: MetricDef) => (def.type === 'counter' ? def.name.replace(/_total$/, '') : def.name);
/** Families the Metrics Guide shows with `# UNIT seconds`. */
const WITH_UNIT = [ENGINE.asrPerBatchAudioDuration, ENGINE.asrPerBatchWallTime, ENGINE.asrPerFileAudioDuration, ENGINE.asrPerFileWallTime, ENGINE.fluxCursorLatency];

/** Histogram observations (from _bucket deltas) at or under `bound` between two scrapes, and the total. */
function bucketDelta(before: readonly MetricFamily[], after: readonly MetricFamily[], metric: string, bound: string): { under: number; total: number } {
  const bucket = (fs: readonly MetricFamily[], le: string) => sum(fs, `${metric}_bucket`, { le });
  return { under: bucket(after, bound) - bucket(before, bound), total: bucket(after, '+Inf') - bucket(before, '+Inf') };
}

const delta = (before: readonly MetricFamily[], after: readonly MetricFamily[], name: string, labels: Record<string, string> = {}) =>
  sum(after, name, labels) - sum(before, name, labels);

describe('lazy registration', () => {
  it('idle serves only the start-up metrics, however long it runs', async () => {
    const c = clock();
    const sim = await simulator({ clock: c, scenario: 'idle' });
    for (const wait of [0, 10 * MINUTE, 2 * 60 * MINUTE]) {
      c.advance(wait);
      const { families, text, type } = await scrape(sim.urls.engine);
      expect(type).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
      expect(families.map((f) => f.name)).toEqual(STARTUP.map((d) => d.name));
      expect(samples(families, ENGINE.activeRequests.name).map((s) => s.labels.kind)).toEqual(['batch', 'stream', 'tts']);
      expect(sum(families, ENGINE.activeRequests.name)).toBe(0);
      expect(value(families, ENGINE.maxActiveRequests.name)).toBe(0);
      expect(value(families, ENGINE.estimatedStreamCapacity.name)).toBeGreaterThan(0);
      expect(text.endsWith('# EOF\n')).toBe(true);
    }
  });

  it('a healthy Engine that has served nothing yet also shows only the start-up set, then registers the rest', async () => {
    const c = clock();
    const sim = await simulator({ clock: c });
    const first = await scrape(sim.urls.engine);
    expect(first.families.map((f) => f.name)).toEqual(STARTUP.map((d) => d.name));
    expect(sum(first.families, ENGINE.activeRequests.name)).toBe(0);
    c.advance(5 * SECOND);
    const later = await scrape(sim.urls.engine);
    expect(later.families.map((f) => f.name)).toContain(familyName(ENGINE.requests));
  });

  it('switching idle -> healthy registers everything once requests arrive', async () => {
    const c = clock();
    const sim = await simulator({ clock: c, scenario: 'idle' });
    c.advance(MINUTE);
    sim.setScenario('healthy');
    c.advance(30 * MINUTE);
    const { families } = await scrape(sim.urls.engine);
    for (const def of Object.values(ENGINE)) expect(families.map((f) => f.name)).toContain(familyName(def));
  });
});

describe('every catalogue Engine metric after traffic starts', () => {
  let families: MetricFamily[] = [];
  let text = '';
  beforeAll(async () => {
    const c = clock();
    const sim = await simulator({ clock: c, scenario: 'healthy' });
    c.advance(60 * MINUTE);
    ({ families, text } = await scrape(sim.urls.engine));
  });

  it.each(Object.values(ENGINE).map((d) => [d.name, d] as const))('%s: type, help, labels', (_name, def) => {
    const f = family(families, familyName(def));
    expect(f.type).toBe(def.type);
    expect(f.help).toBe(def.help);
    expect(f.samples.length).toBeGreaterThan(0);
    const allowed = new Set([...def.labels, ...(def.type === 'histogram' ? ['le'] : [])]);
    for (const s of f.samples) {
      for (const label of Object.keys(s.labels)) expect(allowed.has(label), `${s.name} label ${label}`).toBe(true);
      for (const label of def.labels) expect(s.labels[label], `${s.name} lacks ${label}`).toBeDefined();
    }
  });

  it.each(Object.values(ENGINE).filter((d) => d.type === 'histogram').map((d) => [d.name, d] as const))(
    '%s: the documented buckets, cumulative, +Inf = _count',
    (_name, def) => {
      const f = family(families, def.name);
      const groups = new Map<string, typeof f.samples>();
      for (const s of f.samples.filter((x) => x.name === `${def.name}_bucket`)) {
        const key = s.labels.tier ?? '';
        groups.set(key, [...(groups.get(key) ?? []), s]);
      }
      expect(groups.size).toBeGreaterThan(0);
      for (const [tier, buckets] of groups) {
        const bounds = buckets.map((b) => b.labels.le);
        expect(bounds.map((b) => (b === '+Inf' ? Infinity : Number(b)))).toEqual([...(def.buckets ?? []), Infinity]);
        const counts = buckets.map((b) => b.value);
        counts.forEach((v, i) => i > 0 && expect(v).toBeGreaterThanOrEqual(counts[i - 1] as number));
        const labels: Record<string, string> = tier ? { tier } : {};
        expect(counts.at(-1)).toBe(value(families, `${def.name}_count`, labels));
        expect(value(families, `${def.name}_count`, labels)).toBeGreaterThan(0);
        expect(value(families, `${def.name}_sum`, labels)).toBeGreaterThan(0);
      }
    },
  );

  it('writes the Engine spellings: engine_requests family with _total series, le with a decimal point, # UNIT, # EOF', () => {
    expect(text).toContain('# TYPE engine_requests counter\n');
    expect(text).toContain('engine_requests_total{kind="batch",response_status="2xx"} ');
    expect(text).toContain('# TYPE engine_tts_failures_during_response counter\n');
    expect(text).toMatch(/^engine_tts_failures_during_response_total \d+$/m);
    expect(text).toContain('engine_batch_response_time_seconds_bucket{le="1.0"} ');
    expect(text).toContain('engine_stream_latency_bucket{le="0.4"} ');
    expect(text).toContain('engine_flux_cursor_latency_seconds_bucket{le="0.0"} ');
    for (const def of WITH_UNIT) expect(text).toContain(`# UNIT ${def.name} seconds\n`);
    const units = text.split('\n').filter((l) => l.startsWith('# UNIT '));
    expect(units).toHaveLength(WITH_UNIT.length);
    expect(text.endsWith('\n# EOF\n')).toBe(true);
    expect(text.indexOf('# EOF')).toBe(text.length - '# EOF\n'.length);
  });

  it('engine_requests_total has every kind x status class, TTS histograms a tier label', () => {
    for (const kind of REQUEST_KINDS) {
      for (const status of RESPONSE_STATUS_CLASSES) expect(samples(families, ENGINE.requests.name, { kind, response_status: status })).toHaveLength(1);
    }
    const tiers = new Set(samples(families, `${ENGINE.ttsFirstTranscodedByteLatency.name}_count`).map((s) => s.labels.tier));
    expect([...tiers].sort()).toEqual(['aura', 'aura-2']);
  });
});

describe('traffic model (healthy)', () => {
  let sim: Simulator;
  let before: MetricFamily[] = [];
  let after: MetricFamily[] = [];
  beforeAll(async () => {
    const c = clock();
    sim = await simulator({ clock: c, scenario: 'healthy', load: 2 });
    c.advance(5 * MINUTE);
    before = (await scrape(sim.urls.engine)).families;
    c.advance(60 * MINUTE);
    after = (await scrape(sim.urls.engine)).families;
  });

  it('request rate follows the load; 2xx mostly, some 4xx, 5xx well under the 0.1 % budget', () => {
    const total = delta(before, after, ENGINE.requests.name);
    expect(total / 3600).toBeGreaterThan(1.6);
    expect(total / 3600).toBeLessThan(2.4);
    for (const kind of REQUEST_KINDS) expect(delta(before, after, ENGINE.requests.name, { kind })).toBeGreaterThan(0);
    const c4 = delta(before, after, ENGINE.requests.name, { response_status: '4xx' }) / total;
    const c5 = delta(before, after, ENGINE.requests.name, { response_status: '5xx' }) / total;
    expect(c4).toBeGreaterThan(0.005);
    expect(c4).toBeLessThan(0.05);
    expect(c5).toBeLessThan(0.001);
    expect(delta(before, after, ENGINE.requests.name, { response_status: '1xx' })).toBe(0);
  });

  it('batch response time mostly 1-5 s, P95 under 10 s', () => {
    const m = ENGINE.batchResponseTime.name;
    const one = bucketDelta(before, after, m, '1.0');
    const five = bucketDelta(before, after, m, '5.0');
    const ten = bucketDelta(before, after, m, '10.0');
    expect((five.under - one.under) / five.total).toBeGreaterThan(0.5);
    expect(ten.under / ten.total).toBeGreaterThan(0.95);
  });

  it('per-file real-time factor about 100x, audio seconds / wall seconds too', () => {
    const rtfSum = delta(before, after, `${ENGINE.asrPerFileRealtimeFactor.name}_sum`);
    const rtfCount = delta(before, after, `${ENGINE.asrPerFileRealtimeFactor.name}_count`);
    expect(rtfSum / rtfCount).toBeGreaterThan(80);
    expect(rtfSum / rtfCount).toBeLessThan(125);
    const speedup = delta(before, after, `${ENGINE.asrPerFileAudioDuration.name}_sum`) / delta(before, after, `${ENGINE.asrPerFileWallTime.name}_sum`);
    expect(speedup).toBeGreaterThan(80);
    expect(speedup).toBeLessThan(125);
  });

  it('stream latency mostly 0.1-0.3 s, 99 % within the 0.4 s target', () => {
    const m = ENGINE.streamLatency.name;
    const mean = delta(before, after, `${m}_sum`) / delta(before, after, `${m}_count`);
    expect(mean).toBeGreaterThan(0.1);
    expect(mean).toBeLessThan(0.3);
    const target = bucketDelta(before, after, m, '0.4');
    expect(target.under / target.total).toBeGreaterThan(0.99);
  });

  it('TTS first byte about 0.1 s; a TTS failure now and then', () => {
    const m = ENGINE.ttsFirstTranscodedByteLatency.name;
    const mean = delta(before, after, `${m}_sum`) / delta(before, after, `${m}_count`);
    expect(mean).toBeGreaterThan(0.05);
    expect(mean).toBeLessThan(0.3);
    expect(delta(before, after, ENGINE.ttsFailuresDuringResponse.name)).toBeGreaterThan(0);
  });

  it('gauges: active requests below capacity, no concurrency limit, Flux fraction = used / max', () => {
    const stream = value(after, ENGINE.activeRequests.name, { kind: 'stream' });
    const capacity = value(after, ENGINE.estimatedStreamCapacity.name);
    expect(stream).toBeGreaterThan(0);
    expect(stream / capacity).toBeLessThan(0.8);
    expect(value(after, ENGINE.maxActiveRequests.name)).toBe(0);
    const used = value(after, ENGINE.fluxUsedStreams.name);
    const max = value(after, ENGINE.fluxMaxStreams.name);
    expect(used).toBeGreaterThan(0);
    expect(used).toBeLessThanOrEqual(stream);
    expect(value(after, ENGINE.fluxFractionStreams.name)).toBeCloseTo(used / max, 6);
  });

  it('the API reports the Engine\'s active requests (streams split into /v1/listen and Flux /v2/listen)', async () => {
    const engine = (await scrape(sim.urls.engine)).families;
    const { body } = await getJson(`${sim.urls.api}/v1/status`);
    expect(body).toEqual({
      system_health: 'Healthy',
      active_batch_requests: value(engine, ENGINE.activeRequests.name, { kind: 'batch' }),
      active_stream_requests: value(engine, ENGINE.activeRequests.name, { kind: 'stream' }) - value(engine, ENGINE.fluxUsedStreams.name),
      active_listen_v2_stream_requests: value(engine, ENGINE.fluxUsedStreams.name),
    });
  });
});

describe('healthy looks healthy at any load and size', () => {
  it.each([
    [0.5, 1],
    [50, 1],
    [50, 4],
  ])('load %d, %d GPU(s): streams well under capacity, no limit, few errors, API Healthy', async (load, gpus) => {
    const c = clock();
    const sim = await simulator({ clock: c, load, gpus });
    c.advance(10 * MINUTE);
    const before = (await scrape(sim.urls.engine)).families;
    c.advance(20 * MINUTE);
    const after = (await scrape(sim.urls.engine)).families;
    const streams = value(after, ENGINE.activeRequests.name, { kind: 'stream' }) / value(after, ENGINE.estimatedStreamCapacity.name);
    expect(streams).toBeGreaterThan(0.3);
    expect(streams).toBeLessThan(0.8);
    expect(value(after, ENGINE.maxActiveRequests.name)).toBe(0);
    expect(delta(before, after, ENGINE.requests.name, { response_status: '5xx' }) / delta(before, after, ENGINE.requests.name)).toBeLessThan(0.002);
    expect(((await getJson(`${sim.urls.api}/v1/status`)).body as { system_health: string }).system_health).toBe('Healthy');
  });
});

describe('histograms agree with the request counters', () => {
  it.each([2, 300])('at load %d: one observation per request of the kinds and outcomes each histogram covers', async (load) => {
    const c = clock();
    const sim = await simulator({ clock: c, load });
    c.advance(20 * MINUTE);
    const { families } = await scrape(sim.urls.engine);
    const requests = (kind: string, ...statuses: string[]) => statuses.reduce((n, s) => n + value(families, ENGINE.requests.name, { kind, response_status: s }), 0);
    const count = (def: MetricDef) => sum(families, `${def.name}_count`);
    const batchRate = requests('batch', '2xx', '4xx', '5xx') / (20 * 60);
    expect(batchRate / (load * 0.45)).toBeGreaterThan(0.95);
    expect(batchRate / (load * 0.45)).toBeLessThan(1.05);
    expect(count(ENGINE.batchResponseTime)).toBe(requests('batch', '2xx', '4xx', '5xx'));
    expect(count(ENGINE.asrPerFileAudioDuration)).toBe(requests('batch', '2xx'));
    expect(count(ENGINE.asrPerFileWallTime)).toBe(requests('batch', '2xx'));
    expect(count(ENGINE.asrPerFileRealtimeFactor)).toBe(requests('batch', '2xx'));
    expect(count(ENGINE.streamLatency)).toBe(requests('stream', '2xx'));
    expect(count(ENGINE.streamConnectionLatency)).toBe(requests('stream', '2xx', '5xx'));
    expect(count(ENGINE.ttsFirstRawByteLatency)).toBe(requests('tts', '2xx'));
    expect(count(ENGINE.ttsFirstTranscodedByteLatency)).toBe(requests('tts', '2xx'));
    expect(Math.abs(count(ENGINE.fluxCursorLatency) - 5 * 0.25 * requests('stream', '2xx'))).toBeLessThanOrEqual(5);
    const speedup = sum(families, `${ENGINE.asrPerFileAudioDuration.name}_sum`) / sum(families, `${ENGINE.asrPerFileWallTime.name}_sum`);
    expect(speedup).toBeGreaterThan(70);
    expect(speedup).toBeLessThan(140);
  });

  it('a clock jump of 30 days is integrated quickly and keeps the request rate', async () => {
    const c = clock();
    const sim = await simulator({ clock: c });
    c.advance(30 * 24 * 60 * MINUTE);
    const started = Date.now();
    const { families } = await scrape(sim.urls.engine);
    expect(Date.now() - started).toBeLessThan(10_000);
    const perSecond = sum(families, ENGINE.requests.name) / (30 * 24 * 3600);
    expect(perSecond).toBeGreaterThan(1.8);
    expect(perSecond).toBeLessThan(2.2);
  });
});

describe('determinism and monotonic counters', () => {
  it('the same clock readings give the same output, however often /metrics is read', async () => {
    const a = clock();
    const b = clock();
    const simA = await simulator({ clock: a, hostname: 'det-node' });
    const simB = await simulator({ clock: b, hostname: 'det-node' });
    for (let i = 0; i < 30; i++) {
      a.advance(20 * SECOND);
      await scrape(simA.urls.engine);
    }
    b.advance(30 * 20 * SECOND);
    const [ta, tb] = [(await scrape(simA.urls.engine)).text, (await scrape(simB.urls.engine)).text];
    expect(ta).toBe(tb);
    expect(ta).toContain('engine_requests_total');
  });

  it('counters and histogram series never decrease across every scenario switch', async () => {
    const c = clock();
    const sim = await simulator({ clock: c, gpus: 2 });
    const last = new Map<string, number>();
    let readings = 0;
    const check = async (scenario: string) => {
      const { families } = await scrape(sim.urls.engine);
      for (const f of families.filter((x) => x.type === 'counter' || x.type === 'histogram')) {
        for (const s of f.samples) {
          const key = seriesKey(s);
          const previous = last.get(key);
          if (previous !== undefined) expect(s.value, `${key} after ${scenario}`).toBeGreaterThanOrEqual(previous);
          last.set(key, s.value);
        }
      }
      readings++;
    };
    // Every scenario twice, in two orders, through the ones that hide the Engine (down, garbage, slow).
    const order: ScenarioName[] = [...SCENARIO_NAMES, ...[...SCENARIO_NAMES].reverse()];
    for (const name of order) {
      sim.setScenario(name);
      await sim.settled();
      c.advance(3 * MINUTE);
      if (name !== 'engine-down' && name !== 'garbage-metrics' && name !== 'slow-upstream') await check(name);
    }
    sim.setScenario('healthy');
    await sim.settled();
    c.advance(MINUTE);
    await check('healthy');
    expect(readings).toBeGreaterThan(30);
    expect(last.size).toBeGreaterThan(100);
  });
});

describe('scenarios move what the alerts read', () => {
  /** Runs `name` for `minutes` after a healthy warm-up; returns the scrapes before and after. */
  async function during(name: ScenarioName, minutes = 20, options: { gpus?: number; load?: number } = {}) {
    const c = clock();
    const sim = await simulator({ clock: c, ...options });
    c.advance(10 * MINUTE);
    sim.setScenario(name);
    await sim.settled();
    const before = (await scrape(sim.urls.engine)).families;
    c.advance(minutes * MINUTE);
    const after = (await scrape(sim.urls.engine)).families;
    return { sim, c, before, after };
  }

  it('error-burst raises the 5xx share above 5 % while the API stays Healthy (over 90 % succeed)', async () => {
    const { sim, before, after } = await during('error-burst');
    const share = delta(before, after, ENGINE.requests.name, { response_status: '5xx' }) / delta(before, after, ENGINE.requests.name);
    expect(share).toBeGreaterThan(0.05);
    expect(share).toBeLessThan(0.1);
    const { body } = await getJson(`${sim.urls.api}/v1/status`);
    expect((body as { system_health: string }).system_health).toBe('Healthy');
  });

  it('api-degraded and api-critical: system_health follows the success share, and recovers', async () => {
    const degraded = await during('api-degraded');
    expect(((await getJson(`${degraded.sim.urls.api}/v1/status`)).body as { system_health: string }).system_health).toBe('Degraded');
    const critical = await during('api-critical');
    expect(((await getJson(`${critical.sim.urls.api}/v1/status`)).body as { system_health: string }).system_health).toBe('Critical');
    const share = delta(critical.before, critical.after, ENGINE.requests.name, { response_status: '5xx' }) / delta(critical.before, critical.after, ENGINE.requests.name);
    expect(share).toBeGreaterThan(0.6);
    critical.sim.setScenario('healthy');
    critical.c.advance(5 * MINUTE);
    expect(((await getJson(`${critical.sim.urls.api}/v1/status`)).body as { system_health: string }).system_health).toBe('Healthy');
  });

  it('slow-batch pushes the batch P95 over 10 s without slowing inference itself', async () => {
    const { before, after } = await during('slow-batch');
    const ten = bucketDelta(before, after, ENGINE.batchResponseTime.name, '10.0');
    expect(ten.under / ten.total).toBeLessThan(0.95);
    const speedup = delta(before, after, `${ENGINE.asrPerFileAudioDuration.name}_sum`) / delta(before, after, `${ENGINE.asrPerFileWallTime.name}_sum`);
    expect(speedup).toBeGreaterThan(80);
  });

  it('slow-streaming pushes the mean stream latency over 0.4 s', async () => {
    const { before, after } = await during('slow-streaming');
    const m = ENGINE.streamLatency.name;
    expect(delta(before, after, `${m}_sum`) / delta(before, after, `${m}_count`)).toBeGreaterThan(0.4);
    const target = bucketDelta(before, after, m, '0.4');
    expect(target.under / target.total).toBeLessThan(0.5);
  });

  it.each([2, 20])('rate-limited at load %d: active requests pinned at max_active_requests=40, every kind active, many 4xx', async (load) => {
    const { after, before } = await during('rate-limited', 20, { load });
    expect(value(after, ENGINE.maxActiveRequests.name)).toBe(40);
    expect(sum(after, ENGINE.activeRequests.name)).toBe(40);
    for (const kind of ['batch', 'stream']) expect(value(after, ENGINE.activeRequests.name, { kind })).toBeGreaterThan(0);
    const share = delta(before, after, ENGINE.requests.name, { response_status: '4xx' }) / delta(before, after, ENGINE.requests.name);
    expect(share).toBeGreaterThan(0.1);
  });

  it.each([
    [2, 1],
    [20, 1],
    [20, 4],
  ])('capacity-exhausted at load %d with %d GPU(s): streams over 80 %% of capacity, active requests over 90 %% of the limit', async (load, gpus) => {
    const { sim, c } = await during('capacity-exhausted', 1, { gpus, load });
    for (let i = 0; i < 20; i++) {
      c.advance(7 * SECOND);
      const { families } = await scrape(sim.urls.engine);
      const stream = value(families, ENGINE.activeRequests.name, { kind: 'stream' });
      const total = sum(families, ENGINE.activeRequests.name);
      const limit = value(families, ENGINE.maxActiveRequests.name);
      expect(limit).toBe(40 * gpus);
      expect(stream / value(families, ENGINE.estimatedStreamCapacity.name)).toBeGreaterThan(0.8);
      expect(total / limit).toBeGreaterThan(0.9);
      expect(total).toBeLessThanOrEqual(limit);
    }
  });

  it('gpu-idle-cpu-fallback: batch runs at about 20x real time, under the 50x alert', async () => {
    const { before, after } = await during('gpu-idle-cpu-fallback');
    const speedup = delta(before, after, `${ENGINE.asrPerFileAudioDuration.name}_sum`) / delta(before, after, `${ENGINE.asrPerFileWallTime.name}_sum`);
    expect(speedup).toBeGreaterThan(14);
    expect(speedup).toBeLessThan(28);
    expect(sum(after, ENGINE.activeRequests.name)).toBeGreaterThan(0);
  });

  it('engine-disconnected: Engine metrics stay up but no request reaches the Engine', async () => {
    const { before, after } = await during('engine-disconnected');
    expect(delta(before, after, ENGINE.requests.name)).toBe(0);
    expect(sum(after, ENGINE.activeRequests.name)).toBe(0);
  });
});

describe('coarser integration steps (stepSeconds, for the fleet benchmark)', () => {
  it('keeps the request rate, the histograms in step with the counters, and the energy, at 60 s steps', () => {
    const profile = profileOf('healthy');
    const startMs = 1_800_000_000_000;
    const run = (stepSeconds: number) => {
      const engine = new EngineModel({ gpus: 1, load: 3, seed: 7, startMs, stepSeconds });
      const dcgm = new DcgmModel({ gpus: 1, hostname: 'n', seed: 7, startMs, stepSeconds });
      for (let t = 60; t <= 7200; t += 60) {
        engine.advance(startMs + t * 1000, profile);
        dcgm.advance(startMs + t * 1000, profile, () => ({ running: true, busy: true }));
      }
      const families = engine.families(startMs + 7200_000, profile);
      const energy = Number(/DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION\{[^}]*\} (\d+)/.exec(dcgm.render(startMs + 7200_000, profile, { running: true, busy: true }))![1]);
      return { families, energy };
    };
    const fine = run(1);
    const coarse = run(60);
    const requests = (fs: MetricFamily[]) => sum(fs, ENGINE.requests.name);
    expect(requests(coarse.families) / requests(fine.families)).toBeGreaterThan(0.97);
    expect(requests(coarse.families) / requests(fine.families)).toBeLessThan(1.03);
    const batch = RESPONSE_STATUS_CLASSES.reduce((n, s) => n + value(coarse.families, ENGINE.requests.name, { kind: 'batch', response_status: s }), 0);
    expect(batch).toBeGreaterThan(1000);
    expect(sum(coarse.families, `${ENGINE.batchResponseTime.name}_count`)).toBe(batch);
    expect(coarse.energy / fine.energy).toBeGreaterThan(0.999);
    expect(coarse.energy / fine.energy).toBeLessThan(1.001);
  });
});
