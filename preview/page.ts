// The HTML pages: one per dashboard (header, the 24-column grid in CSS, each panel's chrome and body, uPlot and the
// chart script inlined, so the page loads nothing from anywhere) and the index that links the pictures.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { formatDuration } from '../core/duration.ts';
import type { PanelData, TimeRange } from './evaluate.ts';
import { GRID_COLUMNS, GRID_GAP_PX, GRID_ROW_PX, type DashboardModel, type GridPos, type PanelModel } from './panels.ts';
import { THEME } from './theme.ts';
import { barGaugeBody, esc, gaugeBody, placeholderBody, statBody, tableBody, timeseriesBody, type Annotation, type ChartSpec, type PanelBody, type Size } from './visuals.ts';

const require = createRequire(import.meta.url);
const asset = (path: string | URL) => readFileSync(path, 'utf8');
/** uPlot's own build and stylesheet, from node_modules (read once). */
const UPLOT = { js: asset(require.resolve('uplot/dist/uPlot.iife.min.js')), css: asset(require.resolve('uplot/dist/uPlot.min.css')) };
const CHART_SCRIPT = asset(new URL('./chart.browser.js', import.meta.url));

/** The page's padding, and the panel title and body padding: the sizes the bodies are fitted to. */
const PAGE_PAD = 16;
const TITLE_PX = 28;
const BODY_PAD = 8;

export interface PageContext {
  range: TimeRange;
  /** Page width in CSS pixels (the screenshot's width). */
  width: number;
  /** Where the data came from, for the header. */
  source: string;
  annotations: Annotation[];
}

/** A panel's size in pixels on a page `width` wide, as Grafana sizes a grid position. */
export function panelPixels(grid: GridPos, width: number): Size {
  const column = (width - 2 * PAGE_PAD - (GRID_COLUMNS - 1) * GRID_GAP_PX) / GRID_COLUMNS;
  return { width: grid.w * column + (grid.w - 1) * GRID_GAP_PX, height: grid.h * GRID_ROW_PX + (grid.h - 1) * GRID_GAP_PX };
}

function bodyOf(panel: PanelModel, data: PanelData, ctx: PageContext): PanelBody {
  const outer = panelPixels(panel.grid, ctx.width);
  const size = { width: outer.width - 2 * BODY_PAD, height: outer.height - TITLE_PX - BODY_PAD };
  switch (panel.kind) {
    case 'timeseries':
      return timeseriesBody(panel, data, ctx.range, ctx.annotations);
    case 'stat':
      return statBody(panel, data, size);
    case 'gauge':
      return gaugeBody(panel, data, size);
    case 'bargauge':
      return barGaugeBody(panel, data);
    case 'table':
      return tableBody(panel, data, size);
    default:
      return placeholderBody(panel);
  }
}

const place = (g: GridPos) => `grid-column:${g.x + 1} / span ${g.w};grid-row:${g.y + 1} / span ${g.h}`;

function utc(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '');
}

