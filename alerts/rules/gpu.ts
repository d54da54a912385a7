// Recording rules over dcgm-exporter: each DCGM series cleaned once (blank sentinels dropped, Hostname/hostname
// unified, node key added) and converted once to base units (% → ratio, MiB → bytes, MHz → Hz).
import { DCGM } from '../../core/catalog/index.ts';
import { maxBy } from '../../core/promql.ts';
import type { AlertContext, RecordingRule, RuleGroup } from '../types.ts';

const MIB = 1024 * 1024;

export function gpuRecordingRules({ q, rec }: AlertContext): RuleGroup<RecordingRule>[] {
  const perGpu = (metric: string) => maxBy(q.gpuBy, q.dcgmClean(metric));
  const rules: RecordingRule[] = [
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
  return [{ name: 'dgmon.gpu.rules', rules }];
}
