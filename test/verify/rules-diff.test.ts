// The comparison behind `dgmon verify`'s rules check, on small inputs: what Prometheus re-prints is not a difference,
// what changes meaning is, and each difference names its rule and group.
import { describe, it, expect } from 'vitest';
import { normalizeExpr, diffRules, compareRule, type LoadedGroup, type LoadedRule, type ExpectedGroup } from '../../verify/rules-diff.ts';
import { parseConfig } from '../../core/config.ts';
import { buildRules } from '../../alerts/index.ts';

describe('normalizeExpr', () => {
  it('ignores line breaks, indentation and how Prometheus re-prints numbers and durations', () => {
    expect(normalizeExpr('sum by (a, b) (\n  rate(x{job="j"}[90s])\n) < 9.2e18')).toBe(normalizeExpr('sum by (a, b) (rate(x{job="j"}[1m30s])) < 9.2e+18'));
    expect(normalizeExpr('x > 0.50')).toBe(normalizeExpr('x > 0.5'));
  });

  it('ignores the order Prometheus re-prints a selector\'s matchers in, not their content', () => {
    expect(normalizeExpr('x{source!="probe", mode="batch"} > 1')).toBe(normalizeExpr('x{mode="batch",source!="probe"} > 1'));
    expect(normalizeExpr('x{a="1,}", b="2"}')).toBe(normalizeExpr('x{b="2",a="1,}"}'));
    expect(normalizeExpr('x{source!="probe", mode="batch"}')).not.toBe(normalizeExpr('x{mode="batch",source="probe"}'));
  });

  it('keeps every difference in meaning', () => {
    expect(normalizeExpr('x > 0.05')).not.toBe(normalizeExpr('x > 0.02'));
    expect(normalizeExpr('rate(x[5m])')).not.toBe(normalizeExpr('rate(x[10m])'));
    expect(normalizeExpr('x{job="a b"}')).not.toBe(normalizeExpr('x{job="ab"}'));
    expect(normalizeExpr('sum by (a) (x)')).not.toBe(normalizeExpr('sum by (b) (x)'));
  });

  it('leaves names with digits and string literals alone', () => {
    expect(normalizeExpr('node:engine_requests:rate5m')).toBe('node:engine_requests:rate5m');
    expect(normalizeExpr('label_replace(x, "n", "$1", "instance", "(.+):[0-9]+ 1e3")')).toBe('label_replace(x,"n","$1","instance","(.+):[0-9]+ 1e3")');
  });
});

const loadedRule = (r: Partial<LoadedRule> & { name: string; query: string }): LoadedRule => ({ type: 'recording', health: 'ok', ...r });

/** What Prometheus would report for a generated group: the same rules, expressions flattened onto one line. */
function asLoaded(g: ExpectedGroup, file = 'rules.yml'): LoadedGroup {
  return {
    name: g.name,
    file,
    interval: 60,
    rules: g.rules.map((r) =>
      'record' in r
        ? loadedRule({ name: r.record, query: r.expr.replace(/\s+/g, ' '), labels: r.labels })
        : loadedRule({ type: 'alerting', name: r.alert, query: r.expr.replace(/\s+/g, ' '), duration: r.for === '2m' ? 120 : Number.NaN, labels: r.labels, annotations: r.annotations }),
    ),
  };
}

const group = (name: string, rules: ExpectedGroup['rules']): ExpectedGroup => ({ name, interval: '1m', rules });

