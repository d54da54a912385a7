// Recording rules over dcgm-exporter: each DCGM series cleaned once (blank sentinels dropped, Hostname/hostname
// unified, node key added) and converted once to base units (% → ratio, MiB → bytes, MHz → Hz), in three groups
// evaluated side by side: load and memory, health (heat, power, clock, Xid), and what only the GPU dashboard draws.
import { DCGM, DCGM_BLANK_SENTINEL_MIN } from '../../core/catalog/index.ts';
import { num, sumBy } from '../../core/promql.ts';
import type { AlertContext, RecordingRule, RuleGroup } from '../types.ts';

const MIB = 1024 * 1024;

export function gpuRecordingRules({ config, q, rec }: AlertContext): RuleGroup<RecordingRule>[] {
  const perGpu = (metric: string) => q.perGpu(q.dcgmWithoutBlanks(metric));
  const load: RecordingRule[] = [
    {
      // DCGM_FI_DEV_GPU_UTIL is absent on MIG instances; there the graphics-engine activity ratio stands in.
      // Where both exist for the same GPU, `or` keeps the left side.
      record: rec.gpuBusy,
      expr: `${perGpu(DCGM.gpuUtil.name)} / 100\nor\n${perGpu(DCGM.grEngineActive.name)}`,
    },
    { record: rec.gpuMemoryUsed, expr: `${perGpu(DCGM.fbUsed.name)} * ${MIB}` },
    {
      // dcgm-exporter does not export the total by default: total = free + used + reserved (reserved is missing on
      // older builds, where it counts as 0).
      record: rec.gpuMemoryTotal,
      expr: `(\n  ${perGpu(DCGM.fbFree.name)}\n  + ${perGpu(DCGM.fbUsed.name)}\n  + (${perGpu(DCGM.fbReserved.name)} or ${perGpu(DCGM.fbFree.name)} * 0)\n) * ${MIB}`,
    },
    { record: rec.gpuMemoryUsedRatio, expr: `${rec.gpuMemoryUsed}\n/\n(${rec.gpuMemoryTotal} > 0)` },
  ];
  // Heat, power, clock and Xid in a group of their own, evaluated beside the load and memory rules: as one group of
  // eight rules vmalert took up to 541 ms at 1000 nodes (bench/results/fleet.json), and the two groups 220 and 124 ms
  // (fleet-1000.json). No rule here reads another's.
  const health: RecordingRule[] = [
    { record: rec.gpuTemperature, expr: perGpu(DCGM.gpuTemp.name) },
    { record: rec.gpuPower, expr: perGpu(DCGM.powerUsage.name) },
    { record: rec.gpuSmClock, expr: `${perGpu(DCGM.smClock.name)} * 1000000` },
    {
      // The last Xid code with the err_code/err_msg labels aggregated away, so a new code changes this one series'
      // value (alerts use changes()) instead of starting a new series.
      record: rec.gpuXidLast,
      expr: perGpu(DCGM.xidErrors.name),
    },
  ];
  // What only the GPU dashboard draws, apart from the series the alerts read, so that group stays quick.
  const energy = q.dcgm(DCGM.totalEnergy.name);
  const activity: RecordingRule[] = [
    { record: rec.gpuTensorActive, expr: perGpu(DCGM.tensorActive.name) },
    { record: rec.gpuDramActive, expr: perGpu(DCGM.dramActive.name) },
    {
      // The energy counter's average power (mJ/s ÷ 1000 = W), which also counts the peaks between samples. rate()
      // needs the raw selector, so a GPU whose window holds a blank sentinel is left out instead (a jump from or to
      // 9.2e18 is not energy).
      record: rec.gpuEnergyPower,
      expr: q.perGpu(`rate(${energy}[${config.intervals.rate}]) / 1000\nunless max_over_time(${energy}[${config.intervals.rate}]) >= ${num(DCGM_BLANK_SENTINEL_MIN)}`),
    },
    {
      // How busy each node's GPUs are together: the GPU dashboard ranks nodes by requests or streams per busy GPU at
      // every step, and summing every GPU there cost 0.2-0.4 s per query at 300 nodes over 6 h (a fleet benchmark run
      // before this rule). It reads the busy ratio of dgmon.gpu.rules, so it may lag it by one evaluation.
      record: rec.nodeGpuBusy,
      expr: sumBy(q.nodeBy, rec.gpuBusy),
    },
    {
      // What the GPU dashboard ranks nodes by to find CPU fallback: requests in flight for how busy the GPUs are (at
      // least 0.01, so an idle GPU under load ranks highest rather than dividing by 0). Dividing at every step of a
      // 6 h range made that panel 1.30 s at 1000 nodes; reading this series, 221-231 ms (bench/results/fleet.json).
      record: rec.nodeRequestsPerBusyGpu,
      expr: `${rec.nodeActiveRequests}\n/\nclamp_min(${rec.nodeGpuBusy}, 0.01)`,
    },
  ];
  return [
    { name: 'dgmon.gpu.rules', rules: load },
    { name: 'dgmon.gpu.health.rules', rules: health },
    { name: 'dgmon.gpu.activity.rules', rules: activity },
  ];
}
