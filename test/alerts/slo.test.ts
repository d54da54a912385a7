// promtool unit tests for the error-budget burn-rate alerts, on the default config: 30d period, availability 99.9 %
// (budget 0.1 %), streaming latency 99 % under 400 ms (budget 1 %), and the four default burn-rate rows
// 1h/5m x14.4 critical for 2m, 6h/30m x6 critical for 15m, 1d/2h x3 warning for 1h, 3d/6h x1 warning for 3h.
//
// Timing: the alerts read recording rules evaluated in the same step, in whatever order the groups run, so they can
// lag the data by one evaluation per group on the way (raw → per node → per cluster → SLO ratio → alert: up to three).
// Every case runs under every group order that can change its result (everyGroupOrder), as promtool (random order)
// and Prometheus (each group on its own schedule) may run them. A rate() needs two samples, so a ratio exists from
// the second sample on: with 1m samples a rule turns pending between 1m and 4m and a 2m `for:` fires between 3m and
// 6m. Windows longer than the rate window sum the recorded per-cluster rates, so the slow rows need minute samples
// too (hours of them). "Just before" is checked where it cannot have fired yet, "fires" where it must have.
import { describe, it, expect } from 'vitest';
import { alertTest, links, promtoolTestRules, type ExpectedAlert, type Series } from '../support/promtool.ts';
import { parseConfig } from '../../core/config.ts';
import { buildRules } from '../../alerts/index.ts';

const ENGINE = 'job="deepgram-engine",instance="10.0.0.5:9991"';
const requests = (status: string, values: string, kind = 'batch', target = ENGINE): Series => ({
  series: `engine_requests_total{${target},kind="${kind}",response_status="${status}"}`,
  values,
});
// The Engine's start-up metrics: present before any request.
const engineIdle: Series[] = [
  { series: `engine_estimated_stream_capacity{${ENGINE}}`, values: '0x300' },
  { series: `engine_active_requests{${ENGINE},kind="batch"}`, values: '0x300' },
  { series: `engine_active_requests{${ENGINE},kind="stream"}`, values: '0x300' },
  { series: `engine_active_requests{${ENGINE},kind="tts"}`, values: '0x300' },
  { series: `engine_max_active_requests{${ENGINE}}`, values: '0x300' },
];

// engine_stream_latency's bucket bounds exactly as the Engine writes them.
const STREAM_LE = [
  '0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7', '0.8', '0.9', '1.0',
  '1.1', '1.2', '1.3', '1.4', '1.5', '1.6', '1.7', '1.8', '1.9', '2.0',
  '5.0', '10.0', '+Inf',
];

/**
 * The whole engine_stream_latency histogram (every bucket, _sum and _count) of a node that, in every sample
 * interval, observes `perStep[latency]` responses of each latency, for `steps` intervals.
 */
function streamLatency(perStep: Record<number, number>, steps: number, target = ENGINE): Series[] {
  const observations = Object.entries(perStep).map(([latency, count]) => [Number(latency), count] as const);
  const counter = (n: number) => `0+${n}x${steps}`;
  const total = observations.reduce((s, [, c]) => s + c, 0);
  const sum = observations.reduce((s, [l, c]) => s + l * c, 0);
  return [
    ...STREAM_LE.map((le) => ({
      series: `engine_stream_latency_bucket{${target},le="${le}"}`,
      values: counter(observations.filter(([l]) => le === '+Inf' || l <= Number(le)).reduce((s, [, c]) => s + c, 0)),
    })),
    { series: `engine_stream_latency_sum{${target}}`, values: counter(Number(sum.toFixed(6))) },
    { series: `engine_stream_latency_count{${target}}`, values: counter(total) },
  ];
}

/**
 * The streaming histogram of a node whose observations are listed one sample interval at a time: `steps[i]` holds the
 * latencies observed in interval i. Written out value by value, for traffic that changes from step to step.
 */
