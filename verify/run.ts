// `dgmon verify`: the go-live check. Runs every check against the live Prometheus, Alertmanager and (optionally)
// exporter, in the order an SRE would look, and returns one report. A check that cannot reach its server fails with
// the URL and the reason; the checks that depend on that server are then left out rather than failing again.
import { randomBytes } from 'node:crypto';
import type { DgmonConfig } from '../core/config.ts';
import { durationSeconds } from '../core/duration.ts';
import { checkGpuJoin, checkMetrics, checkPrometheusReachable, checkRules, checkTargets } from './prometheus.ts';
import { checkAlertmanager, checkTestAlerts } from './alertmanager.ts';
import { checkExporterHealth, checkExporterSources } from './exporter.ts';
import { makeReport, type CheckResult, type VerifyReport } from './report.ts';

export interface VerifyOptions {
  prometheus: string;
  alertmanager: string;
  exporter?: string;
  config: DgmonConfig;
  /** Per request, ms. Default 10 s. */
  timeoutMs?: number;
  /** How long test alerts may take to be routed and sent, ms. Default: the config's group_wait + 30 s. */
  waitMs?: number;
  /** Send test alerts through Alertmanager (default true). */
  testAlerts?: boolean;
  /** Labels this run's test alerts; default random. */
  runId?: string;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

export function defaultWaitMs(config: DgmonConfig): number {
  return (durationSeconds(config.alertmanager.groupWait) + 30) * 1000;
}

export async function verify(options: VerifyOptions): Promise<VerifyReport> {
  const runId = options.runId ?? randomBytes(4).toString('hex');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { config } = options;
  const checks: CheckResult[] = [];

  const prometheus = { url: options.prometheus, timeoutMs, config };
  const reachable = await checkPrometheusReachable(prometheus);
  checks.push(reachable);
  if (reachable.status !== 'fail') {
    checks.push(...(await checkRules(prometheus)), ...(await checkTargets(prometheus)), ...(await checkMetrics(prometheus)), await checkGpuJoin(prometheus));
  }

  const alertmanager = { url: options.alertmanager, timeoutMs, config };
  const am = await checkAlertmanager(alertmanager);
  checks.push(...am.rows);
  if (am.routing && options.testAlerts !== false) {
    checks.push(...(await checkTestAlerts(alertmanager, am.routing, { runId, waitMs: options.waitMs ?? defaultWaitMs(config) })));
  }

  if (options.exporter) {
    const exporter = { url: options.exporter, timeoutMs };
    checks.push(await checkExporterHealth(exporter), await checkExporterSources(exporter));
  }
  return makeReport(runId, checks);
}
