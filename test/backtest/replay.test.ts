// The parts of dgmon backtest that need no Prometheus: the alerting-rule state machine on handmade evaluations, the
// evaluation grid and its chunks, Alertmanager's routing, inhibition and grouping on the generated routing, the
// summaries on handmade episodes, and the HTML report.
import { describe, it, expect } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { buildAlertmanagerConfig } from '../../alerts/alertmanager.ts';
import { replayRule, type Episode, type RuleToReplay } from '../../backtest/alerting.ts';
import { chunks, evaluateOverRange, evaluationTimes, MAX_POINTS } from '../../backtest/range.ts';
import { notifications, routeAlert, mutedSpans, type AlertmanagerConfigObject } from '../../backtest/alertmanager.ts';
import { summarise } from '../../backtest/summary.ts';
import { renderHtml } from '../../backtest/html.ts';
import { phasesFromRules, parseTime } from '../../backtest/phases.ts';
import type { BacktestResult } from '../../backtest/run.ts';

const S = 1000;
const M = 60 * S;
const rule = (forMs: number, keepFiringForMs = 0): RuleToReplay => ({ alert: 'DeepgramTest', rule: 0, expr: 'x', forMs, keepFiringForMs, labels: { severity: 'warning' } });
/** Evaluations every minute from 0 to `n` minutes. */
const grid = (n: number) => Array.from({ length: n + 1 }, (_, i) => i * M);
const at = (...minutes: number[]) => minutes.map((m) => m * M);
const series = (...minutes: number[]) => [{ labels: { __name__: 'x', node: 'a' }, times: at(...minutes) }];

describe('the for: state machine (Prometheus AlertingRule.Eval)', () => {
  it('fires at the first evaluation where evalTime - ActiveAt >= for, and resolves at the first evaluation without the series', () => {
    const [e, ...rest] = replayRule(rule(2 * M), grid(10), series(1, 2, 3, 4, 5));
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ activeAt: 1 * M, start: 3 * M, end: 6 * M, severity: 'warning', labels: { node: 'a', severity: 'warning' } });
    expect(e!.labels).not.toHaveProperty('__name__');
  });

  it('stays pending one evaluation short of for:, and a gap resets it', () => {
    expect(replayRule(rule(2 * M), grid(10), series(1, 2))).toEqual([]);
    // Present at 1, 2, gone at 3, back at 4, 5: pending again from 4, never 2 minutes.
    expect(replayRule(rule(2 * M), grid(10), series(1, 2, 4, 5))).toEqual([]);
    expect(replayRule(rule(2 * M), grid(10), series(1, 2, 4, 5, 6))).toMatchObject([{ activeAt: 4 * M, start: 6 * M, end: 7 * M }]);
  });

  it('for: 0s fires at the evaluation that first returns the series; a series still there at the end is still firing', () => {
    expect(replayRule(rule(0), grid(5), series(2))).toMatchObject([{ start: 2 * M, end: 3 * M }]);
    const [open] = replayRule(rule(0), grid(5), series(4, 5));
    expect(open).toMatchObject({ start: 4 * M });
    expect(open!.end).toBeUndefined();
  });

  it('keep_firing_for holds a firing alert over short gaps, counted from the first evaluation without the series', () => {
    // Fires at 1, absent 2 and 3: kept while t - 2 < 2m, i.e. at 2 and 3; back at 4 resets; absent from 6: resolved at 8.
    expect(replayRule(rule(0, 2 * M), grid(12), series(1, 4, 5))).toMatchObject([{ start: 1 * M, end: 8 * M }]);
    // A pending alert is not kept: keep_firing_for applies to firing alerts only.
    expect(replayRule(rule(2 * M, 5 * M), grid(12), series(1, 2))).toEqual([]);
  });

  it('tells label sets apart, and ignores presence between evaluations', () => {
    const two = [
      { labels: { node: 'a' }, times: at(1, 2) },
      { labels: { node: 'b' }, times: [...at(3), 3 * M + 500] },
    ];
    expect(replayRule(rule(0), grid(5), two).map((e) => [e.labels.node, e.start, e.end])).toEqual([
      ['a', 1 * M, 3 * M],
      ['b', 3 * M, 4 * M],
    ]);
  });
});

