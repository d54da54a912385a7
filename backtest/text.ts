// The backtest as text for a terminal (tables) and as JSON for scripts: the summary, every episode, and with a second
// config the what-if table, alert by alert.
import type { BacktestResult } from './run.ts';
import type { AlertRow, Summary } from './summary.ts';
import { formatDuration } from '../core/duration.ts';

export interface Side {
  /** Where the config came from: a file, "defaults", or the overrides applied. */
  name: string;
  result: BacktestResult;
}

export const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
export const duration = (ms: number) => (ms <= 0 ? '0s' : formatDuration(Math.round(ms / 1000)));
export const rate = (n: number) => (n === 0 ? '0' : n >= 10 ? n.toFixed(0) : n.toFixed(1));
export const percent = (share: number) => (share === 0 ? '0 %' : share < 0.001 ? '<0.1 %' : `${(share * 100).toFixed(1)} %`);
export const labelText = (labels: Record<string, string>, skip: string[] = ['severity']) =>
  Object.entries(labels)
    .filter(([k]) => !skip.includes(k))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ');

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function summaryText(s: Summary): string {
  const parts: string[] = [];
  parts.push(`pages (critical episodes): ${s.pages}, ${rate(s.pagesPerWeek)} per week; tickets (warning episodes): ${s.tickets}, ${rate(s.ticketsPerWeek)} per week`);
  parts.push('');
  parts.push(
    s.alerts.length === 0
      ? 'no alert fired'
      : table(
          ['alert', 'severity', 'episodes', 'per week', 'time firing', 'share of range', 'longest', 'label sets'],
          s.alerts.map((a) => [a.alert, a.severity, String(a.episodes), rate(a.perWeek), duration(a.firingMs), percent(a.firingShare), duration(a.longestMs), String(a.labelSets)]),
        ),
  );
  if (s.noisiest.length > 0) {
    parts.push('', 'noisiest label sets:');
    parts.push(table(['alert', 'severity', 'episodes', 'time firing', 'labels'], s.noisiest.map((r) => [r.alert, r.severity, String(r.episodes), duration(r.firingMs), labelText(r.labels)])));
  }
  if (s.longest.length > 0) {
    parts.push('', 'longest episodes:');
    parts.push(table(['alert', 'severity', 'start', 'end', 'duration', 'labels'], s.longest.map((e) => [e.alert, e.severity, iso(e.start), e.open ? 'still firing' : iso(e.end!), duration(e.durationMs), labelText(e.labels)])));
  }
  parts.push('', 'Alertmanager (after grouping and inhibition):');
  parts.push(
    s.receivers.length === 0
      ? 'no notification'
      : table(['receiver', 'notifications', 'per week', 'resolved notices'], s.receivers.map((r) => [r.receiver, String(r.firing), rate(r.firingPerWeek), String(r.resolved)])),
  );
  return parts.join('\n');
}

function episodesText(r: BacktestResult): string {
  if (r.episodes.length === 0) return 'episodes: none';
  return `episodes:\n${table(
    ['alert', 'severity', 'start', 'end', 'duration', 'labels'],
    r.episodes.map((e) => [e.alert, e.severity, iso(e.start), e.end === undefined ? 'still firing' : iso(e.end), duration((e.end ?? r.endMs) - e.start), labelText(e.labels)]),
  )}`;
}

function header(side: Side): string {
  const r = side.result;
  const expanded = r.expanded.length > 0 ? `; ${r.expanded.length} recorded series read through their definitions (${r.expanded.join(', ')})` : '';
  return `dgmon backtest: ${iso(r.startMs)} → ${iso(r.endMs)} (${duration(r.endMs - r.startMs)}), config ${side.name}, ${r.rules.length} alerting rules${expanded}`;
}

interface WhatIfRow {
  alert: string;
  severity: string;
  before?: AlertRow;
  after?: AlertRow;
}

export function whatIfRows(base: Summary, other: Summary): WhatIfRow[] {
  const rows = new Map<string, WhatIfRow>();
  for (const [side, s] of [['before', base], ['after', other]] as const) {
    for (const a of s.alerts) {
      const key = `${a.alert}\u0000${a.severity}`;
      const row = rows.get(key) ?? { alert: a.alert, severity: a.severity };
      row[side] = a;
      rows.set(key, row);
    }
  }
  return [...rows.values()].sort((a, b) => a.alert.localeCompare(b.alert) || a.severity.localeCompare(b.severity));
}

function whatIfText(base: Side, other: Side): string {
  const b = base.result.summary;
  const o = other.result.summary;
  const cell = (a: AlertRow | undefined) => (a ? `${a.episodes} (${duration(a.firingMs)})` : '0');
  const rows = whatIfRows(b, o).map((r) => [r.alert, r.severity, cell(r.before), cell(r.after), changed(r.before?.episodes ?? 0, r.after?.episodes ?? 0)]);
  rows.push(['total pages per week', '', rate(b.pagesPerWeek), rate(o.pagesPerWeek), changed(b.pages, o.pages)]);
  rows.push(['total tickets per week', '', rate(b.ticketsPerWeek), rate(o.ticketsPerWeek), changed(b.tickets, o.tickets)]);
  const receivers = [...new Set([...b.receivers, ...o.receivers].map((r) => r.receiver))].sort();
  for (const name of receivers) {
    const x = b.receivers.find((r) => r.receiver === name)?.firing ?? 0;
    const y = o.receivers.find((r) => r.receiver === name)?.firing ?? 0;
    rows.push([`notifications to ${name}`, '', String(x), String(y), changed(x, y)]);
  }
  return `what-if: ${base.name} → ${other.name}\n${table(['alert', 'severity', `episodes (time firing): ${base.name}`, other.name, 'change'], rows)}`;
}

const changed = (a: number, b: number) => (a === b ? '=' : b > a ? `+${b - a}` : `-${a - b}`);

export function renderText(base: Side, other?: Side, withEpisodes = true): string {
  const parts = [header(base), summaryText(base.result.summary)];
  if (withEpisodes) parts.push(episodesText(base.result));
  if (other) parts.push('', header(other), summaryText(other.result.summary), '', whatIfText(base, other));
  return `${parts.join('\n\n')}\n`;
}

export function renderJson(base: Side, other?: Side): string {
  const side = (s: Side) => ({
    config: s.name,
    start: iso(s.result.startMs),
    end: iso(s.result.endMs),
    expandedRecordedSeries: s.result.expanded,
    rules: s.result.rules.map((r) => ({ alert: r.alert, severity: r.severity, for: duration(r.forMs), interval: duration(r.intervalMs), series: r.series, episodes: r.episodes, expr: r.evaluated })),
    summary: s.result.summary,
    episodes: s.result.episodes.map((e) => ({ alert: e.alert, severity: e.severity, labels: e.labels, activeAt: iso(e.activeAt), start: iso(e.start), end: e.end === undefined ? null : iso(e.end) })),
    notifications: s.result.notifications.filter((n) => n.at >= s.result.startMs).map((n) => ({ receiver: n.receiver, at: iso(n.at), firing: n.firing, resolved: n.resolved, reason: n.reason })),
  });
  return `${JSON.stringify({ baseline: side(base), ...(other ? { proposed: side(other), whatIf: whatIfRows(base.result.summary, other.result.summary) } : {}) }, null, 2)}\n`;
}
