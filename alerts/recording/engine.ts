// Recording rules over the Deepgram Engine: per node first (with the node key that joins GPU series), then per
// cluster from the per-node series, or straight from the raw series where nothing needs them per node (see
// bench/results/fleet.json for what each costs on a 1000-node fleet). Numerators and denominators are summed apart
// and divided last.
import { ENGINE, REQUEST_KINDS, SERVER_ERROR_MATCHER } from '../../core/catalog/index.ts';
import { rate, sumBy, maxBy, quantile } from '../../core/promql.ts';
import type { AlertContext, RecordingRule, RuleGroup } from '../types.ts';

/** The batch-latency quantile DeepgramHighLatencyP95 judges; its recorded series and the alert both read it here. */
export const ALERT_LATENCY_QUANTILE = 0.95;
/** Quantiles recorded for batch latency: the alert's, and P50/P99 for the dashboards. */
export const BATCH_LATENCY_QUANTILES = [0.5, ALERT_LATENCY_QUANTILE, 0.99] as const;

export function engineRecordingRules({ config, q, rec }: AlertContext): RuleGroup<RecordingRule>[] {
  const w = config.intervals.rate;
  const node = q.nodeBy;
  const cluster = q.clusterBy;
  const perNode = (metric: string, extraBy: string[] = [], ...matchers: string[]) =>
    q.byNode('sum', [...node, ...extraBy], rate(q.engine(metric, ...matchers), w), 'engine');
  const gauge = (metric: string, extraBy: string[] = []) => q.byNode('sum', [...node, ...extraBy], q.engine(metric), 'engine');
  // Series only fleet-wide panels and SLOs read need no node key: summed per cluster straight from the raw series, they
  // skip the label functions that cost most of a per-node rule.
  const perCluster = (metric: string, extraBy: string[]) => sumBy([...cluster, ...extraBy], rate(q.engine(metric), w));

  // A per-node total straight from the raw counters, summed per target first: the node key's three label functions
  // then run once per target instead of once per series (15 request series per Engine: kind × status class). The
  // targets are told apart by every label the key reads, so no two nodes' series are ever summed together.
  const { hostLabel, podLabels } = config.node.engine;
  const perTarget = [...cluster, hostLabel, ...podLabels];
  const perNodeTotal = (metric: string, ...matchers: string[]) => q.byNode('sum', node, sumBy(perTarget, rate(q.engine(metric, ...matchers), w)), 'engine');

  // Requests and the server-error share per node, from the raw counters: what DeepgramHighErrorRate reads, so it
  // waits on no other group. At 1000 nodes the per-status rule beside them made this one group 761 ms
  // (bench/results/fleet.json); it now runs in groups of its own (below).
  const perNodeRules: RecordingRule[] = [
    { record: rec.nodeRequests, expr: perNodeTotal(ENGINE.requests.name) },
    {
      record: rec.nodeServerErrorRatio,
      expr: `${perNodeTotal(ENGINE.requests.name, SERVER_ERROR_MATCHER)}\n/\n${rec.nodeRequests}`,
    },
  ];
  // Requests per node by kind and status class (dashboards, the cluster rules, the gates of the latency and error
  // alerts), one group per request kind so they run in parallel; each group's series differ in kind, so all write
  // the same recorded series without overlap. The last group takes every other kind, so a kind the catalogue does not
  // list yet is still recorded, once. Each rule carries its group as `kind_group`: promtool's duplicate-rules lint (on
  // by default in `promtool check rules`) cannot see that the kind matchers are disjoint, and warns on one record name
  // with the same static labels in several rules; every reader sums by kind or selects a kind, so the label is inert.
  const named = REQUEST_KINDS.slice(0, -1);
  const statusGroups: RuleGroup<RecordingRule>[] = [
    ...named.map((kind) => ({ group: kind, matcher: `kind="${kind}"` })),
    { group: 'other', matcher: `kind!~"${named.join('|')}"` },
  ].map(({ group, matcher }) => ({
    name: `dgmon.engine.node.status.${group}.rules`,
    rules: [{ record: rec.nodeRequestsByStatus, expr: perNode(ENGINE.requests.name, ['kind', 'response_status'], matcher), labels: { kind_group: group } }],
  }));
  // Batch latency per node, in a group of its own: at 1000 nodes the per-node work took 860 ms as one group, and
  // latency with speed 425-520 ms as the next (earlier fleet runs). The buckets are the costliest read (about
  // 320 ms); P95, which DeepgramHighLatencyP95 reads, stays in the group of the buckets, so it never lags them by an
  // evaluation. P50 and P99 are for the dashboards only: with all three quantiles the group took up to 541 ms at 1000
  // nodes over 6 h, so they run in a group of their own, one evaluation behind the buckets at most (the buckets' group
  // then took 157-240 ms: bench/results/fleet.json, fleet-1000.json).
  const latencyRule = (qu: number): RecordingRule => ({
    record: rec.nodeBatchLatencyQuantile,
    expr: quantile(qu, node, rec.nodeBatchLatencyBuckets),
    labels: { quantile: String(qu) },
  });
  const perNodeLatencyRules: RecordingRule[] = [
    { record: rec.nodeBatchLatencyBuckets, expr: perNode(`${ENGINE.batchResponseTime.name}_bucket`, ['le']) },
    latencyRule(ALERT_LATENCY_QUANTILE),
  ];
  const perNodeDashboardQuantiles = BATCH_LATENCY_QUANTILES.filter((qu) => qu !== ALERT_LATENCY_QUANTILE).map(latencyRule);
  // Means per node, ratios of two sums (stream latency, batch speed), apart from the buckets so the groups run in
  // parallel; each ratio stays with the sums it divides.
  const perNodeAverageRules: RecordingRule[] = [
    { record: rec.nodeStreamLatencySum, expr: perNode(`${ENGINE.streamLatency.name}_sum`) },
    { record: rec.nodeStreamLatencyCount, expr: perNode(`${ENGINE.streamLatency.name}_count`) },
    { record: rec.nodeStreamLatencyMean, expr: `${rec.nodeStreamLatencySum}\n/\n${rec.nodeStreamLatencyCount}` },
    { record: rec.nodeBatchAudioSeconds, expr: perNode(`${ENGINE.asrPerFileAudioDuration.name}_sum`) },
    { record: rec.nodeBatchWallSeconds, expr: perNode(`${ENGINE.asrPerFileWallTime.name}_sum`) },
    { record: rec.nodeBatchSpeedup, expr: `${rec.nodeBatchAudioSeconds}\n/\n${rec.nodeBatchWallSeconds}` },
  ];
  // Concurrency per node: open requests and streams against what the node can hold. A group of its own, so that
  // no part of the per-node work waits for another.
  const perNodeCapacityRules: RecordingRule[] = [
    { record: rec.nodeActiveRequestsByKind, expr: gauge(ENGINE.activeRequests.name, ['kind']) },
    { record: rec.nodeActiveRequests, expr: sumBy(node, rec.nodeActiveRequestsByKind) },
    { record: rec.nodeStreamCapacity, expr: gauge(ENGINE.estimatedStreamCapacity.name) },
    { record: rec.nodeActiveStreams, expr: sumBy(node, `${rec.nodeActiveRequestsByKind}{kind="stream"}`) },
    {
      // Concurrency over concurrency: open streams against the streams the node says it can hold.
      record: rec.nodeStreamCapacityUsed,
      expr: `${rec.nodeActiveStreams}\n/\n(${rec.nodeStreamCapacity} > 0)`,
    },
    {
      // The Engine exports engine_active_requests only after its first request: a node with capacity and no streams
      // yet has all of it as headroom rather than no series.
      record: rec.nodeStreamHeadroom,
      expr: `${rec.nodeStreamCapacity} - (${rec.nodeActiveStreams} or ${rec.nodeStreamCapacity} * 0)`,
    },
    { record: rec.nodeMaxActiveRequests, expr: q.byNode('max', node, q.engine(ENGINE.maxActiveRequests.name), 'engine') },
    {
      // 0 means "no limit": dividing by it would be +Inf, so such nodes have no series here.
      record: rec.nodeConcurrencyLimitUsed,
      expr: `${rec.nodeActiveRequests}\n/\n(${rec.nodeMaxActiveRequests} > 0)`,
    },
    { record: rec.nodeFluxUsedStreams, expr: gauge(ENGINE.fluxUsedStreams.name) },
    { record: rec.nodeFluxMaxStreams, expr: gauge(ENGINE.fluxMaxStreams.name) },
  ];
  const perClusterRules: RecordingRule[] = [
    { record: rec.clusterRequestsByStatus, expr: sumBy([...cluster, 'kind', 'response_status'], rec.nodeRequestsByStatus) },
    {
      record: rec.clusterServerErrorRatio,
      expr: `${sumBy(cluster, `${rec.clusterRequestsByStatus}{${SERVER_ERROR_MATCHER}}`)}\n/\n${sumBy(cluster, rec.clusterRequestsByStatus)}`,
    },
    { record: rec.clusterBatchLatencyBuckets, expr: sumBy([...cluster, 'le'], rec.nodeBatchLatencyBuckets) },
    ...BATCH_LATENCY_QUANTILES.map((qu) => ({
      record: rec.clusterBatchLatencyQuantile,
      expr: quantile(qu, cluster, rec.clusterBatchLatencyBuckets),
      labels: { quantile: String(qu) },
    })),
    { record: rec.clusterStreamLatencySum, expr: sumBy(cluster, rec.nodeStreamLatencySum) },
    { record: rec.clusterStreamLatencyCount, expr: sumBy(cluster, rec.nodeStreamLatencyCount) },
    { record: rec.clusterStreamLatencyMean, expr: `${rec.clusterStreamLatencySum}\n/\n${rec.clusterStreamLatencyCount}` },
    { record: rec.clusterBatchAudioSeconds, expr: sumBy(cluster, rec.nodeBatchAudioSeconds) },
    { record: rec.clusterBatchWallSeconds, expr: sumBy(cluster, rec.nodeBatchWallSeconds) },
    { record: rec.clusterActiveStreams, expr: sumBy(cluster, rec.nodeActiveStreams) },
    { record: rec.clusterStreamHeadroom, expr: sumBy(cluster, rec.nodeStreamHeadroom) },
    { record: rec.clusterStreamCapacity, expr: sumBy(cluster, rec.nodeStreamCapacity) },
    { record: rec.clusterLargestNodeStreamCapacity, expr: maxBy(cluster, rec.nodeStreamCapacity) },
    { record: rec.clusterEngineNodes, expr: `count by (${cluster.join(', ')}) (${rec.nodeStreamCapacity})` },
  ];
  // The streaming histograms per cluster, straight from the raw buckets (no per-node key needed): the two costliest
  // reads of the cluster rules (about 200 ms each at 1000 nodes), each in a group of its own; together, vmalert took
  // up to 501 ms on them (bench/results/fleet.json).
  const perClusterHistogramGroups: RuleGroup<RecordingRule>[] = [
    {
      name: 'dgmon.engine.cluster.stream-latency.rules',
      rules: [{ record: rec.clusterStreamLatencyBuckets, expr: perCluster(`${ENGINE.streamLatency.name}_bucket`, ['le']) }],
    },
    {
      name: 'dgmon.engine.cluster.stream-connection.rules',
      rules: [{ record: rec.clusterStreamConnectionBuckets, expr: perCluster(`${ENGINE.streamConnectionLatency.name}_bucket`, ['le']) }],
    },
  ];
  // TTS first-byte latency per cluster and tier: 29 buckets per tier and node make these the largest histograms the
  // Engine has (about 87 000 bucket series at 1000 nodes and three tiers). Read as one rule, each took 620-710 ms per
  // evaluation at 1000 nodes (bench/results/fleet.json), and a rule cannot be split across cores; summing keeps `le`,
  // so the buckets are summed in three disjoint bands of about 10 each (below 1 s, 1 s to 2 s, the rest), each its own
  // group, all writing the same recorded series. The third band is the complement of the other two, so a bucket
  // written in any other format is still summed, once. Each band's series carry its name (le_band), so no two rules
  // record the same series (promtool check rules warns about duplicates); readers sum by le and drop it.
  const ttsBands = [
    { band: 'below-1s', le: 'le=~"0[.].*"' },
    { band: '1s-to-2s', le: 'le=~"1([.].*)?"' },
    { band: 'from-2s', le: 'le!~"0[.].*|1([.].*)?"' },
  ];
  const tts = (tier: 'raw' | 'transcoded', record: string, metric: string): RuleGroup<RecordingRule>[] =>
    ttsBands.map(({ band, le }) => ({
      name: `dgmon.engine.tts.${tier}.${band}.rules`,
      rules: [{ record, expr: sumBy([...cluster, 'tier', 'le'], rate(q.engine(`${metric}_bucket`, le), w)), labels: { le_band: band } }],
    }));
  return [
    { name: 'dgmon.engine.node.rules', rules: perNodeRules },
    ...statusGroups,
    { name: 'dgmon.engine.node.latency.rules', rules: perNodeLatencyRules },
    { name: 'dgmon.engine.node.latency.quantiles.rules', rules: perNodeDashboardQuantiles },
    { name: 'dgmon.engine.node.averages.rules', rules: perNodeAverageRules },
    { name: 'dgmon.engine.node.capacity.rules', rules: perNodeCapacityRules },
    { name: 'dgmon.engine.cluster.rules', rules: perClusterRules },
    ...perClusterHistogramGroups,
    ...tts('raw', rec.clusterTtsRawBuckets, ENGINE.ttsFirstRawByteLatency.name),
    ...tts('transcoded', rec.clusterTtsTranscodedBuckets, ENGINE.ttsFirstTranscodedByteLatency.name),
  ];
}
