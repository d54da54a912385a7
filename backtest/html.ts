// The backtest as one self-contained HTML file (styles and SVG inline, nothing fetched, no script but the flag the
// preview's renderer waits for): the summary tables and one timeline per alert, each of its label sets a row with
// its episodes as bars over the range. With a second config, its timelines follow and the what-if table comes first.
import type { Side } from './text.ts';
import { duration, iso, labelText, percent, rate, whatIfRows } from './text.ts';
import type { Episode } from './alerting.ts';
import { labelKey } from './alerting.ts';

const WIDTH = 1100;
const LABEL_W = 330;
const ROW_H = 16;
const MAX_ROWS = 15;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const COLOURS: Record<string, string> = { critical: '#e02f44', warning: '#ff9830', info: '#5794f2' };
const colour = (severity: string) => COLOURS[severity] ?? '#8e8e8e';

function axis(startMs: number, endMs: number, x: (t: number) => number, height: number): string {
  const span = endMs - startMs;
  const steps = [60_000, 300_000, 900_000, 3_600_000, 6 * 3_600_000, 86_400_000, 7 * 86_400_000];
  const step = steps.find((s) => span / s <= 10) ?? steps[steps.length - 1]!;
  const out: string[] = [];
  for (let t = Math.ceil(startMs / step) * step; t <= endMs; t += step) {
    const text = step >= 86_400_000 ? iso(t).slice(5, 10) : iso(t).slice(11, 16);
    out.push(`<line x1="${x(t).toFixed(1)}" y1="0" x2="${x(t).toFixed(1)}" y2="${height}" class="grid"/><text x="${x(t).toFixed(1)}" y="${height + 12}" class="tick">${text}</text>`);
  }
  return out.join('');
}

function timeline(alert: string, episodes: Episode[], startMs: number, endMs: number): string {
  const sets = new Map<string, Episode[]>();
  for (const e of episodes) sets.set(labelKey(e.labels), [...(sets.get(labelKey(e.labels)) ?? []), e]);
  const rows = [...sets.values()].sort((a, b) => b.length - a.length);
  const shown = rows.slice(0, MAX_ROWS);
  const plotW = WIDTH - LABEL_W;
  const x = (t: number) => LABEL_W + ((Math.min(Math.max(t, startMs), endMs) - startMs) / (endMs - startMs)) * plotW;
  const height = shown.length * ROW_H + 4;
  const bars = shown
    .map((list, i) => {
      const y = 2 + i * ROW_H;
      const name = labelText(list[0]!.labels);
      // Long label sets are cut to fit the margin; the full set is the row's tooltip.
      const label = `<text x="${LABEL_W - 6}" y="${y + 11}" class="row"><title>${esc(name)}</title>${esc(name.length > 52 ? `${name.slice(0, 51)}…` : name)}</text>`;
      const rects = list
        .map((e) => {
          const x0 = x(e.start);
          const w = Math.max(1.5, x(e.end ?? endMs) - x0);
          const title = `${e.alert} ${e.severity} ${iso(e.start)} → ${e.end === undefined ? 'still firing' : iso(e.end)} (${duration((e.end ?? endMs) - e.start)})`;
          return `<rect x="${x0.toFixed(1)}" y="${y + 2}" width="${w.toFixed(1)}" height="${ROW_H - 4}" fill="${colour(e.severity)}"><title>${esc(title)}</title></rect>`;
        })
        .join('');
      return `${label}${rects}`;
    })
    .join('');
  const more = rows.length > shown.length ? `<p class="more">and ${rows.length - shown.length} more label sets</p>` : '';
  return `<section class="alert" data-alert="${esc(alert)}"><h3>${esc(alert)} <span class="count">${episodes.length} episodes</span></h3>
<svg width="${WIDTH}" height="${height + 16}" viewBox="0 0 ${WIDTH} ${height + 16}" xmlns="http://www.w3.org/2000/svg">${axis(startMs, endMs, x, height)}${bars}</svg>${more}</section>`;
}

