// Recording rules behind the burn-rate alerts: the SLI error ratio per cluster over every window the burn-rate
// table names. Read straight from the raw counters (not per-node series), since the long windows reach back days.
import { ENGINE, SERVER_ERROR_MATCHER } from '../../core/catalog/index.ts';
import { rate, sumBy, leMatcher } from '../../core/promql.ts';
import { durationSeconds } from '../../core/duration.ts';
import type { AlertContext, RecordingRule, RuleGroup } from '../types.ts';

/** Every distinct window of the burn-rate table, shortest first. */
export function burnWindows(ctx: AlertContext): string[] {
  const all = ctx.config.slo.burnRateWindows.flatMap((w) => [w.long, w.short]);
  return [...new Set(all)].sort((a, b) => durationSeconds(a) - durationSeconds(b));
}

export function sloRecordingRules(ctx: AlertContext): RuleGroup<RecordingRule>[] {
  const { config, q, rec } = ctx;
  const cluster = q.clusterBy;
  const groups: RuleGroup<RecordingRule>[] = [];
  if (config.slo.availability.enabled) {
    groups.push({
      name: 'dgmon.slo.availability.rules',
      rules: burnWindows(ctx).map((w) => ({
        record: rec.availabilityErrorRatio(w),
        expr: `${sumBy(cluster, rate(q.engine(ENGINE.requests.name, SERVER_ERROR_MATCHER), w))}\n/\n${sumBy(cluster, rate(q.engine(ENGINE.requests.name), w))}`,
      })),
    });
  }
  if (config.slo.streamingLatency.enabled) {
    const le = leMatcher(config.slo.streamingLatency.thresholdSeconds);
    const total = (w: string) => sumBy(cluster, rate(q.engine(`${ENGINE.streamLatency.name}_count`), w));
    const fast = (w: string) => sumBy(cluster, rate(q.engine(`${ENGINE.streamLatency.name}_bucket`, le), w));
    groups.push({
      name: 'dgmon.slo.streaming-latency.rules',
      rules: burnWindows(ctx).map((w) => ({
        record: rec.streamLatencySlowRatio(w),
        expr: `(\n  ${total(w)}\n  -\n  ${fast(w)}\n)\n/\n${total(w)}`,
      })),
    });
  }
  return groups;
}
