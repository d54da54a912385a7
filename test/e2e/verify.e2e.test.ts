// `dgmon verify` against the real stack on 127.0.0.1: the simulator behind the exporter, a real Prometheus with the
// generated rules, a real Alertmanager with the generated routing whose receivers post to a webhook recorder. Time
// is scaled down through the config (1 s scrapes and evaluations, 1 s group_wait). One healthy Prometheus and one
// broken one (rules generated from another config, and a dcgm-exporter job on a dead port) share the other parts.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { parseConfig, type DgmonConfig } from '../../core/config.ts';
import { plainBundle, OUTPUT_PATHS } from '../../outputs/plain.ts';
import { RECEIVER_NAMES } from '../../alerts/alertmanager.ts';
import { watchSimulator } from '../../simulator/watch-simulator.ts';
import { startExporter, type ExporterHandle } from '../../exporter/index.ts';
import { createLogger } from '../../exporter/log.ts';
import { startSimulator, type Simulator } from '../../simulator/index.ts';
import { verify } from '../../verify/run.ts';
import { VERIFY_LABEL, TEST_ALERTS } from '../../verify/alertmanager.ts';
import { renderTable, type CheckResult, type VerifyReport } from '../../verify/report.ts';
import { startPrometheus, type PrometheusHandle } from '../../daemons/prometheus.ts';
import { startAlertmanager, startWebhookRecorder, type AlertmanagerHandle, type WebhookRecorder } from '../support/alertmanager.ts';
import { ensureTools } from '../support/tools.ts';
import { Capture, deadPort } from '../support/net.ts';

/** The raw dgmon.yaml of the deployment: also written to a file for the CLI runs. */
function rawConfig(webhook: string): Record<string, unknown> {
  const hook = (path: string) => ({ webhook_configs: [{ url: `${webhook}/${path}`, send_resolved: true }] });
  return {
    intervals: { evaluation: '1s', rate: '10s', scrape: '1s' },
    alertmanager: { groupWait: '1s', groupInterval: '2s', repeatInterval: '1h', receivers: { pager: hook('pager'), ticket: hook('ticket'), watchdog: hook('watchdog') } },
  };
}

const WAIT_MS = 20_000;

let dir: string;
let configFile: string;
let config: DgmonConfig;
let recorder: WebhookRecorder;
let simulator: Simulator;
let exporter: ExporterHandle;
let alertmanager: AlertmanagerHandle;
let healthy: PrometheusHandle;
let broken: PrometheusHandle;
let deadDcgm: string;