function tableHtml(header: string[], rows: string[][]): string {
  return `<table><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function sideHtml(side: Side): string {
  const r = side.result;
  const s = r.summary;
  const byAlert = new Map<string, Episode[]>();
  for (const e of r.episodes) byAlert.set(e.alert, [...(byAlert.get(e.alert) ?? []), e]);
  const alerts = [...new Set(r.rules.map((x) => x.alert))];
  return `<h2>${esc(side.name)}</h2>
<p class="totals"><b>${s.pages}</b> pages (${rate(s.pagesPerWeek)} per week) · <b>${s.tickets}</b> tickets (${rate(s.ticketsPerWeek)} per week) · ${r.rules.length} alerting rules${r.expanded.length ? ` · ${r.expanded.length} recorded series read through their definitions` : ''}</p>
${tableHtml(
  ['alert', 'severity', 'episodes', 'per week', 'time firing', 'share of range', 'longest', 'label sets'],
  s.alerts.map((a) => [a.alert, a.severity, String(a.episodes), rate(a.perWeek), duration(a.firingMs), percent(a.firingShare), duration(a.longestMs), String(a.labelSets)]),
)}
<h3>Alertmanager, after grouping and inhibition</h3>
${tableHtml(['receiver', 'notifications', 'per week', 'resolved notices'], s.receivers.map((x) => [x.receiver, String(x.firing), rate(x.firingPerWeek), String(x.resolved)]))}
<h3>Noisiest label sets</h3>
${tableHtml(['alert', 'severity', 'episodes', 'time firing', 'labels'], s.noisiest.map((x) => [x.alert, x.severity, String(x.episodes), duration(x.firingMs), labelText(x.labels)]))}
<h3>Longest episodes</h3>
${tableHtml(['alert', 'severity', 'start', 'end', 'duration', 'labels'], s.longest.map((e) => [e.alert, e.severity, iso(e.start), e.open ? 'still firing' : iso(e.end!), duration(e.durationMs), labelText(e.labels)]))}
<h3>Timelines</h3>
${alerts
  .map((a) => (byAlert.has(a) ? timeline(a, byAlert.get(a)!, r.startMs, r.endMs) : `<section class="alert quiet" data-alert="${esc(a)}"><h3>${esc(a)} <span class="count">silent</span></h3></section>`))
  .join('\n')}`;
}

export function renderHtml(base: Side, other?: Side): string {
  const r = base.result;
  const whatIf = other
    ? `<h2>What if: ${esc(base.name)} → ${esc(other.name)}</h2>${tableHtml(
        ['alert', 'severity', `episodes: ${base.name}`, `episodes: ${other.name}`, `time firing: ${base.name}`, `time firing: ${other.name}`],
        [
          ...whatIfRows(base.result.summary, other.result.summary).map((w) => [w.alert, w.severity, String(w.before?.episodes ?? 0), String(w.after?.episodes ?? 0), duration(w.before?.firingMs ?? 0), duration(w.after?.firingMs ?? 0)]),
          ['pages per week', '', rate(base.result.summary.pagesPerWeek), rate(other.result.summary.pagesPerWeek), '', ''],
          ['tickets per week', '', rate(base.result.summary.ticketsPerWeek), rate(other.result.summary.ticketsPerWeek), '', ''],
        ],
      )}`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>dgmon backtest ${esc(iso(r.startMs))} → ${esc(iso(r.endMs))}</title>
<style>
body{background:#111217;color:#ccccdc;font:13px/1.4 system-ui,sans-serif;margin:24px;width:${WIDTH}px}
h1{font-size:20px}h2{font-size:17px;border-bottom:1px solid #333;padding-bottom:4px;margin-top:28px}h3{font-size:14px;margin:18px 0 6px}
table{border-collapse:collapse;margin:6px 0}th,td{border-bottom:1px solid #2a2a33;padding:2px 10px 2px 0;text-align:left;vertical-align:top}th{color:#9fa7b3;font-weight:600}
.count{color:#9fa7b3;font-weight:normal}.more{color:#9fa7b3;margin:2px 0 0 ${LABEL_W}px}.quiet h3{color:#6e7380}
svg .grid{stroke:#2a2a33}svg .tick{fill:#9fa7b3;font-size:10px;text-anchor:middle}svg .row{fill:#ccccdc;font-size:10px;text-anchor:end}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}
</style></head>
<body>
<h1>dgmon backtest: ${esc(iso(r.startMs))} → ${esc(iso(r.endMs))} (${duration(r.endMs - r.startMs)})</h1>
<p class="legend">Episodes as bars: <span style="background:${COLOURS.critical}"></span>critical (pages) <span style="background:${COLOURS.warning}"></span>warning (tickets) <span style="background:${COLOURS.info}"></span>info</p>
${whatIf}
${sideHtml(base)}
${other ? sideHtml(other) : ''}
<script>document.body.dataset.rendered = 'true';</script>
</body></html>
`;
}