describe('the evaluation grid', () => {
  it('is aligned to the interval, shifted by the group offset', () => {
    expect(evaluationTimes(10_500, 14_000, 1000)).toEqual([11_000, 12_000, 13_000, 14_000]);
    expect(evaluationTimes(10_500, 14_000, 1000, 250)).toEqual([11_250, 12_250, 13_250]);
    expect(evaluationTimes(0, 3 * M, M)).toEqual(grid(3));
  });

  it('goes out in contiguous chunks under 11 000 points and a day each', () => {
    const week = evaluationTimes(0, 7 * 86_400_000, 15 * S);
    const parts = chunks(week, 15 * S);
    expect(parts.length).toBe(7 + 1);
    for (const [i, c] of parts.entries()) {
      expect((c.endMs - c.startMs) / (15 * S) + 1).toBeLessThanOrEqual(MAX_POINTS);
      if (i > 0) expect(c.startMs).toBe(parts[i - 1]!.endMs + 15 * S);
    }
    expect(parts[0]!.startMs).toBe(0);
    expect(parts.at(-1)!.endMs).toBe(7 * 86_400_000);
    const seconds = evaluationTimes(0, 86_400_000, S);
    expect(chunks(seconds, S).map((c) => (c.endMs - c.startMs) / S + 1)).toEqual([...Array(7).fill(MAX_POINTS), 86_401 - 7 * MAX_POINTS]);
  });

  it('stitches the chunks of one series back together', async () => {
    const asked: [number, number][] = [];
    const prometheus = {
      query: async () => [],
      // Answers like Prometheus: one point per step where the "series" exists (every other minute).
      queryRange: async (_expr: string, start: number, end: number, step: number) => {
        asked.push([start, end]);
        const values: [number, number][] = [];
        for (let t = start; t <= end; t += step) if (Math.round(t / 60) % 2 === 0) values.push([t, 1]);
        return [{ metric: { node: 'a' }, values }];
      },
    };
    const times = evaluationTimes(0, 2 * 86_400_000, M);
    const [s] = await evaluateOverRange(prometheus, 'x', times, M);
    expect(asked.length).toBe(3);
    expect(s!.times).toEqual(times.filter((t) => (t / M) % 2 === 0));
  });
});

const config = parseConfig({ cluster: { multiCluster: true } });
const am = buildAlertmanagerConfig(config) as unknown as AlertmanagerConfigObject;
const episode = (alert: string, severity: string, labels: Record<string, string>, startMin: number, endMin?: number): Episode => ({
  alert,
  rule: 0,
  severity,
  labels: { ...labels, severity },
  activeAt: startMin * M,
  start: startMin * M,
  ...(endMin !== undefined ? { end: endMin * M } : {}),
});

