// End to end: fault in, page out, for every simulator scenario. The stack (test/e2e/stack.ts) runs the generated
// rules in a real Prometheus and the generated routing in a real Alertmanager, whose receivers post to a recorder.
// Scenarios run in parallel lanes (one simulated node and cluster each); within a lane one after the other, each
// starting from a quiet node. Per scenario: exactly the expected alerts arrive, at the expected receiver, with the
// expected severity, labels and runbook link; the inhibited ones fire in Prometheus and are held back by Alertmanager;
// after the switch back to healthy every one of them is resolved. Detection latency is printed against its bound.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { durationSeconds } from '../../core/duration.ts';
import { parseExposition } from '../../core/exposition/parse.ts';
import { FROM_HEALTH_REPORT } from '../../core/catalog/index.ts';
import { RECEIVER_NAMES } from '../../alerts/alertmanager.ts';
import { buildRules } from '../../alerts/index.ts';
import { SCENARIO_NAMES } from '../../simulator/index.ts';
import type { Notification, WebhookAlert } from '../support/alertmanager.ts';
import { panelQueries } from '../../dashboards/queries.ts';
import { sleep } from '../../daemons/daemon.ts';
import { ensureTools } from '../support/tools.ts';
import { expectPanelAnswers, someNode } from '../support/panels.ts';
import { startStack, scaledConfig, FOR, SIMULATOR_WINDOWS, EXPORTER_TIMING, type Stack, type Lane } from './stack.ts';
import { CASES, type ScenarioCase } from './scenarios.ts';

const LANES = 3;
const BASELINE_MS = 15_000;
const FIRING_TIMEOUT_MS = 60_000;
const RESOLVED_TIMEOUT_MS = 60_000;
const QUIET_TIMEOUT_MS = 90_000;
/** After the fault, how long the lane keeps watching for alerts that should not come. */
const SETTLE_MS = 25_000;
/** How late beyond its bound an alert may be before the test fails: the bound is a sum of worst cases already. */
const lateMargin = (boundS: number) => Math.max(5, boundS / 2);

let stack: Stack;

interface Row {
  scenario: string;
  fault: string;
  alert: string;
  receiver: string;
  firingS: number | undefined;
  boundS: number;
  resolvedS: number | undefined;
}
const rows: Row[] = [];

beforeAll(async () => {
  ensureTools(['prometheus', 'prometheus-alertmanager']);
  stack = await startStack(LANES);
}, 180_000);

afterAll(async () => {
  if (rows.length > 0) {
    console.log(`\nDetection latency (fault switch -> firing notification; healthy switch -> resolved), for: ${FOR}\n${table(rows)}\n`);
    // For the benchmarks (issue 9) and the table in docs/alerts.md: the measured rows as JSON.
    if (process.env.DGMON_E2E_RESULTS) writeFileSync(process.env.DGMON_E2E_RESULTS, `${JSON.stringify(rows, null, 2)}\n`);
  }
  await stack?.close();
}, 60_000);

