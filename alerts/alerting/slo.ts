// Error-budget burn-rate alerts (Google SRE workbook, chapter 5: multi-window, multi-burn-rate). One alert per SLO,
// one rule per row of slo.burnRateWindows: the budget must be burning faster than the row's factor over both its
// long window (enough budget is gone to matter) and its short window (it is still happening, so the alert resolves
// minutes after the fault ends). Rows differ in labels (long_window, short_window, exhaustion), as Pyrra's do. Each
// SLO's alert is a group of its own (dgmon.slo.availability.alerts, dgmon.slo.streaming-latency.alerts), evaluated
// side by side: their long windows are the costliest reads of the alerting rules.
import { ENGINE, SERVER_ERROR_MATCHER } from '../../core/catalog/index.ts';
import { increase, leMatcher, num, rate, sumBy } from '../../core/promql.ts';
import { durationSeconds, formatDuration } from '../../core/duration.ts';
import type { BurnWindow } from '../../core/config.ts';
import type { AlertContext, AlertDefinition, AlertModule, AlertRuleSpec, Runbook } from '../types.ts';
import { sloEvents } from '../recording/slo.ts';
import { percent, milliseconds, errorBudget } from '../../core/format.ts';

export const sloAlerts: AlertModule = (ctx) => {
  const { config, q, rec, inCluster } = ctx;
  const slo = config.slo;
  const defs: AlertDefinition[] = [];

  if (slo.availability.enabled) {
    const objective = slo.availability.objective;
    const budget = errorBudget(objective);
    const requests = (...m: string[]) => sumBy(q.clusterBy, increase(q.engine(ENGINE.requests.name, ...m), slo.period));
    defs.push({
      name: 'DeepgramErrorBudgetBurn',
      group: 'availability',
      summary: 'Deepgram Engine server errors are burning the availability error budget too fast.',
      dashboard: 'fleet',
      rules: burnRules(ctx, rec.availabilityErrorRatio, sloEvents(ctx, 'counts').availability, objective, (row) =>
        `{{ $value | humanizePercentage }} of Engine requests${inCluster} failed with a server error (5xx) over the last ${row.long}, ${times(row.factor)} the ${percent(budget)} the ${percent(objective)} objective allows (and still so over the last ${row.short}). Burning this fast, the ${slo.period} error budget is gone within ${exhaustion(slo.period, row.factor)}.`,
      ),
      runbook: burnRunbook(ctx, {
        objective,
        ratio: rec.availabilityErrorRatio,
        sli: `The availability SLO: at least ${percent(objective)} of Deepgram Engine inference requests (engine_requests_total, every kind) in any ${slo.period} end without a server error (response_status 5xx). Client errors (4xx) are the caller's and spend no budget. The error budget is the remaining ${percent(budget)} of requests.`,
        impact: 'Callers are getting failed transcriptions at a rate that, if it continues, breaks the availability objective. The fast-burn (critical) rows mean an incident now; the slow-burn (warning) rows mean a steady leak that will miss the objective by period end.',
        confirm: [
          { what: 'Server-error share per node: where the errors come from', promql: rec.nodeServerErrorRatio },
          { what: 'Requests by kind and status class', promql: rec.clusterRequestsByStatus },
          {
            what: `Error budget left over the whole ${slo.period} (1 = untouched, 0 = spent, below 0 = objective missed; a heavy query, run it once)`,
            promql: `1 - (\n  ${requests(SERVER_ERROR_MATCHER)}\n  /\n  ${requests()}\n) / ${num(budget)}`,
          },
        ],
        causes: [
          'One Engine node failing (a GPU fault, a lost model, a bad restart): the per-node query shows it, and DeepgramHighErrorRate fires for that node.',
          'Every node failing together: a License Proxy or licence-server problem (DeepgramLicenseProxyTrustBased), a broken models volume, or a bad Engine release.',
          'Overload: requests timing out or refused with 5xx when the fleet has no capacity left (DeepgramStreamCapacityHigh, DeepgramConcurrencyLimitNear).',
          'A steady background of errors (slow-burn rows): a request kind or model that always fails for some callers.',
        ],
        actions: [
          'For a critical (fast) burn: treat it as an incident. Find the failing node or kind with the queries above and follow DeepgramHighErrorRate; drain a bad node, roll back a bad release.',
          'For a warning (slow) burn: find the steady source of 5xx (the kind and node with the most server errors over the last day) and fix it within days; it will not resolve itself.',
          'After the fix, the short window clears the alert within minutes; the budget spent stays spent until it leaves the period.',
          'If the budget is nearly gone, freeze risky changes (Engine upgrades, config changes) until the period rolls over.',
        ],
        escalate: 'Critical rows page the Deepgram platform owner at once; open a Deepgram support ticket with Engine logs and request ids (dg-request-id) if the cause is inside the Engine. Warning rows go to the owning team\'s backlog with a due date before the budget is gone.',
      }),
    });
  }

  if (slo.streamingLatency.enabled) {
    const objective = slo.streamingLatency.objective;
    const budget = errorBudget(objective);
    const threshold = slo.streamingLatency.thresholdSeconds;
    const le = leMatcher(threshold);
    const target = milliseconds(threshold);
    const series = (suffix: string, ...m: string[]) => sumBy(q.clusterBy, increase(q.engine(`${ENGINE.streamLatency.name}_${suffix}`, ...m), slo.period));
    defs.push({
      name: 'DeepgramStreamingLatencyBudgetBurn',
      group: 'streaming-latency',
      summary: 'Deepgram streaming latency is burning its error budget too fast.',
      dashboard: 'fleet',
      rules: burnRules(ctx, rec.streamLatencySlowRatio, sloEvents(ctx, 'counts').streamingLatency, objective, (row) =>
        `{{ $value | humanizePercentage }} of streaming latency observations${inCluster} took longer than ${target} over the last ${row.long}, ${times(row.factor)} the ${percent(budget)} the ${percent(objective)} objective allows (and still so over the last ${row.short}). Burning this fast, the ${slo.period} latency budget is gone within ${exhaustion(slo.period, row.factor)}.`,
      ),
      runbook: burnRunbook(ctx, {
        objective,
        ratio: rec.streamLatencySlowRatio,
        sli: `The streaming latency SLO: at least ${percent(objective)} of engine_stream_latency observations in any ${slo.period} are at or under ${target}, Deepgram's target for every simultaneous stream. An observation is "good" when it falls in the le="${threshold}" bucket; the rest spend the budget of ${percent(budget)}.`,
        impact: 'Live streams answer late: captions lag the speaker and voice agents pause. Fast-burn (critical) rows mean many streams are slow now; slow-burn (warning) rows mean a persistent tail of slow responses.',
        confirm: [
          {
            what: `Share of observations over ${target} per node: where the slow streams are`,
            promql: `1 - ${q.byNode('sum', q.nodeBy, rate(q.engine(`${ENGINE.streamLatency.name}_bucket`, le), config.intervals.rate), 'engine')}\n/\n${rec.nodeStreamLatencyCount}`,
          },
          { what: 'Mean streaming latency per node', promql: rec.nodeStreamLatencyMean },
          { what: 'Open streams against each node\'s estimated capacity', promql: rec.nodeStreamCapacityUsed },
          {
            what: `Latency budget left over the whole ${slo.period} (1 = untouched, 0 = spent, below 0 = objective missed; a heavy query, run it once)`,
            promql: `1 - (\n  ${series('count')}\n  -\n  ${series('bucket', le)}\n) / ${series('count')} / ${num(budget)}`,
          },
        ],
        causes: [
          'Nodes above their stream capacity (DeepgramStreamCapacityHigh): latency climbs with the number of open streams.',
          'Batch jobs sharing the GPUs with streams at peak time.',
          'One slow node (GPU throttling, CPU fallback): the per-node query shows it.',
          'Clients sending large audio chunks or enabling costlier features, which raises per-response latency.',
        ],
        actions: [
          'For a critical (fast) burn: find the slow nodes with the first query. If they are full, add capacity or rebalance streams (least-connections); if one node is slow while not full, drain it and follow DeepgramRealtimeFactorLow / the GPU alerts.',
          'Move batch traffic away from streaming nodes during the burn.',
          'For a warning (slow) burn: look for the steady tail (one node, one time of day, one client) and plan capacity or client changes (20-100 ms audio chunks keep latency low).',
          'If the budget is nearly gone, hold back changes that add streaming load or features until the period rolls over.',
        ],
        escalate: 'Critical rows page the Deepgram platform owner at once. Warning rows become a capacity ticket; escalate to Deepgram support if latency is high on nodes well under their stream capacity.',
      }),
    });
  }
  return defs;
};

