// The inside of each panel, as HTML (and SVG): a stat's big values coloured by thresholds, a gauge's arc, a bar
// gauge's bars, a table, a placeholder for a type the preview does not draw, and for a time series the chart spec
// that chart.browser.js hands to uPlot with its legend beside it. Sizes are worked out here from the panel's pixel
// size, so the page needs no script but the charts'.
import { formatValue, valueAxis, type Axis } from './units.ts';
import { reduce, type PanelData, type Series, type TimeRange } from './evaluate.ts';
import { fieldFor, thresholdColor, type Field, type PanelModel, type ThresholdStep } from './panels.ts';
import { cssColor, seriesColor, THEME } from './theme.ts';

export interface Size {
  width: number;
  height: number;
}

/** A point in time marked on every time series, as Grafana draws annotations. */
export interface Annotation {
  /** Unix seconds. */
  time: number;
  text: string;
}

/** One y axis of a chart: a scale per unit, as Grafana gives a second unit its own axis. */
export interface ChartAxis extends Axis {
  scale: string;
  side: 'left' | 'right' | 'hidden';
}

/** What chart.browser.js draws with uPlot: shared timestamps, one value array per series, the axes and marks. */
export interface ChartSpec {
  id: string;
  start: number;
  end: number;
  xs: number[];
  series: { label: string; color: string; width: number; fillOpacity: number; values: (number | null)[]; scale: string; points: boolean }[];
  axes: ChartAxis[];
  /** The scale the threshold lines and bands are drawn on: the panel's own unit. */
  thresholdScale: string;
  thresholds: { value: number; color: string }[];
  /** The colour below the first threshold, for area styles. */
  baseColor: string;
  thresholdsStyle: PanelModel['thresholdsStyle'];
  annotations: Annotation[];
}

export interface PanelBody {
  html: string;
  chart?: ChartSpec;
}

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Glyph width of the page's sans-serif font (DejaVu Sans) in em, generous (digits and capitals are wide): for fitting values into their box. */
const GLYPH_EM = 0.7;

/** The largest font size (px) at which `text` fits `width` × `height`, within [min, max]. */
function fitFont(text: string, width: number, height: number, max: number, min = 9): number {
  const byWidth = width / (Math.max(2, text.length) * GLYPH_EM);
  return Math.round(Math.max(min, Math.min(max, height, byWidth)));
}

export function errorBox(errors: string[]): string {
  return errors.length ? `<div class="errors">${errors.map((e) => `<div class="error">⚠ ${esc(e)}</div>`).join('')}</div>` : '';
}

const NO_DATA = '<div class="nodata">No data</div>';

/** The panel has nothing to show: its errors if a query failed, else "No data". */
function empty(data: PanelData): PanelBody {
  return { html: data.errors.length ? `<div class="failed">${errorBox(data.errors)}</div>` : NO_DATA };
}

interface Reduced {
  name: string;
  value: number | null;
  series: Series;
  field: Field;
}

function reduced(panel: PanelModel, data: PanelData): Reduced[] {
  return data.series.map((s) => {
    const field = fieldFor(panel, s);
    return { name: field.displayName ?? s.name, value: reduce(s.points, panel.reducer), series: s, field };
  });
}

const format = (field: Field, value: number | null) => formatValue(value, field.unit, field.decimals);
const colorOf = (field: Field, value: number | null, range?: { min: number; max: number }) => cssColor(thresholdColor(field, value, range));

const finite = (values: number[]) => values.filter((v) => Number.isFinite(v));

/**
 * Cells for n values in a box: the columns × rows that give each cell the most room at the cell shape `aspect`
 * (width / height), as Grafana repeats a stat or gauge per value.
 */
