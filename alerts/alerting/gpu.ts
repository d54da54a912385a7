// Is the GPU under each Deepgram Engine healthy and used? Saturation, CPU fallback, Xid errors, heat, memory and
// missing GPU telemetry, in three groups evaluated side by side: load (dgmon.gpu.alerts), Xid (dgmon.gpu.xid.alerts)
// and health (dgmon.gpu.health.alerts); as one group of 12 rules, vmalert took up to 550 ms on a 1000-node fleet
// (bench/results/fleet.json). Everything reads the per-GPU recording rules (alerts/recording/gpu.ts), which already
// dropped DCGM's blank sentinels, unified Hostname/hostname and added the node key the Engine series carry too.
import { DCGM } from '../../core/catalog/index.ts';
import { changes, num, valueIn } from '../../core/promql.ts';
import type { AlertDefinition, AlertModule, AlertRuleSpec } from '../types.ts';
import { percent } from '../../core/format.ts';
import { ALERT_LATENCY_QUANTILE } from '../recording/engine.ts';

/** NVIDIA's Xid catalogue, for runbooks: each code's mnemonic and what it asks the operator to do. */
const XID_CATALOG_URL = 'https://docs.nvidia.com/deploy/xid-errors/analyzing-xid-catalog.html';

export const gpuAlerts: AlertModule = (ctx) => {
  const { config, q, rec, inCluster } = ctx;
  const a = config.alerts;
  const nodeKey = q.node;
  const node = `{{ $labels.${nodeKey} }}`;
  const at = (series: string) => `${series}{${nodeKey}="<node>"}`;
  // Names the GPU the way on-call finds it with nvidia-smi: index, model, MIG instance when there is one, node.
  const gpu =
    `GPU {{ $labels.gpu }} ({{ $labels.modelName }}{{ if $labels.GPU_I_ID }}, MIG {{ $labels.GPU_I_PROFILE }} instance {{ $labels.GPU_I_ID }}{{ end }})` +
    ` on node ${node}${inCluster}`;
  const onNode = `on (${q.nodeBy.join(', ')})`;
  const idle = a.DeepgramGPUIdleWhileServing;
  const minRate = num(config.traffic.minRequestRate);

  const xid = a.DeepgramGPUXidErrors;
  const critical = xid.criticalXids;
  const xidRegex = critical.map((c) => num(c)).join('|');
  const last = rec.gpuXidLast;
  const newXid = `${changes(last, xid.window)} > 0`;
  const xidCount = (matcher: string) => `${q.perGpu(q.dcgmWithoutBlanks(DCGM.xidErrorsCount.name, matcher), ['xid'])} > 0`;
  // A critical Xid (79: the GPU fell off the bus) can take the GPU's series with it: the page is held after its
  // condition clears, so it does not resolve by itself while the GPU is still gone.
  const keep = xid.criticalKeepFiringFor !== '0s' ? { keepFiringFor: xid.criticalKeepFiringFor } : {};
  const xidRules: AlertRuleSpec[] = [
    ...(critical.length > 0
      ? [
          {
            // Value is the Xid code: the left side of `and` is kept.
            expr: `(\n  ${valueIn(last, critical)}\n)\nand\n${newXid}`,
            for: xid.for,
            ...keep,
            severity: xid.criticalSeverity,
            labels: { signal: 'last_xid' },
            description: `${gpu} reported Xid {{ $value }} within the last ${xid.window}, a code that means failing hardware or a GPU that needs a reset.`,
          },
          {
            expr: xidCount(`xid=~"${xidRegex}"`),
            for: xid.for,
            ...keep,
            severity: xid.criticalSeverity,
            labels: { signal: 'xid_count' },
            description: `${gpu} reported Xid {{ $labels.xid }} ({{ $value }} time(s) within dcgm-exporter's count window), a code that means failing hardware or a GPU that needs a reset.`,
          },
        ]
      : []),
    {
      // Xid 0 is the gauge's "none yet" (and what it restarts at): never an event.
      expr: `(\n  ${last} > 0${critical.length > 0 ? `\n  unless\n  (${valueIn(last, critical)})` : ''}\n)\nand\n${newXid}`,
      for: xid.for,
      severity: xid.severity,
      labels: { signal: 'last_xid' },
      description: `${gpu} reported Xid {{ $value }} within the last ${xid.window}.`,
    },
    {
      expr: xidCount(critical.length > 0 ? `xid!~"${xidRegex}"` : ''),
      for: xid.for,
      severity: xid.severity,
      labels: { signal: 'xid_count' },
      description: `${gpu} reported Xid {{ $labels.xid }} ({{ $value }} time(s) within dcgm-exporter's count window).`,
    },
  ];

  const mem = a.DeepgramGPUMemoryErrors;
  const gone = a.DeepgramGPUDisappeared;
  // increase() takes a range, not the filtered instant vector, so it runs over a subquery of the series with the
  // sentinels dropped: a remapped-rows counter flipping between the blank sentinel and a real value must not read as
  // an increase of 9.2e18 rows. Resolution: the evaluation interval. Only the filter is in the subquery; the labels
  // (Hostname/hostname, node key) are added once to its result, not at each of its steps.
  const remappedRowsIncrease = q.perGpu(`increase((${q.dcgmWithoutBlanks(DCGM.uncorrectableRemappedRows.name)})[${mem.window}:])`);

  const defs: AlertDefinition[] = [
    {
      name: 'DeepgramGPUSaturated',
      summary: 'A Deepgram GPU has been almost fully busy for a long time.',
      dashboard: 'gpu',
      perNode: true,
      rules: [
        {
          expr: `${rec.gpuBusy} > ${num(a.DeepgramGPUSaturated.threshold)}`,
          for: a.DeepgramGPUSaturated.for,
          severity: a.DeepgramGPUSaturated.severity,
          description: `${gpu} is {{ $value | humanizePercentage }} busy, above the ${percent(a.DeepgramGPUSaturated.threshold)} saturation limit.`,
        },
      ],
      runbook: {
        meaning: `The GPU's busy ratio (DCGM_FI_DEV_GPU_UTIL, the share of time a kernel was running; DCGM_FI_PROF_GR_ENGINE_ACTIVE on MIG instances, where the former does not exist) stayed above ${percent(a.DeepgramGPUSaturated.threshold)} for ${a.DeepgramGPUSaturated.for}. The Deepgram Engine batches work from every open stream and batch file onto the GPU, so a GPU that is busy nearly all the time has no room left for the next burst.`,
        impact: 'None yet by itself. New streams and batch files queue behind the current ones: streaming latency and batch response times rise next, and at the Engine\'s limit the API answers 429.',
        confirm: [
          { what: 'Busy ratio of every GPU on the node', promql: at(rec.gpuBusy) },
          { what: 'Open streams against the streams the node says it can hold', promql: at(rec.nodeStreamCapacityUsed) },
          { what: 'Active requests by kind (stream, batch, tts) on the node', promql: at(rec.nodeActiveRequestsByKind) },
          { what: 'Whether the whole fleet is busy or only this node (average busy ratio per cluster)', promql: `avg by (${q.clusterBy.join(', ')}) (${rec.gpuBusy})` },
          { what: 'Whether users feel it yet: streaming latency on the node', promql: at(rec.nodeStreamLatencyMean) },
          { what: 'And batch P95 on the node', promql: `${rec.nodeBatchLatencyQuantile}{${nodeKey}="<node>",quantile="${ALERT_LATENCY_QUANTILE}"}` },
        ],
        causes: [
          'Demand grew: more concurrent streams or batch files than this node was sized for (compare with the same hour last week).',
          'Uneven spread: the API or load balancer sends most traffic to this node while others are idle (the fleet query above shows it).',
          'A batch backlog (a bulk re-transcription job) filling the GPU; streams on the same node then suffer.',
          'More expensive requests: larger models, diarization or other features that cost more GPU time per audio second.',
          'A MIG slice too small for the load it was given (the alert names the MIG profile).',
        ],
        actions: [
          'Check whether latency alerts fire for the node too; if not, this is a capacity ticket, not an incident.',
          'If the whole fleet is busy, add an Engine node (or raise the Engine HPA maximum in Deepgram\'s chart); one node\'s headroom is gone at this level.',
          'If only this node is busy, check how the API spreads requests (its driver pool lists every Engine) and fix the imbalance.',
          'If a batch backlog causes it, throttle the job or move batch traffic to dedicated nodes so streams keep their latency.',
          'Cap the node with engine.toml max_active_requests so excess requests go to other Engines instead of queueing here.',
        ],
        escalate: 'Raise a capacity request with the Deepgram platform owner when the fleet average stays above the limit on consecutive days; escalate at once if streaming latency or error alerts join it.',
      },
    },
    {
      name: 'DeepgramGPUIdleWhileServing',
      summary: 'A Deepgram node is serving requests while its GPU is idle: the Engine is probably running on CPU.',
      dashboard: 'gpu',
      perNode: true,
      rules: [
        {
          // Per GPU where dcgm-exporter knows which pod uses it (the node key is then the Engine pod, so the GPUs
          // compared are that Engine's); per host otherwise, where a busy GPU beside it means the Engine found a GPU.
          // Serving means real load: open requests and finished requests or stream responses, not one silent stream.
          expr: [
            `${rec.gpuBusy} < ${num(idle.threshold)}`,
            `unless ${onNode}`,
            `${rec.gpuBusy} >= ${num(idle.threshold)}`,
            `and ${onNode}`,
            `${rec.nodeActiveRequests} >= ${num(idle.minActiveRequests)}`,
            `and ${onNode}`,
            `(${rec.nodeRequests} > ${minRate} or ${rec.nodeStreamLatencyCount} > ${minRate})`,
          ].join('\n'),
          for: idle.for,
          severity: idle.severity,
          description: `${gpu} is only {{ $value | humanizePercentage }} busy, like every GPU of its Engine, while that Engine serves at least ${num(idle.minActiveRequests)} open requests: the Engine is probably running on CPU.`,
        },
      ],
      runbook: {
        meaning: `The Engine on this node has served real load for ${idle.for} (at least ${num(idle.minActiveRequests)} open requests and streams, engine_active_requests, with requests finishing or stream responses flowing at ${minRate}/s or more) while every GPU mapped to it stayed under ${percent(idle.threshold)} busy. Where dcgm-exporter maps GPUs to pods (Kubernetes, --kubernetes) those are the Engine pod's own GPUs; elsewhere every GPU of the host, so a spare idle GPU beside a busy one never fires, and neither do one or two streams carrying silence. The usual reason is that the Engine did not find a GPU at start-up and fell back to CPU inference; it then logs "impeller::config: Using devices: CPU" and keeps serving, very slowly. By default (engine.toml [health] gpu_required = false) nothing else tells you.`,
        impact: 'Transcription on this node runs many times slower than on a GPU: streams lag far behind real time, batch files take minutes instead of seconds, and clients time out. The API keeps sending this node its share of traffic.',
        confirm: [
          { what: 'Busy ratio of every GPU on the node', promql: at(rec.gpuBusy) },
          { what: 'Active requests by kind on the node', promql: at(rec.nodeActiveRequestsByKind) },
          { what: 'Batch speed-up (audio seconds per wall second); a CPU-bound Engine drops far below its usual value', promql: at(rec.nodeBatchSpeedup) },
          { what: 'Which devices the Engine chose at start-up (Docker; use kubectl logs on Kubernetes)', shell: 'docker logs <engine-container> 2>&1 | grep "Using devices"' },
          { what: 'Whether the Engine container sees the GPU at all', shell: 'docker exec <engine-container> nvidia-smi' },
        ],
        causes: [
          'The Engine container was started without GPU access: docker run without --gpus all, a compose service without the nvidia device reservation or runtime, or a Kubernetes pod without an nvidia.com/gpu resource limit.',
          'The NVIDIA Container Toolkit (or the GPU Operator\'s device plugin) is missing or broken after a host upgrade.',
          'The host driver was upgraded or downgraded and no longer matches what the Engine image needs, so CUDA fails to initialise.',
          'Off Kubernetes, two Engines on one host each with its own GPU are one node: the alert then needs every GPU of the host idle, so one Engine on CPU beside a busy one is not seen here (DeepgramRealtimeFactorLow and the latency alerts see it).',
          'Rarely a false alarm: several long-lived streams carrying silence or only KeepAlive messages, with other requests finishing, keep a GPU nearly idle. Check that real audio is flowing before acting.',
        ],
        actions: [
          'Read the Engine start-up log for the "Using devices" line. CPU means the Engine has no GPU.',
          'Take the node out of service first (scale the Engine pod away or remove it from the API\'s driver pool) so users stop waiting on CPU inference.',
          'Fix GPU access (the --gpus flag, the compose device reservation, the pod\'s nvidia.com/gpu limit, the container toolkit), then restart the Engine and check that the log now names the GPU and the busy ratio rises with traffic.',
          'Set [health] gpu_required = true in engine.toml, so an Engine without a GPU fails at start-up (and the DeepgramSourceDown alert and your orchestrator see it) instead of serving on CPU.',
        ],
        escalate: 'Page the Deepgram platform owner if the Engine still reports CPU after a restart with GPU access fixed, or if nvidia-smi fails on the host (then the host owner too).',
      },
    },
    {
      name: 'DeepgramGPUXidErrors',
      group: 'xid',
      summary: 'A Deepgram GPU reported a new Xid error.',
      dashboard: 'gpu',
      perNode: true,
      rules: xidRules,
      runbook: {
        meaning: `The NVIDIA driver logged an Xid error for this GPU within the last ${xid.window}. Xids are the driver's error reports, from application faults to a GPU that fell off the bus. Two signals feed this alert (the signal label says which): last_xid fires when DCGM_FI_DEV_XID_ERRORS, which holds only the last Xid code and never resets, changes to a non-zero code; xid_count fires when the optional DCGM_EXP_XID_ERRORS_COUNT counted an Xid in dcgm-exporter's window (5 min by default). Codes ${critical.map((c) => num(c)).join(', ') || '(none configured)'} are ${xid.criticalSeverity}: failing hardware or a GPU that must be reset. Every other code is ${xid.severity}. last_xid cannot see the same code twice in a row; only xid_count can, which is why it is worth enabling.${keep.keepFiringFor ? ` A ${xid.criticalSeverity} Xid keeps firing for ${keep.keepFiringFor} after its signal clears: a GPU that fell off the bus takes its own series (and the signal) with it, and the page must not resolve while the GPU is still gone. Silence it once the GPU is reset or replaced; DeepgramGPUDisappeared fires too while the node reports fewer GPUs.` : ''}`,
        impact: 'Depends on the code. Application-level Xids (13, 31, 43, 45) usually kill or reset the requests in flight on that GPU: some streams drop and some batch files fail. Hardware Xids (48, 64, 74, 79, 94, 95, 119, 120, 140) mean the GPU is unusable or returns corrupt results until it is reset or replaced: every request on it fails.',
        confirm: [
          { what: 'The last Xid code of every GPU on the node', promql: at(last) },
          { what: 'Every GPU\'s last Xid with NVIDIA\'s message (err_msg label)', promql: `${q.dcgm(DCGM.xidErrors.name)} > 0` },
          { what: 'Xids counted in dcgm-exporter\'s window, if DCGM_EXP_XID_ERRORS_COUNT is enabled', promql: `${q.dcgm(DCGM.xidErrorsCount.name)} > 0` },
          { what: 'Whether the Engine on the node is failing requests', promql: at(rec.nodeServerErrorRatio) },
          { what: 'The driver\'s own record, with the PCI address of the GPU, on the host', shell: 'journalctl -k --since "2 hours ago" | grep -E "NVRM: (Xid|GPU at PCI)"' },
          { what: 'Pending row remaps or retired pages that ask for a GPU reset, on the host', shell: 'nvidia-smi -q -d ROW_REMAPPER,PAGE_RETIREMENT' },
        ],
        causes: [
          '13 (graphics engine exception), 31 (memory page fault), 43 (GPU stopped processing), 45 (pre-emptive cleanup): usually a fault in the process using the GPU, here the Engine; 45 often just follows another Xid when the process is killed.',
          '48, 94, 95, 140 (ECC errors): uncorrectable GPU memory errors; also look at DeepgramGPUMemoryErrors for the same GPU.',
          '64 (row remapping or page retirement failure): the GPU ran out of spare memory rows.',
          '74 (NVLink error): a link between GPUs failed; 79 (GPU has fallen off the bus): the GPU vanished from PCIe, from power, heat, a riser or the board itself.',
          '119, 120 (GSP timeout or error): the GPU System Processor firmware hung, often a driver bug fixed in a newer driver.',
          'A driver or Engine upgrade shortly before the first Xid.',
        ],
        actions: [
          `Read the code (the alert value or its xid label) and the err_msg, and look it up in NVIDIA's Xid catalogue (${XID_CATALOG_URL}): its resolution says whether to restart the application, reset the GPU, reboot, or contact NVIDIA support.`,
          'For a critical code: drain the node (cordon it and move the Engine pod, or remove it from the API\'s driver pool), then reset the GPU (nvidia-smi -r -i <gpu> once nothing uses it) or reboot the host. Bring the Engine back and watch for the same Xid.',
          'For a warning code seen once while the Engine keeps serving: note it and check the Engine log around the time for the request that failed. If it repeats, restart the Engine on that node.',
          'After a driver upgrade, compare with other nodes on the old driver; roll back if only upgraded nodes report it.',
          'Keep the kernel log lines (journalctl -k) with the PCI address, GPU serial (nvidia-smi -q | grep -i serial) and time: NVIDIA and the hardware vendor ask for them.',
        ],
        escalate: 'A critical code, or any Xid that returns after a GPU reset, goes to the hardware owner (and the vendor for replacement) the same day. Recurring application-level Xids without a hardware cause go to Deepgram support with the Engine logs and the driver version.',
      },
    },
    {
      name: 'DeepgramGPUTemperatureHigh',
      summary: 'A Deepgram GPU is running hot.',
      dashboard: 'gpu',
      perNode: true,
      rules: [
        {
          expr: `${rec.gpuTemperature} > ${num(a.DeepgramGPUTemperatureHigh.thresholdCelsius)}`,
          for: a.DeepgramGPUTemperatureHigh.for,
          severity: a.DeepgramGPUTemperatureHigh.severity,
          description: `${gpu} is at {{ $value | humanize }} °C, above the ${num(a.DeepgramGPUTemperatureHigh.thresholdCelsius)} °C limit.`,
        },
      ],
      runbook: {
        meaning: `The GPU core temperature (DCGM_FI_DEV_GPU_TEMP) stayed above ${num(a.DeepgramGPUTemperatureHigh.thresholdCelsius)} °C for ${a.DeepgramGPUTemperatureHigh.for}. Data-centre GPUs start to lower their clocks (thermal slowdown) around 85-90 °C and shut down a few degrees higher; nvidia-smi shows the exact limits of the model.`,
        impact: 'A throttled GPU serves fewer streams and slower batches than the Engine expects: latency rises and engine_estimated_stream_capacity falls. At the shutdown temperature the GPU stops and every request on it fails.',
        confirm: [
          { what: 'Temperature of every GPU on the node', promql: at(rec.gpuTemperature) },
          { what: 'SM clock (a falling clock at high temperature is thermal throttling)', promql: at(rec.gpuSmClock) },
          { what: 'Power draw (hot because busy, or hot while idle?)', promql: at(rec.gpuPower) },
          { what: 'Busy ratio', promql: at(rec.gpuBusy) },
          { what: 'The model\'s slowdown and shutdown temperatures and the current throttle reasons, on the host', shell: 'nvidia-smi -q -d TEMPERATURE,PERFORMANCE' },
        ],
        causes: [
          'Cooling: a failed fan, blocked or reversed airflow, a missing blanking panel, or a hot aisle or room (several GPUs or hosts heating at once points here).',
          'Sustained full load on a chassis not rated for it (see DeepgramGPUSaturated).',
          'One GPU much hotter than its neighbours at the same load: poor contact with its heatsink or a failing fan on that card.',
        ],
        actions: [
          'Compare with the other GPUs in the host and with other hosts in the rack to tell a card problem from a room problem.',
          'Check the throttle reasons: HW or SW thermal slowdown active means users are already affected.',
          'For a room or rack problem, involve facilities; meanwhile move load away from the hottest nodes.',
          'For a single card, drain the node and have the hardware checked (fans, airflow, heatsink) before it fails.',
        ],
        escalate: 'Escalate to the data-centre or hardware owner when the temperature keeps rising, throttling is active, or several hosts are affected; drain the node at once if it nears the shutdown temperature.',
      },
    },
    {
      name: 'DeepgramGPUMemoryNearlyFull',
      summary: 'A Deepgram GPU\'s memory is nearly full.',
      dashboard: 'gpu',
      perNode: true,
      rules: [
        {
          expr: `${rec.gpuMemoryUsedRatio} > ${num(a.DeepgramGPUMemoryNearlyFull.threshold)}`,
          for: a.DeepgramGPUMemoryNearlyFull.for,
          severity: a.DeepgramGPUMemoryNearlyFull.severity,
          description: `${gpu} has {{ $value | humanizePercentage }} of its memory in use, above the ${percent(a.DeepgramGPUMemoryNearlyFull.threshold)} limit.`,
        },
      ],
      runbook: {
        meaning: `Framebuffer used divided by total (free + used + reserved; dcgm-exporter does not export the total) stayed above ${percent(a.DeepgramGPUMemoryNearlyFull.threshold)} for ${a.DeepgramGPUMemoryNearlyFull.for}. The Engine loads its models into GPU memory at start-up, so a high steady level is normal; what is left must hold the working memory of every open stream and batch.`,
        impact: 'None yet. The next model load, a larger batch file or another burst of streams may fail with an out-of-memory error, which callers see as server errors.',
        confirm: [
          { what: 'Used share of every GPU on the node', promql: at(rec.gpuMemoryUsedRatio) },
          { what: 'Used bytes', promql: at(rec.gpuMemoryUsed) },
          { what: 'Total bytes', promql: at(rec.gpuMemoryTotal) },
          { what: 'Active requests by kind (does memory follow load?)', promql: at(rec.nodeActiveRequestsByKind) },
          { what: 'Which processes hold GPU memory, on the host', shell: 'nvidia-smi --query-compute-apps=pid,process_name,used_memory --format=csv' },
        ],
        causes: [
          'More models loaded than before: new models or languages were added to the Engine\'s models directory, and the Engine loads every model it finds.',
          'Another process shares the GPU (a second Engine, a test container, another team\'s job).',
          'A memory-hungry load: many concurrent streams or very long batch files.',
          'A GPU or MIG slice smaller than this model set needs.',
        ],
        actions: [
          'List the processes on the GPU; stop anything that is not the Engine.',
          'Remove models the deployment does not use from the models directory and restart the Engine.',
          'If memory tracks load, lower max_active_requests in engine.toml or add a node so each GPU holds fewer requests.',
          'If the Engine steadily needs this much, move it to a GPU (or MIG profile) with more memory, or raise the threshold in dgmon.yaml to the level that is normal for you.',
        ],
        escalate: 'Escalate to the Deepgram platform owner if server errors start on the node (DeepgramHighErrorRate) or memory keeps growing at constant load, which may be a leak worth a Deepgram support ticket.',
      },
    },
    {
      name: 'DeepgramGPUMemoryErrors',
      group: 'health',
      summary: 'A Deepgram GPU has uncorrectable memory errors.',
      dashboard: 'gpu',
      perNode: true,
      rules: [
        {
          expr: `${remappedRowsIncrease} > 0`,
          for: mem.for,
          severity: mem.severity,
          labels: { signal: 'uncorrectable_remapped_rows' },
          description: `${gpu} remapped {{ $value | humanize }} more memory row(s) after uncorrectable errors within the last ${mem.window}.`,
        },
        {
          expr: `${q.perGpu(q.dcgmWithoutBlanks(DCGM.rowRemapFailure.name))} > 0`,
          for: mem.for,
          severity: mem.severity,
          labels: { signal: 'row_remap_failure' },
          description: `${gpu} failed to remap a memory row: it has no spare rows left for failing memory.`,
        },
      ],
      runbook: {
        meaning: `The GPU's memory had uncorrectable (double-bit) errors. Ampere and newer GPUs replace a failing memory row with a spare one ("row remapping"); the signal label says what was seen: uncorrectable_remapped_rows means DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS rose within the last ${mem.window}, row_remap_failure means DCGM_FI_DEV_ROW_REMAP_FAILURE is set because the remap failed, usually because the bank has no spare rows left. GPUs without row remapping report these fields blank, and dgmon ignores blank values.`,
        impact: 'The request that hit the bad memory failed or returned corrupt results, and the Engine may have crashed (an Xid 48, 94 or 95 usually comes with it). A new remap takes effect only after a GPU reset. After a remap failure the GPU keeps producing errors until it is replaced.',
        confirm: [
          { what: 'Uncorrectable remapped rows of every GPU', promql: q.dcgmWithoutBlanks(DCGM.uncorrectableRemappedRows.name) },
          { what: 'Remap failures', promql: `${q.dcgm(DCGM.rowRemapFailure.name)} == 1` },
          { what: 'Xid errors on the same node', promql: at(last) },
          { what: 'Row remapper state (pending remap, failure, rows per bank), on the host', shell: 'nvidia-smi -q -d ROW_REMAPPER' },
        ],
        causes: [
          'Aging or defective GPU memory (HBM or GDDR): the common cause.',
          'Heat or power events stressing the memory (check DeepgramGPUTemperatureHigh history).',
        ],
        actions: [
          'Drain the node: cordon it and move the Engine pod, or remove it from the API\'s driver pool.',
          'Check nvidia-smi -q -d ROW_REMAPPER: if a remap is pending, reset the GPU (nvidia-smi -r -i <gpu> once nothing uses it) or reboot the host so the spare row takes effect.',
          'Put the node back and watch the counter; one remap that applied cleanly needs no more action.',
          'On a remap failure, or if remaps keep coming, keep the node drained and have the GPU replaced.',
        ],
        escalate: 'Open a hardware ticket with the vendor (GPU serial from nvidia-smi -q, the row remapper output and the kernel log) for any remap failure or a second remap within a month; tell the Deepgram platform owner that the node\'s capacity is out.',
      },
    },
    {
      name: 'DeepgramGPUDisappeared',
      group: 'health',
      summary: 'A Deepgram node reports fewer GPUs than it did.',
      dashboard: 'gpu',
      perNode: true,
      rules: [
        {
          // Only nodes that still report some GPU: a node with none left is DeepgramGPUMetricsMissing (an Engine
          // without GPU metrics), and a node whose key changed (a new Engine pod on Kubernetes) is not a lost GPU.
          expr: `${rec.nodeGpuCount}\n< ${onNode}\nmax_over_time(${rec.nodeGpuCount}[${gone.lookback}])`,
          for: gone.for,
          severity: gone.severity,
          description: `Node ${node}${inCluster} reports {{ $value }} GPU(s), fewer than it reported within the last ${gone.lookback}: a GPU disappeared.`,
        },
      ],
      runbook: {
        meaning: `The number of distinct GPUs dcgm-exporter reports for this node (${rec.nodeGpuCount}: GPUs with a temperature reading, MIG instances of one GPU counted once) is lower than the most it reported within the last ${gone.lookback}. A GPU that fell off the bus (Xid 79), failed its driver initialisation after a reset, or was taken by another process leaves dcgm-exporter's output, and with it every per-GPU alert about it: DeepgramGPUMetricsMissing is per node and stays quiet while another GPU of the node reports.`,
        impact: 'The node has lost capacity. An Engine using the GPU fails its requests or has restarted without it (see DeepgramHighErrorRate and DeepgramGPUIdleWhileServing); streams are spread over fewer GPUs.',
        confirm: [
          { what: 'GPUs per node now, and the most within the lookback', promql: `${rec.nodeGpuCount}${'{'}${nodeKey}="<node>"}\nor\nmax_over_time(${rec.nodeGpuCount}${'{'}${nodeKey}="<node>"}[${gone.lookback}])` },
          { what: 'Which GPUs still report (compare UUIDs with the inventory)', promql: at(rec.gpuTemperature) },
          { what: 'Recent Xid errors on the node (79: fallen off the bus)', promql: at(last) },
          { what: 'What the host sees', shell: 'nvidia-smi -L; journalctl -k | grep -i -E "NVRM|Xid"' },
        ],
        causes: [
          'The GPU fell off the bus (Xid 79): power, heat, a riser or the board itself.',
          'A GPU reset or driver reload after which the GPU did not come back.',
          'dcgm-exporter restricted to fewer GPUs (its -d/--devices flag, or a CUDA_VISIBLE_DEVICES change), or a GPU moved to another pod or VM on purpose.',
        ],
        actions: [
          'Drain the node (cordon it and move the Engine pod, or remove it from the API\'s driver pool) if its Engine uses the missing GPU.',
          'Check nvidia-smi -L on the host: a GPU missing there is hardware or driver; one listed there but not by dcgm-exporter is dcgm-exporter\'s configuration.',
          'Reset the GPU or reboot the host; if it does not return, have it replaced.',
          `A GPU removed on purpose: silence the alert for ${gone.lookback}, after which the lower count is the node's normal.`,
        ],
        escalate: 'A GPU that does not return after a reboot goes to the hardware owner (and the vendor for replacement) the same day, with the GPU serial, the kernel log and the Xid lines; tell the Deepgram platform owner that the node\'s capacity is reduced.',
      },
    },
    {
      name: 'DeepgramGPUMetricsMissing',
      group: 'health',
      summary: 'A node serving Deepgram reports no GPU metrics.',
      dashboard: 'gpu',
      perNode: true,
      rules: [
        {
          // engine_estimated_stream_capacity is registered at start-up, so it means "an Engine runs here".
          expr: `group by (${q.nodeBy.join(', ')}) (${rec.nodeStreamCapacity})\nunless ${onNode}\ngroup by (${q.nodeBy.join(', ')}) (${rec.gpuBusy})`,
          for: a.DeepgramGPUMetricsMissing.for,
          severity: a.DeepgramGPUMetricsMissing.severity,
          description: `Node ${node}${inCluster} runs a Deepgram Engine but no GPU busy metrics from dcgm-exporter match it.`,
        },
      ],
      runbook: {
        meaning: 'A Deepgram Engine runs on this node (it exports engine_estimated_stream_capacity from start-up), but no GPU utilisation series (DCGM_FI_DEV_GPU_UTIL, or DCGM_FI_PROF_GR_ENGINE_ACTIVE under MIG) carries the same node key. Either dcgm-exporter does not report this node, or it does but dgmon cannot tell which Engine its GPUs belong to.',
        impact: 'No user impact by itself, but every GPU alert is blind for this node: CPU fallback, Xid errors, memory errors and overheating would go unnoticed.',
        confirm: [
          { what: 'Node keys that have an Engine', promql: `group by (${q.nodeBy.join(', ')}) (${rec.nodeStreamCapacity})` },
          { what: 'Node keys that have GPU metrics (compare the spelling with the line above)', promql: `group by (${q.nodeBy.join(', ')}) (${rec.gpuBusy})` },
          { what: 'Every dcgm-exporter series with its raw labels (instance, Hostname or hostname, namespace, pod)', promql: q.dcgm(DCGM.gpuTemp.name) },
          { what: 'dcgm-exporter targets and whether they are up', promql: `up{${config.selectors.dcgm}}` },
        ],
        causes: [
          'dcgm-exporter does not run on this host: its DaemonSet\'s nodeSelector or tolerations do not match the GPU node, or it was never installed there.',
          `Its scrape job does not match selectors.dcgm (${config.selectors.dcgm}); the GPU Operator names the job nvidia-dcgm-exporter.`,
          `The node keys differ. Off Kubernetes, the host part of ${config.node.dcgm.hostLabel} on GPU series must equal that of ${config.node.engine.hostLabel} on Engine series; if dcgm-exporter is reached under another address, set node.dcgm.hostLabel to Hostname. On Kubernetes, dcgm-exporter must run with --kubernetes (DCGM_EXPORTER_KUBERNETES=true) so GPUs carry the Engine pod's ${config.node.dcgm.podLabels.join(' and ')}; behind a ServiceMonitor without honorLabels they arrive as exported_${config.node.dcgm.podLabels[0]} and exported_${config.node.dcgm.podLabels[1]} (set node.dcgm.podLabels).`,
          'Under MIG the busy ratio needs the profiling field DCGM_FI_PROF_GR_ENGINE_ACTIVE, which a custom collectors CSV may have removed.',
          'The GPU reports blank values for utilisation (a driver or dcgm-exporter fault), which dgmon drops.',
          'The Engine really has no GPU (see DeepgramGPUIdleWhileServing).',
        ],
        actions: [
          'Run the first two queries and compare the node values: a different spelling of the same machine is a node-key setting, not a missing exporter.',
          'If no series come from the host at all, check that the dcgm-exporter pod or container runs there and that Prometheus scrapes it (/targets).',
          'Fix the node-key settings in dgmon.yaml (node.dcgm, node.engine) or dcgm-exporter\'s --kubernetes flag, regenerate and reload the rules.',
        ],
        escalate: 'Not urgent on its own: fix within the business day. If the Engine also has no GPU, follow DeepgramGPUIdleWhileServing.',
      },
    },
  ];
  return defs;
};