type Events = { all: (window: string) => string; bad: (window: string) => string };

/**
 * One rule per burn-rate row: the ratio over both windows above factor × budget, with at least traffic.minRequests
 * events and traffic.minErrors bad ones in each window (a quiet cluster's one failed request is a large share of a
 * window, not an incident). The short window is counted too: at night an hour can gather enough scattered failures
 * to pass the long window's gate while its last 5 minutes hold one or two, which is a large share of a handful of
 * requests but no proof that anything is still failing. And the short window's bad events are weighed against the
 * long window's traffic, so a night's failures count for the budget they spend, not for their share of the night.
 */
function burnRules(ctx: AlertContext, ratio: (window: string) => string, counts: Events, objective: number, describe: (row: BurnWindow) => string): AlertRuleSpec[] {
  const budget = errorBudget(objective);
  const on = `on (${ctx.q.clusterBy.join(', ')})`;
  const { minRequests, minErrors } = ctx.config.traffic;
  return ctx.config.slo.burnRateWindows.map((row) => {
    const limit = `${num(row.factor)} * ${num(budget)}`;
    return {
      expr: [
        `${ratio(row.long)} > ${limit}`,
        'and',
        `${ratio(row.short)} > ${limit}`,
        ...[row.long, row.short].flatMap((window) => [
          `and ${on}`,
          `${counts.all(window)} >= ${num(minRequests)}`,
          `and ${on}`,
          `${counts.bad(window)} >= ${num(minErrors)}`,
        ]),
        // The budget is counted in events, so a quiet night's bad events spend little of it however large their
        // share of the night: the short window must also hold more bad events than its slice of the long window's
        // traffic allows at this row's rate (Pyrra's dynamic burn rate, for the short window only). With traffic at
        // or above the long window's average, this adds nothing to the ratio.
        `and ${on}`,
        `${counts.bad(row.short)}`,
        `> ${on}`,
        `${counts.all(row.long)} * ${limit} / ${num(durationSeconds(row.long) / durationSeconds(row.short))}`,
      ].join('\n'),
      for: row.for,
      severity: row.severity,
      labels: { long_window: row.long, short_window: row.short, exhaustion: exhaustion(ctx.config.slo.period, row.factor) },
      description: describe(row),
    };
  });
}

