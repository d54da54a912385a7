// Comparing the rule groups Prometheus has loaded (/api/v1/rules) with the ones `dgmon generate` writes for the same
// config. Pure functions: the checks in prometheus.ts feed them what the API answered.
//
// Prometheus answers each rule's expression re-printed from its parse tree, not as written: line breaks and
// indentation go, numbers are re-formatted (9.2e18 comes back as 9.2e+18) and so are durations (90s as 1m30s).
// normalizeExpr() removes exactly those differences, so a difference that is left is a difference in meaning.
import { durationSeconds, isDuration } from '../core/duration.ts';
import type { AlertingRule, RecordingRule, RuleGroup } from '../alerts/types.ts';

/** One rule as /api/v1/rules reports it. */
export interface LoadedRule {
  type: 'recording' | 'alerting';
  name: string;
  query: string;
  /** Alerting rules: `for:` in seconds. */
  duration?: number;
  /** Alerting rules: `keep_firing_for:` in seconds (Prometheus 2.42 and later report it). */
  keepFiringFor?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** ok | err | unknown (not evaluated yet). */
  health: string;
  lastError?: string;
}

export interface LoadedGroup {
  name: string;
  file: string;
  /** Seconds. */
  interval: number;
  rules: LoadedRule[];
}

export type ExpectedGroup = RuleGroup<RecordingRule | AlertingRule>;

export interface RuleDifference {
  group: string;
  rule: string;
  /** What differs, one phrase each: "expression: …", "for: 2m loaded, 5m generated", "missing", "not generated". */
  what: string[];
}

export interface RulesDiff {
  /** Generated groups Prometheus does not have. */
  missingGroups: string[];
  /** dgmon groups Prometheus has that this config does not generate (an older bundle, an alert since disabled). */
  staleGroups: string[];
  /** Groups loaded from more than one file: their rules run twice. */
  duplicateGroups: { group: string; files: string[] }[];
  /** Rules present on both sides that differ, and rules only on one side of a group both have. */
  changed: RuleDifference[];
  /** Rules whose last evaluation failed. */
  unhealthy: { group: string; rule: string; error: string }[];
  /** Rules not evaluated yet (just loaded). */
  unevaluated: number;
}

/** The expression without insignificant whitespace and with numbers in one spelling; string literals untouched. */
export function normalizeExpr(expr: string): string {
  let out = '';
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < expr.length && expr[j] !== c) j += expr[j] === '\\' && c !== '`' ? 2 : 1;
      out += expr.slice(i, j + 1);
      i = j + 1;
    } else if (c === '#') {
      // A comment runs to the end of the line.
      while (i < expr.length && expr[i] !== '\n') i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (/[0-9.]/.test(c) && !/[A-Za-z0-9_.:]/.test(expr[i - 1] ?? '')) {
      // A token that starts with a digit is a number or a duration, never part of a name.
      const token = /^[A-Za-z0-9_.+-]+/.exec(expr.slice(i))![0];
      const duration = /^(?:\d+(?:ms|[smhdwy]))+(?![A-Za-z0-9_])/.exec(token)?.[0];
      const number = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(token)?.[0];
      if (duration && isDuration(duration)) {
        out += `${durationSeconds(duration)}s`;
        i += duration.length;
      } else if (number) {
        out += String(Number(number));
        i += number.length;
      } else {
        out += c;
        i++;
      }
    } else {
      out += c;
      i++;
    }
  }
  return sortMatchers(out);
}

/**
 * Prometheus re-prints a selector's matchers in its own order ({mode="batch",source!="probe"} for our
 * {source!="probe",mode="batch"}): the order carries no meaning, so each selector's matchers are sorted. Works on
 * normalised text (no white space); strings are skipped whole, so braces and commas inside them do not count.
 */
function sortMatchers(text: string): string {
  const skipString = (at: number): number => {
    const quote = text[at]!;
    let j = at + 1;
    while (j < text.length && text[j] !== quote) j += text[j] === '\\' && quote !== '`' ? 2 : 1;
    return j + 1;
  };
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === '`') {
      const end = skipString(i);
      out += text.slice(i, end);
      i = end;
    } else if (c === '{') {
      const matchers: string[] = [];
      let start = i + 1;
      let j = start;
      while (j < text.length && text[j] !== '}') {
        if (text[j] === '"' || text[j] === "'" || text[j] === '`') j = skipString(j);
        else if (text[j] === ',') {
          matchers.push(text.slice(start, j));
          start = ++j;
        } else j++;
      }
      const last = text.slice(start, j);
      if (last !== '') matchers.push(last);
      out += `{${matchers.sort().join(',')}}`;
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Where two texts part: a short excerpt of each around the first character that differs. */
export function parting(a: string, b: string): [string, string] {
  let at = 0;
  while (at < a.length && at < b.length && a[at] === b[at]) at++;
  const from = Math.max(0, at - 25);
  const cut = (s: string) => `${from > 0 ? '…' : ''}${s.slice(from, at + 25)}${s.length > at + 25 ? '…' : ''}`;
  return [cut(a), cut(b)];
}

/** Where two expressions part in meaning (compared normalised). */
export function firstDifference(loaded: string, generated: string): string {
  const [a, b] = parting(normalizeExpr(loaded), normalizeExpr(generated));
  return `loaded ${a} / generated ${b}`;
}

const ruleName = (r: RecordingRule | AlertingRule): string => ('record' in r ? r.record : r.alert);

function sameRecord(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const x = a ?? {};
  const y = b ?? {};
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  return [...keys].every((k) => x[k] === y[k]);
}

function recordDifference(what: string, loaded: Record<string, string> | undefined, generated: Record<string, string> | undefined): string {
  const x = loaded ?? {};
  const y = generated ?? {};
  const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].filter((k) => x[k] !== y[k]).sort();
  const show = (k: string) => {
    if (x[k] === undefined || y[k] === undefined) return `${x[k] === undefined ? '(none)' : JSON.stringify(parting(x[k], '')[0])} loaded, ${y[k] === undefined ? '(none)' : JSON.stringify(parting(y[k], '')[0])} generated`;
    const [a, b] = parting(x[k], y[k]);
    return `${JSON.stringify(a)} loaded, ${JSON.stringify(b)} generated`;
  };
  return `${what}: ${keys.map((k) => `${k} ${show(k)}`).join('; ')}`;
}

