// The fleet benchmark's synthetic fleet: real names and shapes (the catalogue's), consistent histograms, varied
// nodes, and OpenMetrics that promtool backfills. Small fleets, a few samples: fast.
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CATALOG, DCGM, ENGINE, knownSeriesNames } from '../../core/catalog/index.ts';
import { parseExposition } from '../../core/exposition/parse.ts';
import { renderText } from '../../core/exposition/render.ts';
import type { MetricFamily } from '../../core/exposition/types.ts';
import { CLUSTERS, SyntheticFleet, mergeTargets, nodeSpecs, targetFamilies } from '../../bench/fleet/synthetic.ts';
import { writeOpenMetrics } from '../../bench/fleet/openmetrics.ts';
import { formatLe } from '../../simulator/engine.ts';
import { ensureTools, run } from '../support/tools.ts';
import { UPSTREAM_LINT } from '../support/exposition.ts';

const T0 = 1_796_000_400; // a whole minute, as the benchmark's samples are
const work = mkdtempSync(join(process.env.DGMON_TMP ?? tmpdir(), 'dgmon-fleet-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const fleetOf = (nodes: number) => new SyntheticFleet({ nodes, fromS: T0, toS: T0 + 6 * 3600, stepSeconds: 60 });
const byName = (families: MetricFamily[]) => new Map(families.map((f) => [f.name, f]));

describe('the synthetic fleet', () => {
  const fleet = fleetOf(3);
  const first = mergeTargets(fleet.scrape(T0));
  const later = mergeTargets(fleet.scrape(T0 + 600));

  it('renders one exposition that parses back and passes promtool check metrics (but for dcgm-exporter\'s own names)', () => {
    ensureTools(['promtool']);
    const text = renderText(later);
    const parsed = parseExposition(text);
    expect(parsed.reduce((n, f) => n + f.samples.length, 0)).toBe(later.reduce((n, f) => n + f.samples.length, 0));
    const check = run('promtool', ['check', 'metrics'], { input: text });
    expect([0, 3]).toContain(check.code);
    const findings = `${check.stdout}${check.stderr}`.split('\n').filter(Boolean);
    for (const finding of findings) {
      expect(finding.startsWith('DCGM_'), finding).toBe(true);
      expect(UPSTREAM_LINT.some((re) => re.test(finding)), finding).toBe(true);
    }
  });

  it('uses only catalogue names, and every Engine, dcgm-exporter and exporter family the simulator serves', () => {
    const known = knownSeriesNames();
    const names = new Set(later.flatMap((f) => f.samples.map((s) => s.name)));
    for (const name of names) expect(known.has(name), name).toBe(true);
    // Everything the catalogue says a working node always publishes, and the traffic-driven Engine series.
    for (const def of CATALOG.filter((d) => d.source === 'engine' && d.presence !== 'optional')) {
      expect(later.some((f) => f.samples.some((s) => s.name.startsWith(def.name))), def.name).toBe(true);
    }
    for (const def of [DCGM.gpuUtil, DCGM.fbUsed, DCGM.gpuTemp, DCGM.xidErrors, DCGM.totalEnergy]) expect(names.has(def.name), def.name).toBe(true);
    expect(names.has('dgmon_api_system_health') && names.has('dgmon_source_up') && names.has('up')).toBe(true);
  });

  it('labels every series with its target (job, instance, cluster); the three targets of a node share its host', () => {
    for (const family of later) for (const s of family.samples) expect(Object.keys(s.labels)).toEqual(expect.arrayContaining(['job', 'instance', 'cluster']));
    const hosts = (job: string) => new Set(later.flatMap((f) => f.samples.filter((s) => s.labels.job === job).map((s) => s.labels.instance!.split(':')[0])));
    expect([...hosts('deepgram-engine')]).toEqual(['engine-0001', 'engine-0002', 'engine-0003']);
    expect(hosts('dcgm-exporter')).toEqual(hosts('deepgram-engine'));
    expect(hosts('dgmon')).toEqual(hosts('deepgram-engine'));
    const gpu = byName(later).get(DCGM.gpuUtil.name)!;
    expect(gpu.samples.map((s) => [s.labels.Hostname, s.labels.gpu, s.labels.cluster])).toEqual([
      ['engine-0001', '0', CLUSTERS[0]],
      ['engine-0002', '0', CLUSTERS[1]],
      ['engine-0003', '0', CLUSTERS[2]],
    ]);
  });

  it('keeps the catalogue buckets, cumulative, with _count equal to +Inf, and counters that only grow', () => {
    const latency = byName(later).get(ENGINE.streamLatency.name)!;
    const node1 = latency.samples.filter((s) => s.labels.instance === 'engine-0001:9991');
    const buckets = node1.filter((s) => s.name.endsWith('_bucket'));
    expect(buckets.map((s) => s.labels.le)).toEqual([...ENGINE.streamLatency.buckets!, Infinity].map(formatLe));
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value);
    expect(node1.find((s) => s.name.endsWith('_count'))!.value).toBe(buckets.at(-1)!.value);
    expect(buckets.at(-1)!.value).toBeGreaterThan(0);
    const before = new Map(first.flatMap((f) => f.samples.map((s) => [`${s.name}${JSON.stringify(s.labels)}`, s.value])));
    let grew = 0;
    for (const family of later.filter((f) => f.type === 'counter' || f.type === 'histogram')) {
      for (const s of family.samples) {
        const was = before.get(`${s.name}${JSON.stringify(s.labels)}`);
        if (was === undefined) continue;
        expect(s.value, s.name).toBeGreaterThanOrEqual(was);
        if (s.value > was) grew++;
      }
    }
    expect(grew).toBeGreaterThan(100);
  });

  it('varies from node to node: load, streams and GPU busyness differ, and some nodes live through an episode', () => {
    const specs = nodeSpecs(0, 200, T0, T0 + 6 * 3600);
    const loads = specs.map((s) => s.load);
    expect(Math.max(...loads) / Math.min(...loads)).toBeGreaterThan(3);
    expect(new Set(specs.map((s) => Math.round((s.overrides.gpuUtil ?? 0) / 5))).size).toBeGreaterThan(5);
    expect(specs.filter((s) => s.episodes.length > 0).length).toBeGreaterThan(2);
    expect(new Set(specs.map((s) => s.cluster))).toEqual(new Set(CLUSTERS));
    // The same node in a larger fleet is the same node.
    expect(nodeSpecs(150, 10, T0, T0 + 6 * 3600)).toEqual(specs.slice(150, 160));
    const requests = byName(later).get(ENGINE.requests.name)!.samples.filter((s) => s.labels.kind === 'batch' && s.labels.response_status === '2xx');
    expect(new Set(requests.map((s) => s.value)).size).toBe(3);
  });

  it('refuses to go back in time', () => {
    expect(() => fleet.scrape(T0 + 300)).toThrow(/already scraped/);
  });

  it('keeps the dcgm-exporter text as served, parsed on demand', () => {
    const dcgm = fleetOf(1).scrape(T0).find((t) => t.labels.job === 'dcgm-exporter')!;
    expect(dcgm.text).toMatch(/^# HELP DCGM_FI_DEV_SM_CLOCK /);
    expect(targetFamilies(dcgm).map((f) => f.name)).toContain(DCGM.fbFree.name);
  });
});

describe('the OpenMetrics files', () => {
  it('hold every sample once, ascending per series, in seconds, one file per 2 h block, and promtool backfills them', async () => {
    ensureTools(['promtool']);
    const fleet = fleetOf(2);
    // 7140 s after a block boundary: the 3rd sample falls into the next block.
    const from = Math.ceil(T0 / 7200) * 7200 - 120;
    const files = await writeOpenMetrics(fleet, { fromS: from, toS: from + 120, stepS: 60, dir: work, prefix: 'test' }, () => undefined);
    expect(files.map((f) => f.path.slice(work.length + 1))).toEqual([`test-${from - 7080}.om`, `test-${from + 120}.om`]);
    const text = files.map((f) => readFileSync(f.path, 'utf8'));
    for (const t of text) expect(t.endsWith('\n# EOF\n')).toBe(true);
    const lines = text.flatMap((t) => t.split('\n').filter((l) => l && !l.startsWith('#')));
    expect(lines.length).toBe(files.reduce((n, f) => n + f.samples, 0));
    expect(files[0]!.series).toBe(files[1]!.series);
    expect(lines.length).toBe(3 * files[1]!.series);
    const last = new Map<string, number>();
    for (const line of lines) {
      const [, series, , ts] = /^(\S+(?:\{.*\})?) (\S+) (\d+)$/.exec(line)!;
      expect(Number(ts)).toBeGreaterThanOrEqual(from);
      expect(Number(ts)).toBeGreaterThan(last.get(series!) ?? 0);
      last.set(series!, Number(ts));
    }
    expect(lines.some((l) => l.startsWith('DCGM_FI_DEV_GPU_UTIL{job="dcgm-exporter",instance="engine-0002:9400",cluster="us-west",gpu="0",'))).toBe(true);
    const out = join(work, 'blocks');
    for (const f of files) {
      const result = run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', f.path, out]);
      expect(result.code, result.stderr).toBe(0);
    }
    expect(readdirSync(out).length).toBe(2);
    const listed = run('promtool', ['tsdb', 'list', out]);
    const samples = listed.stdout.split('\n').slice(1).filter(Boolean).reduce((n, row) => n + Number(row.trim().split(/\s+/)[4]), 0);
    expect(samples).toBe(lines.length);
  });
});
