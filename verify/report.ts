// The verify report: one row per check with a status and a detail, rendered as a table for people or as JSON for
// machines. A failed row makes the run fail; a warning row does not.

export type Status = 'pass' | 'fail' | 'warn';

export interface CheckResult {
  /** What was checked, e.g. "targets: dcgm". */
  check: string;
  status: Status;
  /** What was found; may span several lines (one per failing target, rule, metric). */
  detail: string;
}

export interface VerifyReport {
  /** True when no check failed (warnings allowed). */
  ok: boolean;
  /** Labels the test alerts of this run (dgmon_verify="<runId>"). */
  runId: string;
  checks: CheckResult[];
}

export const SYMBOLS: Record<Status, string> = { pass: '✓', fail: '✗', warn: '!' };

export const pass = (check: string, detail: string): CheckResult => ({ check, status: 'pass', detail });
export const fail = (check: string, detail: string): CheckResult => ({ check, status: 'fail', detail });
export const warn = (check: string, detail: string): CheckResult => ({ check, status: 'warn', detail });

export function makeReport(runId: string, checks: CheckResult[]): VerifyReport {
  return { ok: checks.every((c) => c.status !== 'fail'), runId, checks };
}

/** A plain-text table: check, status symbol, detail; continuation lines of a detail are indented under it. */
export function renderTable(report: VerifyReport): string {
  const head = { check: 'check', status: ' ', detail: 'detail' };
  const width = Math.max(head.check.length, ...report.checks.map((c) => c.check.length));
  const lines = [`${head.check.padEnd(width)}  ${head.status}  ${head.detail}`, `${'-'.repeat(width)}  -  ${'-'.repeat(40)}`];
  for (const c of report.checks) {
    const [first = '', ...rest] = c.detail.split('\n');
    lines.push(`${c.check.padEnd(width)}  ${SYMBOLS[c.status]}  ${first}`.trimEnd());
    for (const line of rest) lines.push(`${' '.repeat(width + 5)}${line}`.trimEnd());
  }
  const count = (s: Status) => report.checks.filter((c) => c.status === s).length;
  lines.push('', `${report.ok ? 'PASSED' : 'FAILED'}: ${count('pass')} passed, ${count('fail')} failed, ${count('warn')} warnings (run ${report.runId})`);
  return lines.join('\n');
}

export function renderJson(report: VerifyReport): string {
  return JSON.stringify(report, null, 2);
}