const CSS = `
*{box-sizing:border-box}
html,body{margin:0;background:${THEME.background};color:${THEME.text};font-family:${THEME.font};font-size:13px}
body{padding:${PAGE_PAD}px}
header.dash h1{font-size:20px;font-weight:500;margin:0 0 4px}
header.dash p{margin:2px 0;color:${THEME.secondaryText};font-size:12px}
header.dash .note{color:${THEME.annotation}}
.grid{display:grid;grid-template-columns:repeat(${GRID_COLUMNS},minmax(0,1fr));gap:${GRID_GAP_PX}px;margin-top:12px}
.panel{background:${THEME.panel};border:1px solid ${THEME.border};border-radius:2px;display:flex;flex-direction:column;overflow:hidden;min-width:0;min-height:0}
.panel>h2{font-size:14px;font-weight:500;margin:0;padding:6px ${BODY_PAD}px 0;height:${TITLE_PX}px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.panel>h2 .kind{color:${THEME.secondaryText};font-weight:400;font-size:12px;margin-left:6px}
.panel>.body{flex:1;min-height:0;min-width:0;padding:0 ${BODY_PAD}px ${BODY_PAD}px;position:relative;display:flex;flex-direction:column}
.row-title{font-size:16px;font-weight:500;align-self:end;padding:4px 0;border-bottom:1px solid ${THEME.border}}
.row-title .kind{color:${THEME.secondaryText};font-weight:400;font-size:12px;margin-left:6px}
.ts{flex:1;display:flex;flex-direction:column;min-height:0;min-width:0}
.ts.legend-right{flex-direction:row}
.plot{flex:1;min-height:0;min-width:0;overflow:hidden}
.legend{list-style:none;margin:4px 0 0;padding:0;display:flex;flex-wrap:wrap;gap:2px 14px;font-size:12px}
.legend-right .legend{flex-direction:column;flex-wrap:nowrap;margin:0 0 0 8px;max-width:40%}
.legend li{display:flex;align-items:center;gap:6px;white-space:nowrap;min-width:0}
.legend li .name{overflow:hidden;text-overflow:ellipsis}
.legend i{width:14px;height:4px;border-radius:2px;flex:none}
.legend .calc{color:${THEME.secondaryText};margin-left:4px}
.cells{flex:1;display:grid;gap:6px;min-height:0;min-width:0}
.stat{flex:1 1 0;min-width:0;min-height:0;display:flex;flex-direction:column;align-items:center;justify-content:center;position:relative;border-radius:2px;overflow:hidden}
.stat-value{font-weight:500;line-height:1.1;white-space:nowrap;z-index:1}
.stat-name{color:${THEME.text};white-space:nowrap;overflow:hidden;text-overflow:ellipsis;max-width:100%;z-index:1}
.spark{position:absolute;left:0;right:0;bottom:0;width:100%;height:45%}
.gauge-cell{flex:1 1 0;min-width:0;min-height:0;display:flex}
.gauge{width:100%;height:100%}
.bars{flex:1;display:flex;gap:6px;min-height:0}
.bars.horizontal{flex-direction:column;justify-content:space-around}
.bars.vertical{flex-direction:row}
.bar{min-width:0;min-height:0}
.bars.vertical .bar{flex:1;display:flex;flex-direction:column-reverse;gap:2px}
.bar-name{font-size:12px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.bar-line{display:flex;align-items:center;gap:8px}
.bars.vertical .bar-line{flex:1;flex-direction:column-reverse;align-items:stretch}
.bar-track{flex:1;height:18px;background:rgba(204,204,220,0.07);border-radius:2px;overflow:hidden;display:flex}
.bars.vertical .bar-track{height:auto;flex-direction:column;justify-content:flex-end}
.bar-fill{height:100%}
.bars.vertical .bar-fill{width:100%}
.bar-value{font-size:16px;font-weight:500;min-width:64px;text-align:right;white-space:nowrap}
.bars.vertical .bar-value{text-align:center}
.table{width:100%;border-collapse:collapse;font-size:12px;table-layout:auto}
.table th{text-align:left;color:${THEME.secondaryText};font-weight:500;border-bottom:1px solid ${THEME.border};padding:4px 6px;height:26px;white-space:nowrap}
.table td{padding:3px 6px;border-bottom:1px solid rgba(204,204,220,0.07);height:26px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;max-width:240px}
.table td.num{text-align:right}
.table tr.more td{color:${THEME.secondaryText};font-style:italic}
.placeholder{flex:1;border:1px dashed ${THEME.secondaryText};border-radius:2px;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:6px;color:${THEME.secondaryText};text-align:center;padding:8px;overflow:hidden;min-height:0}
.placeholder .ptype{font-size:16px;color:${THEME.text};font-family:"DejaVu Sans Mono",monospace}
.placeholder .query{font-family:"DejaVu Sans Mono",monospace;font-size:11px;max-width:100%;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.errors{flex:none}
.error{color:${THEME.error};background:rgba(242,73,92,0.12);border-left:3px solid ${THEME.error};padding:3px 6px;font-size:12px;margin-bottom:4px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.failed{flex:1;display:flex;flex-direction:column;justify-content:center}
.failed .error{white-space:normal}
.plot.failed{color:${THEME.error};display:flex;align-items:center;justify-content:center}
.nodata{flex:1;display:flex;align-items:center;justify-content:center;color:${THEME.secondaryText};font-size:16px}
`;

