// Prometheus' alerting-rule state machine (rules/alerting.go, AlertingRule.Eval), replayed over the evaluations of a
// range instead of the wall clock: which series an expression returned at each evaluation in, firing episodes out.
//
// Per series, at each evaluation time t:
// - returned and not yet active: the alert becomes pending with ActiveAt = t; returned while pending or firing: kept.
// - not returned while pending: dropped (a gap resets `for:`); not returned while firing: resolved at t, unless
//   keep_firing_for holds it: from the first evaluation without the series (KeepFiringSince), it keeps firing while
//   t - KeepFiringSince < keep_firing_for, and a return of the series clears KeepFiringSince.
// - then a pending alert with t - ActiveAt >= for fires at t (so `for: 0s` fires at the evaluation that first sees it).
// Alerts are told apart by their labels: the series' labels without __name__, the rule's labels added over them.

/** One alerting rule, as it is evaluated. */
export interface RuleToReplay {
  alert: string;
  /** Index of the rule among the bundle's alerting rules, to tell apart two rules of one alert. */
  rule: number;
  expr: string;
  /** `for:` in milliseconds. */
  forMs: number;
  /** `keep_firing_for:` in milliseconds (0: none). */
  keepFiringForMs: number;
  /** The rule's labels (severity, extra labels), added over the series' labels. */
  labels: Record<string, string>;
}

/** The evaluations of one series: at which evaluation times (ms, ascending) the expression returned it. */
export interface SeriesPresence {
  labels: Record<string, string>;
  times: number[];
}

export interface Episode {
  alert: string;
  rule: number;
  severity: string;
  /** The alert's labels (series labels and rule labels), without alertname. */
  labels: Record<string, string>;
  /** When the alert became pending (ms). */
  activeAt: number;
  /** When it fired (ms): the episode's start. */
  start: number;
  /** The evaluation that resolved it (ms); undefined while still firing at the last evaluation. */
  end?: number;
}

/** The alert's labels: the series' without __name__, the rule's over them (as Prometheus applies them). */
export function alertLabels(series: Record<string, string>, rule: Record<string, string>): Record<string, string> {
  const { __name__: _name, ...rest } = series;
  return { ...rest, ...rule };
}

/** A stable key for a label set (sorted names). */
export function labelKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

/**
 * Replays `rule` over `evaluations` (ms, ascending, one per group evaluation) given the series its expression
 * returned; every firing episode, including one still firing at the end. Series presence times not among the
 * evaluations are ignored.
 */
export function replayRule(rule: RuleToReplay, evaluations: readonly number[], series: Iterable<SeriesPresence>): Episode[] {
  const episodes: Episode[] = [];
  const severity = rule.labels.severity ?? '';
  for (const s of series) {
    const labels = alertLabels(s.labels, rule.labels);
    const present = new Set(s.times);
    let state: 'inactive' | 'pending' | 'firing' = 'inactive';
    let activeAt = 0;
    let firedAt = 0;
    let keepSince: number | undefined;
    for (const t of evaluations) {
      if (present.has(t)) {
        if (state === 'inactive') {
          state = 'pending';
          activeAt = t;
        }
        keepSince = undefined;
      } else if (state === 'pending') {
        state = 'inactive';
        continue;
      } else if (state === 'firing') {
        let keep = false;
        if (rule.keepFiringForMs > 0) {
          keepSince ??= t;
          keep = t - keepSince < rule.keepFiringForMs;
        }
        if (!keep) {
          episodes.push({ alert: rule.alert, rule: rule.rule, severity, labels, activeAt, start: firedAt, end: t });
          state = 'inactive';
          keepSince = undefined;
          continue;
        }
      } else {
        continue;
      }
      if (state === 'pending' && t - activeAt >= rule.forMs) {
        state = 'firing';
        firedAt = t;
      }
    }
    if (state === 'firing') episodes.push({ alert: rule.alert, rule: rule.rule, severity, labels, activeAt, start: firedAt });
  }
  return episodes.sort((a, b) => a.start - b.start || labelKey(a.labels).localeCompare(labelKey(b.labels)));
}
