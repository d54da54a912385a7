// Lint rules in the spirit of mixtool and Prometheus' naming conventions, over the generated YAML as loaded.
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { parseConfig } from '../core/config.ts';
import { knownSeriesNames } from '../core/catalog/index.ts';
import { plainBundle, OUTPUT_PATHS } from '../outputs/plain.ts';
import { DASHBOARD_UIDS } from '../core/links.ts';
import { parsePromql } from './support/promql-parse.ts';
import { run } from './support/tools.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Groups {
  groups: { name: string; interval?: string; rules: Rule[] }[];
}

const configs = {
  defaults: parseConfig({}),
  'multi-cluster': parseConfig({ cluster: { multiCluster: true }, extraLabels: { team: 'speech' } }),
  'renamed labels': parseConfig({ cluster: { label: 'region', multiCluster: true }, node: { label: 'host' } }),
};

// Alerts whose condition is an event, not a level: they fire at once, with for: 0s.
const EVENT_ALERTS = new Set(['DeepgramGPUXidErrors', 'DeepgramGPUMemoryErrors', 'DeepgramWatchdog']);

for (const [name, config] of Object.entries(configs)) {
  describe(`generated rules (${name})`, () => {
    const files = plainBundle(config);
    const recording = load(files.get(OUTPUT_PATHS.recordingRules)!) as Groups;
    const alerting = load(files.get(OUTPUT_PATHS.alertingRules)!) as Groups;
    const alerts = alerting.groups.flatMap((g) => g.rules);
    const records = recording.groups.flatMap((g) => g.rules);
    const recordedNames = new Set(records.map((r) => r.record!));
    const known = knownSeriesNames();

    it('passes promtool check rules with every lint fatal (no rule records the same series as another)', () => {
      const dir = mkdtempSync(join(process.env.DGMON_TMP ?? tmpdir(), 'dgmon-lint-'));
      try {
        const paths = [OUTPUT_PATHS.recordingRules, OUTPUT_PATHS.alertingRules].map((path, i) => {
          const file = join(dir, `rules-${i}.yml`);
          writeFileSync(file, files.get(path)!);
          return file;
        });
        const check = run('promtool', ['check', 'rules', '--lint=all', '--lint-fatal', ...paths]);
        expect(check.code, check.stdout + check.stderr).toBe(0);
        expect(check.stdout + check.stderr).not.toMatch(/duplicate/i);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('keeps every group at 20 rules or fewer, with the evaluation interval', () => {
      for (const group of [...recording.groups, ...alerting.groups]) {
        expect(group.rules.length, group.name).toBeLessThanOrEqual(20);
        expect(group.interval, group.name).toBe(config.intervals.evaluation);
        expect(group.name).toMatch(/^dgmon\./);
      }
    });

    it('names recording rules level:metric:operations', () => {
      // Catalogued metadata (dgmon_rules_info) is a metric of its own, not an aggregation: it keeps its catalogue name.
      for (const r of records.filter((x) => !known.has(x.record!))) expect(r.record).toMatch(/^[a-z_]+:[a-zA-Z0-9_]+:[a-zA-Z0-9_]+$/);
    });

    it('names alerts in CamelCase with the Deepgram prefix, at most 40 characters', () => {
      for (const a of alerts) {
        expect(a.alert).toMatch(/^Deepgram[A-Z][A-Za-z0-9]*$/);
        expect(a.alert!.length).toBeLessThanOrEqual(40);
      }
    });

    it('gives every alert an allowed severity, a for:, a static summary and a templated description', () => {
      for (const a of alerts) {
        const severity = a.labels?.severity;
        if (a.alert === 'DeepgramWatchdog') expect(severity).toBe('none');
        else expect(['critical', 'warning', 'info'], a.alert).toContain(severity);
        expect(a.for, a.alert).toBeDefined();
        if (!EVENT_ALERTS.has(a.alert!)) expect(a.for, a.alert).not.toBe('0s');
        const { summary, description } = a.annotations ?? {};
        expect(summary, a.alert).toMatch(/^[A-Z].*\.$/);
        expect(summary, a.alert).not.toContain('{{');
        // absent() and vector() results carry no labels to name.
        if (!/^(absent|vector)\(/.test(a.expr)) expect(description, a.alert).toContain('{{');
        expect(description, a.alert).not.toBe(summary);
      }
    });

    it('links every alert to a generated runbook and to a dashboard by its fixed uid', () => {
      for (const a of alerts) {
        expect(a.annotations?.runbook_url).toBe(`${config.runbooks.baseUrl}/${a.alert}.md`);
        expect(files.has(OUTPUT_PATHS.runbook(a.alert!)), a.alert).toBe(true);
        const uid = a.annotations?.dashboard_url?.match(/\/d\/([^?{]+)/)?.[1];
        expect(Object.values(DASHBOARD_UIDS), a.alert).toContain(uid);
      }
    });

    it('stamps the extra labels on every alert', () => {
      for (const a of alerts) for (const [k, v] of Object.entries(config.extraLabels)) expect(a.labels?.[k]).toBe(v);
    });

    it('reads only catalogued metrics or series recorded by dgmon, in queries that parse', () => {
      for (const rule of [...records, ...alerts]) {
        const parsed = parsePromql(rule.expr);
        expect(parsed.errors, rule.expr).toEqual([]);
        for (const metric of parsed.metrics) {
          expect(known.has(metric) || recordedNames.has(metric), `${rule.record ?? rule.alert} reads ${metric}`).toBe(true);
        }
      }
    });

    it('never reads a recorded series that no rule records', () => {
      for (const rule of [...records, ...alerts]) {
        for (const metric of parsePromql(rule.expr).metrics.filter((m) => m.includes(':'))) {
          expect(recordedNames.has(metric), `${rule.record ?? rule.alert} reads ${metric}`).toBe(true);
        }
      }
    });

    it('keeps the cluster label in every aggregation', () => {
      for (const rule of [...records, ...alerts]) {
        for (const [, labels] of rule.expr.matchAll(/\b(?:sum|max|min|count|avg|group) by \(([^)]*)\)/g)) {
          expect(labels!.split(',').map((l) => l.trim()), rule.record ?? rule.alert).toContain(config.cluster.label);
        }
      }
    });

    it('never alerts on the value of the last-Xid gauge, only on its changes', () => {
      for (const a of alerts.filter((x) => x.expr.includes('xid_errors:last'))) expect(a.expr).toMatch(/changes\([^)]*xid_errors:last/);
    });
  });
}

describe('tests cover every alert', () => {
  it('each generated alert has a promtool test that shows it firing and silent', () => {
    const tests = readdirSync(new URL('./alerts', import.meta.url))
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => readFileSync(new URL(`./alerts/${f}`, import.meta.url), 'utf8'))
      .join('\n');
    const names = (load(plainBundle(configs.defaults).get(OUTPUT_PATHS.alertingRules)!) as Groups).groups.flatMap((g) => g.rules.map((r) => r.alert!));
    for (const alert of new Set(names)) {
      expect(tests.includes(`alertTest('${alert}'`) || tests.includes(`describe('${alert}'`), alert).toBe(true);
    }
  });
});

describe('layering', () => {
  // The generators share their vocabulary (uids, links, recorded-series and label names) through core/ only, so a
  // change in one never reaches the other by an import.
  const importsOf = (dir: string) =>
    readdirSync(new URL(`../${dir}/`, import.meta.url), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => [...readFileSync(new URL(`../${dir}/${f}`, import.meta.url), 'utf8').matchAll(/^import[^;]*?from '([^']+)'/gms)].map((m) => `${dir}/${f}: ${m[1]}`));

  it('dashboards/ never imports alerts/, nor alerts/ dashboards/', () => {
    const dashboards = importsOf('dashboards');
    const alerts = importsOf('alerts');
    expect(dashboards.length).toBeGreaterThan(10);
    expect(alerts.length).toBeGreaterThan(10);
    expect(dashboards.filter((i) => /\/alerts\//.test(i.split(': ')[1]!))).toEqual([]);
    expect(alerts.filter((i) => /\/dashboards\//.test(i.split(': ')[1]!))).toEqual([]);
  });
});