describe("Alertmanager's routing, inhibition and grouping, on the generated routing", () => {
  it('routes by severity, the watchdog to its own receiver', () => {
    expect(routeAlert(am.route, { alertname: 'DeepgramHighErrorRate', severity: 'critical' }).map((l) => l.receiver)).toEqual(['deepgram-pager']);
    expect(routeAlert(am.route, { alertname: 'DeepgramGPUSaturated', severity: 'warning' }).map((l) => l.receiver)).toEqual(['deepgram-ticket']);
    expect(routeAlert(am.route, { alertname: 'DeepgramWatchdog', severity: 'none' })[0]).toMatchObject({ receiver: 'deepgram-watchdog', groupIntervalMs: M, repeatIntervalMs: M });
  });

  it("a down Engine mutes its node's latency, not another node's, and never an error-rate page", () => {
    const list = [
      episode('DeepgramSourceDown', 'critical', { cluster: 'c1', node: 'n1', source: 'engine' }, 10, 40),
      episode('DeepgramHighLatencyP95', 'warning', { cluster: 'c1', node: 'n1', source: 'engine' }, 12, 30),
      episode('DeepgramHighLatencyP95', 'warning', { cluster: 'c1', node: 'n2', source: 'engine' }, 12, 30),
      episode('DeepgramHighErrorRate', 'critical', { cluster: 'c1', node: 'n1', source: 'engine' }, 12, 30),
    ];
    const muted = mutedSpans(list, am.inhibit_rules ?? [], 100 * M);
    expect(muted).toEqual([[], [[12 * M, 30 * M]], [], []]);
    const sent = notifications(list, am, 100 * M).filter((n) => n.firing > 0);
    // SourceDown and the error rate each page once; the latency ticket only for n2 (n1's is muted).
    expect(sent.map((n) => [n.receiver, n.group.includes('DeepgramSourceDown') ? 'down' : n.group.includes('DeepgramHighErrorRate') ? 'errors' : 'latency', n.firing]).sort()).toEqual([
      ['deepgram-pager', 'down', 1],
      ['deepgram-pager', 'errors', 1],
      ['deepgram-ticket', 'latency', 1],
    ]);
  });

  it("a full node is one ticket: the concurrency limit holds that node's stream-capacity warning, not another node's", () => {
    // As on the noisy fleet's capacity-exhausted node: the concurrency limit fires first (for: 5m), the stream
    // capacity ten minutes later (for: 15m); on n2 only the stream capacity (no max_active_requests set).
    const list = [
      episode('DeepgramConcurrencyLimitNear', 'warning', { cluster: 'c1', node: 'n1' }, 5, 40),
      episode('DeepgramStreamCapacityHigh', 'warning', { cluster: 'c1', node: 'n1' }, 15, 40),
      episode('DeepgramStreamCapacityHigh', 'warning', { cluster: 'c1', node: 'n2' }, 60, 80),
    ];
    expect(mutedSpans(list, am.inhibit_rules ?? [], 100 * M)).toEqual([[], [[15 * M, 40 * M]], []]);
    const sent = notifications(list, am, 100 * M).filter((n) => n.firing > 0);
    expect(sent.map((n) => [n.receiver, n.group.includes('DeepgramConcurrencyLimitNear') ? 'limit' : 'streams', n.at / M])).toEqual([
      ['deepgram-ticket', 'limit', 5.5],
      ['deepgram-ticket', 'streams', 60.5],
    ]);
  });

  it('ten nodes with the same fault in one cluster are one notification; a second cluster is another', () => {
    // Within group_wait (30 s) of the first: one notification of ten.
    const list = Array.from({ length: 10 }, (_, i) => episode('DeepgramGPUSaturated', 'warning', { cluster: 'c1', node: `n${i}` }, 10 + i * 0.04, 50));
    list.push(episode('DeepgramGPUSaturated', 'warning', { cluster: 'c2', node: 'x' }, 10, 50));
    const firing = notifications(list, am, 60 * M).filter((n) => n.firing > 0);
    expect(firing.map((n) => n.firing).sort((a, b) => a - b)).toEqual([1, 10]);
    // Spread over a minute: the first six at group_wait, the other four at the next group_interval tick.
    const spread = Array.from({ length: 10 }, (_, i) => episode('DeepgramGPUSaturated', 'warning', { cluster: 'c1', node: `n${i}` }, 10 + i * 0.1, 50));
    expect(notifications(spread, am, 60 * M).filter((n) => n.firing > 0).map((n) => [n.at / M, n.firing])).toEqual([
      [10.5, 6],
      [15.5, 10],
    ]);
  });

  it('repeats after repeat_interval while firing, and says once that everything resolved', () => {
    const repeat = 4 * 60; // the default repeat_interval, 4h, in minutes
    const sent = notifications([episode('DeepgramGPUSaturated', 'warning', { cluster: 'c1', node: 'n1' }, 0, repeat + 60)], am, 2 * repeat * M);
    expect(sent.map((n) => n.reason)).toEqual(['new', 'repeat', 'resolved']);
  });

  it('a new alert joining a notified group is notified at the next group_interval tick', () => {
    const list = [episode('DeepgramGPUSaturated', 'warning', { cluster: 'c1', node: 'a' }, 0, 60), episode('DeepgramGPUSaturated', 'warning', { cluster: 'c1', node: 'b' }, 20, 60)];
    const sent = notifications(list, am, 100 * M).filter((n) => n.firing > 0);
    const groupWait = 30 * S;
    const groupInterval = 5 * M;
    expect(sent.map((n) => n.at)).toEqual([groupWait, groupWait + 4 * groupInterval]);
  });
});

