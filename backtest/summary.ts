// The numbers an SRE asks of a backtest: pages (critical episodes) and tickets (warning and info episodes) per week,
// per alert and in total; the label sets that fire most often; the longest episodes; time spent firing; and what
// Alertmanager would have sent per receiver. An episode counts in the range it started in; time firing counts only
// the part inside the range.
import type { Episode } from './alerting.ts';
import { labelKey } from './alerting.ts';
import { perReceiver, type Notification } from './alertmanager.ts';

const WEEK_MS = 7 * 86_400_000;
const TOP = 10;

export type Kind = 'page' | 'ticket' | 'other';

/** How a severity reaches people under dgmon's routing: critical pages, warning and info open tickets. */
export function kindOf(severity: string): Kind {
  if (severity === 'critical') return 'page';
  if (severity === 'warning' || severity === 'info') return 'ticket';
  return 'other';
}

export interface AlertRow {
  alert: string;
  severity: string;
  kind: Kind;
  /** Episodes that started inside the range. */
  episodes: number;
  perWeek: number;
  /** Time firing inside the range (ms), all label sets added up. */
  firingMs: number;
  /** Share of the range during which at least one label set of it fired. */
  firingShare: number;
  longestMs: number;
  labelSets: number;
}

export interface LabelSetRow {
  alert: string;
  severity: string;
  labels: Record<string, string>;
  episodes: number;
  firingMs: number;
}

export interface EpisodeRow extends Episode {
  /** Inside the range (ms). */
  durationMs: number;
  /** Still firing at the end of the range. */
  open: boolean;
}

export interface ReceiverRow {
  receiver: string;
  firing: number;
  resolved: number;
  firingPerWeek: number;
}

export interface Summary {
  startMs: number;
  endMs: number;
  weeks: number;
  pages: number;
  tickets: number;
  pagesPerWeek: number;
  ticketsPerWeek: number;
  alerts: AlertRow[];
  noisiest: LabelSetRow[];
  longest: EpisodeRow[];
  receivers: ReceiverRow[];
}

const clipped = (e: Episode, startMs: number, endMs: number) => Math.max(0, Math.min(e.end ?? endMs, endMs) - Math.max(e.start, startMs));

/** Length of the union of the episodes' stretches inside the range. */
function unionMs(episodes: Episode[], startMs: number, endMs: number): number {
  const spans = episodes.map((e) => [Math.max(e.start, startMs), Math.min(e.end ?? endMs, endMs)] as const).filter(([a, b]) => b > a).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let cur: [number, number] | undefined;
  for (const [a, b] of spans) {
    if (cur && a <= cur[1]) cur[1] = Math.max(cur[1], b);
    else {
      if (cur) total += cur[1] - cur[0];
      cur = [a, b];
    }
  }
  if (cur) total += cur[1] - cur[0];
  return total;
}

/** Summarises `episodes` (which may begin before the range: they were found during the warm-up) over [startMs, endMs]. */
export function summarise(episodes: Episode[], sent: Notification[], startMs: number, endMs: number): Summary {
  const weeks = (endMs - startMs) / WEEK_MS;
  const inRange = episodes.filter((e) => (e.end ?? Infinity) > startMs && e.start <= endMs);
  const started = inRange.filter((e) => e.start >= startMs);
  const perWeek = (n: number) => (weeks > 0 ? n / weeks : 0);

  const byAlert = new Map<string, Episode[]>();
  for (const e of inRange) {
    const key = `${e.alert}\u0000${e.severity}`;
    byAlert.set(key, [...(byAlert.get(key) ?? []), e]);
  }
  const alerts: AlertRow[] = [...byAlert.values()].map((list) => {
    const count = list.filter((e) => e.start >= startMs).length;
    return {
      alert: list[0]!.alert,
      severity: list[0]!.severity,
      kind: kindOf(list[0]!.severity),
      episodes: count,
      perWeek: perWeek(count),
      firingMs: list.reduce((sum, e) => sum + clipped(e, startMs, endMs), 0),
      firingShare: endMs > startMs ? unionMs(list, startMs, endMs) / (endMs - startMs) : 0,
      longestMs: Math.max(0, ...list.map((e) => clipped(e, startMs, endMs))),
      labelSets: new Set(list.map((e) => labelKey(e.labels))).size,
    };
  });
  alerts.sort((a, b) => b.episodes - a.episodes || b.firingMs - a.firingMs || a.alert.localeCompare(b.alert));

  const bySet = new Map<string, LabelSetRow>();
  for (const e of inRange) {
    const key = `${e.alert}\u0000${e.severity}\u0000${labelKey(e.labels)}`;
    const row = bySet.get(key) ?? { alert: e.alert, severity: e.severity, labels: e.labels, episodes: 0, firingMs: 0 };
    if (e.start >= startMs) row.episodes += 1;
    row.firingMs += clipped(e, startMs, endMs);
    bySet.set(key, row);
  }
  const noisiest = [...bySet.values()]
    .filter((r) => r.episodes > 0)
    .sort((a, b) => b.episodes - a.episodes || b.firingMs - a.firingMs)
    .slice(0, TOP);

  const longest = inRange
    .map((e) => ({ ...e, durationMs: clipped(e, startMs, endMs), open: e.end === undefined || e.end > endMs }))
    .sort((a, b) => b.durationMs - a.durationMs || a.start - b.start)
    .slice(0, TOP);

  const receivers = perReceiver(sent.filter((n) => n.at >= startMs && n.at <= endMs)).map((r) => ({ ...r, firingPerWeek: perWeek(r.firing) }));

  const pages = started.filter((e) => kindOf(e.severity) === 'page').length;
  const tickets = started.filter((e) => kindOf(e.severity) === 'ticket').length;
  return { startMs, endMs, weeks, pages, tickets, pagesPerWeek: perWeek(pages), ticketsPerWeek: perWeek(tickets), alerts, noisiest, longest, receivers };
}
