// The Prometheus harness itself, against the real server: a stand-in target with one gauge and one counter that grows
// at exactly 5 per second, one recording rule, and every method of the handle.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPrometheus, PrometheusQueryError, type PrometheusHandle } from '../../daemons/prometheus.ts';
import { ensureTools, run } from '../support/tools.ts';
import { serve, type TestServer } from '../support/net.ts';

const GAUGE = 42.5;
const COUNTER_PER_SECOND = 5;
const RULES = `groups:
  - name: demo
    interval: 1s
    rules:
      - record: job:demo_requests:rate10s
        expr: sum by (job) (rate(demo_requests_total[10s]))
`;

let target: TestServer;
let prometheus: PrometheusHandle;
const started = Date.now();

beforeAll(async () => {
  ensureTools(['prometheus']);
  target = await serve((req, res) => {
    if (req.url !== '/metrics') {
      res.statusCode = 404;
      res.end();
      return;
    }
    const seconds = (Date.now() - started) / 1000;
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(
      [
        '# HELP demo_temperature_celsius A gauge that never changes.',
        '# TYPE demo_temperature_celsius gauge',
        `demo_temperature_celsius{sensor="a"} ${GAUGE}`,
        '# HELP demo_requests_total A counter growing at a constant rate.',
        '# TYPE demo_requests_total counter',
        `demo_requests_total ${seconds * COUNTER_PER_SECOND}`,
        '',
      ].join('\n'),
    );
  });
  prometheus = await startPrometheus({
    scrape: [{ job: 'demo', targets: [target.url.replace(/^http:\/\//, '')] }],
    ruleFiles: [{ name: 'demo.rules.yml', content: RULES }],
    externalLabels: { cluster: 'harness' },
  });
  await prometheus.waitForTargets(1, 20_000);
}, 40_000);

afterAll(async () => {
  await prometheus?.close();
  await target?.close();
});

describe('startPrometheus', () => {
  it('runs with the given config: listen address, external URL and external labels', async () => {
    expect(prometheus.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const yml = readFileSync(join(prometheus.dir, 'prometheus.yml'), 'utf8');
    expect(yml).toContain('demo.rules.yml');
    const flags = (await (await fetch(`${prometheus.url}/api/v1/status/flags`)).json()) as { data: Record<string, string> };
    expect(flags.data['web.external-url']).toBe(prometheus.url);
    expect(flags.data['storage.tsdb.retention.time']).toBe('1d');
    const config = (await (await fetch(`${prometheus.url}/api/v1/status/config`)).json()) as { data: { yaml: string } };
    expect(config.data.yaml).toMatch(/external_labels:\s+cluster: harness/);
  });

  it('scrapes the target: up is 1 and the gauge reads back', async () => {
    const up = await prometheus.query('up');
    expect(up).toEqual([{ metric: { __name__: 'up', job: 'demo', instance: target.url.replace(/^http:\/\//, '') }, value: 1 }]);
    const gauge = await prometheus.query('demo_temperature_celsius');
    expect(gauge).toHaveLength(1);
    expect(gauge[0]!.metric).toMatchObject({ job: 'demo', sensor: 'a' });
    expect(gauge[0]!.value).toBe(GAUGE);
    expect(target.hits()).toBeGreaterThanOrEqual(2);
  });

  it('evaluates the recording rule', async () => {
    const recorded = await prometheus.waitFor('job:demo_requests:rate10s', (r) => r.length === 1, 15_000);
    expect(recorded[0]!.metric).toEqual({ __name__: 'job:demo_requests:rate10s', job: 'demo' });
    // rate() divides by the whole 10 s range, so it reads low until the window has filled with samples.
    expect(recorded[0]!.value).toBeGreaterThan(0);
    expect(recorded[0]!.value).toBeLessThan(COUNTER_PER_SECOND * 1.1);
    // irate() uses the last two samples only: the counter's slope, from the second scrape on.
    const [slope] = await prometheus.query('irate(demo_requests_total[10s])');
    expect(Math.abs(slope!.value - COUNTER_PER_SECOND)).toBeLessThan(COUNTER_PER_SECOND * 0.1);
    const rules = (await prometheus.rules()) as { groups: { name: string; file: string; rules: { name: string; health: string }[] }[] };
    expect(rules.groups.map((g) => g.name)).toEqual(['demo']);
    expect(rules.groups[0]!.file).toBe(join(prometheus.dir, 'demo.rules.yml'));
    expect(rules.groups[0]!.rules).toMatchObject([{ name: 'job:demo_requests:rate10s', health: 'ok' }]);
  });

  it('answers scalar queries, instant queries in the past and range queries', async () => {
    expect(await prometheus.query('1 + 1')).toEqual([{ metric: {}, value: 2 }]);
    expect(await prometheus.query('demo_temperature_celsius', started / 1000 - 600)).toEqual([]);
    const now = Date.now() / 1000;
    const range = await prometheus.queryRange('demo_requests_total', now - 30, now, 1);
    expect(range).toHaveLength(1);
    const values = range[0]!.values;
    expect(values.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < values.length; i++) {
      expect(values[i]![0] - values[i - 1]![0]).toBe(1);
      expect(values[i]![1]).toBeGreaterThanOrEqual(values[i - 1]![1]);
    }
  });

  it('throws a bad query with the PromQL error, at once from waitFor too', async () => {
    const bad = prometheus.query('sum(rate(demo_requests_total[5m])');
    await expect(bad).rejects.toBeInstanceOf(PrometheusQueryError);
    await expect(bad).rejects.toThrow(/bad_data.*parse error/);
    const t0 = Date.now();
    await expect(prometheus.waitFor('rate(demo_requests_total)', () => true, 10_000)).rejects.toThrow(/expected type range vector/);
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('times out a waitFor whose condition never holds, showing the last result', async () => {
    await expect(prometheus.waitFor('up', (r) => r.length === 2, 600)).rejects.toThrow(/timed out after 600 ms waiting for up[\s\S]*last result: \[\{"metric"/);
  });

  it('reports an early exit with the tail of stderr', async () => {
    const start = startPrometheus({
      scrape: [],
      ruleFiles: [{ name: 'broken.yml', content: 'groups:\n  - name: x\n    rules:\n      - record: y\n        expr: sum(\n' }],
    });
    await expect(start).rejects.toThrow(/exited early \(code 1[\s\S]*broken\.yml/);
  });

  it('runs on an existing, backfilled TSDB with extra flags, and leaves it in place', async () => {
    ensureTools(['promtool']);
    const store = mkdtempSync(join(process.env.DGMON_TMP ?? tmpdir(), 'dgmon-tsdb-'));
    try {
      // Two samples an hour ago, backfilled the way the fleet benchmark does it (seconds, ascending, # EOF).
      const at = Math.floor(Date.now() / 1000) - 3600;
      writeFileSync(join(store, 'in.om'), `# TYPE demo_backfilled gauge\ndemo_backfilled{node="a"} 7 ${at}\ndemo_backfilled{node="a"} 8 ${at + 60}\n# EOF\n`);
      const backfill = run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', join(store, 'in.om'), join(store, 'data')]);
      expect(backfill.code, backfill.stderr).toBe(0);
      const blocks = readdirSync(join(store, 'data'));
      const other = await startPrometheus({ scrape: [], storagePath: join(store, 'data'), retention: '30d', extraArgs: ['--query.lookback-delta=2m'] });
      try {
        const flags = (await (await fetch(`${other.url}/api/v1/status/flags`)).json()) as { data: Record<string, string> };
        expect(flags.data['storage.tsdb.path']).toBe(join(store, 'data'));
        expect(flags.data['storage.tsdb.retention.time']).toBe('30d');
        expect(flags.data['query.lookback-delta']).toBe('2m');
        expect(await other.query('demo_backfilled', at + 60)).toEqual([{ metric: { __name__: 'demo_backfilled', node: 'a' }, value: 8 }]);
        // 2 minutes of look-back: nothing 3 minutes after the last sample.
        expect(await other.query('demo_backfilled', at + 240)).toEqual([]);
      } finally {
        await other.close();
      }
      expect(existsSync(other.dir)).toBe(false);
      expect(readdirSync(join(store, 'data'))).toEqual(expect.arrayContaining(blocks));
    } finally {
      rmSync(store, { recursive: true, force: true });
    }
  });

  it('close() stops the server and removes its directory', async () => {
    const { url, dir } = prometheus;
    await prometheus.close();
    await expect(fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
    expect(existsSync(dir)).toBe(false);
    await prometheus.close(); // idempotent
  });
});