function streamObservations(steps: number[][], target = ENGINE): Series[] {
  const cumulative = (count: (latencies: number[]) => number) => {
    let total = 0;
    return steps.map((latencies) => (total += count(latencies))).map((v) => Number(v.toFixed(6))).join(' ');
  };
  return [
    ...STREAM_LE.map((le) => ({
      series: `engine_stream_latency_bucket{${target},le="${le}"}`,
      values: cumulative((ls) => ls.filter((l) => le === '+Inf' || l <= Number(le)).length),
    })),
    { series: `engine_stream_latency_sum{${target}}`, values: cumulative((ls) => ls.reduce((a, b) => a + b, 0)) },
    { series: `engine_stream_latency_count{${target}}`, values: cumulative((ls) => ls.length) },
  ];
}

const AVAILABILITY_SUMMARY = 'Deepgram Engine server errors are burning the availability error budget too fast.';
const LATENCY_SUMMARY = 'Deepgram streaming latency is burning its error budget too fast.';
const availabilityLinks = links('DeepgramErrorBudgetBurn', 'deepgram-fleet');
const latencyLinks = links('DeepgramStreamingLatencyBudgetBurn', 'deepgram-fleet');

// The expected alerts, one per burn-rate row, written out in full.
const availability = {
  fast: (value: string): ExpectedAlert => ({
    labels: { severity: 'critical', long_window: '1h', short_window: '5m', exhaustion: '2d2h' },
    annotations: {
      summary: AVAILABILITY_SUMMARY,
      description: `${value} of Engine requests failed with a server error (5xx) over the last 1h, more than 14.4 times the 0.1 % the 99.9 % objective allows (and still so over the last 5m). Burning this fast, the 30d error budget is gone within 2d2h.`,
      ...availabilityLinks,
    },
  }),
  medium: (value: string): ExpectedAlert => ({
    labels: { severity: 'critical', long_window: '6h', short_window: '30m', exhaustion: '5d' },
    annotations: {
      summary: AVAILABILITY_SUMMARY,
      description: `${value} of Engine requests failed with a server error (5xx) over the last 6h, more than 6 times the 0.1 % the 99.9 % objective allows (and still so over the last 30m). Burning this fast, the 30d error budget is gone within 5d.`,
      ...availabilityLinks,
    },
  }),
  slow: (value: string): ExpectedAlert => ({
    labels: { severity: 'warning', long_window: '1d', short_window: '2h', exhaustion: '10d' },
    annotations: {
      summary: AVAILABILITY_SUMMARY,
      description: `${value} of Engine requests failed with a server error (5xx) over the last 1d, more than 3 times the 0.1 % the 99.9 % objective allows (and still so over the last 2h). Burning this fast, the 30d error budget is gone within 10d.`,
      ...availabilityLinks,
    },
  }),
  leak: (value: string): ExpectedAlert => ({
    labels: { severity: 'warning', long_window: '3d', short_window: '6h', exhaustion: '30d' },
    annotations: {
      summary: AVAILABILITY_SUMMARY,
      description: `${value} of Engine requests failed with a server error (5xx) over the last 3d, more than the 0.1 % the 99.9 % objective allows (and still so over the last 6h). Burning this fast, the 30d error budget is gone within 30d.`,
      ...availabilityLinks,
    },
  }),
};

