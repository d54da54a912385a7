// What to draw, read from a dashboard's JSON (Grafana's classic model): each panel's place in the 24-column grid,
// its kind, title, unit, min/max, thresholds, legend, reducer and queries (variables substituted by
// dashboards/queries.ts). Types the preview cannot draw become placeholders, never dropped; panels inside a collapsed
// row are laid out after it, since a picture cannot be expanded.
import type { DgmonConfig } from '../core/config.ts';
import { panelTargets, type PanelTarget, type PanelTargetsJson } from '../dashboards/queries.ts';

/** Grafana's grid: 24 columns; a grid unit is 30 px high with 8 px between panels. */
export const GRID_COLUMNS = 24;
export const GRID_ROW_PX = 30;
export const GRID_GAP_PX = 8;

/** The panel types the preview draws; any other type is a labelled placeholder. */
export const DRAWN_TYPES = ['timeseries', 'stat', 'gauge', 'bargauge', 'table'] as const;
export type DrawnType = (typeof DRAWN_TYPES)[number];
export type PanelKind = DrawnType | 'row' | 'placeholder';

export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface ThresholdStep {
  /** null: the base colour, below every other step. */
  value: number | null;
  color: string;
}

/** How values are shown: the panel's fieldConfig.defaults, which a series' overrides may change (see fieldFor). */
export interface FieldDefaults {
  unit: string;
  decimals?: number;
  min?: number;
  max?: number;
  thresholds: ThresholdStep[];
  thresholdsMode: 'absolute' | 'percentage';
  lineWidth: number;
  fillOpacity: number;
}

export interface PanelModel extends FieldDefaults {
  /** Position in the dashboard's panel list, for element ids. */
  index: number;
  /** The panel's own type, as the JSON says. */
  type: string;
  kind: PanelKind;
  title: string;
  description: string;
  grid: GridPos;
  /** How a time series draws its thresholds. */
  thresholdsStyle: 'off' | 'line' | 'dashed' | 'area' | 'line+area' | 'dashed+area';
  legend: { show: boolean; placement: 'bottom' | 'right'; calcs: string[] };
  /** The reduction of stat, gauge, bar gauge and table values (Grafana's reduceOptions.calcs[0]). */
  reducer: string;
  /** Stat: colour the value or the background. Table cells: colour the text or the background. */
  colorMode: 'value' | 'background' | 'none';
  /** Stat: what each cell shows (Grafana's textMode): auto is the value, and the name when there are several. */
  textMode: 'auto' | 'value' | 'name' | 'value_and_name' | 'none';
  /** Gauge and bar gauge: horizontal or vertical; auto picks by the panel's shape. */
  orientation: 'auto' | 'horizontal' | 'vertical';
  /** fieldConfig.overrides: per-series changes to the unit, axis, colour… (see fieldFor). */
  overrides: FieldOverride[];
  targets: PanelTarget[];
  /** Set on panels that sit inside a collapsed row: the row's title. */
  collapsedRow?: string;
}

export interface DashboardModel {
  uid: string;
  title: string;
  description: string;
  /** The dashboard's own time range start, e.g. "now-6h". */
  timeFrom: string;
  panels: PanelModel[];
  /** Grid units from the top to the bottom of the lowest panel. */
  rows: number;
}

export interface FieldOverride {
  matcher: { id: string; options?: unknown };
  properties: { id: string; value?: unknown }[];
}

interface PanelJson extends PanelTargetsJson {
  description?: string;
  gridPos?: Partial<GridPos>;
  collapsed?: boolean;
  panels?: PanelJson[];
  fieldConfig?: {
    defaults?: {
      unit?: string;
      decimals?: number;
      min?: number;
      max?: number;
      thresholds?: { mode?: string; steps?: ThresholdStep[] };
      custom?: {
        thresholdsStyle?: { mode?: string };
        lineWidth?: number;
        fillOpacity?: number;
        cellOptions?: { type?: string };
        displayMode?: string;
      };
    };
    overrides?: FieldOverride[];
  };
  options?: {
    legend?: { showLegend?: boolean; displayMode?: string; placement?: string; calcs?: string[] };
    reduceOptions?: { calcs?: string[] };
    colorMode?: string;
    textMode?: string;
    orientation?: string;
  };
}

const THRESHOLD_STYLES = ['off', 'line', 'dashed', 'area', 'line+area', 'dashed+area'] as const;
const TEXT_MODES = ['auto', 'value', 'name', 'value_and_name', 'none'] as const;

function kindOf(type: string): PanelKind {
  if (type === 'row') return 'row';
  return (DRAWN_TYPES as readonly string[]).includes(type) ? (type as DrawnType) : 'placeholder';
}

