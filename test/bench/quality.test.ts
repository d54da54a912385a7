// The quality benchmark's noisy fleet: one incident per node in its daytime, the noise it promises, and what the
// synthetic fleet makes of restarts, failed scrapes, gaps and the night (small fleets, a few samples: fast).
import { describe, it, expect } from 'vitest';
import { INCIDENTS, noisyDaily, noisyFleet } from '../../bench/quality/noisy-fleet.ts';
import { SyntheticFleet, mergeTargets, type TargetFamilies } from '../../bench/fleet/synthetic.ts';

const T0 = 1_796_000_400;
const DAY = 86_400;

describe('the noisy fleet', () => {
  const fleet = noisyFleet(INCIDENTS.length, T0, T0 + DAY + 2 * 3600, T0 + 3600);

  it('has one incident per node, inside the range, one after another, in daytime traffic (09:00-19:00 local: over a tenth of the peak)', () => {
    expect(fleet.incidents.map((i) => i.scenario)).toEqual(INCIDENTS.map((i) => i.scenario));
    expect(new Set(fleet.incidents.map((i) => i.node)).size).toBe(INCIDENTS.length);
    const sorted = [...fleet.incidents].sort((a, b) => a.from - b.from);
    for (const i of fleet.incidents) {
      expect(i.from).toBeGreaterThanOrEqual(T0 + 3600);
      expect(i.to).toBeLessThanOrEqual(T0 + DAY + 2 * 3600);
      expect(noisyDaily(i.from, i.cluster === fleet.specs[0]!.cluster ? 0 : 1), `${i.scenario}: daytime`).toBeGreaterThan(0.1);
    }
    expect(sorted.every((i, k) => k === 0 || i.from >= sorted[k - 1]!.to)).toBe(true);
  });

  it('puts in every kind of noise the benchmark names', () => {
    expect(Object.keys(fleet.noise).sort()).toEqual(
      [
        'Engine restart',
        'GPU burst to 100 % (3-8 min)',
        'afternoon GPU temperature swing (78-83 °C)',
        'long audio files (2-3 min of 10-20 s batch requests)',
        'night minute with 5xx',
        'rolling-deploy restart',
        'scrape gap of 4 min (every node)',
        'single failed scrape',
      ].sort(),
    );
  });

  it('traffic falls to about 1 % of the peak at night', () => {
    const shares = Array.from({ length: 24 * 4 }, (_, k) => noisyDaily(T0 + k * 900, 0));
    expect(Math.min(...shares)).toBeCloseTo(0.01, 2);
    expect(Math.max(...shares)).toBeGreaterThan(0.99);
  });
});

describe('the synthetic fleet under noise', () => {
  const requests = (targets: TargetFamilies[], node: string) =>
    mergeTargets(targets.filter((t) => t.labels.instance?.startsWith(node)))
      .find((f) => f.name === 'engine_requests_total')
      ?.samples.reduce((n, s) => n + s.value, 0);
  const up = (targets: TargetFamilies[], key: string) => targets.find((t) => t.key === key)?.families.find((f) => f.name === 'up')?.samples[0]?.value;

  it('a restart starts the counters from zero; a failed scrape is up 0 without series; a gap stores nothing', () => {
    const spec = {
      index: 0,
      name: 'engine-01',
      cluster: 'us-east',
      load: 20,
      overrides: {},
      episodes: [],
      restarts: [T0 + 600],
      failedScrapes: [{ source: 'dcgm' as const, from: T0 + 300, to: T0 + 360 }],
      gaps: [{ from: T0 + 900, to: T0 + 960 }],
    };
    const fleet = new SyntheticFleet({ nodes: 1, fromS: T0, toS: T0 + 3600, stepSeconds: 60, specs: [spec], daily: () => 1 });
    const before = fleet.scrape(T0 + 540);
    const after = fleet.scrape(T0 + 600);
    expect(requests(before, 'engine-01')).toBeGreaterThan(1000);
    expect(requests(after, 'engine-01') ?? 0).toBeLessThan(requests(before, 'engine-01')! / 5);
    const failed = new SyntheticFleet({ nodes: 1, fromS: T0, toS: T0 + 3600, stepSeconds: 60, specs: [spec], daily: () => 1 });
    const at = failed.scrape(T0 + 300);
    expect(up(at, 'engine-01/dcgm')).toBe(0);
    expect(at.find((t) => t.key === 'engine-01/dcgm')!.text).toBeUndefined();
    expect(up(at, 'engine-01/engine')).toBe(1);
    expect(failed.scrape(T0 + 900)).toEqual([]);
    expect(up(failed.scrape(T0 + 960), 'engine-01/dcgm')).toBe(1);
  });
});