alertTest('DeepgramErrorBudgetBurn', {
  everyGroupOrder: true,
  // 5 % of requests fail with 5xx from the start: 50x the budget rate, over every window.
  input: [requests('2xx', '0+950x60'), requests('5xx', '0+50x60')],
  fires: { at: '6m', expect: [availability.fast('5%')] },
  justBefore: { at: '2m' },
  // 1.2 % server errors (under 14.4 x 0.1 %), beside as many 4xx as successes: client errors spend no budget.
  belowThreshold: { input: [requests('2xx', '0+488x60'), requests('4xx', '0+500x60'), requests('5xx', '0+12x60')], at: '10m' },
  noTraffic: { input: engineIdle, at: '10m' },
  more: [
    {
      name: 'DeepgramErrorBudgetBurn 6h/30m critical row joins after its 15m for',
      input: [requests('2xx', '0+950x60'), requests('5xx', '0+50x60')],
      alerts: [
        { at: '14m', alert: 'DeepgramErrorBudgetBurn', expect: [availability.fast('5%')] },
        { at: '20m', alert: 'DeepgramErrorBudgetBurn', expect: [availability.fast('5%'), availability.medium('5%')] },
      ],
    },
    {
      // Errors stop at 10m while traffic goes on. By 15m the 5m short window holds no error and the fast row is gone,
      // although the 1h ratio is still 3.4 % (over 14.4x) and the 6h row is still pending. The 6h row then fires (its
      // value changes every minute, so it is not checked here) until its 30m short window has emptied too, by 45m.
      name: 'DeepgramErrorBudgetBurn short windows resolve the rows after the errors stop',
      input: [requests('2xx', '0+950x60'), requests('5xx', '0+50x10 500x50')],
      alerts: [
        { at: '8m', alert: 'DeepgramErrorBudgetBurn', expect: [availability.fast('5%')] },
        { at: '15m', alert: 'DeepgramErrorBudgetBurn', expect: [] },
        { at: '45m', alert: 'DeepgramErrorBudgetBurn', expect: [] },
      ],
    },
    {
      // 0.5 %: over 3x (0.3 %) but under 6x (0.6 %).
      name: 'DeepgramErrorBudgetBurn 1d/2h warning row',
      input: [requests('2xx', '0+995x70'), requests('5xx', '0+5x70')],
      alerts: [
        { at: '60m', alert: 'DeepgramErrorBudgetBurn', expect: [] },
        { at: '65m', alert: 'DeepgramErrorBudgetBurn', expect: [availability.slow('0.5%')] },
      ],
    },
    {
      // 0.2 %: over the budget rate (0.1 %) but under 3x: only the 3d/6h row, after its 3h for.
      name: 'DeepgramErrorBudgetBurn 3d/6h warning row',
      input: [requests('2xx', '0+998x200'), requests('5xx', '0+2x200')],
      alerts: [
        { at: '180m', alert: 'DeepgramErrorBudgetBurn', expect: [] },
        { at: '190m', alert: 'DeepgramErrorBudgetBurn', expect: [availability.leak('0.2%')] },
      ],
    },
    {
      // A quiet Engine: 24 requests an hour (one every 150 s) for 7 hours, and one of them, at 6h, a 5xx (the 5xx
      // series exists from earlier failures). 1 of 144 is 0.7 % over 6h, 1 of 12 is 8 % over 30m, 1 of 24 is 4 %
      // over 1h: ratios over the 6x and 14.4x rows, but one failed request is not an incident (traffic.minErrors).
      name: 'DeepgramErrorBudgetBurn silent for one 5xx among 24 requests an hour',
      interval: '150s',
      input: [requests('2xx', '0+1x167'), requests('5xx', '3x144 4x23')],
      alerts: ['362m', '370m', '375m', '380m', '390m', '400m', '415m'].map((at) => ({ at, alert: 'DeepgramErrorBudgetBurn', expect: [] })),
    },
    {
      // A quiet night on one Engine: 3 requests a minute, 5xx at 20m and 40m (two each) and one every other minute
      // from 64m to 70m. From 64m the 1h window holds 8 failures among about 200 requests (4 %, over 14.4x, and
      // enough for its gate) and the 5m window one to three among about 17 (over 14.4x too): without a gate on the
      // short window the fast row pages at 70-74m, the 6h/30m row at 84m (checked against the rules without it). Too
      // few requests and failures in the last 5 minutes (and in the last 30) to say anything is still failing.
      name: 'DeepgramErrorBudgetBurn silent for night failures scattered over an hour, one to three in the last 5 minutes',
      input: [requests('2xx', '0+3x85'), requests('5xx', '0x19 2x19 4x23 5x1 6x1 7x1 8x15')],
      alerts: ['70m', '72m', '74m', '80m', '84m'].map((at) => ({ at, alert: 'DeepgramErrorBudgetBurn', expect: [] })),
    },
    {
      // 0.05 % of stream requests fail for 3h20m, past the slowest row's 3h for: within budget, no row fires.
      name: 'DeepgramErrorBudgetBurn silent within budget',
      input: [requests('2xx', '0+1999x200', 'stream'), requests('5xx', '0+1x200', 'stream')],
      alerts: [{ at: '200m', alert: 'DeepgramErrorBudgetBurn', expect: [] }],
    },
  ],
});

