// A strict parser for the Prometheus text exposition format 0.0.4 and OpenMetrics 1.0 text, into the shared model of
// ./types.ts. The exporter feeds it upstream /metrics bodies (Deepgram Engine, dcgm-exporter), so it must treat its
// input as hostile: one pass over the text, hand-written scanners (no regular expression that can backtrack), bounded
// line length and sample count, and every rejection is an ExpositionError carrying the 1-based line number.
//
// Accepted (both formats, auto-detected per construct — there is no content-type switch):
// - `# HELP name text` (escapes \\ \n \" are decoded; any other backslash is kept as written), `# TYPE name type`
//   (counter, gauge, histogram, summary, untyped, unknown, info, stateset, gaugehistogram), `# UNIT name unit`,
//   `# EOF` (must be the last line; nothing but one final newline may follow). Other `#` lines are comments.
// - Samples `name[{labels}] value [timestamp] [# {exemplar labels} value [timestamp]]`. Timestamps (milliseconds in
//   0.0.4, seconds in OpenMetrics) are validated and DROPPED, exemplars are validated and DROPPED: dgmon re-exposes
//   neither. Values: decimal/exponent floats, NaN, ±Inf (case-insensitive, also "infinity"). Finite literals that
//   overflow a double are rejected (as Go's ParseFloat does); integers beyond 2^53 are rounded to the nearest double.
// - Label sets with blanks around tokens (`{gpu="0", UUID="…"}`), a trailing comma, `{}`; escapes \\ \" \n in values.
// - Blank lines and leading/trailing blanks (0.0.4 is whitespace-tolerant), blanks or tabs between tokens.
//
// Families: a sample joins the family declared (by # TYPE/# HELP/# UNIT) under its exact name, else the family named
// by its base (name minus _total/_created/_bucket/_sum/_count/_gsum/_gcount/_info) if that suffix fits the family's
// type; otherwise the sample forms, or joins, its own 'untyped' family named after itself. This allows OpenMetrics
// counters (`# TYPE engine_requests counter` + `engine_requests_total`), 0.0.4 counters without _total (dcgm-exporter)
// and interleaved families. Families come out in order of first appearance; declared families without samples are
// kept (with no samples).
//
// Rejected ("strict where it matters" — anything that would change what a sample means, or make dgmon re-expose
// something Prometheus cannot read):
// - malformed label sets, invalid metric or label names, label names starting with `__` (reserved by Prometheus;
//   also keeps `__proto__` out of the label objects), duplicate label names in one set, unknown escapes in values;
// - unparsable values or timestamps, NaN/Inf timestamps, trailing garbage, an exemplar that does not parse;
// - a second # TYPE, # HELP or # UNIT for one family; # TYPE for a family after samples of it (or of its _total/
//   _bucket/... series) were seen; metadata declaring a family under a series name another family already holds
//   (`# TYPE foo_total gauge` after counter foo's foo_total samples); an unknown type; `# EOF` followed by anything;
// - a histogram/gaugehistogram sample under the bare family name, a _bucket sample without a numeric `le`, a summary
//   sample under the bare name without a numeric `quantile`;
// - lines longer than maxLineLength (UTF-16 code units, default 64 KiB), more than maxSamples samples (default
//   200000), NUL characters. CRLF line ends fail every sample and # TYPE line (the \r lands in the value, timestamp
//   or type token, and the error says CRLF; no real upstream writes them); a \r inside a label value or HELP is kept.
// Deliberately NOT checked (Prometheus itself does not fail a scrape on them): duplicate series, bucket order or the
// presence of the +Inf bucket, negative counters, # HELP/# UNIT after a family's samples, OpenMetrics-only rules
// (families must not interleave, # EOF is mandatory, counters must not be declared with _total, no blank lines),
// metric names not ending in their # UNIT.
import type { FamilyType, MetricFamily, Sample } from './types.ts';

export interface ParseOptions {
  /** Maximum number of samples (exemplars not counted). Default 200000. */
  maxSamples?: number;
  /** Maximum length of one line, in UTF-16 code units, without its newline. Default 65536. */
  maxLineLength?: number;
}

export const DEFAULT_MAX_SAMPLES = 200_000;
export const DEFAULT_MAX_LINE_LENGTH = 64 * 1024;

