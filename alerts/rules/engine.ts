// Recording rules over the Deepgram Engine: per node first (with the node key that joins GPU series), then per
// cluster from the per-node series. Numerators and denominators are summed apart and divided last.
import { ENGINE, SERVER_ERROR_MATCHER } from '../../core/catalog/index.ts';
import { rate, sumBy, maxBy, quantile, without } from '../../core/promql.ts';
import type { AlertContext, RecordingRule, RuleGroup } from '../types.ts';

/** Quantiles recorded for batch latency: P95 drives the alert, P50/P99 the dashboards. */
export const BATCH_LATENCY_QUANTILES = [0.5, 0.95, 0.99] as const;

export function engineRecordingRules({ config, q, rec }: AlertContext): RuleGroup<RecordingRule>[] {
  const w = config.intervals.rate;
  const node = q.nodeBy;
  const cluster = q.clusterBy;
  const perNode = (metric: string, extraBy: string[] = []) => sumBy([...node, ...extraBy], q.withNode(rate(q.engine(metric), w), 'engine'));
  const gauge = (metric: string, extraBy: string[] = []) => sumBy([...node, ...extraBy], q.withNode(q.engine(metric), 'engine'));

  const perNodeRules: RecordingRule[] = [
    { record: rec.nodeRequestsByStatus, expr: perNode(ENGINE.requests.name, ['kind', 'response_status']) },
    { record: rec.nodeRequests, expr: sumBy(node, rec.nodeRequestsByStatus) },
    {
      record: rec.nodeServerErrorRatio,
      expr: `${sumBy(node, `${rec.nodeRequestsByStatus}{${SERVER_ERROR_MATCHER}}`)}\n/\n${rec.nodeRequests}`,
    },
    { record: rec.nodeBatchLatencyBuckets, expr: perNode(`${ENGINE.batchResponseTime.name}_bucket`, ['le']) },
    ...BATCH_LATENCY_QUANTILES.map((qu) => ({
      record: rec.nodeBatchLatencyQuantile,
      expr: quantile(qu, node, rec.nodeBatchLatencyBuckets),
      labels: { quantile: String(qu) },
    })),
    { record: rec.nodeStreamLatencyBuckets, expr: perNode(`${ENGINE.streamLatency.name}_bucket`, ['le']) },
    { record: rec.nodeStreamLatencySum, expr: perNode(`${ENGINE.streamLatency.name}_sum`) },
    { record: rec.nodeStreamLatencyCount, expr: perNode(`${ENGINE.streamLatency.name}_count`) },
    { record: rec.nodeStreamLatencyMean, expr: `${rec.nodeStreamLatencySum}\n/\n${rec.nodeStreamLatencyCount}` },
    { record: rec.nodeBatchAudioSeconds, expr: perNode(`${ENGINE.asrPerFileAudioDuration.name}_sum`) },
    { record: rec.nodeBatchWallSeconds, expr: perNode(`${ENGINE.asrPerFileWallTime.name}_sum`) },
    { record: rec.nodeBatchSpeedup, expr: `${rec.nodeBatchAudioSeconds}\n/\n${rec.nodeBatchWallSeconds}` },
    { record: rec.nodeActiveRequestsByKind, expr: gauge(ENGINE.activeRequests.name, ['kind']) },
    { record: rec.nodeActiveRequests, expr: sumBy(node, rec.nodeActiveRequestsByKind) },
    { record: rec.nodeStreamCapacity, expr: gauge(ENGINE.estimatedStreamCapacity.name) },
    {
      // Concurrency over concurrency: open streams against the streams the node says it can hold.
      record: rec.nodeStreamCapacityUsed,
      expr: `${without('sum', ['kind'], `${rec.nodeActiveRequestsByKind}{kind="stream"}`)}\n/\n(${rec.nodeStreamCapacity} > 0)`,
    },
    { record: rec.nodeMaxActiveRequests, expr: maxBy(node, q.withNode(q.engine(ENGINE.maxActiveRequests.name), 'engine')) },
    {
      // 0 means "no limit": dividing by it would be +Inf, so such nodes have no series here.
      record: rec.nodeConcurrencyLimitUsed,
      expr: `${rec.nodeActiveRequests}\n/\n(${rec.nodeMaxActiveRequests} > 0)`,
    },
  ];
  const perClusterRules: RecordingRule[] = [
    { record: rec.clusterRequestsByStatus, expr: sumBy([...cluster, 'kind', 'response_status'], rec.nodeRequestsByStatus) },
    {
      record: rec.clusterServerErrorRatio,
      expr: `${sumBy(cluster, `${rec.clusterRequestsByStatus}{${SERVER_ERROR_MATCHER}}`)}\n/\n${sumBy(cluster, rec.clusterRequestsByStatus)}`,
    },
    ...BATCH_LATENCY_QUANTILES.map((qu) => ({
      record: rec.clusterBatchLatencyQuantile,
      expr: quantile(qu, cluster, rec.nodeBatchLatencyBuckets),
      labels: { quantile: String(qu) },
    })),
    { record: rec.clusterStreamLatencyMean, expr: `${sumBy(cluster, rec.nodeStreamLatencySum)}\n/\n${sumBy(cluster, rec.nodeStreamLatencyCount)}` },
    { record: rec.clusterActiveStreams, expr: sumBy(cluster, `${rec.nodeActiveRequestsByKind}{kind="stream"}`) },
    { record: rec.clusterStreamCapacity, expr: sumBy(cluster, rec.nodeStreamCapacity) },
    { record: rec.clusterLargestNodeStreamCapacity, expr: maxBy(cluster, rec.nodeStreamCapacity) },
    { record: rec.clusterEngineNodes, expr: `count by (${cluster.join(', ')}) (${rec.nodeStreamCapacity})` },
  ];
  return [
    { name: 'dgmon.engine.node.rules', rules: perNodeRules },
    { name: 'dgmon.engine.cluster.rules', rules: perClusterRules },
  ];
}
