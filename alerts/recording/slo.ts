// Recording rules behind the burn-rate alerts: the SLI error ratio per cluster over every window the burn-rate
// table names. Windows up to the rate window read the raw counters. Longer ones average the per-cluster rates
// recorded every evaluation (numerator and denominator apart, as Sloth and Pyrra do): reading days of raw counters of
// every node at every evaluation cost a 1000-node fleet seconds per evaluation (bench/results/fleet.json), the
// recorded rates a few milliseconds. The price: a window reaches back only as far as the recorded rates do, so for
// the first days after the rules are loaded the longest windows cover less than their name says.
//
// Numerator and denominator of each ratio come from the same recorded series (or the same raw histogram) in the same
// rule: rule groups are evaluated independently (promtool in random order at the same instant, Prometheus each on
// its own schedule), so sums over windows of series written by two groups can hold different numbers of samples, and
// their ratio was seen to page a healthy node or to go negative.
import { ENGINE, SERVER_ERROR_MATCHER } from '../../core/catalog/index.ts';
import { increase, leMatcher, num, rate, sumBy } from '../../core/promql.ts';
import { durationSeconds } from '../../core/duration.ts';
import type { AlertContext, RecordingRule, RuleGroup } from '../types.ts';

/** Every distinct window of the burn-rate table, shortest first. */
export function burnWindows(ctx: AlertContext): string[] {
  const all = ctx.config.slo.burnRateWindows.flatMap((w) => [w.long, w.short]);
  return [...new Set(all)].sort((a, b) => durationSeconds(a) - durationSeconds(b));
}

/**
 * The events of each SLO over a window, per cluster: all of them and the bad ones. Windows up to the rate window read
 * the raw counters, longer ones sum the recorded per-cluster rates. Each pair is read from one series name (requests
 * by status; the streaming histogram, whose +Inf bucket is the count), written by one rule. As `rates` (for the
 * ratios: per-second rates for short windows, sums of recorded rates for long ones, so only a pair's quotient means
 * something) or as `counts` (events in the window, for the traffic gates).
 */
export function sloEvents(ctx: AlertContext, as: 'rates' | 'counts') {
  const { config, q, rec } = ctx;
  const cluster = q.clusterBy;
  const short = (w: string) => durationSeconds(w) <= durationSeconds(config.intervals.rate);
  // A recorded rate holds one sample per evaluation: their sum times the evaluation interval is the count.
  const perEvaluation = as === 'counts' ? ` * ${num(durationSeconds(config.intervals.evaluation))}` : '';
  const raw = (expr: string, w: string) => sumBy(cluster, as === 'counts' ? increase(expr, w) : rate(expr, w));
  const recorded = (series: string, w: string) => `${sumBy(cluster, `sum_over_time(${series}[${w}])`)}${perEvaluation}`;
  const le = leMatcher(config.slo.streamingLatency.thresholdSeconds);
  const stream = (w: string, m: string) =>
    short(w) ? raw(q.engine(`${ENGINE.streamLatency.name}_bucket`, m), w) : recorded(`${rec.clusterStreamLatencyBuckets}{${m}}`, w);
  return {
    availability: {
      all: (w: string) => (short(w) ? raw(q.engine(ENGINE.requests.name), w) : recorded(rec.clusterRequestsByStatus, w)),
      bad: (w: string) =>
        short(w) ? raw(q.engine(ENGINE.requests.name, SERVER_ERROR_MATCHER), w) : recorded(`${rec.clusterRequestsByStatus}{${SERVER_ERROR_MATCHER}}`, w),
    },
    streamingLatency: {
      all: (w: string) => stream(w, 'le="+Inf"'),
      bad: (w: string) => `(\n  ${stream(w, 'le="+Inf"')}\n  -\n  ${stream(w, le)}\n)`,
    },
  };
}

export function sloRecordingRules(ctx: AlertContext): RuleGroup<RecordingRule>[] {
  const { config, rec } = ctx;
  const events = sloEvents(ctx, 'rates');
  const groups: RuleGroup<RecordingRule>[] = [];
  if (config.slo.availability.enabled) {
    const { all, bad } = events.availability;
    groups.push({
      name: 'dgmon.slo.availability.rules',
      rules: burnWindows(ctx).map((w) => ({ record: rec.availabilityErrorRatio(w), expr: `${bad(w)}\n/\n${all(w)}` })),
    });
  }
  if (config.slo.streamingLatency.enabled) {
    const { all, bad } = events.streamingLatency;
    groups.push({
      name: 'dgmon.slo.streaming-latency.rules',
      rules: burnWindows(ctx).map((w) => ({ record: rec.streamLatencySlowRatio(w), expr: `${bad(w)}\n/\n${all(w)}` })),
    });
  }
  return groups;
}