function colorModeOf(panel: PanelJson): PanelModel['colorMode'] {
  if (panel.type === 'table') {
    const cell = panel.fieldConfig?.defaults?.custom?.cellOptions?.type ?? panel.fieldConfig?.defaults?.custom?.displayMode;
    if (cell === 'color-background' || cell === 'color-background-solid') return 'background';
    if (cell === 'color-text') return 'value';
    return 'none';
  }
  const mode = panel.options?.colorMode;
  if (mode === 'background' || mode === 'background_solid') return 'background';
  if (mode === 'none') return 'none';
  return 'value';
}

function panelModel(panel: PanelJson, index: number, config: DgmonConfig, range: string, collapsedRow?: string): PanelModel {
  const defaults = panel.fieldConfig?.defaults ?? {};
  const legend = panel.options?.legend;
  const style = defaults.custom?.thresholdsStyle?.mode ?? 'off';
  const orientation = panel.options?.orientation;
  const kind = kindOf(panel.type);
  return {
    index,
    type: panel.type,
    kind,
    title: panel.title ?? '',
    description: panel.description ?? '',
    grid: { x: panel.gridPos?.x ?? 0, y: panel.gridPos?.y ?? 0, w: panel.gridPos?.w ?? 12, h: panel.gridPos?.h ?? (kind === 'row' ? 1 : 8) },
    unit: defaults.unit ?? 'short',
    decimals: defaults.decimals,
    min: defaults.min,
    max: defaults.max,
    thresholds: [...(defaults.thresholds?.steps ?? [{ value: null, color: 'green' }])].sort((a, b) => (a.value ?? -Infinity) - (b.value ?? -Infinity)),
    thresholdsMode: defaults.thresholds?.mode === 'percentage' ? 'percentage' : 'absolute',
    thresholdsStyle: (THRESHOLD_STYLES as readonly string[]).includes(style) ? (style as PanelModel['thresholdsStyle']) : 'off',
    legend: {
      show: legend?.showLegend !== false && legend?.displayMode !== 'hidden',
      placement: legend?.placement === 'right' ? 'right' : 'bottom',
      calcs: legend?.calcs ?? [],
    },
    reducer: panel.options?.reduceOptions?.calcs?.[0] ?? 'lastNotNull',
    colorMode: colorModeOf(panel),
    textMode: (TEXT_MODES as readonly string[]).includes(panel.options?.textMode ?? '') ? (panel.options!.textMode as PanelModel['textMode']) : 'auto',
    orientation: orientation === 'horizontal' || orientation === 'vertical' ? orientation : 'auto',
    lineWidth: defaults.custom?.lineWidth ?? 1,
    fillOpacity: defaults.custom?.fillOpacity ?? 0,
    overrides: panel.fieldConfig?.overrides ?? [],
    targets: kind === 'row' ? [] : panelTargets(panel, config, range),
    ...(collapsedRow !== undefined ? { collapsedRow } : {}),
  };
}

const overlaps = (a: GridPos, b: GridPos) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/**
 * The positions Grafana shows (react-grid-layout with vertical compaction): a panel reaching past the 24th column is
 * moved left until it fits, then every panel, top to bottom, rises as far as it can and drops below any panel it
 * would overlap. The result never overlaps and never leaves the grid.
 */
export function layoutGrid(positions: GridPos[]): GridPos[] {
  const bounded = positions.map((p) => {
    const w = Math.min(Math.max(1, p.w), GRID_COLUMNS);
    return { x: Math.min(Math.max(0, p.x), GRID_COLUMNS - w), y: Math.max(0, p.y), w, h: Math.max(1, p.h) };
  });
  const order = bounded.map((_, i) => i).sort((a, b) => bounded[a]!.y - bounded[b]!.y || bounded[a]!.x - bounded[b]!.x);
  const placed: GridPos[] = [];
  const result: GridPos[] = new Array(bounded.length);
  for (const i of order) {
    const item = { ...bounded[i]! };
    while (item.y > 0 && !placed.some((p) => overlaps(p, { ...item, y: item.y - 1 }))) item.y--;
    for (let hit = placed.find((p) => overlaps(p, item)); hit; hit = placed.find((p) => overlaps(p, item))) item.y = hit.y + hit.h;
    placed.push(item);
    result[i] = item;
  }
  return result;
}

/** Panels as Grafana lists them, with the children of collapsed rows placed right below their row. */
function flatten(panels: PanelJson[]): { panel: PanelJson; collapsedRow?: string }[] {
  const out: { panel: PanelJson; collapsedRow?: string }[] = [];
  for (const panel of panels) {
    out.push({ panel });
    if (panel.type === 'row' && panel.collapsed && panel.panels?.length) {
      // Children keep their own y; placing them just below the row keeps their order and lets compaction pack them.
      const rowY = panel.gridPos?.y ?? 0;
      const top = Math.min(...panel.panels.map((c) => c.gridPos?.y ?? 0));
      for (const child of panel.panels) {
        out.push({ panel: { ...child, gridPos: { ...child.gridPos, y: rowY + 1 + ((child.gridPos?.y ?? 0) - top) } }, collapsedRow: panel.title });
      }
    }
  }
  return out;
}

