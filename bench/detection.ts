// Detection latency per alert, measured by the end-to-end suite (test/e2e/alerts.e2e.test.ts): every simulator
// scenario is switched on against the real Prometheus and Alertmanager running the generated rules and routing, and
// the time from the fault to the receiver's firing notification is compared with its bound. The suite writes its
// rows to DGMON_E2E_RESULTS; this benchmark runs it and turns each row into a target.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult, Target } from './result.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The suite's own timeouts end it long before this; it is only the last guard against a hung child. */
const SUITE_TIMEOUT_MS = 20 * 60_000;

interface Row {
  scenario: string;
  fault: string;
  alert: string;
  receiver: string;
  firingS?: number;
  boundS: number;
  resolvedS?: number;
}

function runSuite(resultsFile: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', 'test/e2e/alerts.e2e.test.ts'], {
      cwd: root,
      env: { ...process.env, DGMON_E2E_RESULTS: resultsFile },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const guard = setTimeout(() => child.kill('SIGTERM'), SUITE_TIMEOUT_MS);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(guard);
      // A failed assertion still leaves the measured rows behind: report them, with the failure named.
      if (code !== 0) console.error(`bench detection: the end-to-end suite ended with ${signal ?? `exit ${code}`}`);
      resolve((Date.now() - started) / 1000);
    });
  });
}

export async function run(): Promise<BenchResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dgmon-bench-detection-'));
  try {
    const resultsFile = path.join(dir, 'rows.json');
    const suiteS = await runSuite(resultsFile);
    const rows = JSON.parse(await readFile(resultsFile, 'utf8')) as Row[];
    const targets: Target[] = rows.map((r) => ({
      what: `${r.alert} on ${r.scenario} → ${r.receiver}`,
      target: `≤ ${r.boundS} s`,
      measured: r.firingS === undefined ? 'never fired' : `${r.firingS.toFixed(1)} s`,
      met: r.firingS !== undefined && r.firingS <= r.boundS,
    }));
    const detected = rows.flatMap((r) => (r.firingS === undefined ? [] : [r.firingS / r.boundS]));
    return {
      name: 'detection',
      title: 'Detection latency per alert (end-to-end suite, time scaled down)',
      targets,
      figures: {
        suiteSeconds: Math.round(suiteS),
        worstShareOfBound: Math.max(...detected),
        medianShareOfBound: detected.sort((a, b) => a - b)[Math.floor(detected.length / 2)],
        rows,
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
