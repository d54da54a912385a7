// Values as Grafana prints them for a panel's unit (fieldConfig.defaults.unit): the same decimals rule, the same
// scaled prefixes (K, Mil / KiB, MiB / kHz, MHz), the same time steps (ms, s, min, hour, day), and an unknown unit
// shown as a suffix, as Grafana does with custom units ("x" → "95.2 x"). Also the y-axis ticks of a time series, so
// that the axis reads in the panel's unit with round numbers (binary steps for byte units).

/** Grafana's rule: two significant digits for small numbers, fewer as they grow; integers without decimals. */
export function autoDecimals(value: number): number {
  const abs = Math.abs(value);
  if (abs === 0 || !Number.isFinite(abs)) return 0;
  let dec = -Math.floor(Math.log10(abs)) + 1;
  if (abs / 10 ** -dec > 2.25) dec += 1;
  if (value % 1 === 0) dec = 0;
  return Math.max(0, dec);
}

/** A number rounded to `decimals` (auto when undefined), trailing zeros dropped, as Grafana's toFixed. */
export function toFixed(value: number, decimals?: number): string {
  if (value === 0) return '0';
  const d = Math.max(0, decimals ?? autoDecimals(value));
  const rounded = Math.round(value * 10 ** d) / 10 ** d;
  if (rounded === 0) return '0'; // not "-0" for a small negative rounded away
  // Number#toFixed, not String(), so that tiny values do not print as "1e-7"; trailing zeros dropped.
  return Math.abs(rounded) >= 1e21 ? String(rounded) : rounded.toFixed(Math.min(100, Math.max(0, d))).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

/** value/factor^k with the k-th suffix, k as large as keeps |value| ≥ 1 (and within the suffix list). */
function scaled(value: number, factor: number, suffixes: readonly string[], decimals?: number, offset = 0): string {
  let k = offset;
  let v = value;
  while (Math.abs(v) >= factor && k < suffixes.length - 1) {
    v /= factor;
    k++;
  }
  while (Math.abs(v) < 1 && v !== 0 && k > 0) {
    v *= factor;
    k--;
  }
  return `${toFixed(v, decimals)}${suffixes[k]}`;
}

const SI = ['n', 'µ', 'm', '', 'k', 'M', 'G', 'T', 'P'] as const;
/** SI prefixes from nano to peta around a base unit ("W" → mW, W, kW, MW); `start` is the base's own prefix. */
function si(value: number, base: string, decimals?: number, start = ''): string {
  const suffixes = SI.map((p) => ` ${p}${base}`);
  return scaled(value, 1000, suffixes, decimals, SI.indexOf(start as (typeof SI)[number]));
}

const SHORT = ['', ' K', ' Mil', ' Bil', ' Tri', ' Quadr'];
const IEC_BYTES = [' B', ' KiB', ' MiB', ' GiB', ' TiB', ' PiB'];
const DEC_BYTES = [' B', ' kB', ' MB', ' GB', ' TB', ' PB'];

/** Time in seconds the way Grafana's "s" unit steps through ms, s, min, hour, day, week, year. */
function seconds(value: number, decimals?: number): string {
  const abs = Math.abs(value);
  if (value === 0) return '0 s';
  if (abs < 1e-3) return `${toFixed(value * 1e6, decimals)} µs`;
  if (abs < 1) return `${toFixed(value * 1000, decimals)} ms`;
  if (abs < 60) return `${toFixed(value, decimals)} s`;
  if (abs < 3600) return `${toFixed(value / 60, decimals)} min`;
  if (abs < 86400) return `${toFixed(value / 3600, decimals)} hour`;
  if (abs < 604800) return `${toFixed(value / 86400, decimals)} day`;
  if (abs < 31536000) return `${toFixed(value / 604800, decimals)} week`;
  return `${toFixed(value / 31536000, decimals)} year`;
}

/**
 * One formatted value. Non-finite values print as Prometheus spells them; null (no sample) as "No data", which is
 * what Grafana shows for an empty reduction.
 */
export function formatValue(value: number | null | undefined, unit: string, decimals?: number): string {
  if (value === null || value === undefined) return 'No data';
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  switch (unit) {
    case '':
    case 'none':
      return toFixed(value, decimals);
    case 'short':
      return scaled(value, 1000, SHORT, decimals);
    case 'percent':
      return `${toFixed(value, decimals)}%`;
    case 'percentunit':
      return `${toFixed(value * 100, decimals)}%`;
    case 's':
      return seconds(value, decimals);
    case 'ms':
      return seconds(value / 1000, decimals);
    case 'µs':
      return seconds(value / 1e6, decimals);
    case 'm':
      return seconds(value * 60, decimals);
    case 'h':
      return seconds(value * 3600, decimals);
    case 'd':
      return seconds(value * 86400, decimals);
    case 'bytes':
      return scaled(value, 1024, IEC_BYTES, decimals);
    case 'decbytes':
      return scaled(value, 1000, DEC_BYTES, decimals);
    case 'reqps':
      return `${scaled(value, 1000, SHORT, decimals)} req/s`;
    case 'ops':
      return `${scaled(value, 1000, SHORT, decimals)} ops/s`;
    case 'celsius':
      return `${toFixed(value, decimals)}°C`;
    case 'watt':
      return si(value, 'W', decimals);
    case 'kwatt':
      return si(value, 'W', decimals, 'k');
    case 'watth':
      return si(value, 'Wh', decimals);
    case 'kwatth':
      return si(value, 'Wh', decimals, 'k');
    case 'joule':
      return si(value, 'J', decimals);
    case 'hertz':
      return si(value, 'Hz', decimals);
    case 'bool':
      return value === 0 ? 'False' : 'True';
    case 'bool_on_off':
      return value === 0 ? 'Off' : 'On';
    case 'bool_yes_no':
      return value === 0 ? 'No' : 'Yes';
    default:
      // Grafana shows a unit it does not know as a custom suffix.
      return `${toFixed(value, decimals)} ${unit}`;
  }
}

/** Units printed without rescaling: the axis gives every tick its step's decimals. */
const PLAIN_UNITS = new Set(['', 'none', 'percent', 'celsius']);

/** The units in which a value rises by powers of 1024: their axes step in whole KiB, MiB, GiB. */
const BINARY_UNITS = new Set(['bytes']);

/** A round step (1, 2, 2.5 or 5 times a power of ten) giving about `count` intervals over `span`. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0)) return 1;
  const rough = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const residual = rough / magnitude;
  const nice = residual < 1.5 ? 1 : residual < 2.25 ? 2 : residual < 3.5 ? 2.5 : residual < 7.5 ? 5 : 10;
  return nice * magnitude;
}

export interface Axis {
  min: number;
  max: number;
  ticks: number[];
  labels: string[];
}

/**
 * The y axis of a time series: the panel's min/max where it sets them, else the data's extent padded a little
 * (never below zero for data that never is), widened to whole steps; ticks at each step, labelled in the unit.
 */
export function valueAxis(dataMin: number | undefined, dataMax: number | undefined, unit: string, fixed: { min?: number; max?: number } = {}, count = 4): Axis {
  let lo = fixed.min ?? dataMin ?? 0;
  let hi = fixed.max ?? dataMax ?? 1;
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    // A flat line: give it room, keeping zero as the floor for a flat zero.
    const pad = hi === 0 ? 1 : Math.abs(hi) * 0.5;
    if (fixed.min === undefined) lo = lo >= 0 && lo - pad < 0 ? 0 : lo - pad;
    if (fixed.max === undefined) hi += pad;
    if (hi === lo) hi = lo + 1;
  } else if (dataMin !== undefined && dataMax !== undefined) {
    const pad = (hi - lo) * 0.05;
    if (fixed.max === undefined) hi += pad;
    if (fixed.min === undefined) lo = (dataMin ?? 0) >= 0 ? Math.max(0, lo - pad) : lo - pad;
  }
  let scale = 1;
  if (BINARY_UNITS.has(unit)) {
    while (Math.max(Math.abs(lo), Math.abs(hi)) / scale >= 1024) scale *= 1024;
  }
  const step = niceStep((hi - lo) / scale, count) * scale;
  if (fixed.min === undefined) lo = Math.floor(lo / step + 1e-9) * step;
  if (fixed.max === undefined) hi = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  const tickDecimals = Math.max(0, -Math.floor(Math.log10(step / scale) + 1e-9));
  // Plain units print every tick with its step's decimals (0.5, 1.0, 1.5); the rescaling ones (seconds to ms, bytes
  // to MiB) pick their own from the value, which the auto rule does well for round numbers.
  const decimals = PLAIN_UNITS.has(unit) ? tickDecimals : undefined;
  return { min: lo, max: hi, ticks, labels: ticks.map((t) => formatValue(t, unit, decimals)) };
}