const hostPort = (url: string) => url.replace(/^https?:\/\//, '');
const row = (report: VerifyReport, check: string): CheckResult => {
  const found = report.checks.find((c) => c.check === check);
  if (!found) throw new Error(`no row "${check}" in:\n${report.checks.map((c) => c.check).join('\n')}`);
  return found;
};
const shown = (report: VerifyReport) => report.checks.map((c) => `${c.status} ${c.check}: ${c.detail}`).join('\n');

beforeAll(async () => {
  ensureTools(['prometheus', 'prometheus-alertmanager']);
  dir = mkdtempSync(join(process.env.DGMON_TMP ?? tmpdir(), 'dgmon-verify-'));
  recorder = await startWebhookRecorder();
  const raw = rawConfig(recorder.url);
  config = parseConfig(raw);
  configFile = join(dir, 'dgmon.yaml');
  writeFileSync(configFile, dump(raw));
  simulator = await startSimulator({ scenario: 'healthy', load: 20 });
  exporter = await startExporter(watchSimulator(config, simulator.urls, { listen: '127.0.0.1:0', timeout: '2s', healthCacheTtl: '1s' }), {
    log: createLogger({ destination: new Capture() }),
    secrets: {},
  });
  const files = plainBundle(config);
  // The same deployment, but its rules were generated before the error-rate threshold was lowered to 2 %.
  const stale = plainBundle(parseConfig({ ...raw, alerts: { DeepgramHighErrorRate: { threshold: 0.02 } } }));
  const rules = (bundle: Map<string, string>) => [
    { name: 'rules.yml', content: bundle.get(OUTPUT_PATHS.recordingRules)! },
    { name: 'alerts.yml', content: bundle.get(OUTPUT_PATHS.alertingRules)! },
  ];
  deadDcgm = hostPort(await deadPort());
  alertmanager = await startAlertmanager({ configYaml: files.get(OUTPUT_PATHS.alertmanager)! });
  [healthy, broken] = await Promise.all([
    startPrometheus({ scrape: [{ job: 'dgmon', targets: [hostPort(exporter.url)] }], ruleFiles: rules(files), alertmanagers: [alertmanager.address] }),
    startPrometheus({
      scrape: [
        { job: 'dgmon', targets: [hostPort(exporter.url)] },
        { job: 'dcgm-exporter', targets: [deadDcgm] },
      ],
      ruleFiles: rules(stale),
    }),
  ]);
  // Scraped twice (after the discovery throttle), and the recording rules evaluated over what was scraped.
  await Promise.all([healthy.waitForTargets(1, 30_000), broken.waitForTargets(2, 30_000)]);
  await healthy.waitFor('count_over_time(node:engine_requests:rate10s[1m])', (r) => r.length > 0 && r[0]!.value >= 2, 30_000);
}, 90_000);

afterAll(async () => {
  const results = await Promise.allSettled([healthy?.close(), broken?.close(), alertmanager?.close(), exporter?.close(), simulator?.close(), recorder?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length > 0) throw new Error(`clean-up failed: ${failed.map((f) => String(f.reason)).join('; ')}`);
}, 60_000);

/** `dgmon verify …` as a child process: its exit code and output. Killed if it outlives the bound. */
function dgmonVerify(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/dgmon.js', 'verify', '--config', configFile, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`dgmon verify did not finish within 45 s:\n${stdout}\n${stderr}`));
    }, 45_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('dgmon verify against a healthy deployment', () => {
  it('passes every check, and each receiver gets its test alert', async () => {
    const report = await verify({ prometheus: healthy.url, alertmanager: alertmanager.url, exporter: exporter.url, config, waitMs: WAIT_MS });
    expect(report.checks.filter((c) => c.status === 'fail'), shown(report)).toEqual([]);
    expect(report.ok).toBe(true);
    const passing = [
      'prometheus',
      'rules: groups',
      'rules: version',
      'targets: engine',
      'targets: dcgm',
      'targets: exporter',
      'alertmanager',
      'alertmanager: routing',
      ...Object.values(RECEIVER_NAMES).map((n) => `test alert: ${n}`),
      'exporter: /health',
      'exporter: sources',
    ];
    for (const check of passing) expect(row(report, check).status, `${check}\n${shown(report)}`).toBe('pass');
    // Metric rows may warn about optional metrics, never about one the bundle needs from start-up.
    for (const source of ['engine', 'dcgm', 'exporter']) expect(row(report, `metrics: ${source}`).detail, shown(report)).not.toMatch(/required/);
    expect(row(report, 'rules: version').detail).toMatch(/^dgmon \d+\.\d+\.\d+[^,]*, fingerprint [0-9a-f]{16}: the bundle this config generates$/);

    // The notifications really arrived, each at its receiver's webhook, labelled with this run.
    for (const [key, path] of [['pager', '/pager'], ['ticket', '/ticket'], ['watchdog', '/watchdog']] as const) {
      const n = await recorder.waitFor(
        (n) => (n.body?.alerts ?? []).some((a) => a.labels[VERIFY_LABEL] === report.runId && a.labels.alertname === TEST_ALERTS[key].alertname && a.status === 'firing'),
        10_000,
      );
      expect(n.path).toBe(path);
      expect(n.body?.receiver).toBe(RECEIVER_NAMES[key]);
    }
  }, 60_000);

  it('exits 0 through the CLI and prints the table', async () => {
    const run = await dgmonVerify(['--prometheus', healthy.url, '--alertmanager', alertmanager.url, '--exporter', exporter.url, '--wait', '20s']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^test alert: deepgram-pager\s+✓\s+routed to deepgram-pager and sent/m);
    expect(run.stdout).toMatch(/^PASSED: \d+ passed, 0 failed/m);
  }, 60_000);
});

describe('dgmon verify against a broken deployment', () => {
  let report: VerifyReport;
  beforeAll(async () => {
    report = await verify({ prometheus: broken.url, alertmanager: alertmanager.url, config, testAlerts: false });
    // What an SRE sees on a broken go-live day.
    console.log(`\n${renderTable(report)}\n`);
  }, 30_000);

  it('fails the dcgm targets, naming the down target and why', () => {
    expect(report.ok).toBe(false);
    const dcgm = row(report, 'targets: dcgm');
    expect(dcgm.status).toBe('fail');
    expect(dcgm.detail).toContain(`${deadDcgm} (job dcgm-exporter) is down`);
    expect(dcgm.detail).toMatch(/connection refused/);
    // The exporter's own target is up, so its row passes: the failure is where the fault is.
    expect(row(report, 'targets: exporter').status).toBe('pass');
  });

  it('fails the rules, naming the rule whose threshold differs and the bundle that is loaded', () => {
    const rules = row(report, 'rules: groups');
    expect(rules.status).toBe('fail');
    expect(rules.detail).toMatch(/^DeepgramHighErrorRate(?: #\d+)? \(dgmon\.availability\.alerts\): expression: loaded .*0\.02.* \/ generated .*0\.05/m);
    expect(rules.detail).toMatch(/^dgmon_rules_info \(dgmon\.info\.rules\): labels: fingerprint/m);
    // Only that alert (and the fingerprint that covers it) differ.
    // (DeepgramHighErrorRate has a rule per signal: the Engine's, the applications', the probe's.)
    const named = new Set(rules.detail.split('\n').filter((l) => / \(dgmon\.[a-z0-9.-]+\): /.test(l)).map((l) => l.split(' ')[0]));
    expect([...named].sort()).toEqual(['DeepgramHighErrorRate', 'dgmon_rules_info']);
    const version = row(report, 'rules: version');
    expect(version.status).toBe('fail');
    expect(version.detail).toMatch(/^loaded dgmon \S+, fingerprint [0-9a-f]{16}; this config generates dgmon \S+, fingerprint [0-9a-f]{16}$/);
  });

  it('exits 1 through the CLI when Alertmanager is unreachable, naming its URL', async () => {
    const dead = await deadPort();
    const run = await dgmonVerify(['--prometheus', healthy.url, '--alertmanager', dead, '--json']);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const json = JSON.parse(run.stdout) as VerifyReport;
    expect(json.ok).toBe(false);
    const am = json.checks.find((c) => c.check === 'alertmanager')!;
    expect(am.status).toBe('fail');
    expect(am.detail).toBe(`GET ${dead}/api/v2/status: connection refused (is it running, on this address and port?)`);
    // Without Alertmanager no test alert is attempted; the Prometheus checks still ran and passed.
    expect(json.checks.some((c) => c.check.startsWith('test alert'))).toBe(false);
    expect(json.checks.find((c) => c.check === 'rules: groups')!.status).toBe('pass');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