function panelHtml(panel: PanelModel, data: PanelData, ctx: PageContext, charts: ChartSpec[]): string {
  const collapsed = panel.collapsedRow !== undefined ? `<span class="kind">(in collapsed row “${esc(panel.collapsedRow)}”)</span>` : '';
  if (panel.kind === 'row') {
    return `<div class="row-title" data-panel="${panel.index}" data-kind="row" style="${place(panel.grid)}">▾ ${esc(panel.title)}</div>`;
  }
  const body = bodyOf(panel, data, ctx);
  if (body.chart) charts.push(body.chart);
  const kind = panel.kind === 'placeholder' ? `<span class="kind">${esc(panel.type)}</span>` : '';
  return `<section class="panel" data-panel="${panel.index}" data-kind="${panel.kind}" style="${place(panel.grid)}"><h2>${esc(panel.title)}${kind}${collapsed}</h2><div class="body">${body.html}</div></section>`;
}

/** JSON inside a <script> element: "</" would end the element early. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/<\//g, '<\\/');

export function dashboardPage(model: DashboardModel, data: PanelData[], ctx: PageContext): string {
  const charts: ChartSpec[] = [];
  const panels = model.panels.map((p) => panelHtml(p, data[p.index] ?? { series: [], errors: [] }, ctx, charts)).join('\n');
  const { start, end, step } = ctx.range;
  const notes = ctx.annotations.map((a) => `<p class="note">┆ ${esc(utc(a.time).slice(11))} UTC: ${esc(a.text)}</p>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(model.title)}</title>
<style>${UPLOT.css}</style><style>${CSS}
.grid{grid-template-rows:repeat(${Math.max(1, model.rows)},${GRID_ROW_PX}px)}
body{width:${ctx.width}px}
</style></head>
<body>
<header class="dash"><h1>${esc(model.title)}</h1>
<p>${esc(model.description)}</p>
<p>${esc(utc(start))} to ${esc(utc(end).slice(11))} UTC (${esc(formatDuration(end - start))}, one point every ${esc(formatDuration(step))}) · every variable at All · ${esc(ctx.source)}</p>
${notes}</header>
<main class="grid">
${panels}
</main>
<script type="application/json" id="charts">${scriptJson(charts)}</script>
<script type="application/json" id="theme">${scriptJson({ font: THEME.font, secondaryText: THEME.secondaryText, grid: THEME.grid, annotation: THEME.annotation })}</script>
<script>${UPLOT.js}</script>
<script>${CHART_SCRIPT}</script>
</body></html>
`;
}

export interface IndexEntry {
  uid: string;
  title: string;
  description: string;
  /** The PNG's file name, next to index.html. */
  file: string;
  width: number;
  height: number;
}

/** index.html: every picture with its title, linked, in the dashboards' order. */
export function indexPage(entries: IndexEntry[], about: { source: string; range: TimeRange }): string {
  const items = entries
    .map(
      (e) => `<section><h2><a href="${esc(e.file)}">${esc(e.title)}</a> <code>${esc(e.uid)}</code></h2><p>${esc(e.description)}</p>
<a href="${esc(e.file)}"><img src="${esc(e.file)}" width="${Math.round(e.width / 2)}" height="${Math.round(e.height / 2)}" alt="${esc(e.title)}"></a></section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>dgmon dashboard previews</title>
<style>body{margin:0;padding:16px 24px;background:${THEME.background};color:${THEME.text};font-family:${THEME.font}}a{color:#6E9FFF}code{color:${THEME.secondaryText};font-size:13px}
section{margin:0 0 32px}h2{font-size:18px;font-weight:500;margin:0 0 4px}p{color:${THEME.secondaryText};margin:0 0 8px}img{border:1px solid ${THEME.border};max-width:100%;height:auto}</style></head>
<body><h1>dgmon dashboard previews</h1>
<p>${esc(about.source)}; ${esc(utc(about.range.start))} to ${esc(utc(about.range.end).slice(11))} UTC. Regenerate with <code>npm run preview</code>.</p>
${items}
</body></html>
`;
}
