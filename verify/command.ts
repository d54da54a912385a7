// `dgmon verify` on the command line: flags checked (a bad one is a usage error, exit 2), the checks run, the report
// printed as a table or JSON, and the exit code: 0 when nothing failed (warnings allowed), 1 when a check failed.
import type { DgmonConfig } from '../core/config.ts';
import { durationMilliseconds, durationSeconds, isDuration } from '../core/duration.ts';
import { UsageError } from '../core/usage-error.ts';
import { verify, DEFAULT_TIMEOUT_MS } from './run.ts';
import { renderJson, renderTable } from './report.ts';

export interface VerifyFlags {
  prometheus: string;
  alertmanager: string;
  exporter?: string;
  json?: boolean;
  timeout?: string;
  wait?: string;
  /** commander's --no-test-alerts. */
  testAlerts: boolean;
}

/** An http(s) URL flag, or a usage error naming the flag (also used by `dgmon preview --prometheus`). */
export function url(value: string, flag: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new UsageError(`${flag}: must be an http:// or https:// URL such as http://prometheus:9090, got "${value}"`);
  }
  return value;
}

function millis(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!isDuration(value) || durationSeconds(value) <= 0) throw new UsageError(`${flag}: must be a duration such as 10s or 2m, got "${value}"`);
  return durationMilliseconds(value);
}

/** Runs the checks and prints the report; resolves with the exit code. */
export async function runVerifyCommand(flags: VerifyFlags, config: DgmonConfig, out: (text: string) => void): Promise<number> {
  const report = await verify({
    prometheus: url(flags.prometheus, '--prometheus'),
    alertmanager: url(flags.alertmanager, '--alertmanager'),
    exporter: flags.exporter === undefined ? undefined : url(flags.exporter, '--exporter'),
    config,
    timeoutMs: millis(flags.timeout, '--timeout') ?? DEFAULT_TIMEOUT_MS,
    waitMs: millis(flags.wait, '--wait'),
    testAlerts: flags.testAlerts,
  });
  out(flags.json ? renderJson(report) : renderTable(report));
  return report.ok ? 0 : 1;
}