export class ExpositionError extends Error {
  /** `line` is 1-based; `message` does not repeat it. */
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'ExpositionError';
  }
}

const FAMILY_TYPES: ReadonlySet<string> = new Set<FamilyType>(['counter', 'gauge', 'histogram', 'summary', 'untyped', 'unknown', 'info', 'stateset', 'gaugehistogram']);

/** Series suffixes each family type allows besides (or instead of) its bare name. */
const SUFFIXES_BY_TYPE: Record<FamilyType, readonly string[]> = {
  counter: ['_total', '_created'],
  histogram: ['_bucket', '_sum', '_count', '_created'],
  gaugehistogram: ['_bucket', '_gsum', '_gcount'],
  summary: ['_sum', '_count', '_created'],
  info: ['_info'],
  gauge: [],
  untyped: [],
  unknown: [],
  stateset: [],
};
const ALL_SUFFIXES = ['_total', '_created', '_bucket', '_sum', '_count', '_gsum', '_gcount', '_info'] as const;
/** Types whose samples never carry the bare family name. */
const NO_BARE_NAME: ReadonlySet<FamilyType> = new Set<FamilyType>(['histogram', 'gaugehistogram']);

interface FamilyState {
  family: MetricFamily;
  /** Declared by a metadata line (not only implied by samples). */
  declared: boolean;
  hasType: boolean;
  hasSamples: boolean;
  /** Sample names that joined through a suffix (at most one per suffix). */
  suffixSeries: Set<string>;
}

const SPACE = 0x20;
const TAB = 0x09;
const isBlank = (c: number): boolean => c === SPACE || c === TAB;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isAlpha = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isMetricStart = (c: number): boolean => isAlpha(c) || c === 0x5f /* _ */ || c === 0x3a; /* : */
const isMetricChar = (c: number): boolean => isMetricStart(c) || isDigit(c);
const isLabelStart = (c: number): boolean => isAlpha(c) || c === 0x5f;
const isLabelChar = (c: number): boolean => isLabelStart(c) || isDigit(c);

/** Shows a bounded, quoted excerpt of hostile input in an error message. */
function excerpt(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

/** True when `name` is a valid Prometheus metric name. */
export function isValidMetricName(name: string): boolean {
  if (name.length === 0 || !isMetricStart(name.charCodeAt(0))) return false;
  for (let i = 1; i < name.length; i++) if (!isMetricChar(name.charCodeAt(i))) return false;
  return true;
}

/** True when `name` is a valid label name that the parser accepts (not reserved with a leading `__`). */
export function isValidLabelName(name: string): boolean {
  if (name.length === 0 || !isLabelStart(name.charCodeAt(0)) || name.startsWith('__')) return false;
  for (let i = 1; i < name.length; i++) if (!isLabelChar(name.charCodeAt(i))) return false;
  return true;
}

/**
 * Parses one number token as Prometheus does (a subset of Go's ParseFloat: no hex, no underscores). Returns undefined
 * when the token is not a number or a finite literal overflows.
 */
export function parseNumber(token: string): number | undefined {
  const n = token.length;
  if (n === 0) return undefined;
  let i = 0;
  const first = token.charCodeAt(0);
  const signed = first === 0x2b /* + */ || first === 0x2d; /* - */
  if (signed) i = 1;
  if (i < n && !isDigit(token.charCodeAt(i)) && token.charCodeAt(i) !== 0x2e /* . */) {
    // Only the special values start with a letter. The token is short to lower-case in every valid case.
    if (n - i > 8) return undefined;
    const word = token.slice(i).toLowerCase();
    if (word === 'inf' || word === 'infinity') return first === 0x2d ? -Infinity : Infinity;
    if (word === 'nan' && !signed) return NaN;
    return undefined;
  }
  let mantissaDigits = 0;
  while (i < n && isDigit(token.charCodeAt(i))) i++, mantissaDigits++;
  if (i < n && token.charCodeAt(i) === 0x2e) {
    i++;
    while (i < n && isDigit(token.charCodeAt(i))) i++, mantissaDigits++;
  }
  if (mantissaDigits === 0) return undefined;
  if (i < n && (token.charCodeAt(i) === 0x65 || token.charCodeAt(i) === 0x45)) {
    i++;
    if (i < n && (token.charCodeAt(i) === 0x2b || token.charCodeAt(i) === 0x2d)) i++;
    let expDigits = 0;
    while (i < n && isDigit(token.charCodeAt(i))) i++, expDigits++;
    if (expDigits === 0) return undefined;
  }
  if (i !== n) return undefined;
  const value = Number(token);
  return Number.isFinite(value) ? value : undefined;
}

/** Decodes # HELP text: \\ → \, \n → newline, \" → "; any other backslash is kept as written. */
function unescapeHelp(raw: string): string {
  if (!raw.includes('\\')) return raw;
  let out = '';
  let run = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw.charCodeAt(i) !== 0x5c || i + 1 >= raw.length) continue;
    const next = raw[i + 1];
    const decoded = next === '\\' ? '\\' : next === 'n' ? '\n' : next === '"' ? '"' : undefined;
    if (decoded === undefined) continue;
    out += raw.slice(run, i) + decoded;
    i++;
    run = i + 1;
  }
  return out + raw.slice(run);
}

