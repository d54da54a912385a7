// The simulated dcgm-exporter: the default-counters fields for every GPU in the label shape released builds render,
// DCGM's blank sentinel, and the GPU scenarios (saturation, CPU fallback, Xid, heat, memory) moving what the alerts read.
import { afterAll, describe, expect, it } from 'vitest';
import { DCGM, DCGM_BLANK_SENTINEL_MIN, ENGINE, type MetricDef } from '../../core/catalog/index.ts';
import type { MetricFamily } from '../../core/exposition/types.ts';
import type { ScenarioName } from '../../simulator/index.ts';
import { clock, closeAll, family, MINUTE, samples, scrape, SECOND, simulator, sum, value } from './helpers.ts';

afterAll(closeAll);

/** The rows enabled in dcgm-exporter's default-counters.csv: the catalogue minus the commented-out ones. */
const NOT_DEFAULT: readonly MetricDef[] = [DCGM.eccSbeVolatileTotal, DCGM.eccDbeVolatileTotal, DCGM.xidErrorsCount];
const DEFAULT_FIELDS = Object.values(DCGM).filter((d) => !NOT_DEFAULT.includes(d));
const GPU_LABEL_ORDER = ['gpu', 'UUID', 'pci_bus_id', 'device', 'modelName', 'Hostname', 'DCGM_FI_DRIVER_VERSION'];

/** Per-GPU value of a DCGM field. */
const perGpu = (families: readonly MetricFamily[], field: MetricDef, gpu: string) => value(families, field.name, { gpu });

async function gpusDuring(name: ScenarioName, options: { gpus?: number; minutes?: number } = {}) {
  const c = clock();
  const sim = await simulator({ clock: c, gpus: options.gpus ?? 1 });
  c.advance(5 * MINUTE);
  sim.setScenario(name);
  await sim.settled();
  c.advance((options.minutes ?? 5) * MINUTE);
  const dcgm = (await scrape(sim.urls.dcgm)).families;
  const engine = name === 'engine-down' ? [] : (await scrape(sim.urls.engine)).families;
  return { sim, c, dcgm, engine };
}