interface BurnRunbookSpec {
  objective: number;
  ratio: (window: string) => string;
  /** What the SLI counts and what its budget is. */
  sli: string;
  impact: string;
  confirm: Runbook['confirm'];
  causes: string[];
  actions: string[];
  escalate: string;
}

/** The runbook shared by both burn alerts: the scheme explained with this config's own numbers. */
function burnRunbook(ctx: AlertContext, spec: BurnRunbookSpec): Runbook {
  const { period, burnRateWindows } = ctx.config.slo;
  const budget = errorBudget(spec.objective);
  const periodSeconds = durationSeconds(period);
  const rows = burnRateWindows.map((row) => {
    const spent = (row.factor * durationSeconds(row.long)) / periodSeconds;
    return `${row.long}/${row.short} at ${num(row.factor)}x, ${row.severity} after ${row.for}: the ratio is above ${percent(row.factor * budget)} over both windows, so at least ${percent(spent)} of the ${period} budget is gone within ${row.long}, and at that rate a whole budget lasts only ${exhaustion(period, row.factor)} (label exhaustion="${exhaustion(period, row.factor)}")`;
  });
  const first = burnRateWindows[0]!;
  return {
    meaning: [
      spec.sli,
      `A burn rate of 1 spends exactly the whole budget by the end of the ${period} period; a burn rate of ${num(first.factor)} means a bad ratio ${num(first.factor)} times the budget (${percent(first.factor * budget)}), which would spend ${period}'s budget in ${exhaustion(period, first.factor)}.`,
      'Each rule is one row of slo.burnRateWindows and fires only when the bad ratio is above the row\'s factor × budget over both its long window (proof that enough budget is gone to matter) and its short window (proof that it is still happening, so the alert clears minutes after the fault ends). The labels long_window and short_window name the row. The rows are:',
      rows.map((r) => `${r}.`).join(' '),
      `The ratio is per cluster, over all Engine nodes. With little traffic a handful of bad events is a large ratio, so a row judges its windows only when each of them, the long and the short, holds at least ${num(ctx.config.traffic.minRequests)} events and ${num(ctx.config.traffic.minErrors)} bad ones (traffic.minRequests, traffic.minErrors): one failed request of a quiet night never pages, nor do a few scattered over a night hour once the last ${ctx.config.slo.burnRateWindows[0]!.short} holds only one or two. The budget is counted in events, so the short window must also hold more bad events than its slice of the long window's traffic allows at the row's rate (the long window's events × factor × budget × short/long): at night, with a few percent of the day's traffic, a night's scattered failures are a large share of the night but a small part of the budget, and open no ticket; with traffic at or above the long window's average this asks nothing more than the ratio.`,
    ].join(' '),
    impact: spec.impact,
    confirm: [
      ...burnRateWindows.map((row) => ({
        what: `Burn rate over ${row.long} (1 = exactly on budget; the ${row.severity} ${row.long}/${row.short} row fires while this and the same over ${row.short} are above ${num(row.factor)})`,
        promql: `${spec.ratio(row.long)} / ${num(budget)}`,
      })),
      ...spec.confirm,
    ],
    causes: spec.causes,
    actions: spec.actions,
    escalate: spec.escalate,
  };
}

/** 1 - objective without float noise (1 - 0.999 is 0.0010000000000000009). */
/** How long the period's budget lasts at `factor` times the sustainable rate, to the minute (Pyrra's exhaustion). */
function exhaustion(period: string, factor: number): string {
  const seconds = durationSeconds(period) / factor;
  return formatDuration(seconds >= 3600 ? Math.round(seconds / 60) * 60 : Math.round(seconds));
}

/** "more than 14.4 times" (or plain "more than" at factor 1, the rate that exactly spends the budget). */
function times(factor: number): string {
  return factor === 1 ? 'more than' : `more than ${num(factor)} times`;
}
