// Runs `promtool test rules` on the generated rule files. Alert tests are written as data: input series in the
// real metric and label shapes, and the exact labels and annotations expected.
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { describe, it, expect } from 'vitest';
import { parseConfig, type DgmonConfig } from '../../core/config.ts';
import { plainBundle, OUTPUT_PATHS } from '../../outputs/plain.ts';
import { run } from './tools.ts';

export interface Series {
  series: string;
  values: string;
}

export interface ExpectedAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface AlertCheck {
  at: string;
  alert: string;
  expect: ExpectedAlert[];
}

export interface ExprCheck {
  at: string;
  expr: string;
  expect: { labels: string; value: number }[];
}

export interface PromtoolCase {
  name: string;
  /** Sample spacing of input series; default 1m. */
  interval?: string;
  input: Series[];
  alerts?: AlertCheck[];
  exprs?: ExprCheck[];
}

export interface PromtoolResult {
  code: number;
  output: string;
}

interface LoadedRule {
  record?: string;
  alert?: string;
  expr: string;
}
interface LoadedGroup {
  name: string;
  rules: LoadedRule[];
}

function loadGroups(config: DgmonConfig): LoadedGroup[] {
  const files = plainBundle(config);
  return [files.get(OUTPUT_PATHS.recordingRules)!, files.get(OUTPUT_PATHS.alertingRules)!].flatMap((text) => (load(text) as { groups: LoadedGroup[] }).groups);
}

/**
 * Every group order that can change what the given alerts see. Prometheus evaluates groups independently (promtool
 * in random order at the same instant, a server each on its own schedule): a rule reading a series another group
 * records sees this evaluation's value when that group ran first, the previous one otherwise. So a result depends
 * only on the direction of each reader/writer pair of groups on the way from the raw series to the alerts: one order
 * per acyclic choice of directions covers every order the groups can take. Groups off that way cannot change the
 * result: the orders name only the groups on it, and promtoolTestRules runs only those.
 */
export function groupOrdersFor(config: DgmonConfig, alerts: readonly string[]): string[][] {
  const groups = loadGroups(config);
  const writers = new Map<string, string[]>();
  for (const g of groups) for (const r of g.rules) if (r.record) writers.set(r.record, [...(writers.get(r.record) ?? []), g.name]);
  const reads = (expr: string) => [...new Set(expr.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [])].filter((name) => writers.has(name));
  // Walk from the alerts' rules to the raw series, collecting the (writer group, reader group) pairs.
  const edges = new Map<string, [string, string]>();
  const seen = new Set<string>();
  const queue: [string, LoadedRule][] = groups.flatMap((g) => g.rules.filter((r) => r.alert && alerts.includes(r.alert)).map((r) => [g.name, r] as [string, LoadedRule]));
  while (queue.length > 0) {
    const [group, rule] = queue.shift()!;
    for (const name of reads(rule.expr)) {
      for (const writer of groups.filter((g) => g.rules.some((r) => r.record === name))) {
        if (writer.name !== group) edges.set(`${writer.name}>${group}`, [writer.name, group]);
        if (seen.has(`${writer.name}/${name}`)) continue;
        seen.add(`${writer.name}/${name}`);
        for (const r of writer.rules.filter((x) => x.record === name)) queue.push([writer.name, r]);
      }
    }
  }
  const pairs = [...edges.values()];
  if (pairs.length > 10) throw new Error(`${pairs.length} group dependencies: too many orders to run`);
  const involved = [...new Set(pairs.flat())];
  // An alert reading only raw series still needs its own group.
  for (const g of groups) if (g.rules.some((r) => r.alert && alerts.includes(r.alert)) && !involved.includes(g.name)) involved.push(g.name);
  const orders = new Map<string, string[]>();
  for (let mask = 0; mask < 2 ** pairs.length; mask++) {
    const directed = pairs.map(([w, r], i) => ((mask >> i) & 1 ? [r, w] : [w, r]));
    const order = topologicalOrder(involved, directed);
    if (order) orders.set(order.join(','), order); // else these directions form a cycle: no order gives them
  }
  return [...orders.values()];
}

/** Kahn's algorithm, ties broken by the given order; undefined when the edges form a cycle. */
function topologicalOrder(nodes: string[], edges: string[][]): string[] | undefined {
  const order: string[] = [];
  const left = new Set(nodes);
  while (left.size > 0) {
    const free = [...left].find((n) => !edges.some(([from, to]) => to === n && left.has(from!)));
    if (free === undefined) return undefined;
    order.push(free);
    left.delete(free);
  }
  return order;
}

/**
 * Generates the rule files for `config` into a temporary directory and runs promtool's unit tests on them: once in
 * the groups' written order, or once per order in `groupOrders` (one test file each, in one promtool call) with only
 * the groups those orders name.
 */
