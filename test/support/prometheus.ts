// Runs the real Prometheus server (Debian's /usr/bin/prometheus, 2.42) on a free 127.0.0.1 port for tests: writes
// prometheus.yml and the rule files into a temporary directory, waits (bounded) for /-/ready, and answers PromQL
// through the HTTP API. Every wait is bounded, and the child is killed when the test process exits or is SIGTERMed.
//
// Two facts about this Prometheus shape the API (see /work/shared/reference/toolchain.md, sections 1 and 4):
// - Static targets still pass through the service-discovery manager's 5 s update throttle, so the first scrapes come
//   about 6.5 s after /-/ready. Call waitForTargets() before asserting anything about scraped data.
// - The container's PID 1 does not reap orphans: the server is spawned from node and always ended by close() (or,
//   as a last resort, by the process 'exit' and SIGTERM hooks below), never left behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { dump } from 'js-yaml';

export const PROMETHEUS_BIN = 'prometheus';

export interface ScrapeJob {
  job: string;
  /** `host:port` strings, as in a static_config. */
  targets: string[];
  /** Default /metrics. */
  metricsPath?: string;
}

export interface PrometheusOptions {
  scrape: ScrapeJob[];
  /** Written next to prometheus.yml under `name` (a plain file name) and listed in rule_files. */
  ruleFiles?: { name: string; content: string }[];
  /** Default '1s'. */
  scrapeInterval?: string;
  /** Default '1s'. */
  evaluationInterval?: string;
  externalLabels?: Record<string, string>;
}

export interface InstantSample {
  metric: Record<string, string>;
  value: number;
}

export interface RangeSeries {
  metric: Record<string, string>;
  values: [number, number][];
}

export interface PrometheusHandle {
  /** http://127.0.0.1:PORT, also passed as --web.external-url. */
  url: string;
  /** The temporary directory holding prometheus.yml, the rule files and the TSDB; removed by close(). */
  dir: string;
  /** An instant query at `time` (unix seconds; default now). A scalar result becomes one sample with no labels. */
  query(expr: string, time?: number): Promise<InstantSample[]>;
  /** A range query; start and end in unix seconds, step in seconds. */
  queryRange(expr: string, start: number, end: number, step: number): Promise<RangeSeries[]>;
  /** Polls `expr` until `ok` accepts the result; throws the last result (or error) after `timeoutMs`. */
  waitFor(expr: string, ok: (r: InstantSample[]) => boolean, timeoutMs: number): Promise<InstantSample[]>;
  /** Until `count` targets (default: every configured target) have each been scraped at least twice. */
  waitForTargets(count?: number, timeoutMs?: number): Promise<void>;
  /** The `data` of /api/v1/rules. */
  rules(): Promise<unknown>;
  /** SIGTERM, then SIGKILL if it has not exited in time; removes `dir`. Safe to call more than once. */
  close(): Promise<void>;
}

/** A query Prometheus refused: `status` is the HTTP status (400 for PromQL parse errors, 422 for execution errors). */
export class PrometheusQueryError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errorType: string,
  ) {
    super(message);
    this.name = 'PrometheusQueryError';
  }
}

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const KILL_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 15_000;
const POLL_MS = 250;
const STDERR_KEEP = 16_384;
const PORT_ATTEMPTS = 3;

// Servers still running and directories not yet removed: if the test process ends without close(), they are killed
// and removed synchronously. Node emits 'exit' on a normal end or process.exit(), but not when the process is killed
// by a signal, and vitest stops its worker processes with SIGTERM; so SIGTERM is handled too, then re-raised to end
// the process as it would have ended (unless someone else also listens for it).
const running = new Set<ChildProcess>();
const dirs = new Set<string>();
let exitHooksInstalled = false;
function cleanUpNow(): void {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.once('exit', cleanUpNow);
  process.once('SIGTERM', () => {
    cleanUpNow();
    if (process.listenerCount('SIGTERM') === 0) process.kill(process.pid, 'SIGTERM');
  });
}
function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

