// The fleet benchmark's raw form of a query (every recorded series replaced by its definition) and its backfill
// order: on small rule sets with known answers, and on the generated bundle itself.
import { describe, it, expect } from 'vitest';
import { buildRules } from '../../alerts/index.ts';
import type { RecordingRule, RuleGroup } from '../../alerts/types.ts';
import { benchConfig } from '../../bench/fleet-scale.ts';
import { backfillLevels, definitions, expandRecorded, readsRecordedRange, selectors } from '../../backtest/recorded.ts';
import { panelQueries } from '../../dashboards/queries.ts';
import { parsePromql } from '../support/promql-parse.ts';

const groups: RuleGroup<RecordingRule>[] = [
  {
    name: 'node',
    interval: '1m',
    rules: [
      { record: 'node_kind:req:rate5m', expr: 'sum by (node, kind) (rate(req_total{job="engine"}[5m]))' },
      { record: 'node:req:rate5m', expr: 'sum by (node) (node_kind:req:rate5m)' },
      { record: 'node:lat:q', expr: 'histogram_quantile(0.5, sum by (node, le) (rate(lat_bucket[5m])))', labels: { quantile: '0.5' } },
      { record: 'node:lat:q', expr: 'histogram_quantile(0.95, sum by (node, le) (rate(lat_bucket[5m])))', labels: { quantile: '0.95' } },
      { record: 'node:mixed:ratio', expr: 'node:req:rate5m / on (node) group_left () up' },
    ],
  },
  { name: 'cluster', interval: '30s', rules: [{ record: 'cluster:req:rate5m', expr: 'sum by (cluster) (node:req:rate5m)' }] },
];
const defs = definitions(groups);

describe('expandRecorded', () => {
  it('leaves a query without recorded series alone', () => {
    expect(expandRecorded('sum(rate(req_total[5m]))', defs)).toBe('sum(rate(req_total[5m]))');
  });

  it('replaces a recorded series by its definition, recursively, dropping the matchers of a variable at All', () => {
    expect(expandRecorded('sum(cluster:req:rate5m{cluster=~".*"})', defs)).toBe(
      'sum((sum by (cluster) ((sum by (node) ((sum by (node, kind) (rate(req_total{job="engine"}[5m]))))))))',
    );
    expect(expandRecorded('node:req:rate5m{node=~".+"} > 1', defs)).toBe('(sum by (node) ((sum by (node, kind) (rate(req_total{job="engine"}[5m]))))) > 1');
  });

  it('pushes a filter on a label the series carries into the definition', () => {
    expect(expandRecorded('node_kind:req:rate5m{node=~".+", kind="stream"}', defs)).toBe('(sum by (node, kind) (rate(req_total{job="engine", kind="stream"}[5m])))');
    expect(expandRecorded('sum(node_kind:req:rate5m{kind=~"b.*"})', defs)).toBe('sum((sum by (node, kind) (rate(req_total{job="engine", kind=~"b.*"}[5m]))))');
  });

  it('chooses among the rules by their static labels, and sets the label as the rule does', () => {
    expect(expandRecorded('node:lat:q{quantile="0.95"}', defs)).toBe(
      '(label_replace(histogram_quantile(0.95, sum by (node, le) (rate(lat_bucket[5m]))), "quantile", "0.95", "quantile", ".*"))',
    );
    expect(expandRecorded('node:lat:q', defs)).toBe(
      '((label_replace(histogram_quantile(0.5, sum by (node, le) (rate(lat_bucket[5m]))), "quantile", "0.5", "quantile", ".*")) or (label_replace(histogram_quantile(0.95, sum by (node, le) (rate(lat_bucket[5m]))), "quantile", "0.95", "quantile", ".*")))',
    );
    expect(() => expandRecorded('node:lat:q{quantile="0.9"}', defs)).toThrow(/no rule writes such a series/);
  });

  it('turns a range over a recorded series into a subquery at its group interval', () => {
    expect(expandRecorded('max_over_time(cluster:req:rate5m[1h])', defs)).toMatch(/^max_over_time\(\(sum by \(cluster\) .*\)\[1h:30s\]\)$/);
    expect(expandRecorded('predict_linear(node:req:rate5m{node=~".+"}[30m], 600)', defs)).toMatch(/\)\[30m:1m\], 600\)$/);
  });

  it('refuses to filter through a definition that reads more than one metric', () => {
    expect(() => expandRecorded('node:mixed:ratio{node="a"}', defs)).toThrow(/cannot filter \{node="a"\} through a definition reading req_total, up/);
  });
});

