// One backtest: every alerting rule a config generates, evaluated over a range of the user's history as its group
// would have evaluated it, replayed through Prometheus' `for:`/`keep_firing_for:` state machine, then through the
// generated Alertmanager routing; summarised.
//
// Recorded series the user's Prometheus does not hold (rules not loaded yet, or loaded after the range began) are
// expanded into their defining expressions, as the fleet benchmark does for panels. Each rule is evaluated from
// `for:` + `keep_firing_for:` before the range, so an alert already firing when the range begins is seen firing.
import type { DgmonConfig } from '../core/config.ts';
import { durationMilliseconds } from '../core/duration.ts';
import type { PrometheusQueries } from '../daemons/prometheus.ts';
import { buildRules } from '../alerts/index.ts';
import { buildAlertmanagerConfig } from '../alerts/alertmanager.ts';
import type { AlertingRule } from '../alerts/types.ts';
import { definitions, expandRecorded, selectors, type Definition } from './recorded.ts';
import { evaluateOverRange, evaluationTimes } from './range.ts';
import { replayRule, type Episode, type RuleToReplay } from './alerting.ts';
import { notifications, type AlertmanagerConfigObject, type Notification } from './alertmanager.ts';
import { summarise, type Summary } from './summary.ts';

/** Always firing by design (the dead man's switch): left out unless asked for by name. */
export const HEARTBEAT_ALERTS = ['DeepgramWatchdog'];

export interface BacktestOptions {
  prometheus: PrometheusQueries;
  config: DgmonConfig;
  startMs: number;
  endMs: number;
  /** Only these alerts (default: every enabled alert but the heartbeat). */
  alerts?: string[];
  /** Each alert group's evaluation offset (ms past a multiple of its interval), by group name (backtest/phases.ts). */
  phases?: Record<string, number>;
  /** Expand every recorded series, whether the Prometheus holds it or not. */
  expandAll?: boolean;
  /** Progress, at most every `progressEveryMs` (default 2 s). */
  progress?: (line: string) => void;
  progressEveryMs?: number;
}

export interface EvaluatedRule extends RuleToReplay {
  severity: string;
  intervalMs: number;
  /** The expression sent to Prometheus (with missing recorded series expanded). */
  evaluated: string;
  series: number;
  episodes: number;
}

export interface BacktestResult {
  startMs: number;
  endMs: number;
  rules: EvaluatedRule[];
  /** Recorded series read through their definitions. */
  expanded: string[];
  episodes: Episode[];
  notifications: Notification[];
  summary: Summary;
}

/** Every alert name the config generates. */
export function alertNames(config: DgmonConfig): string[] {
  return [...new Set(buildRules(config).alerting.flatMap((g) => g.rules.map((r) => r.alert)))];
}

/** The recorded series `expr` reads, and those their definitions read, transitively. */
function recordedReads(expr: string, defs: Map<string, Definition[]>, into = new Set<string>()): Set<string> {
  for (const s of selectors(expr)) {
    if (!defs.has(s.name) || into.has(s.name)) continue;
    into.add(s.name);
    for (const d of defs.get(s.name)!) recordedReads(d.expr, defs, into);
  }
  return into;
}

/** Recorded series names the Prometheus holds at `atMs` (within its 5-minute look-back). */
async function heldAt(prometheus: PrometheusQueries, names: string[], atMs: number): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const result = await prometheus.query(`group by (__name__) ({__name__=~"${names.join('|')}"})`, atMs / 1000);
  return new Set(result.map((s) => s.metric.__name__ ?? ''));
}

export async function backtest(options: BacktestOptions): Promise<BacktestResult> {
  const { prometheus, config, startMs, endMs } = options;
  const bundle = buildRules(config);
  const defs = definitions(bundle.recording);
  const wanted = options.alerts && options.alerts.length > 0 ? new Set(options.alerts) : undefined;
  const rules: { rule: AlertingRule; index: number; intervalMs: number; phaseMs: number }[] = [];
  let index = 0;
  for (const group of bundle.alerting) {
    for (const rule of group.rules) {
      const keep = wanted ? wanted.has(rule.alert) : !HEARTBEAT_ALERTS.includes(rule.alert);
      const intervalMs = durationMilliseconds(group.interval ?? config.intervals.evaluation);
      if (keep) rules.push({ rule, index, intervalMs, phaseMs: (options.phases?.[group.name] ?? 0) % intervalMs });
      index += 1;
    }
  }

  const warmUpOf = (r: AlertingRule, intervalMs: number) => durationMilliseconds(r.for ?? '0s') + durationMilliseconds((r as { keep_firing_for?: string }).keep_firing_for ?? '0s') + intervalMs;
  const earliest = Math.min(...rules.map(({ rule, intervalMs }) => startMs - warmUpOf(rule, intervalMs)));
  const reads = [...new Set(rules.flatMap(({ rule }) => [...recordedReads(rule.expr, defs)]))].sort();
  const held = options.expandAll ? new Set<string>() : await heldAt(prometheus, reads, earliest);
  const missing = new Map([...defs].filter(([name]) => !held.has(name)));
  const expanded = reads.filter((name) => !held.has(name));

  const every = options.progressEveryMs ?? 2000;
  const began = Date.now();
  let lastProgress = began;
  const evaluated: EvaluatedRule[] = [];
  const episodes: Episode[] = [];
  for (const [i, { rule, index: ruleIndex, intervalMs, phaseMs }] of rules.entries()) {
    const replay: RuleToReplay = {
      alert: rule.alert,
      rule: ruleIndex,
      expr: rule.expr,
      forMs: durationMilliseconds(rule.for ?? '0s'),
      keepFiringForMs: durationMilliseconds((rule as { keep_firing_for?: string }).keep_firing_for ?? '0s'),
      labels: rule.labels,
    };
    const expr = expandRecorded(rule.expr, missing);
    const times = evaluationTimes(startMs - warmUpOf(rule, intervalMs), endMs, intervalMs, phaseMs);
    const series = await evaluateOverRange(prometheus, expr, times, intervalMs, (done, total) => {
      const now = Date.now();
      if (options.progress && now - lastProgress >= every) {
        lastProgress = now;
        options.progress(`rule ${i + 1} of ${rules.length} (${rule.alert}, ${rule.labels.severity ?? ''}): chunk ${done} of ${total}, ${Math.round((now - began) / 1000)} s`);
      }
    });
    // Episodes that ended before the range are the warm-up's, not the range's.
    const found = replayRule(replay, times, series).filter((e) => e.end === undefined || e.end > startMs);
    episodes.push(...found);
    evaluated.push({ ...replay, severity: rule.labels.severity ?? '', intervalMs, evaluated: expr, series: series.length, episodes: found.length });
  }
  if (options.progress && Date.now() - began >= every) options.progress(`${rules.length} rules evaluated in ${Math.round((Date.now() - began) / 1000)} s`);

  episodes.sort((a, b) => a.start - b.start || a.alert.localeCompare(b.alert));
  const sent = notifications(episodes, buildAlertmanagerConfig(config) as unknown as AlertmanagerConfigObject, endMs);
  return { startMs, endMs, rules: evaluated, expanded, episodes, notifications: sent, summary: summarise(episodes, sent, startMs, endMs) };
}