/** A port that was free on 127.0.0.1 a moment ago. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function tail(text: string, lines = 30): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Prometheus sample values are strings, including NaN and ±Inf. */
function sampleValue(v: string): number {
  if (v === '+Inf' || v === 'Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return Number(v);
}

export function prometheusConfig(options: PrometheusOptions): string {
  const global: Record<string, unknown> = {
    scrape_interval: options.scrapeInterval ?? '1s',
    evaluation_interval: options.evaluationInterval ?? '1s',
  };
  if (options.externalLabels && Object.keys(options.externalLabels).length > 0) global.external_labels = options.externalLabels;
  return dump({
    global,
    rule_files: (options.ruleFiles ?? []).map((f) => f.name),
    scrape_configs: options.scrape.map((s) => ({
      job_name: s.job,
      ...(s.metricsPath ? { metrics_path: s.metricsPath } : {}),
      static_configs: [{ targets: s.targets }],
    })),
  });
}

export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusHandle> {
  for (const f of options.ruleFiles ?? []) {
    if (f.name !== basename(f.name) || f.name === '' || f.name === 'prometheus.yml' || f.name === 'data') {
      throw new Error(`rule file name must be a plain file name other than prometheus.yml and data: ${JSON.stringify(f.name)}`);
    }
  }
  installExitHooks();
  const dir = mkdtempSync(join(process.env.DGMON_TMP ?? tmpdir(), 'dgmon-prometheus-'));
  dirs.add(dir);
  try {
    const configFile = join(dir, 'prometheus.yml');
    writeFileSync(configFile, prometheusConfig(options));
    for (const f of options.ruleFiles ?? []) writeFileSync(join(dir, f.name), f.content);
    // The port is free when picked, but another process may take it before Prometheus binds: try a fresh one.
    for (let attempt = 1; ; attempt++) {
      try {
        return await launch(dir, configFile, await freePort(), options);
      } catch (err) {
        if (attempt < PORT_ATTEMPTS && err instanceof Error && /address already in use/.test(err.message)) continue;
        throw err;
      }
    }
  } catch (err) {
    removeDir(dir);
    throw err;
  }
}

async function launch(dir: string, configFile: string, port: number, options: PrometheusOptions): Promise<PrometheusHandle> {
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--web.external-url=${url}`,
      '--web.enable-lifecycle',
      '--storage.tsdb.retention.time=1d',
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-STDERR_KEEP);
  });
  let exitCode: number | null | undefined; // undefined while running
  let exitSignal: NodeJS.Signals | null = null;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitCode = code;
      exitSignal = signal;
      resolve();
    });
  });
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));

  const stop = async (): Promise<void> => {
    if (exitCode !== undefined || child.pid === undefined) return;
    child.kill('SIGTERM');
    const timer = (ms: number) => new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref());
    if ((await Promise.race([exited.then(() => 'exited' as const), timer(STOP_TIMEOUT_MS)])) === 'timeout') {
      child.kill('SIGKILL');
      if ((await Promise.race([exited.then(() => 'exited' as const), timer(KILL_TIMEOUT_MS)])) === 'timeout') {
        throw new Error(`prometheus (pid ${child.pid}) did not exit after SIGKILL`);
      }
    }
  };

  // Ready: /-/ready answers 200 (503 while the TSDB opens). Fail at once if the process dies or cannot be spawned.
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (spawnError) throw new Error(`cannot run ${PROMETHEUS_BIN}: ${spawnError.message}`);
    if (exitCode !== undefined) {
      await sleep(50); // let the last stderr chunk arrive
      throw new Error(`prometheus exited early (code ${exitCode}, signal ${exitSignal}):\n${tail(stderr)}`);
    }
    try {
      const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
      await response.text();
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop().catch(() => undefined);
      throw new Error(`prometheus not ready at ${url} after ${READY_TIMEOUT_MS} ms:\n${tail(stderr)}`);
    }
    await sleep(50);
  }

  async function api(path: string, params: Record<string, string>): Promise<unknown> {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    let body: { status?: string; data?: unknown; errorType?: string; error?: string };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new PrometheusQueryError(`${path}: HTTP ${response.status}, not JSON: ${text.slice(0, 500)}`, response.status, 'http');
    }
    if (body.status !== 'success') {
      const what = params.query !== undefined ? `\n  query: ${params.query}` : '';
      throw new PrometheusQueryError(
        `${path}: HTTP ${response.status} ${body.errorType ?? 'error'}: ${body.error ?? text.slice(0, 500)}${what}`,
        response.status,
        body.errorType ?? 'error',
      );
    }
    return body.data;
  }

  async function query(expr: string, time?: number): Promise<InstantSample[]> {
    const params: Record<string, string> = { query: expr };
    if (time !== undefined) params.time = String(time);
    const data = (await api('/api/v1/query', params)) as { resultType: string; result: unknown };
    switch (data.resultType) {
      case 'vector':
        return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((s) => ({
          metric: s.metric,
          value: sampleValue(s.value[1]),
        }));
      case 'scalar': {
        const [, v] = data.result as [number, string];
        return [{ metric: {}, value: sampleValue(v) }];
      }
      default:
        throw new Error(`query returned a ${data.resultType}, not an instant vector or scalar: ${expr}`);
    }
  }

  async function queryRange(expr: string, start: number, end: number, step: number): Promise<RangeSeries[]> {
    const data = (await api('/api/v1/query_range', { query: expr, start: String(start), end: String(end), step: String(step) })) as {
      resultType: string;
      result: { metric: Record<string, string>; values: [number, string][] }[];
    };
    if (data.resultType !== 'matrix') throw new Error(`query_range returned a ${data.resultType}: ${expr}`);
    return data.result.map((s) => ({ metric: s.metric, values: s.values.map(([t, v]) => [t, sampleValue(v)] as [number, number]) }));
  }

  async function waitFor(expr: string, ok: (r: InstantSample[]) => boolean, timeoutMs: number): Promise<InstantSample[]> {
    const until = Date.now() + timeoutMs;
    let last: InstantSample[] | undefined;
    let lastError: unknown;
    for (;;) {
      if (exitCode !== undefined) throw new Error(`prometheus exited (code ${exitCode}) while waiting for ${expr}:\n${tail(stderr)}`);
      try {
        last = await query(expr);
        lastError = undefined;
        if (ok(last)) return last;
      } catch (err) {
        // A query Prometheus rejects as bad (400) will never succeed: report it now rather than at the deadline.
        if (err instanceof PrometheusQueryError && err.status === 400) throw err;
        lastError = err;
      }
      if (Date.now() >= until) {
        const seen = lastError !== undefined ? `last error: ${(lastError as Error).message ?? String(lastError)}` : `last result: ${JSON.stringify(last)}`;
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${expr}\n${seen}`);
      }
      await sleep(POLL_MS);
    }
  }

  const configured = options.scrape.reduce((n, s) => n + s.targets.length, 0);
  let closing: Promise<void> | undefined;

  return {
    url,
    dir,
    query,
    queryRange,
    waitFor,
    async waitForTargets(count = configured, timeoutMs = 30_000) {
      // `up` is written on every scrape attempt, failed or not: two samples per target means two scrapes happened.
      await waitFor('count_over_time(up[1m])', (r) => r.filter((s) => s.value >= 2).length >= count, timeoutMs);
    },
    async rules() {
      const response = await fetch(`${url}/api/v1/rules`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      const body = (await response.json()) as { status: string; data?: unknown; error?: string };
      if (body.status !== 'success') throw new Error(`/api/v1/rules: HTTP ${response.status}: ${body.error}`);
      return body.data;
    },
    close() {
      closing ??= stop().finally(() => removeDir(dir));
      return closing;
    },
  };
}
