// Recording rules behind the burn-rate alerts: the SLI error ratio per cluster over every window the burn-rate
// table names. Windows up to the rate window read the raw counters. Longer ones average the per-cluster rates
// recorded every evaluation (numerator and denominator apart, as Sloth and Pyrra do): reading days of raw counters of
// every node at every evaluation cost a 1000-node fleet seconds per evaluation (bench/results/fleet.json), the
// recorded rates a few milliseconds. The price: a window reaches back only as far as the recorded rates do, so for
// the first days after the rules are loaded the longest windows cover less than their name says.
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
  const short = (w: string) => durationSeconds(w) <= durationSeconds(config.intervals.rate);
  const overWindow = (recorded: string, w: string) => sumBy(cluster, `sum_over_time(${recorded}[${w}])`);
  const groups: RuleGroup<RecordingRule>[] = [];
  if (config.slo.availability.enabled) {
    groups.push({
      name: 'dgmon.slo.availability.rules',
      rules: burnWindows(ctx).map((w) => ({
        record: rec.availabilityErrorRatio(w),
        expr: short(w)
          ? `${sumBy(cluster, rate(q.engine(ENGINE.requests.name, SERVER_ERROR_MATCHER), w))}\n/\n${sumBy(cluster, rate(q.engine(ENGINE.requests.name), w))}`
          : `${overWindow(`${rec.clusterRequestsByStatus}{${SERVER_ERROR_MATCHER}}`, w)}\n/\n${overWindow(rec.clusterRequestsByStatus, w)}`,
      })),
    });
  }
  if (config.slo.streamingLatency.enabled) {
    const le = leMatcher(config.slo.streamingLatency.thresholdSeconds);
    const total = (w: string) => (short(w) ? sumBy(cluster, rate(q.engine(`${ENGINE.streamLatency.name}_count`), w)) : overWindow(rec.clusterStreamLatencyCount, w));
    const fast = (w: string) => (short(w) ? sumBy(cluster, rate(q.engine(`${ENGINE.streamLatency.name}_bucket`, le), w)) : overWindow(`${rec.clusterStreamLatencyBuckets}{${le}}`, w));
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