const latency = {
  fast: (value: string): ExpectedAlert => ({
    labels: { severity: 'critical', long_window: '1h', short_window: '5m', exhaustion: '2d2h' },
    annotations: {
      summary: LATENCY_SUMMARY,
      description: `${value} of streaming latency observations took longer than 400 ms over the last 1h, more than 14.4 times the 1 % the 99 % objective allows (and still so over the last 5m). Burning this fast, the 30d latency budget is gone within 2d2h.`,
      ...latencyLinks,
    },
  }),
  medium: (value: string): ExpectedAlert => ({
    labels: { severity: 'critical', long_window: '6h', short_window: '30m', exhaustion: '5d' },
    annotations: {
      summary: LATENCY_SUMMARY,
      description: `${value} of streaming latency observations took longer than 400 ms over the last 6h, more than 6 times the 1 % the 99 % objective allows (and still so over the last 30m). Burning this fast, the 30d latency budget is gone within 5d.`,
      ...latencyLinks,
    },
  }),
  slow: (value: string): ExpectedAlert => ({
    labels: { severity: 'warning', long_window: '1d', short_window: '2h', exhaustion: '10d' },
    annotations: {
      summary: LATENCY_SUMMARY,
      description: `${value} of streaming latency observations took longer than 400 ms over the last 1d, more than 3 times the 1 % the 99 % objective allows (and still so over the last 2h). Burning this fast, the 30d latency budget is gone within 10d.`,
      ...latencyLinks,
    },
  }),
  leak: (value: string): ExpectedAlert => ({
    labels: { severity: 'warning', long_window: '3d', short_window: '6h', exhaustion: '30d' },
    annotations: {
      summary: LATENCY_SUMMARY,
      description: `${value} of streaming latency observations took longer than 400 ms over the last 3d, more than the 1 % the 99 % objective allows (and still so over the last 6h). Burning this fast, the 30d latency budget is gone within 30d.`,
      ...latencyLinks,
    },
  }),
};

