// Property tests for the exposition parser: whatever renderText writes parses back to the same samples, and random
// or mangled input either parses (and then survives a render round trip) or throws ExpositionError — nothing else.
// Every input is bounded in size; hangs would show as the test timeout, nothing is timed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseExposition, ExpositionError } from '../../core/exposition/parse.ts';
import { renderText, formatValue } from '../../core/exposition/render.ts';
import type { FamilyType, MetricFamily, Sample } from '../../core/exposition/types.ts';
import { SAMPLES_DIR } from '../support/samples.ts';


/** Order-independent identity of a list of samples (NaN-safe, label order ignored). */
function canonical(samples: readonly Sample[]): string[] {
  return samples
    .map((s) => `${s.name}${JSON.stringify(Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))} ${formatValue(s.value)}`)
    .sort();
}
const allSamples = (families: readonly MetricFamily[]): Sample[] => families.flatMap((f) => f.samples);

// --- (a) arbitrary valid families --------------------------------------------------------------------------------

/** Characters that matter to the syntax, mixed into otherwise arbitrary Unicode (NUL excluded: it is refused). */
const SPECIALS = ['\\', '"', '\n', '\\n', '\\"', '\\\\', '{', '}', ',', '=', '#', ' ', '\t', '\r', '# EOF', 'NaN', 'é', '😀'];
const text = (maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.oneof(fc.constantFrom(...SPECIALS), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength }).map((s) => s.replaceAll('\0', ''));

const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,6}$/).filter((n) => !n.startsWith('__') && n !== 'le' && n !== 'quantile');
const labelSet = fc.dictionary(labelName, text(10), { maxKeys: 4, noNullPrototype: true });
/** Any double, -0 as 0 (the text format has no negative zero: String(-0) is "0"). */
const value = fc.double().map((v) => (Object.is(v, -0) ? 0 : v));
const bound = fc.double({ noNaN: true }).map((v) => (Object.is(v, -0) ? 0 : v));

const TYPES: FamilyType[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped', 'unknown', 'info', 'stateset', 'gaugehistogram'];
/** Types renderText writes as themselves (the others are mapped onto 0.0.4 types). */
const ONE_TO_ONE = new Set<FamilyType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

interface FamilySpec {
  base: string;
  type: FamilyType;
  help: string | undefined;
  unit: string | undefined;
  openMetricsCounter: boolean;
  series: { labels: Record<string, string>; values: number[]; bounds: number[] }[];
}

const familySpec: fc.Arbitrary<FamilySpec> = fc.record({
  base: fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,10}$/),
  type: fc.constantFrom(...TYPES),
  help: fc.option(text(30), { nil: undefined }),
  unit: fc.option(fc.constantFrom('seconds', 'bytes', 'ratio'), { nil: undefined }),
  openMetricsCounter: fc.boolean(),
  series: fc.array(fc.record({ labels: labelSet, values: fc.array(value, { minLength: 4, maxLength: 4 }), bounds: fc.uniqueArray(bound, { maxLength: 3 }) }), { maxLength: 3 }),
});

/** Builds a valid family; `index` makes names unique and keeps one family's name from being another's base. */
function buildFamily(spec: FamilySpec, index: number): MetricFamily {
  const name = `${spec.base}_f${index}`;
  const samples: Sample[] = [];
  for (const { labels, values, bounds } of spec.series) {
    const [a, b, c, d] = values as [number, number, number, number];
    const sorted = [...bounds].sort((x, y) => x - y);
    switch (spec.type) {
      case 'counter':
        samples.push({ name: spec.openMetricsCounter ? `${name}_total` : name, labels, value: a });
        break;
      case 'histogram':
      case 'gaugehistogram': {
        for (const le of sorted) samples.push({ name: `${name}_bucket`, labels: { ...labels, le: formatValue(le) }, value: a });
        samples.push({ name: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: b });
        const g = spec.type === 'gaugehistogram' ? 'g' : '';
        samples.push({ name: `${name}_${g}sum`, labels, value: c }, { name: `${name}_${g}count`, labels, value: d });
        if (spec.type === 'histogram' && spec.openMetricsCounter) samples.push({ name: `${name}_created`, labels, value: a });
        break;
      }
      case 'summary':
        for (const q of sorted) samples.push({ name, labels: { ...labels, quantile: formatValue(q) }, value: a });
        samples.push({ name: `${name}_sum`, labels, value: c }, { name: `${name}_count`, labels, value: d });
        break;
      case 'info':
        samples.push({ name: `${name}_info`, labels, value: 1 });
        break;
      default:
        samples.push({ name, labels, value: a });
    }
  }
  return { name, type: spec.type, ...(spec.help !== undefined && { help: spec.help }), ...(spec.unit !== undefined && { unit: spec.unit }), samples };
}

const families = fc.array(familySpec, { maxLength: 6 }).map((specs) => specs.map(buildFamily));

