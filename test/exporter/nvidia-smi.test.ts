// The nvidia-smi collector: recorded-style outputs become dcgm-exporter's series (names, types, HELP, labels, units),
// and the process handling (old-driver fallback, timeout, missing binary, failures) against fake nvidia-smi scripts.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NVIDIA_SMI_FIELDS,
  NVIDIA_SMI_OPTIONAL_FIELDS,
  NVIDIA_SMI_MAX_OUTPUT_BYTES,
  NvidiaSmiError,
  collectNvidiaSmi,
  nvidiaSmiArgs,
  parseNvidiaSmiCsv,
  type NvidiaSmiField,
} from '../../exporter/sources/nvidia-smi.ts';
import { DCGM, DCGM_GPU_LABELS, SOURCE_FAILURE_REASONS, type MetricDef } from '../../core/catalog/index.ts';
import type { MetricFamily } from '../../core/exposition/types.ts';
import { parseExposition } from '../../core/exposition/parse.ts';
import { renderText } from '../../core/exposition/render.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/nvidia-smi/', import.meta.url));
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
const T4 = 'GPU-6a2f0c9e-3d41-8b7e-52c1-9f0d4e7a1b23';
const HOST = 'gpu-node-1';

/** family name → values in GPU order. */
const valuesOf = (families: readonly MetricFamily[]): Record<string, number[]> =>
  Object.fromEntries(families.map((f) => [f.name, f.samples.map((s) => s.value)]));

function nvidiaSmiError(fn: () => unknown): NvidiaSmiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof NvidiaSmiError) return err;
    throw new Error(`expected an NvidiaSmiError, got ${String(err)}`);
  }
  throw new Error('expected an NvidiaSmiError, but it parsed');
}

async function rejection(promise: Promise<unknown>): Promise<NvidiaSmiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof NvidiaSmiError) return err;
    throw new Error(`expected an NvidiaSmiError, got ${String(err)}`);
  }
  throw new Error('expected a rejection');
}

/** A row for NVIDIA_SMI_FIELDS with some cells replaced. */
function row(overrides: Partial<Record<NvidiaSmiField, string>>): string {
  const base: Record<NvidiaSmiField, string> = {
    index: '0',
    uuid: T4,
    name: 'Tesla T4',
    'pci.bus_id': '00000000:00:1E.0',
    'utilization.gpu': '10',
    'utilization.memory': '5',
    'memory.total': '15360',
    'memory.used': '100',
    'memory.free': '15000',
    'temperature.gpu': '40',
    'temperature.memory': '41',
    'power.draw': '30.5',
    'clocks.sm': '1590',
    'clocks.mem': '5000',
    'ecc.errors.corrected.volatile.total': '1',
    'ecc.errors.uncorrected.volatile.total': '2',
    'remapped_rows.correctable': '3',
    'remapped_rows.uncorrectable': '4',
    'remapped_rows.failure': 'No',
  };
  return NVIDIA_SMI_FIELDS.map((f) => overrides[f] ?? base[f]).join(', ');
}

describe('nvidia-smi query', () => {
  it('asks for every field as headerless, unit-less CSV', () => {
    expect(nvidiaSmiArgs(NVIDIA_SMI_FIELDS)).toEqual([
      '--query-gpu=index,uuid,name,pci.bus_id,utilization.gpu,utilization.memory,memory.total,memory.used,memory.free,temperature.gpu,temperature.memory,power.draw,clocks.sm,clocks.mem,ecc.errors.corrected.volatile.total,ecc.errors.uncorrected.volatile.total,remapped_rows.correctable,remapped_rows.uncorrectable,remapped_rows.failure',
      '--format=csv,noheader,nounits',
    ]);
    expect(NVIDIA_SMI_OPTIONAL_FIELDS).toEqual([
      'ecc.errors.corrected.volatile.total',
      'ecc.errors.uncorrected.volatile.total',
      'remapped_rows.correctable',
      'remapped_rows.uncorrectable',
      'remapped_rows.failure',
    ]);
  });
});

