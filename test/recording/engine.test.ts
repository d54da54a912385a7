// promql_expr_test checks of the Engine and SLO recording rules, on the default config, with input series in the
// shapes the Engine really exposes (status classes, le written as "1.0", histograms with all their buckets).
import { describe, it, expect } from 'vitest';
import { defaultConfig, promtoolTestRules, type PromtoolCase, type Series } from '../support/promtool.ts';

const NODE_A = 'job="deepgram-engine",instance="10.0.0.5:9991"';
const NODE_B = 'job="deepgram-engine",instance="10.0.0.6:9991"';

const perMinute = (n: number, steps = 20) => `0+${n}x${steps}`;
const requests = (target: string, kind: string, status: string, n: number): Series => ({
  series: `engine_requests_total{${target},kind="${kind}",response_status="${status}"}`,
  values: perMinute(n),
});

/** A whole histogram (every bucket, _sum, _count) observing `perStep[value]` values of each size per minute. */
function histogram(metric: string, target: string, les: string[], perStep: Record<number, number>): Series[] {
  const obs = Object.entries(perStep).map(([v, c]) => [Number(v), c] as const);
  const upTo = (le: string) => obs.filter(([v]) => le === '+Inf' || v <= Number(le)).reduce((s, [, c]) => s + c, 0);
  return [
    ...les.map((le) => ({ series: `${metric}_bucket{${target},le="${le}"}`, values: perMinute(upTo(le)) })),
    { series: `${metric}_sum{${target}}`, values: perMinute(Number(obs.reduce((s, [v, c]) => s + v * c, 0).toFixed(6))) },
    { series: `${metric}_count{${target}}`, values: perMinute(upTo('+Inf')) },
  ];
}
// Bucket bounds exactly as the Engine writes them.
const BATCH_LE = ['1.0', '2.5', '5.0', '10.0', '30.0', '60.0', '+Inf'];
const STREAM_LE = [
  '0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7', '0.8', '0.9', '1.0',
  '1.1', '1.2', '1.3', '1.4', '1.5', '1.6', '1.7', '1.8', '1.9', '2.0',
  '5.0', '10.0', '+Inf',
];

/**
 * promtool 2.42 compares sample values exactly, and rate() extrapolation leaves float noise (0.49999999999999994), so
 * computed ratios are compared rounded to 1e-6. round() drops the metric name: the expected labels have none.
 */
const rounded = (expr: string) => `round(${expr}, 0.000001)`;

function check(c: PromtoolCase): void {
  const result = promtoolTestRules(defaultConfig(), [c]);
  expect(result.code, result.output).toBe(0);
}

