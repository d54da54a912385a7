// What the recording rules stand for: the order in which they can be backfilled (a rule that reads another rule's
// series needs that series stored first), and the "raw" form of a query, in which every recorded series is replaced
// by the expression that defines it. The fleet benchmark times panels with and without the recording rules;
// `dgmon backtest` evaluates alerts over a history that predates the recording rules.
import { parser } from '@prometheus-io/lezer-promql';
import type { RecordingRule, RuleGroup } from '../alerts/types.ts';

export interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  /** The unquoted value. */
  value: string;
  /** As written, e.g. `kind="stream"`. */
  text: string;
}

export interface Selector {
  name: string;
  matchers: Matcher[];
  /** Where the selector is in the expression: the vector selector, or the whole `x[5m]` of a range selector. */
  from: number;
  to: number;
  /** The range of a range selector, e.g. "1h". */
  range?: string;
}

/** A PromQL string literal's value ("…", '…' or `…`). */
function unquote(literal: string): string {
  if (literal.startsWith('`')) return literal.slice(1, -1);
  if (literal.startsWith("'")) return JSON.parse(`"${literal.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"`) as string;
  return JSON.parse(literal) as string;
}

/** Every vector selector of `expr` that names a metric, with its matchers; parse errors throw. */
export function selectors(expr: string): Selector[] {
  const found: Selector[] = [];
  const tree = parser.parse(expr);
  tree.iterate({
    enter: (ref) => {
      if (ref.type.isError) throw new Error(`cannot parse PromQL at ${ref.from}: ${expr}`);
      if (ref.type.name !== 'VectorSelector') return;
      const node = ref.node;
      const name = node.getChild('Identifier');
      if (!name) return;
      const matchers: Matcher[] = [];
      for (const m of node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
        const text = (n: { from: number; to: number } | null) => (n ? expr.slice(n.from, n.to) : '');
        matchers.push({
          label: text(m.getChild('LabelName')),
          op: text(m.getChild('MatchOp')) as Matcher['op'],
          value: unquote(text(m.getChild('StringLiteral'))),
          text: text(m),
        });
      }
      const parent = node.parent;
      const ranged = parent?.type.name === 'MatrixSelector' ? parent : undefined;
      const duration = ranged?.getChild('DurationExpr') ?? ranged?.lastChild;
      found.push({
        name: expr.slice(name.from, name.to),
        matchers,
        from: ranged ? ranged.from : node.from,
        to: ranged ? ranged.to : node.to,
        ...(ranged && duration ? { range: expr.slice(duration.from, duration.to) } : {}),
      });
    },
  });
  return found;
}

export interface Definition extends RecordingRule {
  /** The evaluation interval of its group: the resolution a range over the recorded series has. */
  interval: string;
}

/** Every recorded series name with the rules that write it (several when they differ in static labels). */
export function definitions(groups: RuleGroup<RecordingRule>[]): Map<string, Definition[]> {
  const byName = new Map<string, Definition[]>();
  for (const group of groups) {
    for (const rule of group.rules) {
      const list = byName.get(rule.record) ?? [];
      list.push({ ...rule, interval: group.interval ?? '1m' });
      byName.set(rule.record, list);
    }
  }
  return byName;
}

/**
 * Backfill passes in dependency order: pass k holds, in their groups, the rules whose recorded inputs are all written
 * by earlier passes (a rule reading only raw series is in the first).
 */
export function backfillLevels(groups: RuleGroup<RecordingRule>[]): RuleGroup<RecordingRule>[][] {
  const defs = definitions(groups);
  const levels = new Map<string, number>();
  const levelOf = (name: string, seen: string[] = []): number => {
    const known = levels.get(name);
    if (known !== undefined) return known;
    if (seen.includes(name)) throw new Error(`recording rules read each other in a cycle: ${[...seen, name].join(' → ')}`);
    const reads = (defs.get(name) ?? []).flatMap((d) => selectors(d.expr).map((s) => s.name)).filter((n) => defs.has(n));
    const level = 1 + Math.max(0, ...reads.map((n) => levelOf(n, [...seen, name])));
    levels.set(name, level);
    return level;
  };
  const passes: RuleGroup<RecordingRule>[][] = [];
  for (const group of groups) {
    for (const rule of group.rules) {
      const pass = levelOf(rule.record) - 1;
      while (passes.length <= pass) passes.push([]);
      const groupsOfPass = passes[pass]!;
      let target = groupsOfPass.find((g) => g.name === group.name);
      if (!target) groupsOfPass.push((target = { name: group.name, ...(group.interval ? { interval: group.interval } : {}), rules: [] }));
      target.rules.push(rule);
    }
  }
  return passes;
}

