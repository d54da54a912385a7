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

/** Generates the rule files for `config` into a temporary directory and runs promtool's unit tests on them. */
export function promtoolTestRules(config: DgmonConfig, cases: PromtoolCase[]): PromtoolResult {
  const dir = mkdtempSync(join(process.env.DGMON_TMP ?? tmpdir(), 'dgmon-promtool-'));
  try {
    const files = plainBundle(config);
    writeFileSync(join(dir, 'rules.yml'), files.get(OUTPUT_PATHS.recordingRules)!);
    writeFileSync(join(dir, 'alerts.yml'), files.get(OUTPUT_PATHS.alertingRules)!);
    // promtool evaluates groups in random order unless told; Prometheus runs them concurrently. A fixed order
    // (recording groups in dependency order, then alerts) makes every expectation deterministic.
    const groups = [files.get(OUTPUT_PATHS.recordingRules)!, files.get(OUTPUT_PATHS.alertingRules)!].flatMap(
      (text) => (load(text) as { groups: { name: string }[] }).groups.map((g) => g.name),
    );
    const tests = {
      rule_files: ['rules.yml', 'alerts.yml'],
      evaluation_interval: config.intervals.evaluation,
      group_eval_order: groups,
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
    writeFileSync(join(dir, 'tests.yml'), dump(tests, { lineWidth: -1, noRefs: true }));
    const result = run('promtool', ['test', 'rules', 'tests.yml'], { cwd: dir });
    return { code: result.code, output: `${result.stdout}\n${result.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
    for (const c of cases) {
      it(c.name.replace(`${alert} `, ''), () => {
        const result = promtoolTestRules(config, [c]);
        expect(result.code, result.output).toBe(0);
      });
    }
  });
}

/** The annotations every dgmon alert carries besides summary and description, for the default config. */
export function links(alert: string, dashboardUid: string, node?: string): { runbook_url: string; dashboard_url: string } {
  return {
    runbook_url: `https://runbooks.example.com/dgmon/${alert}.md`,
    dashboard_url: `http://localhost:3000/d/${dashboardUid}${node === undefined ? '' : `?var-node=${node}`}`,
  };
}