describe('parse(renderText(families)) round-trips', () => {
  it('every sample comes back; 0.0.4 types keep their family, type, HELP and sample order', () => {
    fc.assert(
      fc.property(families, (input) => {
        const output = parseExposition(renderText(input));
        expect(canonical(allSamples(output))).toEqual(canonical(allSamples(input)));
        for (const family of input) {
          if (!ONE_TO_ONE.has(family.type)) continue;
          const rendered = family.type === 'counter' && family.samples.some((s) => s.name === `${family.name}_total`) ? `${family.name}_total` : family.name;
          const back = output.find((f) => f.name === rendered);
          expect(back, rendered).toBeDefined();
          expect(back!.type).toBe(family.type);
          expect(back!.help).toBe(family.help);
          expect(back!.samples).toEqual(family.samples);
        }
      }),
      { numRuns: 500 },
    );
  });
});

// --- (b) hostile input ---------------------------------------------------------------------------------------------

/** Parses; anything but success or ExpositionError (with a line number inside the text) fails the property. */
function parseOrRefuse(input: string, options?: { maxSamples?: number; maxLineLength?: number }): MetricFamily[] | undefined {
  try {
    return parseExposition(input, options);
  } catch (err) {
    if (!(err instanceof ExpositionError)) throw err;
    expect(Number.isInteger(err.line)).toBe(true);
    expect(err.line).toBeGreaterThanOrEqual(1);
    expect(err.line).toBeLessThanOrEqual(input.split('\n').length);
    return undefined;
  }
}

/** What is accepted can be served again: rendering it yields text that parses to the same samples. */
function checkAccepted(input: string): void {
  const parsed = parseOrRefuse(input);
  if (!parsed) return;
  const again = parseExposition(renderText(parsed));
  expect(canonical(allSamples(again))).toEqual(canonical(allSamples(parsed)));
}

const TOKENS = [
  'a', 'engine_requests', 'DCGM_FI_DEV_GPU_UTIL', '_total', '_bucket', '_sum', '_count', '_created', '_info', '{', '}', '"', '=',
  ',', ' ', '  ', '\t', '\n', '\r\n', '#', '# HELP ', '# TYPE ', '# UNIT ', '# EOF', 'counter', 'gauge', 'histogram',
  'summary', 'info', 'le', 'quantile', '1', '0.5', '-1e-3', '1e999', '9223372036854775794', 'NaN', '+Inf', '-Inf', '\\',
  '\\n', '\\"', '.', '-', ':', '\0', '😀', ' # {a="b"} 1',
];
const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 80 }).map((t) => t.join(''));

const realTexts: string[] = readdirSync(SAMPLES_DIR)
  .filter((f) => f.endsWith('.prom'))
  .sort()
  .flatMap((f) => {
    const raw = readFileSync(join(SAMPLES_DIR, f), 'utf8');
    let n = 0;
    const filled = raw.replace(/<integer>|<float>/g, () => String(++n));
    const clean = filled
      .split('\n')
      .filter((l) => l !== '...' && !l.startsWith('[...'))
      .join('\n');
    return [raw, clean];
  });

const INSERTS = ['"', '\\', '{', '}', '\n', ',', '=', ' ', '#', '# EOF\n', '\0', '9'.repeat(400), '1e309', '-Inf', 'NaN', '_total', '{le="x"}', '\n# TYPE DCGM_FI_DEV_SM_CLOCK gauge\n', '\n# TYPE engine_requests_total gauge\n', '\r'];
type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; what: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicateLine'; at: number };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 15 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), what: fc.constantFrom(...INSERTS) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('duplicateLine' as const), at: fc.nat() }),
);

function mutate(input: string, m: Mutation): string {
  const at = input.length ? m.at % (input.length + 1) : 0;
  switch (m.kind) {
    case 'flip': {
      if (at >= input.length) return input;
      return input.slice(0, at) + String.fromCharCode(input.charCodeAt(at) ^ (1 << m.bit)) + input.slice(at + 1);
    }
    case 'truncate':
      return input.slice(0, at);
    case 'insert':
      return input.slice(0, at) + m.what + input.slice(at);
    case 'delete':
      return input.slice(0, at) + input.slice(at + m.length);
    case 'duplicateLine': {
      const lines = input.split('\n');
      const i = m.at % lines.length;
      lines.splice(i, 0, lines[i]!);
      return lines.join('\n');
    }
  }
}

const mutated = fc
  .record({ base: fc.constantFrom(...realTexts), mutations: fc.array(mutation, { minLength: 1, maxLength: 5 }) })
  .map(({ base, mutations }) => mutations.reduce(mutate, base));

describe('hostile input: parse or ExpositionError, never anything else', () => {
  it('has real texts to mutate', () => {
    expect(realTexts.length).toBeGreaterThanOrEqual(10);
  });

  it('random Unicode strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), checkAccepted), { numRuns: 1500 });
  });

  it('random exposition-token soup', () => {
    fc.assert(fc.property(tokenSoup, checkAccepted), { numRuns: 1500 });
  });

  it('mutations of the real samples (bit flips, truncation, inserted quotes/braces/newlines/huge numbers)', () => {
    fc.assert(fc.property(mutated, checkAccepted), { numRuns: 2500 });
  });

  it('tiny limits on mutated samples', () => {
    fc.assert(
      fc.property(mutated, fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 200 }), (input, maxSamples, maxLineLength) => {
        const parsed = parseOrRefuse(input, { maxSamples, maxLineLength });
        if (parsed) expect(allSamples(parsed).length).toBeLessThanOrEqual(maxSamples);
      }),
      { numRuns: 500 },
    );
  });
});