alertTest('DeepgramStreamingLatencyBudgetBurn', {
  everyGroupOrder: true,
  // Per minute 800 responses at 350 ms and 200 at 450 ms: 20 % over 400 ms (in the 0.5 bucket, not the 0.4 one).
  input: streamLatency({ 0.35: 800, 0.45: 200 }, 60),
  fires: { at: '6m', expect: [latency.fast('20%')] },
  justBefore: { at: '2m' },
  // 10 % over 400 ms: under 14.4 x 1 %.
  belowThreshold: { input: streamLatency({ 0.35: 900, 0.45: 100 }, 60), at: '10m' },
  noTraffic: { input: engineIdle, at: '10m' },
  more: [
    {
      // The histogram exists (streams were served earlier) but no stream is open: 0/0, not an alert.
      name: 'DeepgramStreamingLatencyBudgetBurn silent while no stream is open',
      input: [...engineIdle, ...streamLatency({}, 60)],
      alerts: [{ at: '30m', alert: 'DeepgramStreamingLatencyBudgetBurn', expect: [] }],
    },
    {
      // 12 observations an hour (one every 5 minutes), three of them in a row at 900 ms: 3 of 12 is 25 % over 1h and
      // the last 5m are all slow, over the 14.4x row. Three slow responses are not an incident (traffic.minErrors).
      name: 'DeepgramStreamingLatencyBudgetBurn silent for 3 slow streams among 12 observations an hour',
      input: streamObservations(Array.from({ length: 181 }, (_, i) => (i % 5 === 0 && i > 0 ? [[100, 105, 110].includes(i) ? 0.9 : 0.3] : []))),
      alerts: ['104m', '106m', '108m', '110m', '112m', '115m', '118m'].map((at) => ({ at, alert: 'DeepgramStreamingLatencyBudgetBurn', expect: [] })),
    },
    {
      // A healthy node, every response within 400 ms, from the start of the rules. The slow share's numerator and
      // denominator are summed over the same recorded series, so in no group order can one hold a sample the other
      // lacks: the share stays 0 (it paged this node at about 18 minutes, and went negative, when they came from two
      // groups).
      name: 'DeepgramStreamingLatencyBudgetBurn silent and never negative for a healthy node in any group order',
      input: streamLatency({ 0.2: 600, 0.3: 400 }, 40),
      alerts: ['16m', '17m', '18m', '19m', '20m', '25m'].map((at) => ({ at, alert: 'DeepgramStreamingLatencyBudgetBurn', expect: [] })),
      exprs: ['3m', '5m', '10m', '20m'].flatMap((at) =>
        ['30m', '1h', '6h'].map((w) => ({ at, expr: `cluster:engine_stream_latency_slow:ratio_rate${w} != 0`, expect: [] })),
      ),
    },
    {
      // Slow, but every response within 400 ms (all in the 0.4 bucket): nothing spends the budget.
      name: 'DeepgramStreamingLatencyBudgetBurn counts 400 ms itself as good',
      input: streamLatency({ 0.2: 500, 0.4: 500 }, 60),
      alerts: [{ at: '30m', alert: 'DeepgramStreamingLatencyBudgetBurn', expect: [] }],
    },
    {
      name: 'DeepgramStreamingLatencyBudgetBurn 6h/30m critical row',
      input: streamLatency({ 0.35: 800, 0.45: 200 }, 60),
      alerts: [{ at: '20m', alert: 'DeepgramStreamingLatencyBudgetBurn', expect: [latency.fast('20%'), latency.medium('20%')] }],
    },
    {
      // 4 % slow: over 3x (3 %), under 6x (6 %).
      name: 'DeepgramStreamingLatencyBudgetBurn 1d/2h warning row',
      input: streamLatency({ 0.3: 960, 1.2: 40 }, 70),
      alerts: [
        { at: '60m', alert: 'DeepgramStreamingLatencyBudgetBurn', expect: [] },
        { at: '63m', alert: 'DeepgramStreamingLatencyBudgetBurn', expect: [latency.slow('4%')] },
      ],
    },
    {
      // 2 % slow: over the budget rate (1 %), under 3x.
      name: 'DeepgramStreamingLatencyBudgetBurn 3d/6h warning row',
      input: streamLatency({ 0.3: 980, 2.5: 20 }, 190),
      alerts: [
        { at: '180m', alert: 'DeepgramStreamingLatencyBudgetBurn', expect: [] },
        { at: '183m', alert: 'DeepgramStreamingLatencyBudgetBurn', expect: [latency.leak('2%')] },
      ],
    },
  ],
});

describe('burn-rate alerts, multi-cluster', () => {
  it('judge each cluster on its own and name it', () => {
    const config = parseConfig({ cluster: { multiCluster: true } });
    const eu = 'job="deepgram-engine",cluster="eu-1",instance="10.0.0.5:9991"';
    const us = 'job="deepgram-engine",cluster="us-1",instance="10.1.0.5:9991"';
    const result = promtoolTestRules(config, [
      {
        name: 'only eu-1 burns',
        input: [
          requests('2xx', '0+950x30', 'stream', eu),
          requests('5xx', '0+50x30', 'stream', eu),
          requests('2xx', '0+1000x30', 'stream', us),
          requests('5xx', '0+0x30', 'stream', us),
        ],
        alerts: [
          {
            at: '5m',
            alert: 'DeepgramErrorBudgetBurn',
            expect: [
              {
                labels: { severity: 'critical', cluster: 'eu-1', long_window: '1h', short_window: '5m', exhaustion: '2d2h' },
                annotations: {
                  summary: AVAILABILITY_SUMMARY,
                  description: '5% of Engine requests in cluster eu-1 failed with a server error (5xx) over the last 1h, more than 14.4 times the 0.1 % the 99.9 % objective allows (and still so over the last 5m). Burning this fast, the 30d error budget is gone within 2d2h.',
                  ...links('DeepgramErrorBudgetBurn', 'deepgram-fleet', undefined, 'eu-1'),
                },
              },
            ],
          },
        ],
      },
    ]);
    expect(result.code, result.output).toBe(0);
  });
});