describe('parseNvidiaSmiCsv', () => {
  it('T4 (16 GB), healthy: dcgm-exporter names, types, HELP, labels; MiB kept as MiB; N/A fields omitted', () => {
    const families = parseNvidiaSmiCsv(fixture('t4-healthy.csv'), HOST);
    const defs: MetricDef[] = [DCGM.smClock, DCGM.memClock, DCGM.gpuTemp, DCGM.powerUsage, DCGM.gpuUtil, DCGM.memCopyUtil, DCGM.fbFree, DCGM.fbUsed, DCGM.fbReserved, DCGM.eccSbeVolatileTotal, DCGM.eccDbeVolatileTotal];
    expect(families.map((f) => [f.name, f.type, f.help])).toEqual(defs.map((d) => [d.name, d.type, d.help]));
    expect(valuesOf(families)).toEqual({
      [DCGM.smClock.name]: [1590],
      [DCGM.memClock.name]: [5000],
      [DCGM.gpuTemp.name]: [52],
      [DCGM.powerUsage.name]: [38.46],
      [DCGM.gpuUtil.name]: [37],
      [DCGM.memCopyUtil.name]: [21],
      [DCGM.fbFree.name]: [10861],
      [DCGM.fbUsed.name]: [4242],
      [DCGM.fbReserved.name]: [15360 - 4242 - 10861],
      [DCGM.eccSbeVolatileTotal.name]: [0],
      [DCGM.eccDbeVolatileTotal.name]: [0],
    });
    for (const family of families) {
      expect(family.samples).toHaveLength(1);
      expect(family.samples[0]!.name).toBe(family.name);
      expect(family.samples[0]!.labels).toEqual({ gpu: '0', UUID: T4, pci_bus_id: '00000000:00:1E.0', device: 'nvidia0', modelName: 'Tesla T4', Hostname: HOST });
    }
  });

  it('8x A100 80GB: one sample per GPU per family; GPU 5 shows the row-remap failure and its uncorrectable rows', () => {
    const families = parseNvidiaSmiCsv(fixture('a100-80gb-8x-remap-failure.csv'), HOST);
    expect(families).toHaveLength(15);
    for (const family of families) {
      expect(family.samples.map((s) => s.labels.gpu)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
      expect(family.samples.map((s) => s.labels.device)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7'].map((i) => `nvidia${i}`));
      for (const s of family.samples) expect(s.labels.modelName).toBe('NVIDIA A100-SXM4-80GB');
    }
    const v = valuesOf(families);
    expect(v[DCGM.rowRemapFailure.name]).toEqual([0, 0, 0, 0, 0, 1, 0, 0]);
    expect(v[DCGM.uncorrectableRemappedRows.name]).toEqual([0, 0, 0, 0, 0, 8, 0, 0]);
    expect(v[DCGM.correctableRemappedRows.name]).toEqual([0, 0, 1, 0, 0, 0, 0, 0]);
    expect(v[DCGM.eccSbeVolatileTotal.name]).toEqual([0, 0, 12, 0, 0, 3, 0, 0]);
    expect(v[DCGM.eccDbeVolatileTotal.name]).toEqual([0, 0, 0, 0, 0, 2, 0, 0]);
    expect(v[DCGM.fbReserved.name]).toEqual(Array(8).fill(587));
    expect(v[DCGM.memoryTemp.name]).toEqual([66, 64, 63, 67, 65, 44, 62, 66]);
    expect(v[DCGM.gpuUtil.name]![5]).toBe(0);
    const gpu5 = families[0]!.samples[5]!.labels;
    expect(gpu5).toEqual({ gpu: '5', UUID: 'GPU-6bcd7f8a-aac5-4ebd-8f0d-5c8b7d6e9fa5', pci_bus_id: '00000000:90:00.0', device: 'nvidia5', modelName: 'NVIDIA A100-SXM4-80GB', Hostname: HOST });
  });

  it('GeForce: [N/A] ECC and [Not Supported] remapped rows are omitted, never 0', () => {
    const families = parseNvidiaSmiCsv(fixture('geforce-rtx4090-no-ecc.csv'), HOST);
    const names = families.map((f) => f.name);
    for (const def of [DCGM.eccSbeVolatileTotal, DCGM.eccDbeVolatileTotal, DCGM.correctableRemappedRows, DCGM.uncorrectableRemappedRows, DCGM.rowRemapFailure, DCGM.memoryTemp]) {
      expect(names).not.toContain(def.name);
    }
    expect(valuesOf(families)[DCGM.fbReserved.name]).toEqual([395]);
    expect(valuesOf(families)[DCGM.powerUsage.name]).toEqual([31.2]);
    expect(families[0]!.samples[0]!.labels.modelName).toBe('NVIDIA GeForce RTX 4090');
  });

  it('only labels dcgm-exporter uses, and the output serves as valid exposition text', () => {
    for (const file of ['t4-healthy.csv', 'a100-80gb-8x-remap-failure.csv', 'geforce-rtx4090-no-ecc.csv']) {
      const families = parseNvidiaSmiCsv(fixture(file), HOST);
      for (const s of families.flatMap((f) => f.samples)) for (const l of Object.keys(s.labels)) expect(DCGM_GPU_LABELS).toContain(l);
      const again = parseExposition(renderText(families));
      expect(again.flatMap((f) => f.samples)).toEqual(families.flatMap((f) => f.samples));
    }
  });

  it('every "no value" form omits the series; per GPU, not per family', () => {
    const csv = [
      row({ index: '0', uuid: 'GPU-a', 'temperature.gpu': '[N/A]', 'power.draw': '[Not Supported]', 'clocks.sm': 'N/A', 'clocks.mem': '', 'utilization.gpu': '[Unknown Error]', 'memory.free': 'N/A' }),
      row({ index: '1', uuid: 'GPU-b' }),
    ].join('\n');
    const v = valuesOf(parseNvidiaSmiCsv(csv, HOST));
    expect(v[DCGM.gpuTemp.name]).toEqual([40]);
    expect(v[DCGM.powerUsage.name]).toEqual([30.5]);
    expect(v[DCGM.smClock.name]).toEqual([1590]);
    expect(v[DCGM.memClock.name]).toEqual([5000]);
    expect(v[DCGM.gpuUtil.name]).toEqual([10]);
    expect(v[DCGM.fbFree.name]).toEqual([15000]);
    expect(v[DCGM.fbReserved.name]).toEqual([260]); // GPU 0 has no free figure: no reserved either
    expect(v[DCGM.fbUsed.name]).toEqual([100, 100]);
  });

  it('FB_RESERVED is never negative', () => {
    const v = valuesOf(parseNvidiaSmiCsv(row({ 'memory.total': '1000', 'memory.used': '600', 'memory.free': '401' }), HOST));
    expect(v[DCGM.fbReserved.name]).toEqual([0]);
  });

  it('remapped_rows.failure: yes/no and 1/0, any case', () => {
    const csv = ['Yes', 'no', '1', '0', 'YES'].map((f, i) => row({ index: String(i), uuid: `GPU-${i}`, 'remapped_rows.failure': f })).join('\n');
    expect(valuesOf(parseNvidiaSmiCsv(csv, HOST))[DCGM.rowRemapFailure.name]).toEqual([1, 0, 1, 0, 1]);
  });

  it('a comma in the GPU name, CRLF line ends, blank lines, no Hostname when the hostname is empty', () => {
    const families = parseNvidiaSmiCsv(`\r\n${row({ name: 'Odd, Name GPU' })}\r\n\r\n`, '');
    expect(families[0]!.samples[0]!.labels).toEqual({ gpu: '0', UUID: T4, pci_bus_id: '00000000:00:1E.0', device: 'nvidia0', modelName: 'Odd, Name GPU' });
    expect(parseNvidiaSmiCsv('', HOST)).toEqual([]);
  });

  it('a reduced query (old driver) maps the columns it has', () => {
    const fields = NVIDIA_SMI_FIELDS.filter((f) => !NVIDIA_SMI_OPTIONAL_FIELDS.includes(f));
    const csv = '0, GPU-x, Tesla T4, 00000000:00:1E.0, 1, 2, 100, 10, 80, 30, N/A, 20.5, 300, 405';
    const v = valuesOf(parseNvidiaSmiCsv(csv, HOST, fields));
    expect(v).toEqual({
      [DCGM.smClock.name]: [300],
      [DCGM.memClock.name]: [405],
      [DCGM.gpuTemp.name]: [30],
      [DCGM.powerUsage.name]: [20.5],
      [DCGM.gpuUtil.name]: [1],
      [DCGM.memCopyUtil.name]: [2],
      [DCGM.fbFree.name]: [80],
      [DCGM.fbUsed.name]: [10],
      [DCGM.fbReserved.name]: [10],
    });
  });

  const malformed: [string, string, RegExp][] = [
    ['too few values', '0, GPU-x, Tesla T4', /3 values for 19 fields/],
    ['a header line', NVIDIA_SMI_FIELDS.join(', '), /GPU index "index" is not a number/],
    ['a word for a number', row({ 'temperature.gpu': 'hot' }), /temperature.gpu is not a number: "hot"/],
    ['units left in', row({ 'power.draw': '30.5 W' }), /power.draw is not a number/],
    ['a failure flag that is neither', row({ 'remapped_rows.failure': 'maybe' }), /neither yes nor no/],
    ['a GPU listed twice', `${row({})}\n${row({})}`, /listed twice/],
    ['no UUID', row({ uuid: '[N/A]' }), /has no UUID/],
  ];
  for (const [what, csv, message] of malformed) {
    it(`refuses ${what} with reason 'parse'`, () => {
      const err = nvidiaSmiError(() => parseNvidiaSmiCsv(csv, HOST));
      expect(err.reason).toBe('parse');
      expect(err.message).toMatch(message);
    });
  }
});

describe('collectNvidiaSmi against fake nvidia-smi binaries', () => {
  let dir: string;
  const REDUCED = NVIDIA_SMI_FIELDS.filter((f) => !NVIDIA_SMI_OPTIONAL_FIELDS.includes(f));
  const a100 = fixture('a100-80gb-8x-remap-failure.csv');
  /** The A100 fixture as a driver without ECC/row-remap fields would print it. */
  const a100Reduced = a100
    .split('\n')
    .map((line) => (line ? line.split(', ').slice(0, REDUCED.length).join(', ') : line))
    .join('\n');
  const script = (name: string, body: string): string => {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\necho "$*" >> "${path}.calls"\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  };
  const calls = (path: string): string[] => readFileSync(`${path}.calls`, 'utf8').trim().split('\n');
  let bins: Record<'ok' | 'oldDriver' | 'oldDriverStdout' | 'stillInvalid' | 'slow' | 'slowChild' | 'driverDown' | 'garbage' | 'huge', string>;

  beforeAll(() => {
    dir = mkdtempSync(join(process.env.DGMON_TMP ?? tmpdir(), 'dgmon-nvidia-smi-'));
    writeFileSync(join(dir, 'a100.csv'), a100);
    writeFileSync(join(dir, 'a100-reduced.csv'), a100Reduced);
    const oldDriver = (stream: string) => `case "$1" in *remapped_rows.correctable*) echo 'Field "remapped_rows.correctable" is not a valid field to query.' ${stream}; echo ''; echo 'Run nvidia-smi --help-query-gpu' ${stream}; exit 2;; esac\ncat "${dir}/a100-reduced.csv"`;
    bins = {
      ok: script('ok', `cat "${dir}/a100.csv"`),
      oldDriver: script('old-driver', oldDriver('>&2')),
      oldDriverStdout: script('old-driver-stdout', oldDriver('')),
      stillInvalid: script('still-invalid', `echo 'Field "clocks.sm" is not a valid field to query.' >&2; exit 2`),
      slow: script('slow', 'exec sleep 5'),
      // The grandchild keeps stdout open after the shell is killed; its pid is recorded so afterAll can end it.
      slowChild: script('slow-child', `sleep 60 & echo $! > "${dir}/grandchild.pid"; wait`),
      driverDown: script('driver-down', `echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running."; exit 9`),
      garbage: script('garbage', 'echo "this is not csv"'),
      huge: script('huge', `head -c ${NVIDIA_SMI_MAX_OUTPUT_BYTES + 10} /dev/zero | tr '\\0' 'a'`),
    };
  });
  afterAll(() => {
    try {
      process.kill(Number(readFileSync(join(dir, 'grandchild.pid'), 'utf8')), 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const collect = (binary: string, extra: { timeoutMs?: number; signal?: AbortSignal } = {}) =>
    collectNvidiaSmi({ binary, timeoutMs: extra.timeoutMs ?? 10_000, hostname: HOST, signal: extra.signal });

  it('runs the binary with the query arguments and parses its output', async () => {
    const families = await collect(bins.ok);
    expect(families).toEqual(parseNvidiaSmiCsv(a100, HOST));
    expect(calls(bins.ok)).toEqual([nvidiaSmiArgs(NVIDIA_SMI_FIELDS).join(' ')]);
  });

  for (const variant of ['oldDriver', 'oldDriverStdout'] as const) {
    it(`falls back once without the ECC/row-remap fields when a field is "not a valid field to query" (${variant === 'oldDriver' ? 'stderr' : 'stdout'})`, async () => {
      const families = await collect(bins[variant]);
      expect(calls(bins[variant])).toEqual([nvidiaSmiArgs(NVIDIA_SMI_FIELDS).join(' '), nvidiaSmiArgs(REDUCED).join(' ')]);
      expect(families).toEqual(parseNvidiaSmiCsv(a100Reduced, HOST, REDUCED));
      const names = families.map((f) => f.name);
      expect(names).toContain(DCGM.fbUsed.name);
      expect(names).not.toContain(DCGM.rowRemapFailure.name);
      expect(names).not.toContain(DCGM.eccDbeVolatileTotal.name);
      expect(families.find((f) => f.name === DCGM.gpuUtil.name)!.samples).toHaveLength(8);
    });
  }

  it("a field still refused after the retry is reason 'parse'; the named field is dropped too", async () => {
    const err = await rejection(collect(bins.stillInvalid));
    expect(err.reason).toBe('parse');
    expect(err.message).toContain('"clocks.sm" is not a valid field to query');
    const [first, second] = calls(bins.stillInvalid);
    expect(first).toBe(nvidiaSmiArgs(NVIDIA_SMI_FIELDS).join(' '));
    expect(second).toBe(nvidiaSmiArgs(REDUCED.filter((f) => f !== 'clocks.sm')).join(' '));
  });

  it("a binary slower than the timeout is killed: reason 'timeout'", async () => {
    const err = await rejection(collect(bins.slow, { timeoutMs: 200 }));
    expect(err.reason).toBe('timeout');
    expect(err.message).toContain('no answer within 200 ms');
  });

  // A collector that waited for every holder of the pipe would wait the grandchild's 60 s and fail on the 15 s timeout.
  it("a child process holding the pipes open does not hold the collection: reason 'timeout'", { timeout: 15_000 }, async () => {
    const err = await rejection(collect(bins.slowChild, { timeoutMs: 200 }));
    expect(err.reason).toBe('timeout');
  });

  it("aborting kills it: reason 'timeout'", async () => {
    const controller = new AbortController();
    const pending = collect(bins.slow, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect((await rejection(pending)).reason).toBe('timeout');
    expect((await rejection(collect(bins.ok, { signal: AbortSignal.abort() }))).reason).toBe('timeout');
  });

  it("a missing binary is reason 'connection'", async () => {
    const err = await rejection(collect(join(dir, 'no-such-nvidia-smi')));
    expect(err.reason).toBe('connection');
    expect(err.message).toMatch(/not found/);
  });

  it("nvidia-smi failing (driver not loaded) is reason 'connection' with its message", async () => {
    const err = await rejection(collect(bins.driverDown));
    expect(err.reason).toBe('connection');
    expect(err.message).toMatch(/exited with 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver/);
  });

  it("output that is not the CSV asked for is reason 'parse'", async () => {
    expect((await rejection(collect(bins.garbage))).reason).toBe('parse');
  });

  it("more output than any GPU list is reason 'too_large'", async () => {
    expect((await rejection(collect(bins.huge))).reason).toBe('too_large');
  });

  it('every reason is one the exporter reports', () => {
    for (const reason of ['timeout', 'connection', 'parse', 'too_large']) expect(SOURCE_FAILURE_REASONS).toContain(reason);
  });
});