describe('dcgm-exporter output shape', () => {
  it('every default-counters field for every GPU, with the catalogue type and help and the real label shape', async () => {
    const c = clock();
    const sim = await simulator({ clock: c, gpus: 2, hostname: 'gpu-box-7' });
    c.advance(10 * MINUTE);
    const { families, text, type } = await scrape(sim.urls.dcgm);
    expect(type).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(text).not.toContain('# EOF');
    expect(families.map((f) => f.name)).toEqual(DEFAULT_FIELDS.map((d) => d.name));
    for (const def of DEFAULT_FIELDS) {
      const f = family(families, def.name);
      expect(f.type).toBe(def.type);
      expect(f.help).toBe(def.help);
      expect(f.samples.map((s) => s.labels.gpu)).toEqual(['0', '1']);
      for (const s of f.samples) {
        const own = def === DCGM.xidErrors ? ['err_code', 'err_msg'] : [];
        expect(Object.keys(s.labels)).toEqual([...GPU_LABEL_ORDER, ...own]);
        expect(s.labels.Hostname).toBe('gpu-box-7');
        expect(s.labels.device).toBe(`nvidia${s.labels.gpu}`);
        expect(s.labels.UUID).toMatch(/^GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        expect(s.labels.pci_bus_id).toMatch(/^[0-9A-F]{8}:[0-9A-F]{2}:[0-9A-F]{2}\.[0-9]$/);
      }
    }
    // Labels a GPU keeps across fields; GPUs differ.
    const uuids = samples(families, DCGM.gpuUtil.name).map((s) => s.labels.UUID);
    expect(new Set(uuids).size).toBe(2);
    expect(samples(families, DCGM.gpuTemp.name).map((s) => s.labels.UUID)).toEqual(uuids);
    // dcgm-exporter prints doubles with %f and integers with %d.
    expect(text).toMatch(/^DCGM_FI_DEV_POWER_USAGE\{[^}]*\} \d+\.\d{6}$/m);
    expect(text).toMatch(/^DCGM_FI_DEV_FB_USED\{[^}]*\} \d+$/m);
  });

  it('memory temperature is DCGM\'s blank sentinel, written exactly as dcgm-exporter does', async () => {
    const c = clock();
    const sim = await simulator({ clock: c });
    c.advance(MINUTE);
    const { text, families } = await scrape(sim.urls.dcgm);
    expect(text).toMatch(/^DCGM_FI_DEV_MEMORY_TEMP\{[^}]*\} 9223372036854775794$/m);
    expect(perGpu(families, DCGM.memoryTemp, '0')).toBeGreaterThanOrEqual(DCGM_BLANK_SENTINEL_MIN);
    // Every other field is a real value.
    for (const def of DEFAULT_FIELDS.filter((d) => d !== DCGM.memoryTemp)) expect(perGpu(families, def, '0'), def.name).toBeLessThan(DCGM_BLANK_SENTINEL_MIN);
  });

  it('healthy: utilisation 40-70 %, no Xid (0, "No Error"), no Xid count series, framebuffer adds up', async () => {
    const c = clock();
    const sim = await simulator({ clock: c });
    c.advance(MINUTE);
    for (let i = 0; i < 30; i++) {
      c.advance(13 * SECOND);
      const { families, text } = await scrape(sim.urls.dcgm);
      const util = perGpu(families, DCGM.gpuUtil, '0');
      expect(util).toBeGreaterThanOrEqual(40);
      expect(util).toBeLessThanOrEqual(70);
      expect(perGpu(families, DCGM.gpuTemp, '0')).toBeLessThan(80);
      const xid = samples(families, DCGM.xidErrors.name, { gpu: '0' });
      expect(xid.map((s) => [s.value, s.labels.err_code, s.labels.err_msg])).toEqual([[0, '0', 'No Error']]);
      expect(text).not.toContain(DCGM.xidErrorsCount.name);
      const used = perGpu(families, DCGM.fbUsed, '0');
      const total = used + perGpu(families, DCGM.fbFree, '0') + perGpu(families, DCGM.fbReserved, '0');
      expect(used / total).toBeGreaterThan(0.6);
      expect(used / total).toBeLessThan(0.9);
      expect(perGpu(families, DCGM.rowRemapFailure, '0')).toBe(0);
    }
  });

  it('the energy counter rises with time', async () => {
    const c = clock();
    const sim = await simulator({ clock: c });
    const first = perGpu((await scrape(sim.urls.dcgm)).families, DCGM.totalEnergy, '0');
    c.advance(10 * MINUTE);
    const second = perGpu((await scrape(sim.urls.dcgm)).families, DCGM.totalEnergy, '0');
    // About 100-200 W for 600 s: 60-120 kJ.
    expect(second - first).toBeGreaterThan(50_000_000);
    expect(second - first).toBeLessThan(150_000_000);
  });
});

