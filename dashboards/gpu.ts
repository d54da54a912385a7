// Deepgram / GPUs: every GPU under the Engine, from dcgm-exporter. Per-GPU panels read the recorded series (cleaned
// once, in base units); the few raw DCGM fields without a recorded series, read by instant queries only, are cleaned
// here the same way (q.dcgmWithoutBlanks, q.perGpu) and aggregated to one series per GPU.
import { DCGM, DCGM_BLANK_SENTINEL_MIN } from '../core/catalog/index.ts';
import { increase, num, changes } from '../core/promql.ts';
import { WORST_NODES, dashboardShell, onWorst, worst, filtered, stat, target, timeseries, instantTarget, type DashboardContext } from './common.ts';

/** DCGM energy is in millijoules: mJ ÷ 3.6e9 = kWh (and mJ/s ÷ 1000 = W, in the recording rule). */
const MJ_PER_KWH = 3.6e9;

export function gpuDashboard(ctx: DashboardContext) {
  const { config, q, rec, nodeFilter, nodeLegend, gpuLegend } = ctx;
  const a = config.alerts;
  const byNode = (series: string, ...m: string[]) => filtered(series, nodeFilter, ...m);
  const nodeLabels = q.nodeBy.join(', ');
  // Raw DCGM series get their node key from q.perGpu: keep the GPUs of the selected nodes.
  const selectedNodes = `on (${nodeLabels}) group by (${nodeLabels}) (${byNode(rec.gpuBusy)})`;
  const perGpu = (metric: string) => `${q.perGpu(q.dcgmWithoutBlanks(metric))}\nand ${selectedNodes}`;
  // A DCGM counter over a range: rate()/increase() need the raw selector, so the blank sentinel is dropped from the
  // result instead: any GPU whose window holds a sentinel sample is left out (a jump from or to 9.2e18 is not a
  // real increase). Then the same Hostname/hostname unification and node key as every DCGM series (q.perGpu).
  const counterPerGpu = (metric: string, fn: (expr: string, window: string) => string, window: string, scale = 1) => {
    const raw = q.dcgm(metric);
    const scaled = scale === 1 ? fn(raw, window) : `${fn(raw, window)} / ${num(scale)}`;
    const valid = `${scaled}\nunless max_over_time(${raw}[${window}]) >= ${num(DCGM_BLANK_SENTINEL_MIN)}`;
    return `${q.perGpu(valid)}\nand ${selectedNodes}`;
  };
  const streamsPerNode = byNode(rec.nodeActiveStreams);
  const busyPerNode = byNode(rec.nodeGpuBusy);
  // Requests in flight per unit of GPU busy: highest on a node serving on CPU (its GPUs idle), 0 on an idle node.
  const requestsPerBusy = byNode(rec.nodeRequestsPerBusyGpu);

  return dashboardShell(ctx, 'gpu', 'GPUs', 'Every GPU under the Deepgram Engine: load, memory, heat, power, clocks, hardware errors, and whether the Engine actually uses its GPU.')
    .withPanel(
      timeseries(ctx, {
        title: 'GPU busy',
        description:
          `Share of time each GPU was busy (DCGM_FI_DEV_GPU_UTIL / 100, or DCGM_FI_PROF_GR_ENGINE_ACTIVE under MIG where GPU_UTIL is absent). Sustained above the line, the GPU is saturated: add a node. With more than ${WORST_NODES} selected, the ${WORST_NODES} busiest at each moment; idle GPUs under load are in GPU busy and Engine active requests.`,
        unit: 'percentunit',
        drillDown: true,
        min: 0,
        max: 1,
        targets: [target(worst(byNode(rec.gpuBusy), 'highest'), gpuLegend)],
        thresholds: [{ value: a.DeepgramGPUSaturated.threshold, color: 'orange' }],
        alert: 'DeepgramGPUSaturated',
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'Framebuffer memory used',
        description:
          `GPU memory used per GPU in bytes (DCGM_FI_DEV_FB_USED, MiB converted to bytes). The Engine preloads its models, so most of the memory is taken from start-up; the share of the total (free + used + reserved) is in the next panel. With more than ${WORST_NODES} selected, the ${WORST_NODES} fullest at each moment.`,
        unit: 'bytes',
        drillDown: true,
        min: 0,
        targets: [target(worst(byNode(rec.gpuMemoryUsed), 'highest'), gpuLegend)],
        alert: 'DeepgramGPUMemoryNearlyFull',
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'Framebuffer memory used ratio',
        description: `GPU memory used divided by the total, per GPU. Sustained above the line, the next model load or large batch may fail. With more than ${WORST_NODES} selected, the ${WORST_NODES} fullest at each moment.`,
        unit: 'percentunit',
        drillDown: true,
        min: 0,
        max: 1,
        targets: [target(worst(byNode(rec.gpuMemoryUsedRatio), 'highest'), gpuLegend)],
        thresholds: [{ value: a.DeepgramGPUMemoryNearlyFull.threshold, color: 'orange' }],
        alert: 'DeepgramGPUMemoryNearlyFull',
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'GPU temperature',
        description: `GPU temperature per GPU (DCGM_FI_DEV_GPU_TEMP). Data-centre GPUs throttle around 85-90 °C, before they fail; the line is the alert threshold. With more than ${WORST_NODES} selected, the ${WORST_NODES} hottest at each moment.`,
        unit: 'celsius',
        drillDown: true,
        targets: [target(worst(byNode(rec.gpuTemperature), 'highest'), gpuLegend)],
        thresholds: [{ value: a.DeepgramGPUTemperatureHigh.thresholdCelsius, color: 'red' }],
        alert: 'DeepgramGPUTemperatureHigh',
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'Power draw',
        description:
          `Power per GPU, the ${WORST_NODES} GPUs drawing most at each moment: the sampled draw (DCGM_FI_DEV_POWER_USAGE) and the average over the rate interval from the energy counter (rate of DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION, mJ/s ÷ 1000 = W), which also counts the peaks between scrapes.`,
        unit: 'watt',
        drillDown: true,
        min: 0,
        targets: [
          target(worst(byNode(rec.gpuPower), 'highest'), `${gpuLegend} sampled`, 'A'),
          target(worst(byNode(rec.gpuEnergyPower), 'highest'), `${gpuLegend} average (energy)`, 'B'),
        ],
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'SM clock',
        description: `Streaming-multiprocessor clock per GPU (DCGM_FI_DEV_SM_CLOCK, MHz converted to Hz). A clock that drops while the GPU is busy means thermal or power throttling: compare with temperature and power. With more than ${WORST_NODES} selected, the ${WORST_NODES} slowest at each moment.`,
        unit: 'hertz',
        drillDown: true,
        min: 0,
        targets: [target(worst(byNode(rec.gpuSmClock), 'lowest'), gpuLegend)],
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'Tensor and DRAM activity',
        description:
          `Share of cycles the tensor (HMMA) pipe was active (DCGM_FI_PROF_PIPE_TENSOR_ACTIVE) and the memory interface was moving data (DCGM_FI_PROF_DRAM_ACTIVE), per GPU. Unlike GPU busy (any kernel running), these show how hard the GPU works: inference runs on tensor cores. Profiling fields: empty on GPUs without DCP support. With more than ${WORST_NODES} selected, both lines of the nodes whose tensor pipes are busiest at each moment.`,
        unit: 'percentunit',
        drillDown: true,
        min: 0,
        max: 1,
        targets: [
          target(onWorst(ctx, byNode(rec.gpuTensorActive), byNode(rec.gpuTensorActive), 'highest'), `${gpuLegend} tensor`, 'A'),
          target(onWorst(ctx, byNode(rec.gpuDramActive), byNode(rec.gpuTensorActive), 'highest'), `${gpuLegend} DRAM`, 'B'),
        ],
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'Xid events',
        description:
          `New Xid errors per GPU: how often the last Xid code (DCGM_FI_DEV_XID_ERRORS, which holds the LAST code and never resets) changed within the rate interval. It cannot see the same code twice in a row; the alert also reads the optional DCGM_EXP_XID_ERRORS_COUNT, which can (not drawn here: it exists only where enabled, and only after an Xid). With more than ${WORST_NODES} selected, the ${WORST_NODES} with most at each moment.`,
        unit: 'short',
        drillDown: true,
        min: 0,
        targets: [target(worst(changes(byNode(rec.gpuXidLast), '$__rate_interval'), 'highest'), `${gpuLegend} code changes`, 'A')],
        alert: 'DeepgramGPUXidErrors',
      }),
    )
    .withPanel(
      stat(ctx, {
        title: 'Energy used',
        description: `Energy each GPU used in the selected time range: increase of DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION (mJ) ÷ 3.6e9 = kWh. GPUs only, not the whole server. With more than ${WORST_NODES} selected, the ${WORST_NODES} that used most.`,
        unit: 'kwatth',
        drillDown: true,
        targets: [instantTarget(worst(counterPerGpu(DCGM.totalEnergy.name, increase, '$__range', MJ_PER_KWH), 'highest'), gpuLegend)],
      }),
    )
    .withPanel(
      stat(ctx, {
        title: 'Last Xid code',
        description: `The last Xid code the driver logged for each GPU (0 or absent: none since the driver loaded). A code, not a count: look it up in NVIDIA's Xid table; the Xid events panel shows when it happened. With more than ${WORST_NODES} selected, ${WORST_NODES} GPUs with a code before those without.`,
        unit: 'none',
        drillDown: true,
        targets: [instantTarget(worst(byNode(rec.gpuXidLast), 'highest'), gpuLegend)],
        alert: 'DeepgramGPUXidErrors',
      }),
    )
    .withPanel(
      stat(ctx, {
        title: 'Memory errors',
        description:
          `Per GPU: rows remapped for uncorrectable memory errors in the selected time range (increase of DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS), and whether row remapping has failed (DCGM_FI_DEV_ROW_REMAP_FAILURE, 1 = failed: the GPU needs service). Any non-zero value means corrupted results or a GPU to replace. With more than ${WORST_NODES} selected, the ${WORST_NODES} GPUs with most of each.`,
        unit: 'short',
        drillDown: true,
        targets: [
          instantTarget(worst(counterPerGpu(DCGM.uncorrectableRemappedRows.name, increase, '$__range'), 'highest'), `${gpuLegend} uncorrectable remapped rows`, 'A'),
          instantTarget(worst(perGpu(DCGM.rowRemapFailure.name), 'highest'), `${gpuLegend} row remap failed`, 'B'),
        ],
        alert: 'DeepgramGPUMemoryErrors',
        span: 12,
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'GPU busy and Engine active requests',
        description: `Each GPU's busy ratio (left axis) next to the requests in flight on the same node's Engine (right axis). Requests in flight while the GPU sits near idle (under the line) means the Engine fell back to CPU: latency and throughput collapse. With more than ${WORST_NODES} selected, the ${WORST_NODES} nodes with most requests in flight for how busy their GPUs are, at each moment.`,
        unit: 'percentunit',
        drillDown: true,
        min: 0,
        targets: [
          target(onWorst(ctx, byNode(rec.gpuBusy), requestsPerBusy, 'highest'), `${gpuLegend} busy`, 'A'),
          target(onWorst(ctx, byNode(rec.nodeActiveRequests), requestsPerBusy, 'highest'), `${nodeLegend} active requests`, 'B'),
        ],
        thresholds: [{ value: a.DeepgramGPUIdleWhileServing.threshold, color: 'red' }],
        alert: 'DeepgramGPUIdleWhileServing',
      }).overrideByQuery('B', [
        { id: 'unit', value: 'short' },
        { id: 'custom.axisPlacement', value: 'right' },
      ]),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'Streams per busy GPU',
        description: `Open live streams on a node divided by the summed busy ratio of its GPUs: streams per fully busy GPU, the node's streams-per-GPU at its current mix; the ${WORST_NODES} nodes with the fewest at each moment. A falling value at the same stream count means each stream costs more GPU (longer audio, heavier model, batch jobs sharing the GPU). Nodes whose GPUs are under ${num(a.DeepgramGPUIdleWhileServing.threshold * 100)} % busy (the idle line) are left out: the ratio would explode.`,
        unit: 'short',
        drillDown: true,
        min: 0,
        targets: [target(`${worst(`\n  ${streamsPerNode}\n  /\n  (${busyPerNode} > ${num(a.DeepgramGPUIdleWhileServing.threshold)})\n`, 'lowest')}`, nodeLegend)],
      }),
    );
}