/** A dashboard's panels for a time range of `range` (a duration, for $__range), laid out as Grafana would. */
export function dashboardModel(json: Record<string, unknown>, config: DgmonConfig, range: string): DashboardModel {
  const flat = flatten((json.panels ?? []) as PanelJson[]);
  const panels = flat.map(({ panel, collapsedRow }, i) => panelModel(panel, i, config, range, collapsedRow));
  // Rows span the full width in Grafana whatever their gridPos says.
  const grids = layoutGrid(panels.map((p) => (p.kind === 'row' ? { ...p.grid, x: 0, w: GRID_COLUMNS, h: 1 } : p.grid)));
  panels.forEach((p, i) => (p.grid = grids[i]!));
  const time = json.time as { from?: string } | undefined;
  return {
    uid: String(json.uid ?? ''),
    title: String(json.title ?? ''),
    description: String(json.description ?? ''),
    timeFrom: time?.from ?? 'now-6h',
    panels,
    rows: Math.max(0, ...panels.map((p) => p.grid.y + p.grid.h)),
  };
}

/** The colour of `value` by the panel's threshold steps: the last step at or below it. */
export function thresholdColor(panel: Pick<Field, 'thresholds' | 'thresholdsMode' | 'min' | 'max'>, value: number | null, range?: { min: number; max: number }): string {
  const steps = panel.thresholds;
  let color = steps[0]?.color ?? 'green';
  if (value === null || Number.isNaN(value)) return color;
  for (const step of steps) {
    if (step.value === null) continue;
    let at = step.value;
    if (panel.thresholdsMode === 'percentage') {
      const lo = panel.min ?? range?.min ?? 0;
      const hi = panel.max ?? range?.max ?? 100;
      at = lo + ((hi - lo) * step.value) / 100;
    }
    if (value >= at) color = step.color;
  }
  return color;
}

/** How one series is shown: the panel's defaults with the overrides that match it applied, in order. */
export interface Field extends FieldDefaults {
  /** Time series: which side its y axis is on; a unit other than the first gets its own axis. */
  axisPlacement: 'auto' | 'left' | 'right' | 'hidden';
  /** A fixed colour instead of the palette's. */
  color?: string;
  displayName?: string;
}

function matches(matcher: FieldOverride['matcher'], series: { refId: string; name: string }): boolean {
  const option = typeof matcher.options === 'string' ? matcher.options : undefined;
  switch (matcher.id) {
    case 'byFrameRefID':
      return option === series.refId;
    case 'byName':
      return option === series.name;
    case 'byRegexp':
      try {
        return option !== undefined && new RegExp(option).test(series.name);
      } catch {
        return false;
      }
    case 'byType':
      return option === 'number';
    default:
      return false;
  }
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * A series' field: overrides matched by query (refId), by name or by a regular expression on the name, with the
 * properties the preview draws (unit, decimals, min, max, thresholds, axis placement, fixed colour, display name,
 * line width, fill). Other properties are Grafana's business and leave the picture as it is.
 */
export function fieldFor(panel: PanelModel, series: { refId: string; name: string }): Field {
  const field: Field = {
    unit: panel.unit,
    decimals: panel.decimals,
    min: panel.min,
    max: panel.max,
    thresholds: panel.thresholds,
    thresholdsMode: panel.thresholdsMode,
    axisPlacement: 'auto',
    lineWidth: panel.lineWidth,
    fillOpacity: panel.fillOpacity,
  };
  for (const override of panel.overrides) {
    if (!matches(override.matcher, series)) continue;
    for (const { id, value } of override.properties) {
      if (id === 'unit' && typeof value === 'string') field.unit = value;
      else if (id === 'decimals') field.decimals = num(value);
      else if (id === 'min') field.min = num(value);
      else if (id === 'max') field.max = num(value);
      else if (id === 'displayName' && typeof value === 'string') field.displayName = value;
      else if (id === 'custom.axisPlacement' && ['auto', 'left', 'right', 'hidden'].includes(String(value))) field.axisPlacement = value as Field['axisPlacement'];
      else if (id === 'custom.lineWidth') field.lineWidth = num(value) ?? field.lineWidth;
      else if (id === 'custom.fillOpacity') field.fillOpacity = num(value) ?? field.fillOpacity;
      else if (id === 'color') {
        const color = value as { mode?: string; fixedColor?: string } | undefined;
        if (color?.mode === 'fixed' && color.fixedColor) field.color = color.fixedColor;
      } else if (id === 'thresholds') {
        const t = value as { mode?: string; steps?: ThresholdStep[] } | undefined;
        if (t?.steps) {
          field.thresholds = [...t.steps].sort((a, b) => (a.value ?? -Infinity) - (b.value ?? -Infinity));
          field.thresholdsMode = t.mode === 'percentage' ? 'percentage' : 'absolute';
        }
      }
    }
  }
  return field;
}
