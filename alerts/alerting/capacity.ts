// Is there room for the load? Streams against each node's own capacity estimate, requests against the configured
// concurrency limit, the fleet's N+1 headroom, and how fast the GPU turns batch audio into text. Every ratio here is
// a concurrency over a concurrency (open streams / streams the node can hold), never a request rate over a capacity.
import { ENGINE } from '../../core/catalog/index.ts';
import { num, quantile, rate, sumBy } from '../../core/promql.ts';
import type { AlertDefinition, AlertModule } from '../types.ts';
import { percent } from '../../core/format.ts';

export const capacityAlerts: AlertModule = (ctx) => {
  const { config, q, rec, inCluster } = ctx;
  const a = config.alerts;
  const w = config.intervals.rate;
  const node = `{{ $labels.${q.node} }}`;
  const on = `on (${q.nodeBy.join(', ')})`;
  const at = `{${q.node}="<node>"}`;
  const minRate = num(config.traffic.minRequestRate);
  const batchRequests = sumBy(q.nodeBy, `${rec.nodeRequestsByStatus}{kind="batch"}`);
  const survivors = `(${rec.clusterStreamCapacity} - ${rec.clusterLargestNodeStreamCapacity})`;

  const streamHigh = a.DeepgramStreamCapacityHigh;
  const limitNear = a.DeepgramConcurrencyLimitNear;
  const headroom = a.DeepgramNoHeadroomForNodeLoss;
  const rtf = a.DeepgramRealtimeFactorLow;

  const defs: AlertDefinition[] = [
    {
      name: 'DeepgramStreamCapacityHigh',
      summary: 'A Deepgram Engine node is close to its estimated stream capacity.',
      dashboard: 'streaming',
      perNode: true,
      rules: [
        {
          // Nodes whose estimate is still 0 (just started) have no ratio: the recording rule divides by `> 0` only.
          expr: `${rec.nodeStreamCapacityUsed} > ${num(streamHigh.threshold)}`,
          for: streamHigh.for,
          severity: streamHigh.severity,
          description: `Open streams on node ${node}${inCluster} fill {{ $value | humanizePercentage }} of its estimated stream capacity (engine_estimated_stream_capacity), above the ${percent(streamHigh.threshold)} threshold.`,
        },
      ],
      runbook: {
        meaning: `Open live streams on this node (engine_active_requests{kind="stream"}) divided by the number of streams the Engine itself estimates it can serve with acceptable latency (engine_estimated_stream_capacity) has stayed above ${percent(streamHigh.threshold)}. Both sides are concurrencies, so the ratio is a fill level: 1 means the node holds as many streams as it believes it can keep under Deepgram's 400 ms average response time. The Engine raises its estimate as streams open until the GPU is full, so the estimate that stops rising is the real ceiling. Deepgram's Helm chart uses the same ratio (0.8) as its streaming scale-out signal.`,
        impact: 'None yet for callers. The remaining headroom is what absorbs a burst or a peer node failing; once the node is full, every stream on it slows down together (latency climbs with the number of open streams), and live captions or voice agents fall behind the speaker.',
        confirm: [
          { what: 'Fill level per node (the alert\'s own series)', promql: rec.nodeStreamCapacityUsed },
          { what: 'Open requests by kind on the node (streams and batch share one GPU)', promql: `${rec.nodeActiveRequestsByKind}${at}` },
          { what: 'The node\'s own capacity estimate, in streams', promql: `${rec.nodeStreamCapacity}${at}` },
          { what: 'Fleet-wide fill level, to tell a full cluster from one full node', promql: `${rec.clusterActiveStreams}\n/\n${rec.clusterStreamCapacity}` },
          { what: 'Mean streaming latency on the node (the 400 ms target)', promql: `${rec.nodeStreamLatencyMean}${at}` },
        ],
        causes: [
          'Real growth: a daily peak or a new customer opened more concurrent streams than the fleet was sized for.',
          'Uneven balancing: WebSocket streams stay on the node that accepted them, so after a restart or scale-out the nodes that stayed up keep the old streams while new nodes sit idle; a round-robin proxy also ignores how many streams each node already holds.',
          'A peer Engine node is down or drained (DeepgramSourceDown), so the remaining nodes carry its streams.',
          'Batch jobs on the same GPU: the Engine lowers its stream estimate while the GPU is busy with pre-recorded files.',
          'Heavier streams than usual (diarization, more features, larger audio chunks) or a slower GPU after a hardware change: the estimate drops.',
          'GPU throttling (temperature or power cap) lowering what the node can serve.',
        ],
        actions: [
          'Compare the node with the fleet-wide fill level. If the fleet has room, fix the balancing: use least-connections for the WebSocket upstream (NGINX `least_conn`, HAProxy `balance leastconn`) so new streams go to the emptiest node.',
          'If the whole fleet is above the threshold, add an Engine node (one GPU per machine). On Kubernetes with Deepgram\'s chart, raise scaling.replicas or the autoscaler\'s maxReplicas, or set scaling.auto.engine.metrics.speechToText.streaming.requestsPerPod.',
          'Move batch traffic to other nodes (or off-peak) if streams and batch share this GPU.',
          'Set max_active_requests in engine.toml (Helm engine.concurrencyLimit.activeRequests) a little under the stream capacity so an overfull node refuses new work and the API retries another Engine instead of slowing every stream.',
          'Watch DeepgramStreamingLatencyHigh: if mean latency passes 400 ms the node is already past its real capacity.',
        ],
        escalate: 'Open a capacity ticket for the Deepgram platform owner within the business day. Escalate at once if streaming latency is above 400 ms on several nodes or DeepgramNoHeadroomForNodeLoss fires too; contact Deepgram support if the capacity estimate is far below what the same GPU model showed before.',
      },
    },
    {
      name: 'DeepgramConcurrencyLimitNear',
      summary: 'A Deepgram Engine node is close to its max_active_requests limit.',
      dashboard: 'streaming',
      perNode: true,
      rules: [
        {
          // engine_max_active_requests 0 means "no limit": the recorded ratio has no series for such nodes.
          expr: `${rec.nodeConcurrencyLimitUsed} > ${num(limitNear.threshold)}`,
          for: limitNear.for,
          severity: limitNear.severity,
          description: `Active requests on node ${node}${inCluster} are at {{ $value | humanizePercentage }} of its max_active_requests limit, above the ${percent(limitNear.threshold)} threshold; at 100 % the Engine turns new requests away.`,
        },
      ],
      runbook: {
        meaning: `Active inference requests of every kind (batch, stream, tts) on this node have stayed above ${percent(limitNear.threshold)} of engine_max_active_requests, the engine.toml max_active_requests (Helm engine.concurrencyLimit.activeRequests). Nodes without a limit (the default, reported as 0) are never evaluated.`,
        impact: 'At the limit the Engine rejects further requests. The API retries other Engines; when none accepts, callers get 429 Too Many Requests (Deepgram\'s chart; some builds are documented to answer 503). Streams refused at connect time fail outright.',
        confirm: [
          { what: 'Share of the limit in use per node (the alert\'s own series)', promql: rec.nodeConcurrencyLimitUsed },
          { what: 'Active requests by kind on the node', promql: `${rec.nodeActiveRequestsByKind}${at}` },
          { what: 'The configured limit (0 = none)', promql: `${rec.nodeMaxActiveRequests}${at}` },
          { what: 'Requests refused or failing on the node, by kind and status class', promql: `${rec.nodeRequestsByStatus}{${q.node}="<node>", response_status=~"4..|5.."}` },
          { what: 'Batch speed-up on the node (slow processing holds each slot longer)', promql: `${rec.nodeBatchSpeedup}${at}` },
        ],
        causes: [
          'More concurrent work than the node was given: traffic growth or a peer node gone.',
          'Long pre-recorded files: a batch request holds its slot for its whole processing time, so a batch of hour-long files fills the limit with few requests.',
          'Slower processing: every request holds its slot longer when the GPU is throttled, shared or the Engine fell back to CPU (DeepgramRealtimeFactorLow, DeepgramGPUIdleWhileServing).',
          'Clients that open streams and never close them: idle WebSockets still count as active.',
          'A limit set lower than the GPU can carry (check GPU busy and stream capacity before blaming traffic).',
        ],
        actions: [
          'Check whether other nodes are also near their limit. If not, the proxy is sending this node more than its share: switch it to least-connections balancing.',
          'If the fleet is near its limits, add Engine nodes; with Deepgram\'s chart, scaling.auto.engine.metrics.requestCapacityRatio scales out on this same ratio.',
          'If the GPU has headroom (GPU busy well under 90 %, streams under their estimated capacity), raise max_active_requests and restart the Engine.',
          'If requests are slow rather than many, follow DeepgramRealtimeFactorLow or DeepgramHighLatencyP95 instead.',
          'Ask the calling team to close finished streams (send CloseStream) and to retry 429s with exponential backoff.',
        ],
        escalate: 'Escalate to the Deepgram platform owner if callers already get 429s (DeepgramRateLimited) or several nodes are at their limit at once.',
      },
    },
    {
      name: 'DeepgramNoHeadroomForNodeLoss',
      summary: 'The Deepgram fleet could not carry its live streams if one Engine node failed.',
      dashboard: 'streaming',
      rules: [
        {
          expr: `${rec.clusterActiveStreams} > ${survivors}\nand ${rec.clusterEngineNodes} >= ${num(headroom.minNodes)}\nand ${rec.clusterActiveStreams} > 0`,
          for: headroom.for,
          severity: headroom.severity,
          description: `{{ $value | humanize }} live streams are open on the Deepgram Engine nodes${inCluster}, more than the nodes other than the largest could hold: losing one node would overload the rest.`,
        },
      ],
      runbook: {
        meaning: `The open live streams of the cluster exceed the summed engine_estimated_stream_capacity of all its Engine nodes minus the largest node's: if that node failed, was drained or restarted for an upgrade, the others could not hold today's streams within their estimated capacity (N+1 redundancy is gone). Only clusters with at least ${num(headroom.minNodes)} Engine nodes are evaluated; a single-node deployment has no N+1 by design. The Engine's estimate rises as streams open, so on lightly loaded nodes it can understate the true capacity: read this alert together with per-node fill levels.`,
        impact: 'None right now. The next node failure, restart or rolling upgrade pushes the remaining nodes past their capacity: streaming latency rises above 400 ms for every stream and new requests are refused.',
        confirm: [
          { what: 'Open streams in the cluster (the alert\'s value)', promql: rec.clusterActiveStreams },
          { what: 'Capacity left if the largest node is lost', promql: survivors },
          { what: 'Capacity estimate per node, in streams', promql: rec.nodeStreamCapacity },
          { what: 'Fill level per node (open streams / estimate)', promql: rec.nodeStreamCapacityUsed },
          { what: 'Engine nodes counted in the cluster', promql: rec.clusterEngineNodes },
        ],
        causes: [
          'Streaming traffic grew past what the fleet minus one node can carry.',
          'A node is already missing (down, cordoned, or never came back after maintenance), so the fleet is one smaller than planned.',
          'The autoscaler is at its maximum replicas.',
          'Capacity estimates dropped fleet-wide: batch jobs sharing the GPUs, heavier stream features, or GPU throttling.',
        ],
        actions: [
          'Postpone any maintenance, rolling restart or Engine upgrade until headroom is back: draining a node now causes the overload this alert warns about.',
          'Add one Engine node (one GPU per machine), or raise the autoscaler\'s minimum so the extra node stays.',
          'Bring back any missing node (check DeepgramSourceDown and the Engine targets).',
          'Move batch work off the streaming nodes during peak hours.',
        ],
        escalate: 'A capacity ticket for the Deepgram platform owner within the business day; treat it as urgent if DeepgramStreamCapacityHigh fires on several nodes at the same time.',
      },
    },
    {
      name: 'DeepgramRealtimeFactorLow',
      summary: 'A Deepgram Engine node transcribes batch audio much slower than expected.',
      dashboard: 'node',
      perNode: true,
      rules: [
        {
          // With no batch traffic the speed-up is 0/0 (no series) and the traffic gate is false: no alert.
          expr: `${rec.nodeBatchSpeedup} < ${num(rtf.minSpeedup)}\nand ${on} ${batchRequests} > ${minRate}`,
          for: rtf.for,
          severity: rtf.severity,
          description: `Batch transcription on node ${node}${inCluster} runs at {{ $value | humanize }}x real time, under the ${num(rtf.minSpeedup)}x minimum.`,
        },
      ],
      runbook: {
        meaning: `Seconds of pre-recorded audio this node finished per second of processing wall time, over the last ${w}: rate of engine_asr_per_file_audio_duration_seconds_sum divided by rate of engine_asr_per_file_wall_time_seconds_sum, i.e. the per-file real-time factor weighted by file length. A T4-class node typically runs about 100x real time (it depends on file length); under ${num(rtf.minSpeedup)}x something slows the GPU down. The alert is silent while the node serves fewer than ${minRate} batch requests/s.`,
        impact: 'Batch jobs take twice as long or more and the node carries half its usual batch capacity; with a 30 s client timeout, longer files start to time out and retries add load.',
        confirm: [
          { what: 'Speed-up per node (the alert\'s own series)', promql: rec.nodeBatchSpeedup },
          { what: 'Median per-file real-time factor on the node', promql: quantile(0.5, q.nodeBy, q.withNode(rate(q.engine(`${ENGINE.asrPerFileRealtimeFactor.name}_bucket`), w), 'engine')) },
          { what: 'GPU busy on the node (near 0 while serving = CPU fallback)', promql: `${rec.gpuBusy}${at}` },
          { what: 'GPU temperature on the node, °C (throttling starts around 85-90)', promql: `${rec.gpuTemperature}${at}` },
          { what: 'GPU SM clock on the node, Hz (a drop under load means throttling)', promql: `${rec.gpuSmClock}${at}` },
          { what: 'Active requests by kind: streams competing for the same GPU', promql: `${rec.nodeActiveRequestsByKind}${at}` },
        ],
        causes: [
          'The Engine runs on CPU: it found no GPU at start-up (Engine log "impeller::config: Using devices: CPU"; DeepgramGPUIdleWhileServing fires too).',
          'GPU contention: many live streams or concurrent batch requests share the GPU, so each file gets a smaller slice of it.',
          'Thermal or power throttling: high temperature, a power cap, or a failing fan lowers the SM clock.',
          'Very short files: a fixed per-request overhead dominates, so the factor falls without anything being wrong (check the audio duration per file).',
          'Heavier requests: more features per request, or a larger model than before.',
          'Another process on the same GPU (a second Engine, a training job).',
        ],
        actions: [
          'Check GPU busy: if it is near 0 while requests are active, restart the Engine and confirm it logs the GPU in "Using devices"; set [health] gpu_required = true in engine.toml so it refuses to start on CPU.',
          'Check temperature, clocks and power (nvidia-smi -q -d PERFORMANCE shows the throttle reasons); fix cooling or power caps.',
          'If streams and batch share the node, move batch work to other nodes or off-peak.',
          'Run nvidia-smi on the node to find other processes on the GPU.',
          'If files got shorter, the factor is expected to drop: adjust alerts.DeepgramRealtimeFactorLow.minSpeedup in dgmon.yaml to your workload.',
        ],
        escalate: 'Escalate to the Deepgram platform owner if the node stays under the minimum after a restart with a healthy, unthrottled GPU; open a Deepgram support ticket with the node\'s GPU model, Engine version and the features in use.',
      },
    },
  ];
  return defs;
};