describe('readsRecordedRange', () => {
  const withLongWindow = definitions([...groups, { name: 'slo', rules: [{ record: 'cluster:req:rate1h', expr: 'sum_over_time(cluster:req:rate5m[1h])' }] }]);

  it('is false for raw ranges and for recorded series read at an instant', () => {
    expect(readsRecordedRange('sum(rate(req_total[5m]))', withLongWindow)).toBe(false);
    expect(readsRecordedRange('max(cluster:req:rate5m) / max(node:lat:q{quantile="0.5"})', withLongWindow)).toBe(false);
  });

  it('is true for a range over a recorded series, in the query or in the definition of a series it reads', () => {
    expect(readsRecordedRange('max_over_time(node:req:rate5m[1h])', withLongWindow)).toBe(true);
    expect(readsRecordedRange('1 - max(cluster:req:rate1h)', withLongWindow)).toBe(true);
  });
});

describe('selectors', () => {
  it('finds names, matchers (unquoted) and ranges', () => {
    expect(selectors('rate(x{a="1", b=~"0\\\\.4"}[5m]) + y')).toEqual([
      { name: 'x', matchers: [{ label: 'a', op: '=', value: '1', text: 'a="1"' }, { label: 'b', op: '=~', value: '0\\.4', text: 'b=~"0\\\\.4"' }], from: 5, to: 29, range: '5m' },
      { name: 'y', matchers: [], from: 33, to: 34 },
    ]);
  });
});

describe('backfillLevels', () => {
  it('puts each rule after the rules it reads, in its own group', () => {
    expect(backfillLevels(groups).map((pass) => pass.map((g) => `${g.name}:${g.rules.map((r) => r.record).join(',')}`))).toEqual([
      ['node:node_kind:req:rate5m,node:lat:q,node:lat:q'],
      ['node:node:req:rate5m'],
      ['node:node:mixed:ratio', 'cluster:cluster:req:rate5m'],
    ]);
  });
});

describe('on the generated bundle', () => {
  const config = benchConfig();
  const rules = buildRules(config);
  const bundleDefs = definitions(rules.recording);

  it('orders every backfill pass after the passes writing what it reads', () => {
    const passes = backfillLevels(rules.recording);
    expect(passes.length).toBeGreaterThan(1);
    const written = new Set<string>();
    for (const pass of passes) {
      const records = pass.flatMap((g) => g.rules);
      for (const rule of records) for (const name of parsePromql(rule.expr).metrics) if (bundleDefs.has(name)) expect(written.has(name), `${rule.record} reads ${name}`).toBe(true);
      for (const rule of records) written.add(rule.record);
    }
    expect(passes.flat().reduce((n, g) => n + g.rules.length, 0)).toBe(rules.recording.reduce((n, g) => n + g.rules.length, 0));
  });

  it('expands every panel query and alert into valid PromQL that reads no recorded series', () => {
    const exprs = [...panelQueries(config, '6h').flatMap((p) => p.queries.map((q) => q.expr)), ...rules.alerting.flatMap((g) => g.rules.map((r) => r.expr))];
    let expanded = 0;
    for (const expr of exprs) {
      const raw = expandRecorded(expr, bundleDefs);
      if (raw !== expr) expanded++;
      const parsed = parsePromql(raw);
      expect(parsed.errors, raw).toEqual([]);
      expect(parsed.metrics.filter((m) => bundleDefs.has(m)), raw).toEqual([]);
    }
    expect(expanded).toBeGreaterThan(30);
  });
});