describe('burn-rate rules', () => {
  const burnRules = (config: ReturnType<typeof parseConfig>, alert: string) =>
    buildRules(config).alerting.flatMap((g) => g.rules).filter((r) => r.alert === alert);

  it('has one rule per burn-rate row, each with its own labels', () => {
    for (const alert of ['DeepgramErrorBudgetBurn', 'DeepgramStreamingLatencyBudgetBurn']) {
      const rules = burnRules(parseConfig({}), alert);
      expect(rules.map((r) => [r.labels.long_window, r.labels.short_window, r.labels.severity, r.for])).toEqual([
        ['1h', '5m', 'critical', '2m'],
        ['6h', '30m', 'critical', '15m'],
        ['1d', '2h', 'warning', '1h'],
        ['3d', '6h', 'warning', '3h'],
      ]);
      expect(new Set(rules.map((r) => JSON.stringify(r.labels))).size).toBe(rules.length);
    }
  });

  it('follows a changed table and period', () => {
    const config = parseConfig({
      slo: { period: '28d', burnRateWindows: [{ severity: 'critical', long: '1h', short: '5m', factor: 14, for: '2m' }] },
    });
    const [rule, ...rest] = burnRules(config, 'DeepgramErrorBudgetBurn');
    expect(rest).toEqual([]);
    expect(rule!.labels).toMatchObject({ long_window: '1h', short_window: '5m', exhaustion: '2d', severity: 'critical' });
    expect(rule!.expr).toBe(
      [
        'cluster:engine_availability_errors:ratio_rate1h > 14 * 0.001',
        'and',
        'cluster:engine_availability_errors:ratio_rate5m > 14 * 0.001',
        'and on (cluster)',
        'sum by (cluster) (sum_over_time(cluster_kind_status:engine_requests:rate5m[1h])) * 60 >= 30',
        'and on (cluster)',
        'sum by (cluster) (sum_over_time(cluster_kind_status:engine_requests:rate5m{response_status=~"5.."}[1h])) * 60 >= 5',
        'and on (cluster)',
        'sum by (cluster) (increase(engine_requests_total{job=~"deepgram-engine|dg_engine_metrics|dgmon"}[5m])) >= 30',
        'and on (cluster)',
        'sum by (cluster) (increase(engine_requests_total{job=~"deepgram-engine|dg_engine_metrics|dgmon", response_status=~"5.."}[5m])) >= 5',
        'and on (cluster)',
        'sum by (cluster) (increase(engine_requests_total{job=~"deepgram-engine|dg_engine_metrics|dgmon", response_status=~"5.."}[5m]))',
        '> on (cluster)',
        'sum by (cluster) (sum_over_time(cluster_kind_status:engine_requests:rate5m[1h])) * 60 * 14 * 0.001 / 12',
      ].join('\n'),
    );
  });

  it('leaves out the alert of a disabled SLO', () => {
    const config = parseConfig({ slo: { availability: { enabled: false } } });
    expect(burnRules(config, 'DeepgramErrorBudgetBurn')).toEqual([]);
    expect(burnRules(config, 'DeepgramStreamingLatencyBudgetBurn')).toHaveLength(4);
    const none = parseConfig({ slo: { availability: { enabled: false }, streamingLatency: { enabled: false } } });
    expect(buildRules(config).alerting.map((g) => g.name).filter((n) => n.startsWith('dgmon.slo.'))).toEqual(['dgmon.slo.streaming-latency.alerts']);
    expect(buildRules(none).alerting.map((g) => g.name).filter((n) => n.startsWith('dgmon.slo.'))).toEqual([]);
  });
});
