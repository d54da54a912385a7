// End to end: fault in, page out. The simulator (one Deepgram node) behind the exporter, scraped by a real Prometheus
// running the generated rules, which sends to a real Alertmanager running the generated routing, whose receivers post
// to a local webhook recorder. Time is scaled down through the config (1 s scrapes and evaluations, 10 s rate windows,
// 5 s `for:`, 1 s group_wait): the same generators, other numbers. Everything listens on 127.0.0.1.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { parseConfig, type DgmonConfig } from '../../core/config.ts';
import { durationSeconds } from '../../core/duration.ts';
import { plainBundle, OUTPUT_PATHS } from '../../outputs/plain.ts';
import { RECEIVER_NAMES } from '../../alerts/alertmanager.ts';
import { watchSimulator } from '../../cli/watch-simulator.ts';
import { startExporter, type ExporterHandle } from '../../exporter/index.ts';
import { createLogger } from '../../exporter/log.ts';
import { startSimulator, type Simulator, type ScenarioName } from '../../simulator/index.ts';
import { startPrometheus, type PrometheusHandle } from '../support/prometheus.ts';
import { startAlertmanager, startWebhookRecorder, type AlertmanagerHandle, type WebhookRecorder, type Notification, type WebhookAlert } from '../support/alertmanager.ts';
import { ensureTools } from '../support/tools.ts';
import { Capture } from '../support/net.ts';

const FOR = '5s';
const FIRING_TIMEOUT_MS = 45_000;
const RESOLVED_TIMEOUT_MS = 45_000;
const BASELINE_MS = 15_000;
/**
 * DeepgramSourceDown includes absent(up{…}), true from Prometheus' start until its first scrape, which the SD manager's
 * 5 s update throttle delays by about 6.5 s: its `for:` must outlast that, as the production 2m outlasts a restart.
 */
const SOURCE_DOWN_FOR = '15s';

/** The defaults with time scaled down: every alert's `for:` (and criticalFor) becomes FOR. */
function scaledConfig(webhook: string): DgmonConfig {
  const defaults = parseConfig({});
  const alerts: Record<string, Record<string, unknown>> = {};
  for (const [name, block] of Object.entries(defaults.alerts as Record<string, Record<string, unknown>>)) {
    const scaled: Record<string, unknown> = {};
    if ('for' in block) scaled.for = name === 'DeepgramSourceDown' ? SOURCE_DOWN_FOR : FOR;
    if ('criticalFor' in block) scaled.criticalFor = FOR;
    alerts[name] = scaled;
  }
  const hook = (path: string) => ({ webhook_configs: [{ url: `${webhook}/${path}`, send_resolved: true }] });
  return parseConfig({
    intervals: { evaluation: '1s', rate: '10s', scrape: '1s' },
    alerts,
    alertmanager: {
      groupWait: '1s',
      groupInterval: '2s',
      repeatInterval: '1h',
      receivers: { pager: hook('pager'), ticket: hook('ticket'), watchdog: hook('watchdog') },
    },
  });
}

interface Expectation {
  alertname: string;
  receiver: (typeof RECEIVER_NAMES)[keyof typeof RECEIVER_NAMES];
  path: string;
  severity: string;
  /** Labels every firing alert of this name must carry. */
  labels: string[];
}

const pager = (alertname: string, labels = ['node']): Expectation => ({ alertname, receiver: RECEIVER_NAMES.pager, path: '/pager', severity: 'critical', labels });
const ticket = (alertname: string, labels = ['node']): Expectation => ({ alertname, receiver: RECEIVER_NAMES.ticket, path: '/ticket', severity: 'warning', labels });

const CASES: { scenario: ScenarioName; expected: Expectation[] }[] = [
  { scenario: 'engine-disconnected', expected: [pager('DeepgramEngineDisconnected'), pager('DeepgramHealthCheckFailing')] },
  { scenario: 'gpu-hot', expected: [ticket('DeepgramGPUTemperatureHigh', ['node', 'gpu'])] },
  { scenario: 'license-trust-based', expected: [ticket('DeepgramLicenseProxyTrustBased', ['node', 'state'])] },
  { scenario: 'error-burst', expected: [pager('DeepgramHighErrorRate')] },
];