describe('Engine recording rules', () => {
  it('sums server errors and requests over the cluster before dividing', () => {
    // Node A: 400 requests/min, 1 % 5xx. Node B: 100 requests/min, 50 % 5xx (and 10 % 4xx, which are not server
    // errors). Cluster: 54 of 500 = 10.8 %; the mean of the two node ratios would be 25.5 %.
    check({
      name: 'server-error ratio',
      input: [
        requests(NODE_A, 'batch', '2xx', 396),
        requests(NODE_A, 'batch', '5xx', 4),
        requests(NODE_B, 'stream', '2xx', 40),
        requests(NODE_B, 'stream', '4xx', 10),
        requests(NODE_B, 'stream', '5xx', 50),
      ],
      exprs: [
        {
          at: '10m',
          expr: rounded('node:engine_requests_server_errors:ratio_rate5m'),
          expect: [
            { labels: '{node="10.0.0.5"}', value: 0.01 },
            { labels: '{node="10.0.0.6"}', value: 0.5 },
          ],
        },
        { at: '10m', expr: rounded('cluster:engine_requests_server_errors:ratio_rate5m'), expect: [{ labels: '{}', value: 0.108 }] },
        // The SLO's own error ratio, read from the raw counters, agrees.
        { at: '10m', expr: rounded('cluster:engine_availability_errors:ratio_rate5m'), expect: [{ labels: '{}', value: 0.108 }] },
        { at: '10m', expr: rounded('cluster:engine_availability_errors:ratio_rate1h'), expect: [{ labels: '{}', value: 0.108 }] },
        // Requests per second by kind and status class, per node.
        {
          at: '10m',
          expr: rounded('node_kind_status:engine_requests:rate5m{node="10.0.0.6"}'),
          expect: [
            { labels: '{node="10.0.0.6",kind="stream",kind_group="stream",response_status="2xx"}', value: 0.666667 },
            { labels: '{node="10.0.0.6",kind="stream",kind_group="stream",response_status="4xx"}', value: 0.166667 },
            { labels: '{node="10.0.0.6",kind="stream",kind_group="stream",response_status="5xx"}', value: 0.833333 },
          ],
        },
      ],
    });
  });

  it('computes batch P95 from the whole histogram', () => {
    // Per minute: 50 requests under 1 s, 30 under 2.5 s, 10 under 5 s, 10 under 10 s. The 95th of 100 lies halfway
    // into the (5, 10] bucket: 7.5 s.
    check({
      name: 'batch P95',
      input: histogram('engine_batch_response_time_seconds', NODE_A, BATCH_LE, { 0.5: 50, 2: 30, 4: 10, 8: 10 }),
      exprs: [
        {
          at: '10m',
          expr: rounded('node:engine_batch_response_time_seconds:histogram_quantile_rate5m{quantile="0.95"}'),
          expect: [{ labels: '{node="10.0.0.5",quantile="0.95"}', value: 7.5 }],
        },
        {
          at: '10m',
          expr: rounded('cluster:engine_batch_response_time_seconds:histogram_quantile_rate5m{quantile="0.95"}'),
          expect: [{ labels: '{quantile="0.95"}', value: 7.5 }],
        },
      ],
    });
  });

  it('compares open streams with the stream capacity, both concurrencies', () => {
    // 30 open streams (plus 5 batch and 2 TTS requests, which are not streams) on a node estimating 40.
    check({
      name: 'stream capacity used',
      input: [
        { series: `engine_estimated_stream_capacity{${NODE_A}}`, values: '40x20' },
        { series: `engine_active_requests{${NODE_A},kind="stream"}`, values: '30x20' },
        { series: `engine_active_requests{${NODE_A},kind="batch"}`, values: '5x20' },
        { series: `engine_active_requests{${NODE_A},kind="tts"}`, values: '2x20' },
        { series: `engine_max_active_requests{${NODE_A}}`, values: '0x20' },
        // A node that just started: capacity estimate 0, so no ratio (not +Inf or NaN).
        { series: `engine_estimated_stream_capacity{${NODE_B}}`, values: '0x20' },
        { series: `engine_active_requests{${NODE_B},kind="stream"}`, values: '0x20' },
      ],
      exprs: [
        { at: '5m', expr: 'node:engine_stream_capacity_used:ratio', expect: [{ labels: 'node:engine_stream_capacity_used:ratio{node="10.0.0.5"}', value: 0.75 }] },
        { at: '5m', expr: 'cluster:engine_active_streams:sum', expect: [{ labels: 'cluster:engine_active_streams:sum', value: 30 }] },
        { at: '5m', expr: 'cluster:engine_estimated_stream_capacity:sum', expect: [{ labels: 'cluster:engine_estimated_stream_capacity:sum', value: 40 }] },
        { at: '5m', expr: 'cluster:engine_estimated_stream_capacity:max', expect: [{ labels: 'cluster:engine_estimated_stream_capacity:max', value: 40 }] },
        { at: '5m', expr: 'cluster:engine_nodes:count', expect: [{ labels: 'cluster:engine_nodes:count', value: 2 }] },
      ],
    });
  });

  it('has no concurrency ratio where max_active_requests is 0 (no limit)', () => {
    check({
      name: 'concurrency limit used',
      input: [
        // No limit, 500 active requests.
        { series: `engine_max_active_requests{${NODE_A}}`, values: '0x20' },
        { series: `engine_active_requests{${NODE_A},kind="batch"}`, values: '450x20' },
        { series: `engine_active_requests{${NODE_A},kind="stream"}`, values: '50x20' },
        // A limit of 20, 10 active requests of two kinds.
        { series: `engine_max_active_requests{${NODE_B}}`, values: '20x20' },
        { series: `engine_active_requests{${NODE_B},kind="batch"}`, values: '6x20' },
        { series: `engine_active_requests{${NODE_B},kind="stream"}`, values: '4x20' },
      ],
      exprs: [
        { at: '5m', expr: 'node:engine_concurrency_limit_used:ratio', expect: [{ labels: 'node:engine_concurrency_limit_used:ratio{node="10.0.0.6"}', value: 0.5 }] },
        { at: '5m', expr: 'node:engine_active_requests:sum{node="10.0.0.5"}', expect: [{ labels: 'node:engine_active_requests:sum{node="10.0.0.5"}', value: 500 }] },
      ],
    });
  });

  it('counts streaming observations over 400 ms with the Engine\'s le="0.4" bucket', () => {
    // Per minute 800 responses at 350 ms and 200 at 450 ms: 20 % slow. A rule reading le="0.5" would see none.
    check({
      name: 'SLO slow-latency ratio',
      input: histogram('engine_stream_latency', NODE_A, STREAM_LE, { 0.35: 800, 0.45: 200 }),
      exprs: [
        { at: '10m', expr: rounded('cluster:engine_stream_latency_slow:ratio_rate5m'), expect: [{ labels: '{}', value: 0.2 }] },
        { at: '10m', expr: rounded('cluster:engine_stream_latency_slow:ratio_rate1h'), expect: [{ labels: '{}', value: 0.2 }] },
        { at: '10m', expr: rounded('node:engine_stream_latency:mean_rate5m'), expect: [{ labels: '{node="10.0.0.5"}', value: 0.37 }] },
      ],
    });
  });

  it('keys nodes by instance host off Kubernetes and by namespace/pod on it', () => {
    check({
      name: 'node key',
      input: [
        // Scraped directly: the port is dropped, so 10.0.0.5:9991 and dcgm-exporter's 10.0.0.5:9400 meet.
        { series: `engine_estimated_stream_capacity{${NODE_A}}`, values: '10x20' },
        // A host name without a port, and a cluster label that is kept.
        { series: 'engine_estimated_stream_capacity{job="deepgram-engine",cluster="eu-1",instance="gpu-node-7"}', values: '20x20' },
        // Deepgram's Helm scrape job adds namespace, service and pod: the pod is the node key.
        {
          series: 'engine_estimated_stream_capacity{job="dg_engine_metrics",instance="10.244.1.7:9991",namespace="dg-self-hosted",pod="deepgram-engine-7c9f8d-x2k4q",service="deepgram-engine-metrics"}',
          values: '30x20',
        },
        // Not an Engine job: ignored.
        { series: 'engine_estimated_stream_capacity{job="something-else",instance="10.9.9.9:9991"}', values: '99x20' },
      ],
      exprs: [
        {
          at: '5m',
          expr: 'node:engine_estimated_stream_capacity:sum',
          expect: [
            { labels: 'node:engine_estimated_stream_capacity:sum{node="10.0.0.5"}', value: 10 },
            { labels: 'node:engine_estimated_stream_capacity:sum{cluster="eu-1",node="gpu-node-7"}', value: 20 },
            { labels: 'node:engine_estimated_stream_capacity:sum{node="dg-self-hosted/deepgram-engine-7c9f8d-x2k4q"}', value: 30 },
          ],
        },
      ],
    });
  });
  it('records requests by status once per kind across the per-kind groups, and the per-node totals straight from the counters', () => {
    // Each request kind is recorded by a group of its own; a kind the catalogue does not list ("translate") falls to
    // the last group, once. Two pods behind one Service address: the per-node total, summed per target before the node
    // key, still keeps them apart.
    const POD = (pod: string) => `job="dg_engine_metrics",instance="10.96.0.10:9991",namespace="dg",pod="${pod}"`;
    check({
      name: 'requests by kind in parallel groups',
      input: [
        requests(NODE_A, 'batch', '2xx', 60),
        requests(NODE_A, 'stream', '2xx', 30),
        requests(NODE_A, 'tts', '5xx', 6),
        requests(NODE_A, 'translate', '2xx', 24),
        requests(POD('engine-a'), 'batch', '2xx', 120),
        requests(POD('engine-b'), 'batch', '5xx', 60),
      ],
      exprs: [
        {
          at: '10m',
          expr: rounded('node_kind_status:engine_requests:rate5m{node="10.0.0.5"}'),
          expect: [
            { labels: '{node="10.0.0.5",kind="batch",kind_group="batch",response_status="2xx"}', value: 1 },
            { labels: '{node="10.0.0.5",kind="stream",kind_group="stream",response_status="2xx"}', value: 0.5 },
            { labels: '{node="10.0.0.5",kind="tts",kind_group="other",response_status="5xx"}', value: 0.1 },
            { labels: '{node="10.0.0.5",kind="translate",kind_group="other",response_status="2xx"}', value: 0.4 },
          ],
        },
        {
          at: '10m',
          expr: rounded('node:engine_requests:rate5m'),
          expect: [
            { labels: '{node="10.0.0.5"}', value: 2 },
            { labels: '{node="dg/engine-a"}', value: 2 },
            { labels: '{node="dg/engine-b"}', value: 1 },
          ],
        },
        {
          at: '10m',
          expr: rounded('node:engine_requests_server_errors:ratio_rate5m'),
          // engine-a has never answered a 5xx: the Engine has no such series yet, so no ratio (as before the split).
          expect: [
            { labels: '{node="10.0.0.5"}', value: 0.05 },
            { labels: '{node="dg/engine-b"}', value: 1 },
          ],
        },
      ],
    });
  });

  it('sums every TTS bucket across the three bands the TTS rules are split into', () => {
    // Every bucket the Engine writes ("0.05" … "2.0", "2.5" … "60.0", "+Inf") on one node, and the same bounds written
    // as Go clients write them ("1", "2", "10") on another node of another tier. Per minute: 60 first bytes at 0.3 s,
    // 30 at 1.5 s, 10 at 8 s. A bucket left out of every band would break the quantiles; the median lies in
    // (0.2, 0.3], 50 of its 60: 0.2833 s.
    const tts = (target: string, tier: string, les: string[]) =>
      histogram('engine_tts_first_transcoded_byte_latency', `${target},tier="${tier}"`, les, { 0.3: 60, 1.5: 30, 8: 10 });
    const engineLe = ['0.05', ...Array.from({ length: 20 }, (_, i) => ((i + 1) / 10).toFixed(1)), '2.5', '3.0', '4.0', '5.0', '10.0', '30.0', '60.0', '+Inf'];
    const goLe = engineLe.map((le) => le.replace(/\.0$/, ''));
    const recorded = 'cluster_tier_le:engine_tts_first_transcoded_byte_latency_bucket:rate5m';
    const perTier = (value: number) => ['aura', 'aura-2'].map((tier) => ({ labels: `{tier="${tier}"}`, value }));
    check({
      name: 'TTS bucket bands',
      input: [...tts(NODE_A, 'aura-2', engineLe), ...tts(NODE_B, 'aura', goLe)],
      exprs: [
        { at: '10m', expr: `count by (tier) (${recorded})`, expect: perTier(29) },
        { at: '10m', expr: rounded(`sum by (tier) (${recorded}{le="+Inf"})`), expect: perTier(1.666667) },
        { at: '10m', expr: rounded(`histogram_quantile(0.5, sum by (tier, le) (${recorded}))`), expect: perTier(0.283333) },
      ],
    });
  });
});