describe('diffRules', () => {
  const generated = [
    group('dgmon.a.rules', [{ record: 'node:x:rate5m', expr: 'sum by (node) (rate(x[5m]))' }]),
    group('dgmon.b.alerts', [{ alert: 'DeepgramX', expr: 'node:x:rate5m > 0.05', for: '2m', labels: { severity: 'critical' }, annotations: { summary: 'X.' } }]),
  ];

  it('finds nothing when the loaded groups are the generated ones', () => {
    const diff = diffRules(generated, generated.map((g) => asLoaded(g)));
    expect(diff).toEqual({ missingGroups: [], staleGroups: [], duplicateGroups: [], changed: [], unhealthy: [], unevaluated: 0 });
  });

  it('names a rule whose threshold changed, with where the expressions part', () => {
    const loaded = generated.map((g) => asLoaded(g));
    loaded[1]!.rules[0]!.query = 'node:x:rate5m > 0.02';
    const diff = diffRules(generated, loaded);
    expect(diff.changed).toHaveLength(1);
    expect(diff.changed[0]!.rule).toBe('DeepgramX');
    expect(diff.changed[0]!.group).toBe('dgmon.b.alerts');
    expect(diff.changed[0]!.what.join()).toMatch(/^expression: loaded .*0\.02 \/ generated .*0\.05/);
  });

  it('reports missing, stale and duplicated groups, and leaves the user\'s own groups alone', () => {
    const loaded = [asLoaded(generated[0]!), asLoaded(generated[0]!, 'old/rules.yml'), { name: 'dgmon.gone.rules', file: 'old.yml', interval: 60, rules: [] }, { name: 'my.rules', file: 'mine.yml', interval: 60, rules: [] }];
    const diff = diffRules(generated, loaded);
    expect(diff.missingGroups).toEqual(['dgmon.b.alerts']);
    expect(diff.staleGroups).toEqual(['dgmon.gone.rules']);
    expect(diff.duplicateGroups).toEqual([{ group: 'dgmon.a.rules', files: ['rules.yml', 'old/rules.yml'] }]);
  });

  it('reports rules only on one side, a changed for:, labels and the group interval', () => {
    const loaded = generated.map((g) => asLoaded(g));
    loaded[0]!.rules.push(loadedRule({ name: 'node:y:rate5m', query: 'y' }));
    loaded[0]!.interval = 30;
    loaded[1]!.rules[0]!.duration = 300;
    loaded[1]!.rules[0]!.labels = { severity: 'warning' };
    const what = diffRules(generated, loaded).changed.map((c) => `${c.rule}: ${c.what.join('; ')}`);
    expect(what).toContain('(group): interval: 30s loaded, 60s generated');
    expect(what).toContain('node:y:rate5m: loaded but not generated');
    expect(what).toContain('DeepgramX: for: 300s loaded, 120s generated; labels: severity "warning" loaded, "critical" generated');
  });

  it('counts failing and not yet evaluated rules', () => {
    const loaded = generated.map((g) => asLoaded(g));
    loaded[0]!.rules[0]!.health = 'err';
    loaded[0]!.rules[0]!.lastError = 'many-to-many matching not allowed';
    loaded[1]!.rules[0]!.health = 'unknown';
    const diff = diffRules(generated, loaded);
    expect(diff.unhealthy).toEqual([{ group: 'dgmon.a.rules', rule: 'node:x:rate5m', error: 'many-to-many matching not allowed' }]);
    expect(diff.unevaluated).toBe(1);
  });

  it('pairs several rules of one name in order', () => {
    const quantiles = group('dgmon.q.rules', [0.5, 0.95].map((q) => ({ record: 'node:l:q', expr: `histogram_quantile(${q}, b)`, labels: { quantile: String(q) } })));
    const loaded = asLoaded(quantiles);
    loaded.rules[1]!.query = 'histogram_quantile(0.9, b)';
    const diff = diffRules([quantiles], [loaded]);
    expect(diff.changed.map((c) => c.rule)).toEqual(['node:l:q #2']);
  });
});

describe('compareRule on the generated bundle', () => {
  it('a rule of the default bundle equals itself flattened, and differs from the same rule of another config', () => {
    const a = buildRules(parseConfig({})).alerting.flatMap((g) => g.rules).find((r) => r.alert === 'DeepgramHighErrorRate')!;
    const b = buildRules(parseConfig({ alerts: { DeepgramHighErrorRate: { threshold: 0.02 } } })).alerting.flatMap((g) => g.rules).find((r) => r.alert === 'DeepgramHighErrorRate')!;
    const loaded = loadedRule({ type: 'alerting', name: a.alert, query: a.expr.replace(/\s+/g, ' '), duration: 300, labels: a.labels, annotations: a.annotations });
    expect(compareRule(loaded, a)).toEqual([]);
    const what = compareRule(loaded, b);
    expect(what.some((w) => w.startsWith('expression:'))).toBe(true);
    expect(what.some((w) => w.startsWith('annotations: description'))).toBe(true);
  });
});