let config: DgmonConfig;
let recorder: WebhookRecorder;
let simulator: Simulator;
let exporter: ExporterHandle;
let alertmanager: AlertmanagerHandle;
let prometheus: PrometheusHandle;

interface Row {
  scenario: string;
  alert: string;
  receiver: string;
  firingS: string;
  boundS: string;
  resolvedS: string;
  others: string;
}
const rows: Row[] = [];

beforeAll(async () => {
  ensureTools(['prometheus', 'prometheus-alertmanager']);
  recorder = await startWebhookRecorder();
  config = scaledConfig(recorder.url);
  // 20 requests/s: enough requests per 10 s window that error-burst's 8 % share stays clearly above the 5 % threshold.
  simulator = await startSimulator({ scenario: 'healthy', load: 20 });
  exporter = await startExporter(
    watchSimulator(config, simulator.urls, { listen: '127.0.0.1:0', timeout: '2s', healthCacheTtl: '1s' }),
    { log: createLogger({ destination: new Capture() }), secrets: {} },
  );
  const files = plainBundle(config);
  alertmanager = await startAlertmanager({ configYaml: files.get(OUTPUT_PATHS.alertmanager)! });
  prometheus = await startPrometheus({
    scrape: [{ job: 'dgmon', targets: [exporter.url.replace(/^https?:\/\//, '')] }],
    ruleFiles: [
      { name: 'rules.yml', content: files.get(OUTPUT_PATHS.recordingRules)! },
      { name: 'alerts.yml', content: files.get(OUTPUT_PATHS.alertingRules)! },
    ],
    alertmanagers: [alertmanager.address],
    alertResendDelay: '2s',
  });
  // Static targets and the notifier's Alertmanager list pass the SD throttle first: wait for scrapes, then for the
  // rate windows to fill (so ratio alerts can be judged), then for the watchdog to prove the path to the webhook.
  await prometheus.waitForTargets(1, 30_000);
  await prometheus.waitFor('count_over_time(node:engine_requests:rate10s[1m])', (r) => r.length > 0 && r[0]!.value >= 12, 60_000);
  await recorder.waitFor((n) => n.path === '/watchdog', 30_000);
}, 150_000);

afterAll(async () => {
  if (rows.length > 0) {
    console.log(`\nDetection latency (fault switch -> firing notification; healthy switch -> resolved), for: ${FOR}\n${table(rows)}\n`);
  }
  // Each stop is independent: one failing must not leave the others running.
  const results = await Promise.allSettled([prometheus?.close(), alertmanager?.close(), exporter?.close(), simulator?.close(), recorder?.close()]);
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length > 0) throw new Error(`clean-up failed: ${failed.map((f) => String(f.reason)).join('; ')}`);
}, 60_000);

function table(data: Row[]): string {
  const head: Row = { scenario: 'scenario', alert: 'alert', receiver: 'receiver', firingS: 'firing s', boundS: 'bound s', resolvedS: 'resolved s', others: 'other alerts notified' };
  const keys = Object.keys(head) as (keyof Row)[];
  const width = (k: keyof Row) => Math.max(...[head, ...data].map((r) => r[k].length));
  const line = (r: Row) => keys.map((k) => r[k].padEnd(width(k))).join('  ').trimEnd();
  return [line(head), keys.map((k) => '-'.repeat(width(k))).join('  '), ...data.map(line)].join('\n');
}

const alertsOf = (n: Notification, alertname: string, status: 'firing' | 'resolved'): WebhookAlert[] =>
  (n.body?.alerts ?? []).filter((a) => a.labels.alertname === alertname && a.status === status);

async function switchScenario(name: ScenarioName): Promise<number> {
  const at = Date.now();
  const response = await fetch(`${simulator.urls.control}/scenario/${name}`, { method: 'PUT', signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`switching the simulator to ${name}: HTTP ${response.status}: ${text}`);
  return at;
}

/** The detection bound of the issue: for + scrape interval + evaluation interval + group_wait (+ the rate window for ratio alerts). */
function boundSeconds(alertname: string): number {
  const s = durationSeconds;
  const base = s(FOR) + s(config.intervals.scrape) + s(config.intervals.evaluation) + s(config.alertmanager.groupWait);
  return alertname === 'DeepgramHighErrorRate' ? base + s(config.intervals.rate) : base;
}

describe('alerts end to end: simulator -> exporter -> Prometheus -> Alertmanager -> webhook', () => {
  it(`healthy baseline: only DeepgramWatchdog arrives, at the watchdog receiver (${BASELINE_MS / 1000} s of 1 s evaluations)`, async () => {
    await new Promise((resolve) => setTimeout(resolve, BASELINE_MS));
    const notifications = recorder.notifications();
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
  }, BASELINE_MS + 10_000);

  for (const { scenario, expected } of CASES) {
    it(`${scenario}: ${expected.map((e) => `${e.alertname} -> ${e.receiver}`).join(', ')}; resolved after healthy`, async () => {
      const start = await switchScenario(scenario);
      const firingAt = new Map<string, number>();
      const resolvedAt = new Map<string, number>();
      let healthyAt: number | undefined;
      try {
        // Firing: each expected alert reaches its receiver with the right severity, labels and runbook_url.
        for (const e of expected) {
          const n = await recorder.waitFor((n) => alertsOf(n, e.alertname, 'firing').length > 0, FIRING_TIMEOUT_MS, start).catch((err: Error) => {
            throw new Error(`${scenario}: ${e.alertname} never fired: ${err.message}`);
          });
          firingAt.set(e.alertname, n.at);
          expect(n.path, `${e.alertname}: webhook path`).toBe(e.path);
          expect(n.body?.receiver, `${e.alertname}: receiver`).toBe(e.receiver);
          expect(n.body?.version).toBe('4');
          for (const a of alertsOf(n, e.alertname, 'firing')) {
            expect(a.labels.severity, `${e.alertname}: severity`).toBe(e.severity);
            for (const label of e.labels) expect(a.labels[label], `${e.alertname}: label ${label} in ${JSON.stringify(a.labels)}`).toBeTruthy();
            expect(a.annotations.runbook_url, `${e.alertname}: runbook_url`).toBe(`${config.runbooks.baseUrl.replace(/\/+$/, '')}/${e.alertname}.md`);
            expect(a.annotations.summary, `${e.alertname}: summary`).toBeTruthy();
          }
        }
        // Fault cleared: each expected alert is resolved, at the same receiver.
        healthyAt = await switchScenario('healthy');
        for (const e of expected) {
          const n = await recorder
            .waitFor((n) => alertsOf(n, e.alertname, 'resolved').length > 0 && alertsOf(n, e.alertname, 'firing').length === 0, RESOLVED_TIMEOUT_MS, healthyAt)
            .catch((err: Error) => {
              throw new Error(`${scenario}: ${e.alertname} never resolved after switching back to healthy: ${err.message}`);
            });
          resolvedAt.set(e.alertname, n.at);
          expect(n.path, `${e.alertname} resolved: webhook path`).toBe(e.path);
          expect(n.body?.receiver, `${e.alertname} resolved: receiver`).toBe(e.receiver);
        }
      } finally {
        const names = new Set(expected.map((e) => e.alertname));
        const others = new Set(
          recorder
            .notifications()
            .filter((n) => n.at >= start)
            .flatMap((n) => (n.body?.alerts ?? []).filter((a) => a.status === 'firing').map((a) => a.labels.alertname ?? '?'))
            .filter((name) => !names.has(name) && name !== 'DeepgramWatchdog'),
        );
        for (const e of expected) {
          const f = firingAt.get(e.alertname);
          const r = resolvedAt.get(e.alertname);
          rows.push({
            scenario,
            alert: e.alertname,
            receiver: e.receiver,
            firingS: f !== undefined ? ((f - start) / 1000).toFixed(1) : 'MISSING',
            boundS: String(boundSeconds(e.alertname)),
            resolvedS: r !== undefined && healthyAt !== undefined ? ((r - healthyAt) / 1000).toFixed(1) : f !== undefined ? 'MISSING' : '-',
            others: [...others].join(', ') || '-',
          });
        }
        if (healthyAt === undefined) await switchScenario('healthy').catch(() => undefined);
      }
    }, FIRING_TIMEOUT_MS * 2 + RESOLVED_TIMEOUT_MS * 2 + 10_000);
  }
});
