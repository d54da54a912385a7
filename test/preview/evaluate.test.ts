// Panel queries as Grafana runs them: legendFormat, reducers, and range and instant targets against a real
// Prometheus (with no targets: vector() and label_replace() give known series at any time), errors kept per target.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startPrometheus, type PrometheusHandle } from '../../daemons/prometheus.ts';
import { evaluateTargets, legendName, mapLimited, reduce } from '../../preview/evaluate.ts';
import { ensureTools } from '../support/tools.ts';
import { labelled } from './fixture-dashboard.ts';

describe('legendName', () => {
  it('replaces {{label}} with the series label, spaces allowed, a missing label by nothing', () => {
    expect(legendName('{{node}} GPU {{gpu}}', { node: 'engine-1', gpu: '0' }, 'x')).toBe('engine-1 GPU 0');
    expect(legendName('{{ node }}: {{missing}}!', { node: 'n' }, 'x')).toBe('n: !');
    expect(legendName('P95', { node: 'n' }, 'x')).toBe('P95');
  });

  it('names a series by its labels without a legend format, or by the query when it has none', () => {
    expect(legendName('', { __name__: 'up', job: 'dgmon', instance: 'a:1' }, 'up')).toBe('up{job="dgmon", instance="a:1"}');
    expect(legendName('__auto', { job: 'dgmon' }, 'x')).toBe('{job="dgmon"}');
    expect(legendName('', {}, 'sum(rate(x[5m]))')).toBe('sum(rate(x[5m]))');
  });
});

describe('reduce', () => {
  const points: [number, number][] = [[1, 3], [2, 1], [3, 5], [4, NaN]];
  it("computes Grafana's reducers, skipping NaN where Grafana skips nulls", () => {
    expect(reduce(points, 'lastNotNull')).toBe(5);
    expect(reduce(points, 'last')).toBeNaN();
    expect(reduce(points, 'mean')).toBe(3);
    expect(reduce(points, 'max')).toBe(5);
    expect(reduce(points, 'min')).toBe(1);
    expect(reduce(points, 'sum')).toBe(9);
    expect(reduce(points, 'count')).toBe(4);
    expect(reduce(points, 'delta')).toBe(2);
    expect(reduce([], 'lastNotNull')).toBeNull();
    expect(reduce([[1, NaN]], 'mean')).toBeNull();
  });
});

describe('mapLimited', () => {
  it('keeps the input order and never runs more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const out = await mapLimited([5, 1, 4, 2, 3, 0], 2, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, n * 3));
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0]);
    expect(most).toBe(2);
  });
});

describe('evaluateTargets against Prometheus', () => {
  let prometheus: PrometheusHandle;
  beforeAll(async () => {
    ensureTools(['prometheus']);
    prometheus = await startPrometheus({ scrape: [] });
  });
  afterAll(async () => prometheus?.close());

  it('runs range targets over the range at its step and instant targets at its end, named by legendFormat', async () => {
    const end = Math.floor(Date.now() / 1000);
    const range = { start: end - 60, end, step: 10 };
    const data = await evaluateTargets(
      [
        { refId: 'A', expr: labelled('gpu', [['0', 30], ['1', 95]]), legendFormat: 'GPU {{gpu}}', instant: false },
        { refId: 'B', expr: 'vector(7)', legendFormat: '', instant: true },
      ],
      prometheus,
      range,
    );
    expect(data.errors).toEqual([]);
    const a = data.series.filter((s) => s.refId === 'A');
    expect(a.map((s) => s.name).sort()).toEqual(['GPU 0', 'GPU 1']);
    for (const s of a) {
      expect(s.instant).toBe(false);
      expect(s.points.map(([t]) => t)).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => range.start + i * 10));
    }
    expect(a.find((s) => s.name === 'GPU 1')!.points.every(([, v]) => v === 95)).toBe(true);
    const b = data.series.find((s) => s.refId === 'B')!;
    expect(b).toMatchObject({ name: 'vector(7)', instant: true, points: [[end, 7]] });
  });

  it("keeps a failing target's error for its panel and the other targets' data", async () => {
    const end = Math.floor(Date.now() / 1000);
    const data = await evaluateTargets(
      [
        { refId: 'A', expr: 'sum(', legendFormat: '', instant: false },
        { refId: 'B', expr: 'dgmon_preview_no_such_metric', legendFormat: '', instant: true },
        { refId: 'C', expr: 'vector(1)', legendFormat: 'one', instant: true },
      ],
      prometheus,
      { start: end - 60, end, step: 15 },
    );
    expect(data.errors).toHaveLength(1);
    expect(data.errors[0]).toMatch(/^A: HTTP 400 bad_data: .*parse error/);
    expect(data.series.map((s) => s.name)).toEqual(['one']);
  });
});