function table(data: Row[]): string {
  // A negative resolution time: an event alert that resolved by itself before the fault was cleared.
  const cells = (r: Row) => [r.scenario, r.alert, r.receiver, r.firingS?.toFixed(1) ?? 'MISSING', String(r.boundS), r.resolvedS?.toFixed(1) ?? '-'];
  const head = ['scenario', 'alert', 'receiver', 'firing s', 'bound s', 'resolved s'];
  const all = [head, ...data.map(cells)];
  const width = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(width[i]!)).join('  ').trimEnd();
  return [line(head), width.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

/** Prometheus' per-group rule counters from its own /metrics (it does not scrape itself here). */
async function ruleGroupCounters(): Promise<{ iterations: Map<string, number>; failures: Map<string, number> }> {
  const response = await fetch(`${stack.prometheus.url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const samples = parseExposition(await response.text()).flatMap((f) => f.samples);
  const byGroup = (name: string) => new Map(samples.filter((s) => s.name === name).map((s) => [s.labels.rule_group ?? '', s.value]));
  return { iterations: byGroup('prometheus_rule_group_iterations_total'), failures: byGroup('prometheus_rule_evaluation_failures_total') };
}

/** Lanes are handed to one scenario at a time; a scenario waits for a free lane. */
class LanePool {
  private readonly free: Lane[];
  private readonly waiting: ((lane: Lane) => void)[] = [];
  constructor(lanes: Lane[]) {
    this.free = [...lanes];
  }
  async use<T>(work: (lane: Lane) => Promise<T>): Promise<T> {
    const lane = this.free.pop() ?? (await new Promise<Lane>((resolve) => this.waiting.push(resolve)));
    try {
      return await work(lane);
    } finally {
      const next = this.waiting.shift();
      if (next) next(lane);
      else this.free.push(lane);
    }
  }
}
let pool: LanePool;

const alertsOf = (n: Notification, cluster: string, status: 'firing' | 'resolved', alertname?: string): WebhookAlert[] =>
  (n.body?.alerts ?? []).filter((a) => a.labels.cluster === cluster && a.status === status && (alertname === undefined || a.labels.alertname === alertname));

const key = (alertname: string, severity: string | undefined) => `${alertname}/${severity ?? '?'}`;

/** The generated alerting rules for one alert at one severity. */
function alertRules(alertname: string, severity: string) {
  return buildRules(stack.config)
    .alerting.flatMap((g) => g.rules)
    .filter((r) => r.alert === alertname && r.labels?.severity === severity);
}

/** The longest look-back window in the alert's generated expression (a rate window, a burn-rate window, …), in seconds. */
function windowSeconds(alertname: string, severity: string): number {
  // The scenarios fault the node, not the probe or an application: their signals' own (longer) windows do not apply.
  const rules = alertRules(alertname, severity).filter((r) => !['probe', 'client'].includes(r.labels?.source ?? ''));
  const windows = rules.flatMap((r) => [...r.expr.matchAll(/(?:\[|rate|_)(\d+(?:ms|s|m|h))\b/g)].map((m) => durationSeconds(m[1]!)));
  return Math.max(0, ...windows);
}

/** Whether the alert reads a recorded series (`level:metric:operation`). Its recording group runs on its own
 * schedule, apart from the alert's group, so the alert sees a change up to one evaluation interval after it was
 * recorded: one more evaluation interval in the bound. */
function readsRecordedSeries(alertname: string, severity: string): boolean {
  return alertRules(alertname, severity).some((r) => /\b[a-z_]+:[a-z0-9_]+:[a-z0-9_]+\b/.test(r.expr));
}

/** Whether the alert reads a series the exporter serves from its cached health report (FROM_HEALTH_REPORT). */
function readsHealthReport(alertname: string, severity: string): boolean {
  return alertRules(alertname, severity).some((r) => FROM_HEALTH_REPORT.some((m) => r.expr.includes(m.name)));
}

/** The detection bound of the issue: for + scrape interval + evaluation interval + group_wait, plus the window a
 * windowed condition needs, plus one evaluation more when the condition is read through a recording rule, plus the
 * health-cache TTL when it reads the exporter's health report. */
function boundSeconds(alertname: string, severity: string): number {
  const c = stack.config;
  const block = (c.alerts as Record<string, { for?: string; criticalFor?: string; severity?: string }>)[alertname];
  const burn = c.slo.burnRateWindows.find((w) => w.severity === severity);
  const forS = block?.for !== undefined ? durationSeconds(severity === 'critical' && block.criticalFor ? block.criticalFor : block.for) : durationSeconds(burn?.for ?? '0s');
  // The API judges its system_health over its own look-back window before it reports a change.
  const reporting = alertname === 'DeepgramAPIDegraded' ? SIMULATOR_WINDOWS.health : 0;
  const evaluation = durationSeconds(c.intervals.evaluation);
  const recordingHop = readsRecordedSeries(alertname, severity) ? evaluation : 0;
  const healthCache = readsHealthReport(alertname, severity) ? durationSeconds(EXPORTER_TIMING.healthCacheTtl) : 0;
  return forS + durationSeconds(c.intervals.scrape) + evaluation + durationSeconds(c.alertmanager.groupWait) + windowSeconds(alertname, severity) + reporting + recordingHop + healthCache;
}

/** Until Prometheus holds no alert (pending or firing) for the lane's cluster besides the watchdog. */
async function waitQuiet(lane: Lane, what: string): Promise<void> {
  await stack.prometheus
    .waitFor(`ALERTS{cluster="${lane.cluster}", alertname!="DeepgramWatchdog"}`, (r) => r.length === 0, QUIET_TIMEOUT_MS)
    .catch((err: Error) => {
      throw new Error(`${lane.cluster} did not go quiet ${what}: ${err.message}`);
    });
}

interface AlertmanagerAlert {
  labels: Record<string, string>;
  status: { state: string; inhibitedBy: string[] };
  receivers: { name: string }[];
}

async function alertmanagerAlerts(cluster: string, alertname: string): Promise<AlertmanagerAlert[]> {
  const filter = [`cluster="${cluster}"`, `alertname="${alertname}"`].map((f) => `filter=${encodeURIComponent(f)}`).join('&');
  const response = await fetch(`${stack.alertmanager.url}/api/v2/alerts?${filter}`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`Alertmanager /api/v2/alerts: HTTP ${response.status}`);
  return (await response.json()) as AlertmanagerAlert[];
}

async function runCase(lane: Lane, c: ScenarioCase): Promise<void> {
  const { recorder, prometheus, config } = stack;
  await waitQuiet(lane, `before ${c.scenario}`);
  const start = await lane.switchScenario(c.scenario);
  const firingAt = new Map<string, number>();
  const resolvedAt = new Map<string, number>();
  let healthyAt: number | undefined;
  try {
    // Firing: each expected alert reaches its receiver with the right severity, labels and runbook_url.
    for (const e of c.expected) {
      const n = await recorder
        .waitFor((n) => alertsOf(n, lane.cluster, 'firing', e.alertname).some((a) => a.labels.severity === e.severity), FIRING_TIMEOUT_MS, start)
        .catch((err: Error) => {
          throw new Error(`${c.scenario}: ${key(e.alertname, e.severity)} never fired: ${err.message}`);
        });
      firingAt.set(key(e.alertname, e.severity), n.at);
      expect(n.path, `${e.alertname}: webhook path`).toBe(e.path);
      expect(n.body?.receiver, `${e.alertname}: receiver`).toBe(e.receiver);
      expect(n.body?.version).toBe('4');
      for (const a of alertsOf(n, lane.cluster, 'firing', e.alertname)) {
        expect(a.labels.severity, `${e.alertname}: severity`).toBe(e.severity);
        for (const label of e.labels) expect(a.labels[label], `${e.alertname}: label ${label} in ${JSON.stringify(a.labels)}`).toBeTruthy();
        expect(a.annotations.runbook_url, `${e.alertname}: runbook_url`).toBe(`${config.runbooks.baseUrl.replace(/\/+$/, '')}/${e.alertname}.md`);
        expect(a.annotations.summary, `${e.alertname}: summary`).toBeTruthy();
        expect(a.annotations.description, `${e.alertname}: description names the cluster`).toContain(lane.cluster);
      }
    }
    // Keep watching: nothing else may arrive, however long its `for:`.
    const lastFiring = Math.max(start, ...firingAt.values());
    await sleep(Math.max(start + SETTLE_MS, lastFiring + 3_000) - Date.now());
    const notified = new Set(
      recorder
        .notifications()
        .filter((n) => n.at >= start)
        .flatMap((n) => alertsOf(n, lane.cluster, 'firing').map((a) => key(a.labels.alertname ?? '?', a.labels.severity))),
    );
    expect([...notified].sort(), `${c.scenario}: the alerts notified`).toEqual(c.expected.map((e) => key(e.alertname, e.severity)).sort());

    // Inhibited: firing in Prometheus, suppressed by an inhibition in Alertmanager, never notified.
    for (const i of c.inhibited) {
      const selector = `ALERTS{cluster="${lane.cluster}", alertname="${i.alertname}", severity="${i.severity}", alertstate="firing"}`;
      await prometheus.waitFor(selector, (r) => r.length > 0, FIRING_TIMEOUT_MS).catch((err: Error) => {
        throw new Error(`${c.scenario}: ${key(i.alertname, i.severity)} (to be inhibited by ${i.by}) never fired in Prometheus: ${err.message}`);
      });
      let held: AlertmanagerAlert[] = [];
      for (let tries = 0; tries < 20 && held.length === 0; tries++) {
        held = (await alertmanagerAlerts(lane.cluster, i.alertname)).filter((a) => a.labels.severity === i.severity);
        if (held.length === 0) await sleep(500);
      }
      expect(held.length, `${key(i.alertname, i.severity)} reached Alertmanager`).toBeGreaterThan(0);
      for (const a of held) {
        expect(a.status.state, `${key(i.alertname, i.severity)}: state in Alertmanager`).toBe('suppressed');
        expect(a.status.inhibitedBy.length, `${key(i.alertname, i.severity)}: inhibitedBy`).toBeGreaterThan(0);
      }
      expect(notified.has(key(i.alertname, i.severity)), `${key(i.alertname, i.severity)} was notified despite ${i.by}`).toBe(false);
    }

    // Fault cleared: every expected alert is resolved (after it fired), at the same receiver.
    healthyAt = await lane.switchScenario('healthy');
    for (const e of c.expected) {
      const n = await recorder
        .waitFor(
          (n) => alertsOf(n, lane.cluster, 'resolved', e.alertname).some((a) => a.labels.severity === e.severity) && alertsOf(n, lane.cluster, 'firing', e.alertname).length === 0,
          RESOLVED_TIMEOUT_MS,
          // An event alert (an Xid) resolves by itself once its window has passed, maybe before the fault is cleared.
          firingAt.get(key(e.alertname, e.severity)),
        )
        .catch((err: Error) => {
          throw new Error(`${c.scenario}: ${key(e.alertname, e.severity)} never resolved after switching back to healthy: ${err.message}`);
        });
      resolvedAt.set(key(e.alertname, e.severity), n.at);
      expect(n.path, `${e.alertname} resolved: webhook path`).toBe(e.path);
      expect(n.body?.receiver, `${e.alertname} resolved: receiver`).toBe(e.receiver);
    }
    await waitQuiet(lane, `after ${c.scenario}`);
  } finally {
    for (const e of c.expected) {
      const k = key(e.alertname, e.severity);
      const f = firingAt.get(k);
      const r = resolvedAt.get(k);
      rows.push({
        scenario: c.scenario,
        fault: c.fault,
        alert: k,
        receiver: e.receiver,
        firingS: f !== undefined ? (f - start) / 1000 : undefined,
        boundS: boundSeconds(e.alertname, e.severity),
        resolvedS: r !== undefined && healthyAt !== undefined ? (r - healthyAt) / 1000 : undefined,
      });
    }
    if (healthyAt === undefined) await lane.switchScenario('healthy').catch(() => undefined);
  }
  // On time: late beyond the bound by a clear margin fails (after the rows are recorded, so the table shows it).
  for (const e of c.expected) {
    const row = rows.find((r) => r.scenario === c.scenario && r.alert === key(e.alertname, e.severity))!;
    expect(row.firingS!, `${row.alert}: detection ${row.firingS} s against a bound of ${row.boundS} s`).toBeLessThanOrEqual(row.boundS + lateMargin(row.boundS));
  }
}

describe('alerts end to end: simulator -> exporter -> Prometheus -> Alertmanager -> webhook', () => {
  it('every simulator scenario has an expectation', () => {
    expect(CASES.map((c) => c.scenario).sort()).toEqual(SCENARIO_NAMES.filter((s) => s !== 'healthy').sort());
  });

  it(`healthy baseline: only DeepgramWatchdog arrives, at the watchdog receiver (${BASELINE_MS / 1000} s of 1 s evaluations on ${LANES} nodes)`, async () => {
    const baselineStart = await ruleGroupCounters();
    await sleep(BASELINE_MS);
    const notifications = stack.recorder.notifications();
    expect(notifications.length).toBeGreaterThan(0);
    const unexpected = notifications.filter((n) => n.path !== '/watchdog' || (n.body?.alerts ?? []).some((a) => a.labels.alertname !== 'DeepgramWatchdog'));
    expect(
      unexpected.map((n) => `${n.path}: ${(n.body?.alerts ?? []).map((a) => `${a.labels.alertname}(${a.status})`).join(', ')}`),
      'notifications other than the watchdog during the healthy baseline',
    ).toEqual([]);
    for (const n of notifications) {
      expect(n.body?.receiver).toBe(RECEIVER_NAMES.watchdog);
      expect(n.body?.status).toBe('firing');
    }
    // Every rule evaluated many times: each of our rule groups ran about once a second through the baseline, and no
    // evaluation failed (Prometheus' own counters, read from its /metrics).
    const after = await ruleGroupCounters();
    const groups = [...after.iterations.keys()].filter((g) => /;dgmon\./.test(g));
    expect(groups.length).toBeGreaterThan(5);
    for (const g of groups) {
      expect(after.iterations.get(g)! - (baselineStart.iterations.get(g) ?? 0), `iterations of ${g}`).toBeGreaterThanOrEqual(BASELINE_MS / 1000 - 3);
    }
    expect([...after.failures.values()].reduce((a, b) => a + b, 0), 'rule evaluation failures').toBe(0);
  }, BASELINE_MS + 20_000);
});

describe.concurrent('every scenario: the expected alerts, inhibitions and resolutions', () => {
  beforeAll(() => {
    pool = new LanePool(stack.lanes);
  });
  for (const c of CASES) {
    const what = c.expected.length === 0 ? 'nothing is notified' : c.expected.map((e) => `${e.alertname} -> ${e.receiver}`).join(', ');
    const held = c.inhibited.length > 0 ? `; inhibited: ${c.inhibited.map((i) => key(i.alertname, i.severity)).join(', ')}` : '';
    // Generous: a scenario may first wait for a lane.
    it(`${c.scenario}: ${what}${held}`, () => pool.use((lane) => runCase(lane, c)), 20 * 60_000);
  }
});

describe('dashboards on the live stack: every panel returns data at All and with one node picked', () => {
  // The receivers' URLs do not reach the dashboards: the panels can be listed before the stack is up.
  const config = scaledConfig('http://127.0.0.1:9');
  // capacity-exhausted sets max_active_requests, so the concurrency-limit panels have a limit to divide by; 12 s fill
  // the 10 s rate windows with it.
  beforeAll(async () => {
    await stack.lanes[0]!.switchScenario('capacity-exhausted');
    await sleep(12_000);
  }, 60_000);
  afterAll(async () => {
    await stack?.lanes[0]?.switchScenario('healthy');
  });
  // Each panel at All and with one node picked.
  let node: string | undefined;
  panelQueries(config).forEach((panel, index) => {
    it(panel.name, async () => {
      node ??= await someNode(stack.prometheus, config);
      await expectPanelAnswers(stack.prometheus, config, index, node);
    });
  });
});