describe('summaries on handmade episodes', () => {
  const week = 7 * 86_400_000;
  const list = [
    // Two weeks: three critical episodes on n1, one warning on n2 lasting a day, one warning begun before the range.
    episode('DeepgramHighErrorRate', 'critical', { node: 'n1' }, 60, 70),
    episode('DeepgramHighErrorRate', 'critical', { node: 'n1' }, 600, 620),
    episode('DeepgramSourceDown', 'critical', { node: 'n1' }, 9000, 9002),
    episode('DeepgramGPUSaturated', 'warning', { node: 'n2' }, 2000, 2000 + 24 * 60),
    episode('DeepgramGPUTemperatureHigh', 'warning', { node: 'n3' }, -30, 30),
  ];
  const s = summarise(list, notifications(list, am, 2 * week), 0, 2 * week);

  it('pages and tickets per week count episodes that began in the range', () => {
    expect(s.weeks).toBe(2);
    expect([s.pages, s.pagesPerWeek, s.tickets, s.ticketsPerWeek]).toEqual([3, 1.5, 1, 0.5]);
  });

  it('per alert: episodes, time firing clipped to the range, longest, label sets', () => {
    const errors = s.alerts.find((a) => a.alert === 'DeepgramHighErrorRate')!;
    expect(errors).toMatchObject({ kind: 'page', episodes: 2, perWeek: 1, firingMs: 30 * M, longestMs: 20 * M, labelSets: 1 });
    const hot = s.alerts.find((a) => a.alert === 'DeepgramGPUTemperatureHigh')!;
    expect(hot).toMatchObject({ episodes: 0, firingMs: 30 * M });
    expect(s.alerts[0]!.alert).toBe('DeepgramHighErrorRate');
  });

  it('noisiest label sets and longest episodes first', () => {
    expect(s.noisiest[0]).toMatchObject({ alert: 'DeepgramHighErrorRate', episodes: 2, labels: { node: 'n1' } });
    expect(s.longest[0]).toMatchObject({ alert: 'DeepgramGPUSaturated', durationMs: 24 * 60 * M, open: false });
  });

  it('notifications per receiver inside the range', () => {
    const pager = s.receivers.find((r) => r.receiver === 'deepgram-pager')!;
    expect(pager).toMatchObject({ firing: 3, firingPerWeek: 1.5 });
    // The day-long warning: its first notification and a repeat every 4 h (repeat_interval) until it resolves.
    expect(s.receivers.find((r) => r.receiver === 'deepgram-ticket')!.firing).toBe(1 + 5);
  });
});

describe('evaluation offsets from the rules API', () => {
  it('the last evaluation modulo the interval, per group; never-evaluated groups left out', () => {
    expect(parseTime('2026-12-06T20:33:30.123456789Z')).toBeCloseTo(Date.parse('2026-12-06T20:33:30.123Z') + 0.456789, 3);
    const data = {
      groups: [
        { name: 'dgmon.gpu.alerts', interval: 60, lastEvaluation: '2026-12-06T20:33:17.250000001Z' },
        { name: 'dgmon.meta.alerts', interval: 60, lastEvaluation: '0001-01-01T00:00:00Z' },
        { name: 'other', interval: 30, lastEvaluation: '2026-12-06T20:33:17.250Z' },
      ],
    };
    expect(phasesFromRules(data, { 'dgmon.gpu.alerts': '1m', 'dgmon.meta.alerts': '1m' })).toEqual({ 'dgmon.gpu.alerts': 17_250 });
  });
});

describe('the HTML report', () => {
  const result: BacktestResult = {
    startMs: 0,
    endMs: 86_400_000,
    rules: [
      { alert: 'DeepgramHighErrorRate', rule: 0, expr: 'x', forMs: 0, keepFiringForMs: 0, labels: { severity: 'critical' }, severity: 'critical', intervalMs: M, evaluated: 'x', series: 1, episodes: 1 },
      { alert: 'DeepgramGPUSaturated', rule: 1, expr: 'y', forMs: 0, keepFiringForMs: 0, labels: { severity: 'warning' }, severity: 'warning', intervalMs: M, evaluated: 'y', series: 0, episodes: 0 },
    ],
    expanded: [],
    episodes: [episode('DeepgramHighErrorRate', 'critical', { node: '<n1>' }, 60, 90)],
    notifications: [],
    summary: summarise([episode('DeepgramHighErrorRate', 'critical', { node: '<n1>' }, 60, 90)], [], 0, 86_400_000),
  };
  const html = renderHtml({ name: 'dgmon.yaml', result }, { name: 'DeepgramHighErrorRate.threshold=0.08', result: { ...result, episodes: [], summary: summarise([], [], 0, 86_400_000) } });

  it('is self-contained: no external stylesheet, script, image or font', () => {
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/\bsrc\s*=/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/@import/i);
    // The only URL: the SVG namespace, a name and never fetched.
    expect(new Set(html.match(/https?:\/\/[^"\s<]+/g) ?? [])).toEqual(new Set(['http://www.w3.org/2000/svg']));
  });

  it('draws one timeline per alert with its episodes as bars, label values escaped, and the what-if table', () => {
    expect(html).toContain('data-alert="DeepgramHighErrorRate"');
    expect(html).toMatch(/data-alert="DeepgramGPUSaturated"><h3>DeepgramGPUSaturated <span class="count">silent/);
    expect(html.match(/<rect /g)?.length).toBe(1);
    expect(html).toContain('node=&quot;&lt;n1&gt;&quot;');
    expect(html).not.toContain('<n1>');
    expect(html).toContain('What if: dgmon.yaml → DeepgramHighErrorRate.threshold=0.08');
  });
});