/** Matchers a dashboard variable at "All" produces (`node=~".+"`, `cluster=~".*"`): true of every recorded series. */
const isAll = (m: Matcher) => m.op === '=~' && (m.value === '.+' || m.value === '.*');

function matches(m: Matcher, value: string): boolean {
  const re = () => new RegExp(`^(?:${m.value})$`);
  switch (m.op) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return re().test(value);
    case '!~':
      return !re().test(value);
  }
}

/** `expr` with `matchers` added to each of its selectors; refuses when it reads more than one metric. */
function pushDown(expr: string, matchers: Matcher[], what: string): string {
  if (matchers.length === 0) return expr;
  const found = selectors(expr);
  const names = new Set(found.map((s) => s.name));
  if (names.size !== 1) throw new Error(`${what}: cannot filter {${matchers.map((m) => m.text).join(', ')}} through a definition reading ${[...names].join(', ')}`);
  let out = expr;
  for (const s of [...found].sort((a, b) => b.from - a.from)) {
    const text = out.slice(s.from, s.to);
    const added = matchers.map((m) => m.text).join(', ');
    // Insert into the selector's braces (before a range selector's `[…]`), or add braces after the name.
    const close = text.indexOf('}');
    const replaced = close >= 0 ? `${text.slice(0, close)}, ${added}${text.slice(close)}` : `${s.name}{${added}}${text.slice(s.name.length)}`;
    out = out.slice(0, s.from) + replaced + out.slice(s.to);
  }
  return out;
}

/**
 * Whether `expr` reads a recorded series over a range, itself or through the definitions of the series it reads
 * (a long SLO window summing recorded rates): its raw form then holds a subquery, whose steps fall on other moments
 * than the rule's evaluations, so the two forms agree on the series but not exactly on the values.
 */
export function readsRecordedRange(expr: string, defs: Map<string, Definition[]>): boolean {
  return selectors(expr).some((s) => {
    const rules = defs.get(s.name);
    return rules !== undefined && (s.range !== undefined || rules.some((r) => readsRecordedRange(r.expr, defs)));
  });
}

/**
 * `expr` as it would be written without recording rules: every recorded series replaced, recursively, by the
 * expression of the rule(s) writing it. A matcher on the series becomes a choice among the rules (a static label,
 * e.g. quantile="0.95"), a filter pushed into the definition's selector (e.g. kind="stream"), or nothing (a variable
 * at All); a range over a recorded series becomes a subquery at its group's interval, which is what the rule samples.
 */
export function expandRecorded(expr: string, defs: Map<string, Definition[]>): string {
  let out = expr;
  for (const s of selectors(expr).sort((a, b) => b.from - a.from)) {
    const rules = defs.get(s.name);
    if (!rules) continue;
    let chosen = rules;
    const pushed: Matcher[] = [];
    for (const m of s.matchers) {
      if (rules.some((r) => r.labels && m.label in r.labels)) chosen = chosen.filter((r) => matches(m, r.labels?.[m.label] ?? ''));
      else if (!isAll(m)) pushed.push(m);
    }
    if (chosen.length === 0) throw new Error(`${out.slice(s.from, s.to)}: no rule writes such a series`);
    const parts = chosen.map((r) => {
      let body = pushDown(expandRecorded(r.expr, defs), pushed, s.name);
      for (const [label, value] of Object.entries(r.labels ?? {})) body = `label_replace(${body}, "${label}", "${value}", "${label}", ".*")`;
      return body;
    });
    let replacement = parts.length === 1 ? `(${parts[0]})` : `(${parts.map((p) => `(${p})`).join(' or ')})`;
    if (s.range !== undefined) replacement = `${replacement}[${s.range}:${chosen[0]!.interval}]`;
    out = out.slice(0, s.from) + replacement + out.slice(s.to);
  }
  return out;
}