/** Parses exposition text into metric families. Throws ExpositionError on anything malformed. */
export function parseExposition(text: string, options: ParseOptions = {}): MetricFamily[] {
  const maxSamples = options.maxSamples ?? DEFAULT_MAX_SAMPLES;
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  const families: MetricFamily[] = [];
  const byName = new Map<string, FamilyState>();
  let sampleCount = 0;
  let eofLine = 0;
  let lineNo = 0;
  // The line being parsed and a cursor into it; the helpers below share them.
  let line = '';
  let pos = 0;
  let lineHasBackslash = false;

  const fail: (message: string) => never = (message) => {
    throw new ExpositionError(message, lineNo);
  };
  const at = (): number => (pos < line.length ? line.charCodeAt(pos) : -1);
  const skipBlanks = (): void => {
    while (pos < line.length && isBlank(line.charCodeAt(pos))) pos++;
  };
  const atEnd = (): boolean => pos >= line.length;

  const scanMetricName = (what: string): string => {
    const start = pos;
    if (!isMetricStart(at())) fail(`invalid ${what} at ${excerpt(line.slice(start))}`);
    pos++;
    while (pos < line.length && isMetricChar(line.charCodeAt(pos))) pos++;
    return line.slice(start, pos);
  };

  /** A blank-delimited token from the cursor (possibly empty). */
  const scanToken = (): string => {
    const start = pos;
    while (pos < line.length && !isBlank(line.charCodeAt(pos))) pos++;
    return line.slice(start, pos);
  };

  /** Parses a label set; the cursor is on `{`. Leaves the cursor after `}`. */
  const scanLabels = (): Record<string, string> => {
    const labels: Record<string, string> = {};
    pos++; // {
    for (;;) {
      skipBlanks();
      if (at() === 0x7d /* } */) {
        pos++;
        return labels;
      }
      const start = pos;
      if (!isLabelStart(at())) fail(atEnd() ? 'unterminated label set' : `invalid label name at ${excerpt(line.slice(start))}`);
      pos++;
      while (pos < line.length && isLabelChar(line.charCodeAt(pos))) pos++;
      const name = line.slice(start, pos);
      if (name.startsWith('__')) fail(`reserved label name ${excerpt(name)}`);
      // Own properties only: a name like "constructor" is an ordinary label. (__proto__ was refused just above.)
      if (Object.hasOwn(labels, name)) fail(`duplicate label name ${excerpt(name)}`);
      skipBlanks();
      if (at() !== 0x3d /* = */) fail(`expected '=' after label name ${excerpt(name)}`);
      pos++;
      skipBlanks();
      if (at() !== 0x22 /* " */) fail(`expected '"' to open the value of label ${excerpt(name)}`);
      pos++;
      // Most values hold no escape: on a line without a backslash the value ends at the next quote.
      const close = lineHasBackslash ? -1 : line.indexOf('"', pos);
      if (close >= 0) {
        labels[name] = line.slice(pos, close);
        pos = close + 1;
      } else {
        let value = '';
        let run = pos;
        for (;;) {
          if (atEnd()) fail(`unterminated value of label ${excerpt(name)}`);
          const c = line.charCodeAt(pos);
          if (c === 0x22) break;
          if (c === 0x5c /* \ */) {
            const next = pos + 1 < line.length ? line[pos + 1] : '';
            const decoded = next === '\\' ? '\\' : next === '"' ? '"' : next === 'n' ? '\n' : undefined;
            if (decoded === undefined) fail(`invalid escape ${excerpt(`\\${next}`)} in value of label ${excerpt(name)}`);
            value += line.slice(run, pos) + decoded;
            pos += 2;
            run = pos;
            continue;
          }
          pos++;
        }
        value += line.slice(run, pos);
        pos++; // closing "
        labels[name] = value;
      }
      skipBlanks();
      const c = at();
      if (c === 0x2c /* , */) {
        pos++;
        continue;
      }
      if (c === 0x7d) {
        pos++;
        return labels;
      }
      fail(atEnd() ? 'unterminated label set' : `expected ',' or '}' in label set at ${excerpt(line.slice(pos))}`);
    }
  };

  const scanValue = (what: string): number => {
    const token = scanToken();
    if (token.length === 0) fail(`missing ${what}`);
    const value = parseNumber(token);
    if (value === undefined) fail(`invalid ${what} ${excerpt(token)}${token.endsWith('\r') ? ' (CRLF line ends are not accepted)' : ''}`);
    return value;
  };

  /** Optional timestamp, then an optional exemplar, then only blanks. The cursor is after the value. */
  const scanTail = (): void => {
    skipBlanks();
    if (atEnd()) return;
    if (at() !== 0x23 /* # */) {
      const ts = scanValue('timestamp');
      if (!Number.isFinite(ts)) fail('timestamp must be finite');
      skipBlanks();
      if (atEnd()) return;
    }
    if (at() !== 0x23) fail(`unexpected text after sample value at ${excerpt(line.slice(pos))}`);
    pos++;
    if (!isBlank(at())) fail("expected ' ' after '#' of an exemplar");
    skipBlanks();
    if (at() !== 0x7b /* { */) fail("expected '{' to open exemplar labels");
    scanLabels();
    skipBlanks();
    scanValue('exemplar value');
    skipBlanks();
    if (atEnd()) return;
    const ts = scanValue('exemplar timestamp');
    if (!Number.isFinite(ts)) fail('exemplar timestamp must be finite');
    skipBlanks();
    if (!atEnd()) fail(`unexpected text after exemplar at ${excerpt(line.slice(pos))}`);
  };

  const newFamily = (name: string, declared: boolean): FamilyState => {
    const family: MetricFamily = { name, type: 'untyped', samples: [] };
    const state: FamilyState = { family, declared, hasType: false, hasSamples: false, suffixSeries: new Set() };
    families.push(family);
    byName.set(name, state);
    return state;
  };

  /** The family a metadata line for `name` describes, created if new. */
  const metadataTarget = (name: string, keyword: string): FamilyState => {
    const existing = byName.get(name);
    if (existing) return existing;
    // `# TYPE foo_total gauge` after counter foo's foo_total samples: one series name in two families.
    for (const suffix of ALL_SUFFIXES) {
      if (!name.endsWith(suffix)) continue;
      const base = byName.get(name.slice(0, -suffix.length));
      if (base?.suffixSeries.has(name)) fail(`# ${keyword} ${name}: its samples already belong to ${base.family.type} ${base.family.name}`);
    }
    return newFamily(name, true);
  };

  const parseMetadata = (keyword: 'HELP' | 'TYPE' | 'UNIT'): void => {
    if (!isBlank(at())) fail(`expected a metric name after # ${keyword}`);
    skipBlanks();
    const name = scanMetricName(`metric name in # ${keyword}`);
    if (!atEnd() && !isBlank(at())) fail(`invalid metric name in # ${keyword} at ${excerpt(line.slice(pos))}`);
    const state = metadataTarget(name, keyword);
    const family = state.family;
    if (keyword === 'HELP') {
      if (family.help !== undefined) fail(`second # HELP for ${name}`);
      // Exactly one separator; the rest of the line is the text (OpenMetrics).
      family.help = unescapeHelp(atEnd() ? '' : line.slice(pos + 1));
      state.declared = true;
      return;
    }
    skipBlanks();
    const word = scanToken();
    skipBlanks();
    if (!atEnd()) fail(`unexpected text after # ${keyword} ${name} ${word}`);
    if (keyword === 'TYPE') {
      if (state.hasType) fail(`second # TYPE for ${name}`);
      if (state.hasSamples) fail(`# TYPE ${name} after its samples`);
      if (!FAMILY_TYPES.has(word)) fail(`unknown metric type ${excerpt(word)} for ${name}${word.endsWith('\r') ? ' (CRLF line ends are not accepted)' : ''}`);
      const type = word as FamilyType;
      // Series of this type seen earlier formed families of their own: the declaration comes too late for them.
      for (const suffix of SUFFIXES_BY_TYPE[type]) {
        const implied = byName.get(name + suffix);
        if (implied && !implied.declared) fail(`# TYPE ${name} after its samples (${name + suffix})`);
      }
      family.type = type;
      state.hasType = true;
      state.declared = true;
      return;
    }
    if (family.unit !== undefined) fail(`second # UNIT for ${name}`);
    for (let i = 0; i < word.length; i++) if (!isMetricChar(word.charCodeAt(i))) fail(`invalid unit ${excerpt(word)} for ${name}`);
    family.unit = word;
    state.declared = true;
  };

  const parseComment = (): void => {
    pos++; // #
    if (!isBlank(at())) return; // "#foo": a plain comment
    skipBlanks();
    const word = scanToken();
    if (word === 'HELP' || word === 'TYPE' || word === 'UNIT') return parseMetadata(word);
    if (word === 'EOF') {
      skipBlanks();
      if (!atEnd()) fail('unexpected text after # EOF');
      eofLine = lineNo;
    }
  };

  /** The family a sample belongs to: see the header comment. */
  const familyFor = (name: string): FamilyState => {
    const exact = byName.get(name);
    if (exact) return exact;
    for (const suffix of ALL_SUFFIXES) {
      if (!name.endsWith(suffix)) continue;
      const base = byName.get(name.slice(0, -suffix.length));
      if (base && SUFFIXES_BY_TYPE[base.family.type].includes(suffix)) return base;
    }
    return newFamily(name, false);
  };

  const requireNumericLabel = (sample: Sample, label: string, type: string): void => {
    const value = sample.labels[label];
    if (value === undefined) return fail(`${type} sample ${sample.name} without a '${label}' label`);
    if (parseNumber(value) === undefined) fail(`invalid '${label}' value ${excerpt(value)} on ${sample.name}`);
  };

  const parseSample = (): void => {
    const name = scanMetricName('metric name');
    if (!atEnd() && at() !== 0x7b && !isBlank(at())) fail(`invalid metric name at ${excerpt(line.slice(pos - name.length))}`);
    skipBlanks();
    let labels: Record<string, string> = {};
    if (at() === 0x7b) {
      labels = scanLabels();
      skipBlanks();
    }
    if (atEnd()) fail(`missing value for ${name}`);
    const value = scanValue(`value for ${name}`);
    scanTail();
    if (++sampleCount > maxSamples) fail(`more than ${maxSamples} samples`);
    const sample: Sample = { name, labels, value };
    const state = familyFor(name);
    const { family } = state;
    if (name === family.name) {
      if (NO_BARE_NAME.has(family.type)) fail(`${family.type} ${family.name} has a sample without _bucket/_sum/_count suffix`);
      if (family.type === 'summary') requireNumericLabel(sample, 'quantile', 'summary');
    } else if (name.endsWith('_bucket')) {
      requireNumericLabel(sample, 'le', family.type);
    }
    state.hasSamples = true;
    if (name !== family.name) state.suffixSeries.add(name);
    family.samples.push(sample);
  };

  const length = text.length;
  // NUL and backslash are searched for in the whole text, not again in every line: a line holds one when the next
  // one found lies before its end.
  const firstNul = text.indexOf('\0');
  let nextBackslash = text.indexOf('\\');
  let start = 0;
  while (start < length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = length;
    lineNo++;
    if (end - start > maxLineLength) fail(`line longer than ${maxLineLength} characters`);
    line = text.slice(start, end);
    if (eofLine) fail(`text after # EOF (line ${eofLine})`);
    if (firstNul >= 0 && firstNul < end) fail('NUL character');
    if (nextBackslash >= 0 && nextBackslash < start) nextBackslash = text.indexOf('\\', start);
    lineHasBackslash = nextBackslash >= 0 && nextBackslash < end;
    start = end + 1;
    pos = 0;
    skipBlanks();
    if (atEnd()) continue;
    if (at() === 0x23) parseComment();
    else parseSample();
  }
  return families;
}