/** What differs between a loaded rule and its generated counterpart; empty when they are the same rule. */
export function compareRule(loaded: LoadedRule, generated: RecordingRule | AlertingRule): string[] {
  const what: string[] = [];
  const type = 'record' in generated ? 'recording' : 'alerting';
  if (loaded.type !== type) what.push(`a ${loaded.type} rule is loaded, an ${type} rule is generated`);
  if (normalizeExpr(loaded.query) !== normalizeExpr(generated.expr)) what.push(`expression: ${firstDifference(loaded.query, generated.expr)}`);
  if ('alert' in generated) {
    const generatedFor = durationSeconds(generated.for ?? '0s');
    if ((loaded.duration ?? 0) !== generatedFor) what.push(`for: ${loaded.duration ?? 0}s loaded, ${generatedFor}s generated`);
    const generatedKeep = durationSeconds(generated.keep_firing_for ?? '0s');
    if (loaded.keepFiringFor !== undefined && loaded.keepFiringFor !== generatedKeep) what.push(`keep_firing_for: ${loaded.keepFiringFor}s loaded, ${generatedKeep}s generated`);
    if (!sameRecord(loaded.annotations, generated.annotations)) what.push(recordDifference('annotations', loaded.annotations, generated.annotations));
  }
  if (!sameRecord(loaded.labels, generated.labels)) what.push(recordDifference('labels', loaded.labels, generated.labels));
  return what;
}

/** Compares one group's rules, pairing rules of the same name in order (an alert may have several rules). */
function compareGroup(loaded: LoadedGroup, generated: ExpectedGroup): RuleDifference[] {
  const out: RuleDifference[] = [];
  const group = generated.name;
  if (generated.interval !== undefined && loaded.interval !== durationSeconds(generated.interval)) {
    out.push({ group, rule: '(group)', what: [`interval: ${loaded.interval}s loaded, ${durationSeconds(generated.interval)}s generated`] });
  }
  const names = [...new Set([...generated.rules.map(ruleName), ...loaded.rules.map((r) => r.name)])];
  for (const name of names) {
    const mine = generated.rules.filter((r) => ruleName(r) === name);
    const theirs = loaded.rules.filter((r) => r.name === name);
    for (let i = 0; i < Math.max(mine.length, theirs.length); i++) {
      const rule = mine.length > 1 || theirs.length > 1 ? `${name} #${i + 1}` : name;
      const g = mine[i];
      const l = theirs[i];
      if (!l) out.push({ group, rule, what: ['generated but not loaded'] });
      else if (!g) out.push({ group, rule, what: ['loaded but not generated'] });
      else {
        const what = compareRule(l, g);
        if (what.length > 0) out.push({ group, rule, what });
      }
    }
  }
  return out;
}

/**
 * Compares every generated group with what is loaded. Loaded groups whose names start with `prefix` but that the
 * config does not generate are stale; other groups (the user's own) are none of dgmon's business.
 */
export function diffRules(generated: readonly ExpectedGroup[], loaded: readonly LoadedGroup[], prefix = 'dgmon.'): RulesDiff {
  const byName = new Map<string, LoadedGroup[]>();
  for (const g of loaded) byName.set(g.name, [...(byName.get(g.name) ?? []), g]);
  const generatedNames = new Set(generated.map((g) => g.name));
  const diff: RulesDiff = { missingGroups: [], staleGroups: [], duplicateGroups: [], changed: [], unhealthy: [], unevaluated: 0 };
  for (const g of generated) {
    const copies = byName.get(g.name);
    if (!copies) {
      diff.missingGroups.push(g.name);
      continue;
    }
    if (copies.length > 1) diff.duplicateGroups.push({ group: g.name, files: copies.map((c) => c.file) });
    for (const copy of copies) diff.changed.push(...compareGroup(copy, g));
  }
  for (const name of byName.keys()) if (name.startsWith(prefix) && !generatedNames.has(name)) diff.staleGroups.push(name);
  for (const g of loaded.filter((x) => x.name.startsWith(prefix) || generatedNames.has(x.name))) {
    for (const r of g.rules) {
      if (r.health === 'err') diff.unhealthy.push({ group: g.name, rule: r.name, error: r.lastError || 'evaluation failed' });
      else if (r.health !== 'ok') diff.unevaluated++;
    }
  }
  return diff;
}