describe('GPU scenarios', () => {
  it('gpu-saturated: every GPU about 98 % busy', async () => {
    const { dcgm } = await gpusDuring('gpu-saturated', { gpus: 2 });
    for (const gpu of ['0', '1']) expect(perGpu(dcgm, DCGM.gpuUtil, gpu)).toBeGreaterThanOrEqual(95);
    expect(perGpu(dcgm, DCGM.grEngineActive, '0')).toBeGreaterThan(0.9);
  });

  it('gpu-idle-cpu-fallback: GPUs about 1 % busy with nothing in framebuffer while the Engine has active requests', async () => {
    const { dcgm, engine } = await gpusDuring('gpu-idle-cpu-fallback', { gpus: 2 });
    expect(sum(engine, ENGINE.activeRequests.name)).toBeGreaterThan(0);
    for (const gpu of ['0', '1']) {
      expect(perGpu(dcgm, DCGM.gpuUtil, gpu)).toBeLessThanOrEqual(2);
      expect(perGpu(dcgm, DCGM.fbUsed, gpu)).toBe(0);
    }
  });

  it('gpu-xid: GPU 0 reports Xid 79 with its message and a windowed count; healthy again resets the gauge', async () => {
    const { sim, c, dcgm } = await gpusDuring('gpu-xid', { gpus: 2, minutes: 1 });
    expect(samples(dcgm, DCGM.xidErrors.name, { gpu: '0' }).map((s) => [s.value, s.labels.err_code, s.labels.err_msg])).toEqual([
      [79, '79', 'GPU has fallen off the bus'],
    ]);
    expect(perGpu(dcgm, DCGM.xidErrors, '1')).toBe(0);
    const count = family(dcgm, DCGM.xidErrorsCount.name);
    expect(count.type).toBe(DCGM.xidErrorsCount.type);
    expect(count.samples).toHaveLength(1);
    expect(count.samples[0]?.labels).toMatchObject({ gpu: '0', xid: '79', window_size_in_ms: '300000' });
    expect(count.samples[0]?.value).toBeGreaterThanOrEqual(1);
    // Still failing 3 minutes later: another Xid 79 within the 5-minute window.
    c.advance(3 * MINUTE);
    expect(value((await scrape(sim.urls.dcgm)).families, DCGM.xidErrorsCount.name, { xid: '79' })).toBe(2);
    sim.setScenario('healthy');
    c.advance(MINUTE);
    const after = (await scrape(sim.urls.dcgm)).families;
    expect(perGpu(after, DCGM.xidErrors, '0')).toBe(0);
    c.advance(10 * MINUTE);
    expect((await scrape(sim.urls.dcgm)).text).not.toContain(DCGM.xidErrorsCount.name);
  });

  it('gpu-hot: GPU 0 at 92 C and throttled', async () => {
    const { dcgm } = await gpusDuring('gpu-hot', { gpus: 2 });
    expect(perGpu(dcgm, DCGM.gpuTemp, '0')).toBe(92);
    expect(perGpu(dcgm, DCGM.gpuTemp, '1')).toBeLessThan(80);
    expect(perGpu(dcgm, DCGM.smClock, '0')).toBeLessThan(perGpu(dcgm, DCGM.smClock, '1'));
  });

  it('gpu-memory-full: GPU 0 framebuffer 97 % used', async () => {
    const { dcgm } = await gpusDuring('gpu-memory-full');
    const used = perGpu(dcgm, DCGM.fbUsed, '0');
    const total = used + perGpu(dcgm, DCGM.fbFree, '0') + perGpu(dcgm, DCGM.fbReserved, '0');
    expect(used / total).toBeGreaterThan(0.96);
    expect(used / total).toBeLessThan(0.98);
  });

  it('gpu-memory-errors: uncorrectable remapped rows rise and row remapping failed; rows stay after recovery', async () => {
    const { sim, c, dcgm } = await gpusDuring('gpu-memory-errors', { minutes: 0 });
    const first = perGpu(dcgm, DCGM.uncorrectableRemappedRows, '0');
    expect(first).toBeGreaterThanOrEqual(1);
    expect(perGpu(dcgm, DCGM.rowRemapFailure, '0')).toBe(1);
    c.advance(5 * MINUTE);
    const later = (await scrape(sim.urls.dcgm)).families;
    expect(perGpu(later, DCGM.uncorrectableRemappedRows, '0')).toBeGreaterThan(first);
    expect(perGpu(later, DCGM.correctableRemappedRows, '0')).toBeGreaterThan(0);
    sim.setScenario('healthy');
    c.advance(5 * MINUTE);
    const healed = (await scrape(sim.urls.dcgm)).families;
    expect(perGpu(healed, DCGM.uncorrectableRemappedRows, '0')).toBe(perGpu(later, DCGM.uncorrectableRemappedRows, '0'));
    expect(perGpu(healed, DCGM.rowRemapFailure, '0')).toBe(0);
  });

  it('engine-down: the GPU is idle and its framebuffer empty (no Engine process)', async () => {
    const { dcgm } = await gpusDuring('engine-down');
    expect(perGpu(dcgm, DCGM.gpuUtil, '0')).toBe(0);
    expect(perGpu(dcgm, DCGM.fbUsed, '0')).toBe(0);
  });

  it('idle: models loaded, nothing to do', async () => {
    const { dcgm } = await gpusDuring('idle');
    expect(perGpu(dcgm, DCGM.gpuUtil, '0')).toBe(0);
    expect(perGpu(dcgm, DCGM.fbUsed, '0')).toBeGreaterThan(0);
  });
});