export function cellGrid(n: number, size: Size, aspect: number): { columns: number; rows: number; width: number; height: number } {
  let best = { columns: 1, rows: n, width: size.width, height: size.height / n };
  let bestScore = -1;
  for (let columns = 1; columns <= n; columns++) {
    const rows = Math.ceil(n / columns);
    const width = size.width / columns;
    const height = size.height / rows;
    const score = Math.min(width / aspect, height);
    if (score > bestScore) {
      bestScore = score;
      best = { columns, rows, width, height };
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------------------------
// Time series

const CALC_NAMES: Record<string, string> = { mean: 'Mean', max: 'Max', min: 'Min', lastNotNull: 'Last *', last: 'Last', sum: 'Total', first: 'First', firstNotNull: 'First *', count: 'Count', range: 'Range', delta: 'Delta', diff: 'Difference' };

/** Threshold lines drawn on a chart: every step but the base colour. */
function thresholdMarks(steps: ThresholdStep[]): { value: number; color: string }[] {
  return steps.filter((s): s is { value: number; color: string } => s.value !== null).map((s) => ({ value: s.value, color: cssColor(s.color) }));
}

/** A series with this few points is drawn with its points, or a lone value would not show at all. */
const SPARSE_POINTS = 12;

export function timeseriesBody(panel: PanelModel, data: PanelData, range: TimeRange, annotations: Annotation[]): PanelBody {
  if (data.series.length === 0) return empty(data);
  const count = Math.floor((range.end - range.start) / range.step) + 1;
  const xs = Array.from({ length: count }, (_, i) => range.start + i * range.step);
  const fields = data.series.map((s) => fieldFor(panel, s));
  // A scale per unit, the panel's own first: y, y2, y3…
  const units = [...new Set([panel.unit, ...fields.map((f) => f.unit)])].filter((u) => u === panel.unit ? fields.some((f) => f.unit === u) : true);
  const scaleOf = (unit: string) => (units.indexOf(unit) === 0 ? 'y' : `y${units.indexOf(unit) + 1}`);
  const series = data.series.map((s, i) => {
    const values: (number | null)[] = new Array(count).fill(null);
    for (const [t, v] of s.points) {
      const at = Math.round((t - range.start) / range.step);
      if (at >= 0 && at < count && Number.isFinite(v)) values[at] = v;
    }
    const field = fields[i]!;
    const present = values.filter((v) => v !== null).length;
    return { label: field.displayName ?? s.name, color: field.color ? cssColor(field.color) : seriesColor(i), width: field.lineWidth, fillOpacity: field.fillOpacity, values, scale: scaleOf(field.unit), points: present <= SPARSE_POINTS };
  });
  const axes: ChartAxis[] = units.map((unit, u) => {
    const members = data.series.map((s, i) => ({ s, f: fields[i]! })).filter(({ f }) => f.unit === unit);
    const values = finite(members.flatMap(({ s }) => s.points.map(([, v]) => v)));
    const first = members[0]!.f;
    const placement = members.every(({ f }) => f.axisPlacement === 'hidden') ? 'hidden' : (members.find(({ f }) => f.axisPlacement === 'left' || f.axisPlacement === 'right')?.f.axisPlacement ?? (u === 0 ? 'left' : 'right'));
    const axis = valueAxis(values.length ? Math.min(...values) : undefined, values.length ? Math.max(...values) : undefined, unit, { min: first.min, max: first.max });
    return { ...axis, scale: scaleOf(unit), side: placement as ChartAxis['side'] };
  });
  const chart: ChartSpec = {
    id: String(panel.index),
    start: range.start,
    end: range.end,
    xs,
    series,
    axes,
    thresholdScale: scaleOf(units.includes(panel.unit) ? panel.unit : units[0]!),
    thresholds: panel.thresholdsStyle === 'off' ? [] : thresholdMarks(panel.thresholds),
    baseColor: cssColor(panel.thresholds.find((t) => t.value === null)?.color ?? 'transparent'),
    thresholdsStyle: panel.thresholdsStyle,
    annotations,
  };
  const legend = panel.legend.show
    ? `<ul class="legend">${series
        .map((s, i) => {
          const calcs = panel.legend.calcs.map((c) => `<span class="calc">${esc(CALC_NAMES[c] ?? c)}: ${esc(format(fields[i]!, reduce(data.series[i]!.points, c)))}</span>`).join('');
          return `<li><i style="background:${s.color}"></i><span class="name">${esc(s.label)}</span>${calcs}</li>`;
        })
        .join('')}</ul>`
    : '';
  return { html: `${errorBox(data.errors)}<div class="ts legend-${panel.legend.placement}"><div class="plot" data-chart="${chart.id}"></div>${legend}</div>`, chart };
}

// ---------------------------------------------------------------------------------------------------------------
// Stat

/** A small area graph under a stat's value, when the value came from a range. */
function sparkline(points: [number, number][], color: string): string {
  const pts = points.filter(([, v]) => Number.isFinite(v));
  if (pts.length < 2) return '';
  const t0 = pts[0]![0];
  const t1 = pts[pts.length - 1]![0];
  const vs = pts.map(([, v]) => v);
  const lo = Math.min(...vs);
  const hi = Math.max(...vs);
  const x = (t: number) => ((t - t0) / (t1 - t0 || 1)) * 100;
  const y = (v: number) => 100 - ((v - lo) / (hi - lo || 1)) * 90;
  const line = pts.map(([t, v]) => `${x(t).toFixed(2)},${y(v).toFixed(2)}`).join(' ');
  return `<svg class="spark" viewBox="0 0 100 100" preserveAspectRatio="none"><polygon points="0,100 ${line} 100,100" fill="${color}" fill-opacity="0.18"/><polyline points="${line}" fill="none" stroke="${color}" stroke-width="1.5" vector-effect="non-scaling-stroke"/></svg>`;
}

/** The shape of one stat cell (width / height) that the values are laid out for. */
const STAT_ASPECT = 2.2;
const GAUGE_ASPECT = 200 / 170;

export function statBody(panel: PanelModel, data: PanelData, size: Size): PanelBody {
  const values = reduced(panel, data);
  if (values.length === 0) return empty(data);
  const grid = cellGrid(values.length, size, STAT_ASPECT);
  // What Grafana's textMode shows: the big text is the value, or the series name; a second line names the value.
  const mode = panel.textMode;
  const bigIsName = mode === 'name';
  const named = mode === 'value_and_name' || (mode === 'auto' && values.length > 1);
  const cells = values.map(({ name, value, series, field }) => {
    const color = colorOf(field, value);
    const text = mode === 'none' ? '' : bigIsName ? name : format(field, value);
    const valueFont = fitFont(text, grid.width * 0.9, (named ? grid.height * 0.55 : grid.height * 0.7) * 0.85, 64);
    const nameFont = Math.max(9, Math.min(14, Math.round(grid.height * 0.18), Math.round((grid.width * 0.95) / (Math.max(4, name.length) * GLYPH_EM))));
    const background = panel.colorMode === 'background';
    const style = background ? `background:${color};color:#fff` : panel.colorMode === 'value' ? `color:${color}` : '';
    const spark = series.instant ? '' : sparkline(series.points, background ? 'rgba(255,255,255,0.8)' : color);
    return `<div class="stat" style="${style}">${spark}<div class="stat-value" style="font-size:${valueFont}px">${esc(text)}</div>${named ? `<div class="stat-name" style="font-size:${nameFont}px">${esc(name)}</div>` : ''}</div>`;
  });
  return { html: `${errorBox(data.errors)}<div class="cells" style="${gridStyle(grid)}">${cells.join('')}</div>` };
}

const gridStyle = (grid: { columns: number; rows: number }) => `grid-template-columns:repeat(${grid.columns},minmax(0,1fr));grid-template-rows:repeat(${grid.rows},minmax(0,1fr))`;

// ---------------------------------------------------------------------------------------------------------------
// Gauge and bar gauge: a value between a min and a max

/** The gauge's scale: the panel's min/max, else 0 (or below, for negative data) to the unit's full scale or the data's maximum. */
function gaugeScale(field: Field, values: (number | null)[]): { min: number; max: number } {
  const vs = finite(values.filter((v): v is number => v !== null));
  const min = field.min ?? Math.min(0, ...vs);
  const fullScale = field.unit === 'percent' ? 100 : field.unit === 'percentunit' ? 1 : undefined;
  let max = field.max ?? fullScale ?? Math.max(...vs, ...field.thresholds.map((t) => t.value ?? -Infinity));
  if (!(max > min)) max = min + 1;
  return { min, max };
}

const fraction = (value: number | null, { min, max }: { min: number; max: number }) =>
  value === null || !Number.isFinite(value) ? 0 : Math.min(1, Math.max(0, (value - min) / (max - min)));

/** Gauge geometry: a 240° arc open at the bottom, in a 200 × 170 box. */
const ARC = { cx: 100, cy: 100, start: 150, sweep: 240 } as const;

function polar(r: number, degrees: number): string {
  const a = (degrees * Math.PI) / 180;
  return `${(ARC.cx + r * Math.cos(a)).toFixed(2)} ${(ARC.cy + r * Math.sin(a)).toFixed(2)}`;
}

function arcPath(r: number, from: number, to: number): string {
  const a = ARC.start + ARC.sweep * from;
  const b = ARC.start + ARC.sweep * to;
  return `M ${polar(r, a)} A ${r} ${r} 0 ${b - a > 180 ? 1 : 0} 1 ${polar(r, b)}`;
}

function gaugeSvg(field: Field, value: number | null, name: string | undefined, scale: { min: number; max: number }): string {
  const color = colorOf(field, value, scale);
  const frac = fraction(value, scale);
  // The outer ring shows where each threshold step starts, as Grafana's threshold markers do.
  const steps = field.thresholds;
  const ring = steps
    .map((step, i) => {
      const from = step.value === null ? 0 : fraction(step.value, scale);
      const next = steps[i + 1];
      const to = next?.value === null || next === undefined ? 1 : fraction(next.value, scale);
      return to > from ? `<path d="${arcPath(86, from, to)}" stroke="${cssColor(step.color)}" stroke-width="5" fill="none"/>` : '';
    })
    .join('');
  const text = format(field, value);
  const font = Math.min(34, Math.round(130 / (Math.max(3, text.length) * GLYPH_EM)));
  return `<svg class="gauge" viewBox="0 0 200 170" preserveAspectRatio="xMidYMid meet">
<path d="${arcPath(70, 0, 1)}" stroke="rgba(204,204,220,0.1)" stroke-width="18" fill="none"/>
${frac > 0 ? `<path d="${arcPath(70, 0, frac)}" stroke="${color}" stroke-width="18" fill="none"/>` : ''}
${ring}
<text x="100" y="${ARC.cy + font * 0.35}" text-anchor="middle" font-size="${font}" fill="${color}" font-weight="500">${esc(text)}</text>
${name !== undefined ? `<text x="100" y="162" text-anchor="middle" font-size="14" fill="${THEME.text}">${esc(name)}</text>` : ''}
</svg>`;
}

export function gaugeBody(panel: PanelModel, data: PanelData, size: Size): PanelBody {
  const values = reduced(panel, data);
  if (values.length === 0) return empty(data);
  const named = values.length > 1;
  const grid = cellGrid(values.length, size, GAUGE_ASPECT);
  const cells = values.map((v) => `<div class="gauge-cell">${gaugeSvg(v.field, v.value, named ? v.name : undefined, gaugeScale(v.field, values.filter((o) => o.field.unit === v.field.unit).map((o) => o.value)))}</div>`);
  return { html: `${errorBox(data.errors)}<div class="cells" style="${gridStyle(grid)}">${cells.join('')}</div>` };
}

export function barGaugeBody(panel: PanelModel, data: PanelData): PanelBody {
  const values = reduced(panel, data);
  if (values.length === 0) return empty(data);
  // Bars lie down unless the panel asks for them standing: names and values read best that way in a picture.
  const vertical = panel.orientation === 'vertical';
  const bars = values.map((v) => {
    const scale = gaugeScale(v.field, values.filter((o) => o.field.unit === v.field.unit).map((o) => o.value));
    const color = colorOf(v.field, v.value, scale);
    const pct = (fraction(v.value, scale) * 100).toFixed(1);
    const fill = vertical ? `height:${pct}%` : `width:${pct}%`;
    return `<div class="bar"><div class="bar-name">${esc(v.name)}</div><div class="bar-line"><div class="bar-track"><div class="bar-fill" style="${fill};background:${color}"></div></div><div class="bar-value" style="color:${color}">${esc(format(v.field, v.value))}</div></div></div>`;
  });
  return { html: `${errorBox(data.errors)}<div class="bars ${vertical ? 'vertical' : 'horizontal'}">${bars.join('')}</div>` };
}

// ---------------------------------------------------------------------------------------------------------------
// Table: one row per label set, a column per label and one value column per query

const ROW_PX = 26;

export function tableBody(panel: PanelModel, data: PanelData, size: Size): PanelBody {
  if (data.series.length === 0) return empty(data);
  const refIds = [...new Set(data.series.map((s) => s.refId))];
  const labelNames = [...new Set(data.series.flatMap((s) => Object.keys(s.labels)))].sort((a, b) => (a === '__name__' ? -1 : b === '__name__' ? 1 : a.localeCompare(b)));
  const rows = new Map<string, { labels: Record<string, string>; values: Map<string, Reduced> }>();
  for (const r of reduced(panel, data)) {
    const key = JSON.stringify(labelNames.map((l) => r.series.labels[l] ?? ''));
    const row = rows.get(key) ?? { labels: r.series.labels, values: new Map() };
    row.values.set(r.series.refId, r);
    rows.set(key, row);
  }
  const valueHeads = refIds.map((r) => (refIds.length > 1 ? `Value #${r}` : 'Value'));
  const fit = Math.max(1, Math.floor((size.height - ROW_PX - (data.errors.length ? 24 : 0)) / ROW_PX));
  const all = [...rows.values()];
  // Grafana would scroll; a picture says how many rows it left out.
  const shown = all.length > fit ? all.slice(0, fit - 1) : all;
  const cell = ({ value, field }: Reduced) => {
    const color = colorOf(field, value);
    const style = panel.colorMode === 'background' ? ` style="background:${color};color:#fff"` : panel.colorMode === 'value' ? ` style="color:${color}"` : '';
    return `<td class="num"${style}>${esc(format(field, value))}</td>`;
  };
  const body = shown
    .map((row) => `<tr>${labelNames.map((l) => `<td>${esc(row.labels[l] ?? '')}</td>`).join('')}${refIds.map((r) => (row.values.has(r) ? cell(row.values.get(r)!) : '<td></td>')).join('')}</tr>`)
    .join('');
  const more = shown.length < all.length ? `<tr class="more"><td colspan="${labelNames.length + refIds.length}">… ${all.length - shown.length} more rows</td></tr>` : '';
  const head = `<tr>${[...labelNames, ...valueHeads].map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`;
  return { html: `${errorBox(data.errors)}<table class="table"><thead>${head}</thead><tbody>${body}${more}</tbody></table>` };
}

// ---------------------------------------------------------------------------------------------------------------
// Anything else

export function placeholderBody(panel: PanelModel): PanelBody {
  const queries = panel.targets.map((t) => `<div class="query"><b>${esc(t.refId)}</b> ${esc(t.expr.replace(/\s+/g, ' ').slice(0, 160))}</div>`).join('');
  return {
    html: `<div class="placeholder"><div class="ptype">${esc(panel.type || '(no type)')}</div><div>This panel type is not drawn by dgmon preview; Grafana shows it.</div>${queries}</div>`,
  };
}
