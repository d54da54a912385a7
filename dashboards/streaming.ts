// Deepgram / Streaming and capacity: live streams against the capacity the Engine estimates for itself, the
// concurrency limit, N+1 headroom and where the trend leads. Every comparison is concurrency against concurrency
// (open streams against streams a node can hold), never a request rate against a capacity.
import { num } from '../core/promql.ts';
import { WORST_NODES, dashboardShell, onWorst, worst, filtered, stat, target, timeseries, instantTarget, type DashboardContext } from './common.ts';

/** How far back the saturation trend looks, and how far ahead it projects. */
const TREND_WINDOW = '1h';
const TREND_AHEAD_SECONDS = 3600;
/**
 * The projection panel's least step: an hour's trend does not change minute by minute, and predict_linear reads the
 * whole hour of every node at every step (1.3 s for 6 h at a 1-minute step on 1000 nodes, bench/results/fleet.json).
 */
const TREND_STEP = '5m';

export function streamingDashboard(ctx: DashboardContext) {
  const { config, q, rec, nodeFilter, clusterFilter, nodeLegend } = ctx;
  const a = config.alerts;
  const byNode = (series: string, ...m: string[]) => filtered(series, nodeFilter, ...m);
  const byCluster = (series: string) => filtered(series, clusterFilter);
  const activeStreams = byNode(rec.nodeActiveStreams);
  const capacity = byNode(rec.nodeStreamCapacity);
  const capacityUsed = byNode(rec.nodeStreamCapacityUsed);
  const fluxUsed = byNode(rec.nodeFluxUsedStreams);
  const clusterLegend = config.cluster.multiCluster ? `{{${q.cluster}}}` : 'cluster';
  // predict_linear over the recorded per-node open streams: the least-squares line of the last hour, evaluated now
  // (0 s ahead) and one hour ahead. Their difference over the hour is the trend's slope in streams per second.
  const projected = (aheadSeconds: number) => `predict_linear(${activeStreams}[${TREND_WINDOW}], ${num(aheadSeconds)})`;

  return dashboardShell(
    ctx,
    'streaming',
    'Streaming and capacity',
    'Live streams per node against the stream capacity each Engine estimates for itself, the concurrency limit, headroom with and without the largest node, the trend towards saturation, stream connection latency and Flux streams.',
  )
    .withPanel(
      timeseries(ctx, {
        title: 'Active streams and estimated capacity',
        description: `Open live streams per node (engine_active_requests{kind="stream"}) next to the number of streams the node believes it can serve with acceptable latency (engine_estimated_stream_capacity). Both are concurrencies, so they compare directly. The estimate rises as streams open and stops rising at the GPU's limit, so on a lightly loaded node it understates the real capacity. With more than ${WORST_NODES} selected, both lines of the ${WORST_NODES} nodes using most of their capacity at each moment.`,
        unit: 'short',
        drillDown: true,
        min: 0,
        targets: [
          target(onWorst(ctx, activeStreams, capacityUsed, 'highest'), `${nodeLegend} active streams`, 'A'),
          target(onWorst(ctx, capacity, capacityUsed, 'highest'), `${nodeLegend} estimated capacity`, 'B'),
        ],
        alert: 'DeepgramStreamCapacityHigh',
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'Stream capacity used',
        description: `Open streams divided by the estimated stream capacity, per node. Above the line for its hold time the capacity alert fires: add nodes or move load before streaming latency degrades. Nodes whose estimate is still 0 (just started) have no ratio. With more than ${WORST_NODES} selected, the ${WORST_NODES} fullest at each moment.`,
        unit: 'percentunit',
        drillDown: true,
        min: 0,
        targets: [target(worst(capacityUsed, 'highest'), nodeLegend)],
        thresholds: [{ value: a.DeepgramStreamCapacityHigh.threshold, color: 'orange' }],
        alert: 'DeepgramStreamCapacityHigh',
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'Stream headroom',
        description: `How many more live streams each node can accept: estimated stream capacity minus open streams, and the total of each selected cluster. Below 0 a node carries more streams than it believes it can serve with acceptable latency. With more than ${WORST_NODES} nodes selected, the ${WORST_NODES} with the least at each moment.`,
        unit: 'short',
        drillDown: true,
        targets: [
          target(worst(byNode(rec.nodeStreamHeadroom), 'lowest'), nodeLegend, 'A'),
          target(byCluster(rec.clusterStreamHeadroom), `${clusterLegend} total`, 'B'),
        ],
        alert: 'DeepgramStreamCapacityHigh',
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'N+1 stream headroom',
        description:
          'Streams the cluster could still accept if its largest node were lost: summed estimated capacity minus the largest node\'s capacity minus the open streams. Below 0 a node failure, drain or rolling restart would push the remaining nodes past their capacity. Always the whole cluster, whatever nodes are selected; a single-node cluster has no N+1 by design and sits below 0 as soon as it serves streams.',
        unit: 'short',
        targets: [
          target(
            `${byCluster(rec.clusterStreamCapacity)}\n- ${byCluster(rec.clusterLargestNodeStreamCapacity)}\n- (${byCluster(rec.clusterActiveStreams)} or ${byCluster(rec.clusterStreamCapacity)} * 0)`,
            clusterLegend,
          ),
        ],
        alert: 'DeepgramNoHeadroomForNodeLoss',
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: `Open streams projected ${TREND_WINDOW} ahead`,
        description: `Trend towards saturation: predict_linear fits a straight line to each node's open streams over the last ${TREND_WINDOW} and extends it ${num(TREND_AHEAD_SECONDS / 3600)} h ahead, drawn as a share of the node's estimated capacity; the ${WORST_NODES} nodes projected fullest at each moment. A node whose line reaches 100 % saturates within the hour if the trend holds; the line is the DeepgramStreamCapacityHigh threshold. A linear fit: it overshoots at the start of a daily ramp and undershoots sudden bursts, so read it as a warning, not a forecast. One point per ${TREND_STEP} at most.`,
        unit: 'percentunit',
        drillDown: true,
        min: 0,
        targets: [target(worst(`\n  ${projected(TREND_AHEAD_SECONDS)}\n  /\n  (${capacity} > 0)\n`, 'highest'), `${nodeLegend} projected share of capacity`, 'A')],
        thresholds: [{ value: a.DeepgramStreamCapacityHigh.threshold, color: 'red' }],
        alert: 'DeepgramStreamCapacityHigh',
      }).interval(TREND_STEP),
    )
    .withPanel(
      stat(ctx, {
        title: 'Time to stream saturation',
        description: `Seconds until each node's open streams reach its estimated capacity if the last ${TREND_WINDOW}'s linear trend (predict_linear) holds: (capacity - trend now) / trend slope. Only nodes whose streams are rising show a value; a node already past its capacity shows a negative time. With more than ${WORST_NODES} selected, the ${WORST_NODES} soonest.`,
        unit: 's',
        drillDown: true,
        targets: [
          instantTarget(
            worst(`(${capacity} - ${projected(0)})\n/\n((${projected(TREND_AHEAD_SECONDS)} - ${projected(0)}) / ${num(TREND_AHEAD_SECONDS)} > 0)`, 'lowest'),
            nodeLegend,
          ),
        ],
        alert: 'DeepgramStreamCapacityHigh',
        span: 12,
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'Concurrency limit used',
        description: `Active requests of every kind divided by engine.toml max_active_requests (engine_max_active_requests), per node. At the limit the API answers 429. Nodes without a limit (max_active_requests 0) have no series. With more than ${WORST_NODES} selected, the ${WORST_NODES} nearest their limit at each moment.`,
        unit: 'percentunit',
        drillDown: true,
        min: 0,
        targets: [target(worst(byNode(rec.nodeConcurrencyLimitUsed), 'highest'), nodeLegend)],
        thresholds: [{ value: a.DeepgramConcurrencyLimitNear.threshold, color: 'orange' }],
        alert: 'DeepgramConcurrencyLimitNear',
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'Stream connection latency',
        description:
          'P50 and P95 of the time taken to establish a streaming connection (engine_stream_connection_latency_seconds) over the selected clusters (recorded per cluster: per node, the buckets of a large fleet are too many to sum at every step). This is connection set-up, not the per-stream processing latency the streaming-latency alert watches (engine_stream_latency, on the fleet dashboard).',
        unit: 's',
        min: 0,
        targets: [0.5, 0.95].map((qu, i) =>
          target(`histogram_quantile(${qu}, sum by (le) (${byCluster(rec.clusterStreamConnectionBuckets)}))`, `P${num(qu * 100)}`, String.fromCharCode(65 + i)),
        ),
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'Flux streams',
        description: `Flux (v2 streaming) streams being processed (engine_flux_used_streams) against the maximum the GPU runs (engine_flux_max_streams, engine.toml [flux] max_streams), per node. Empty on nodes that do not serve Flux. With more than ${WORST_NODES} selected, both lines of the ${WORST_NODES} nodes running most Flux streams at each moment.`,
        unit: 'short',
        drillDown: true,
        min: 0,
        targets: [
          target(onWorst(ctx, fluxUsed, fluxUsed, 'highest'), `${nodeLegend} used`, 'A'),
          target(onWorst(ctx, byNode(rec.nodeFluxMaxStreams), fluxUsed, 'highest'), `${nodeLegend} max`, 'B'),
        ],
      }),
    );
}