export function promtoolTestRules(config: DgmonConfig, cases: PromtoolCase[], groupOrders?: string[][]): PromtoolResult {
  const dir = mkdtempSync(join(process.env.DGMON_TMP ?? tmpdir(), 'dgmon-promtool-'));
  try {
    const files = plainBundle(config);
    for (const [file, path] of [['rules.yml', OUTPUT_PATHS.recordingRules], ['alerts.yml', OUTPUT_PATHS.alertingRules]] as const) {
      const text = files.get(path)!;
      const kept = groupOrders?.[0];
      // The generated groups as written; only those on the alerts' way when orders are given.
      writeFileSync(join(dir, file), kept ? dump({ groups: (load(text) as { groups: LoadedGroup[] }).groups.filter((g) => kept.includes(g.name)) }, { lineWidth: -1, noRefs: true }) : text);
    }
    // promtool evaluates groups in random order unless told; Prometheus runs them concurrently. The written order
    // (recording groups in dependency order, then alerts) makes an expectation deterministic; tests that must hold
    // in any order pass every order that can matter (groupOrdersFor).
    const orders = groupOrders ?? [loadGroups(config).map((g) => g.name)];
    const names = orders.map((_, i) => `tests-${i}.yml`);
    orders.forEach((order, i) => writeFileSync(join(dir, names[i]!), dump(testFile(config, cases, order), { lineWidth: -1, noRefs: true })));
    // One call per order, so a failure names the order it failed in.
    const results = names.map((name, i) => ({ order: orders[i]!, ...run('promtool', ['test', 'rules', name], { cwd: dir }) }));
    const failed = results.filter((r) => r.code !== 0);
    const shown = failed.length > 0 ? failed : results.slice(0, 1);
    const output = shown.map((r) => `${orders.length > 1 ? `group order ${r.order.join(' → ')}:\n` : ''}${r.stdout}\n${r.stderr}`).join('\n');
    return { code: failed[0]?.code ?? 0, output: orders.length > 1 && failed.length > 0 ? `failed in ${failed.length} of ${orders.length} group orders\n${output}` : output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function testFile(config: DgmonConfig, cases: PromtoolCase[], order: string[]) {
  return {
    rule_files: ['rules.yml', 'alerts.yml'],
    evaluation_interval: config.intervals.evaluation,
    group_eval_order: order,
    tests: cases.map((c) => ({
      name: c.name,
      interval: c.interval ?? '1m',
      input_series: c.input,
      alert_rule_test: (c.alerts ?? []).map((a) => ({
        eval_time: a.at,
        alertname: a.alert,
        exp_alerts: a.expect.map((e) => ({ exp_labels: e.labels, exp_annotations: e.annotations })),
      })),
      promql_expr_test: (c.exprs ?? []).map((e) => ({ expr: e.expr, eval_time: e.at, exp_samples: e.expect })),
    })),
  };
}

export const defaultConfig = (): DgmonConfig => parseConfig({});

/** The four behaviours every alert must show. `input` is shared by "fires" and "just before". */
export interface AlertSpec {
  config?: DgmonConfig;
  interval?: string;
  /** Series under which the condition holds. */
  input: Series[];
  /** Evaluated once `for:` has passed: exactly these alerts, labels and annotations. */
  fires: { at: string; expect: ExpectedAlert[] };
  /** Evaluated while the condition holds but `for:` has not yet passed: nothing. */
  justBefore: { at: string };
  /** The same shape of data with the value just under the threshold: nothing. */
  belowThreshold: { input: Series[]; at: string };
  /** No traffic at all (targets up where the alert needs them, no requests): nothing. Default: no series. */
  noTraffic?: { input: Series[]; at: string };
  /** Further cases (other signals, other label shapes) run in the same promtool call. */
  more?: PromtoolCase[];
  /** Run every case under every group order that can change the alert's result (groupOrdersFor), not only the written one. */
  everyGroupOrder?: boolean;
}

/** Declares a vitest suite proving one alert fires, and stays silent before `for:`, below threshold and idle. */
export function alertTest(alert: string, spec: AlertSpec): void {
  describe(alert, () => {
    const config = spec.config ?? defaultConfig();
    const interval = spec.interval;
    const cases: PromtoolCase[] = [
      { name: `${alert} fires`, interval, input: spec.input, alerts: [{ at: spec.fires.at, alert, expect: spec.fires.expect }] },
      { name: `${alert} silent before for`, interval, input: spec.input, alerts: [{ at: spec.justBefore.at, alert, expect: [] }] },
      { name: `${alert} silent below threshold`, interval, input: spec.belowThreshold.input, alerts: [{ at: spec.belowThreshold.at, alert, expect: [] }] },
      {
        name: `${alert} silent without traffic`,
        interval,
        input: spec.noTraffic?.input ?? [],
        alerts: [{ at: spec.noTraffic?.at ?? spec.fires.at, alert, expect: [] }],
      },
      ...(spec.more ?? []),
    ];
    const orders = spec.everyGroupOrder ? groupOrdersFor(config, [alert]) : undefined;
    // A case of hours of minute evaluations takes several seconds per order on a busy machine.
    const timeout = orders ? 30_000 * orders.length : undefined;
    for (const c of cases) {
      it(
        c.name.replace(`${alert} `, ''),
        () => {
          const result = promtoolTestRules(config, [c], orders);
          expect(result.code, result.output).toBe(0);
        },
        timeout,
      );
    }
  });
}

/**
 * The annotations every dgmon alert carries besides summary and description, for the default config; with `cluster`
 * (a multi-cluster config), the dashboard link selects the cluster before the node.
 */
export function links(alert: string, dashboardUid: string, node?: string, cluster?: string): { runbook_url: string; dashboard_url: string } {
  const params = [cluster === undefined ? [] : [`var-cluster=${cluster}`], node === undefined ? [] : [`var-node=${node}`]].flat();
  return {
    runbook_url: `https://runbooks.example.com/dgmon/${alert}.md`,
    dashboard_url: `http://localhost:3000/d/${dashboardUid}${params.length ? `?${params.join('&')}` : ''}`,
  };
}
