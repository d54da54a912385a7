// Runs the real Prometheus server (Debian's /usr/bin/prometheus, 2.42) on a free 127.0.0.1 port for tests,
// `dgmon preview` and the benchmarks: writes prometheus.yml and the rule files into a temporary directory, waits
// (bounded) for /-/ready, and answers PromQL through the HTTP API. The child is killed when this process exits or is
// SIGTERMed.
//
// Two facts about this Prometheus, both measured on Debian 12, shape the API:
// - Static targets still pass through the service-discovery manager's 5 s update throttle, so the first scrapes come
//   about 6.5 s after /-/ready. Call waitForTargets() before asserting anything about scraped data.
// - The container's PID 1 does not reap orphans: the server is spawned from node and always ended by close() (or,
//   as a last resort, by the process 'exit' and SIGTERM hooks below), never left behind.
import { basename, join } from 'node:path';
import { dump } from 'js-yaml';
import { startDaemon, sleep } from './daemon.ts';

export const PROMETHEUS_BIN = 'prometheus';

export interface ScrapeJob {
  job: string;
  /** `host:port` strings, as in a static_config. */
  targets: string[];
  /** Default /metrics. */
  metricsPath?: string;
  /** Target labels of these targets (static_config `labels`), e.g. a cluster per simulated node. */
  labels?: Record<string, string>;
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
  /** Alertmanagers (`host:port`) the alerts are sent to, as an alerting.alertmanagers static config. */
  alertmanagers?: string[];
  /**
   * --rules.alert.resend-delay (Prometheus' default 1m): how often still-firing alerts are sent again. Alerts that fire
   * before the notifier has discovered its Alertmanagers (the same 5 s SD throttle) are dropped and only sent again
   * after this delay, so end-to-end tests shorten it.
   */
  alertResendDelay?: string;
  /**
   * An existing TSDB directory to run on (e.g. one filled by `promtool tsdb create-blocks-from`), instead of a fresh
   * one inside `dir`. close() leaves it in place: it belongs to the caller.
   */
  storagePath?: string;
  /** --storage.tsdb.retention.time (default 1d). Retention counts back from the newest block, not from the clock. */
  retention?: string;
  /** Further command-line flags, after the ones above (a repeated flag's last value wins). */
  extraArgs?: string[];
  /** Where this Prometheus sends every sample it scrapes or records (remote_write), e.g. a central store. */
  remoteWrite?: RemoteWrite[];
  /**
   * --web.enable-remote-write-receiver: accept samples POSTed to /api/v1/write, as the central store of per-cluster
   * agents does. Its rules then evaluate what the agents wrote, as they would scraped series.
   */
  remoteWriteReceiver?: boolean;
}

export interface RemoteWrite {
  /** The receiver's write endpoint, e.g. http://127.0.0.1:PORT/api/v1/write (Prometheus and VictoriaMetrics alike). */
  url: string;
  /**
   * queue_config.batch_send_deadline: how long a shard waits to fill a batch before sending what it has (Prometheus'
   * default 5s). Scaled-down tests shorten it, as the delay is added to every alert's detection downstream.
   */
  batchSendDeadline?: string;
}

/** A per-cluster collector: Prometheus in agent mode, which scrapes and forwards, with no rules, queries or TSDB. */
export interface AgentOptions {
  scrape: ScrapeJob[];
  /** Default '1s'. */
  scrapeInterval?: string;
  /** Added to every series it forwards (cluster=<name>): how the central store tells the clusters apart. */
  externalLabels?: Record<string, string>;
  remoteWrite: RemoteWrite[];
  extraArgs?: string[];
  /**
   * The agent's whole prometheus.yml instead of one built from the fields above (scrape, externalLabels and
   * remoteWrite then only count targets), e.g. one made from `dgmon generate`'s agent snippet.
   */
  configYaml?: string;
  /** Its environment: with --enable-feature=expand-external-labels, `${VAR}` in external labels reads it. */
  env?: Record<string, string>;
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
  /** The temporary directory holding prometheus.yml, the rule files and the TSDB (unless `storagePath`); removed by close(). */
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

const REQUEST_TIMEOUT_MS = 15_000;
const POLL_MS = 250;

/** POSTs form `params` to Prometheus' HTTP API at `url` + `path`; the HTTP status and the body as text. */
export async function postForm(
  url: string,
  path: string,
  params: Record<string, string>,
  timeoutMs = REQUEST_TIMEOUT_MS,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, text: await response.text() };
}

/** Prometheus sample values are strings, including NaN and ±Inf. */
function sampleValue(v: string): number {
  if (v === '+Inf' || v === 'Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return Number(v);
}

/** Entries with the same job become one scrape config with a static_config each: job names must be unique. */
function scrapeConfigs(jobs: ScrapeJob[]): Record<string, unknown>[] {
  const byJob = new Map<string, Record<string, unknown> & { static_configs: Record<string, unknown>[] }>();
  for (const s of jobs) {
    const config = byJob.get(s.job) ?? { job_name: s.job, ...(s.metricsPath ? { metrics_path: s.metricsPath } : {}), static_configs: [] };
    if ((config.metrics_path ?? undefined) !== (s.metricsPath ?? undefined)) throw new Error(`job ${s.job}: one metrics path per job`);
    config.static_configs.push({ targets: s.targets, ...(s.labels ? { labels: s.labels } : {}) });
    byJob.set(s.job, config);
  }
  return [...byJob.values()];
}

function remoteWriteConfigs(remoteWrite: RemoteWrite[] | undefined): Record<string, unknown> {
  if (!remoteWrite || remoteWrite.length === 0) return {};
  return {
    remote_write: remoteWrite.map((w) => ({
      url: w.url,
      ...(w.batchSendDeadline ? { queue_config: { batch_send_deadline: w.batchSendDeadline, min_backoff: '100ms', max_backoff: '1s' } } : {}),
    })),
  };
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
    ...(options.alertmanagers && options.alertmanagers.length > 0
      ? { alerting: { alertmanagers: [{ static_configs: [{ targets: options.alertmanagers }] }] } }
      : {}),
    scrape_configs: scrapeConfigs(options.scrape),
    ...remoteWriteConfigs(options.remoteWrite),
  });
}

/** An agent's prometheus.yml: scrape configs, external labels and remote_write only (agent mode refuses rule_files). */
export function agentConfig(options: AgentOptions): string {
  const global: Record<string, unknown> = { scrape_interval: options.scrapeInterval ?? '1s' };
  if (options.externalLabels && Object.keys(options.externalLabels).length > 0) global.external_labels = options.externalLabels;
  return dump({ global, scrape_configs: scrapeConfigs(options.scrape), ...remoteWriteConfigs(options.remoteWrite) });
}

/** Instant and range queries against any Prometheus: the one started here, or a user's (`dgmon preview --prometheus`). */
export type PrometheusQueries = Pick<PrometheusHandle, 'query' | 'queryRange'>;

/**
 * A Prometheus base URL as fetch can use it: credentials written into the URL (http://user:pass@host) moved to a
 * basic-auth header, since fetch refuses them in the URL itself; a path prefix such as /prometheus kept, no trailing /.
 */
export function prometheusEndpoint(baseUrl: string): { base: string; headers: Record<string, string> } {
  const target = new URL(baseUrl);
  const headers: Record<string, string> = {};
  if (target.username || target.password) {
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  return { base: target.toString().replace(/\/+$/, ''), headers };
}

/**
 * The query API of the Prometheus at `baseUrl` (a path prefix such as /prometheus is kept). Credentials written into
 * the URL (http://user:pass@host) are sent as basic auth, since fetch refuses them in the URL itself. `timeoutMs` (default
 * 15 s) bounds each request: `dgmon backtest` evaluates a day of a fleet-wide expression per request.
 */
export function prometheusClient(baseUrl: string, options: { timeoutMs?: number } = {}): PrometheusQueries {
  const { base, headers } = prometheusEndpoint(baseUrl);

  async function api(path: string, params: Record<string, string>): Promise<unknown> {
    const { status, text } = await postForm(base, path, params, options.timeoutMs ?? REQUEST_TIMEOUT_MS, headers);
    let body: { status?: string; data?: unknown; errorType?: string; error?: string };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new PrometheusQueryError(`${path}: HTTP ${status}, not JSON: ${text.slice(0, 500)}`, status, 'http');
    }
    if (body.status !== 'success') {
      const what = params.query !== undefined ? `\n  query: ${params.query}` : '';
      throw new PrometheusQueryError(
        `${path}: HTTP ${status} ${body.errorType ?? 'error'}: ${body.error ?? text.slice(0, 500)}${what}`,
        status,
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

  return { query, queryRange };
}

/**
 * Polls `expr` on `client` until `ok` accepts the result; throws the last result (or error) after `timeoutMs`, at once
 * when the query is refused as bad (400), and at once when `dead()` names a reason (the server has exited).
 */
export async function pollQuery(
  client: Pick<PrometheusQueries, 'query'>,
  expr: string,
  ok: (r: InstantSample[]) => boolean,
  timeoutMs: number,
  dead: () => string | undefined = () => undefined,
): Promise<InstantSample[]> {
  const until = Date.now() + timeoutMs;
  let last: InstantSample[] | undefined;
  let lastError: unknown;
  for (;;) {
    const why = dead();
    if (why !== undefined) throw new Error(why);
    try {
      last = await client.query(expr);
      lastError = undefined;
      if (ok(last)) return last;
    } catch (err) {
      // A query the server rejects as bad (400) will never succeed: report it now rather than at the deadline.
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

export interface AgentHandle {
  /** http://127.0.0.1:PORT (its UI and /api/v1/targets; an agent answers no queries). */
  url: string;
  dir: string;
  /** Until `count` targets (default: every configured target) have been scraped, whatever the outcome. */
  waitForTargets(count?: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Prometheus in agent mode (--enable-feature=agent): scrapes its targets and forwards every sample, with its
 * external labels, to the remote_write endpoints; a write-ahead log instead of a TSDB. Server-only flags (TSDB path,
 * retention, rule settings) are refused in this mode, so none is passed.
 */
export async function startPrometheusAgent(options: AgentOptions): Promise<AgentHandle> {
  const daemon = await startDaemon({
    name: 'prometheus-agent',
    bin: PROMETHEUS_BIN,
    files: { 'prometheus.yml': options.configYaml ?? agentConfig(options) },
    ...(options.env ? { env: options.env } : {}),
    args: ({ dir, address, url }) => [
      '--enable-feature=agent',
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.agent.path=${join(dir, 'wal')}`,
      `--web.listen-address=${address}`,
      `--web.external-url=${url}`,
      ...(options.extraArgs ?? []),
    ],
  });
  const configured = options.scrape.reduce((n, s) => n + s.targets.length, 0);
  return {
    url: daemon.url,
    dir: daemon.dir,
    async waitForTargets(count = configured, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        if (daemon.exited()) throw new Error(`prometheus agent exited:\n${daemon.stderrTail()}`);
        const response = await fetch(`${daemon.url}/api/v1/targets`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        const body = (await response.json()) as { data?: { activeTargets?: { lastScrape: string }[] } };
        const scraped = (body.data?.activeTargets ?? []).filter((t) => !t.lastScrape.startsWith('0001-')).length;
        if (scraped >= count) return;
        if (Date.now() >= until) throw new Error(`prometheus agent at ${daemon.url}: ${scraped} of ${count} targets scraped after ${timeoutMs} ms`);
        await sleep(POLL_MS);
      }
    },
    close: () => daemon.close(),
  };
}

export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusHandle> {
  for (const f of options.ruleFiles ?? []) {
    if (f.name !== basename(f.name) || f.name === '' || f.name === 'prometheus.yml' || f.name === 'data') {
      throw new Error(`rule file name must be a plain file name other than prometheus.yml and data: ${JSON.stringify(f.name)}`);
    }
  }
  const daemon = await startDaemon({
    name: 'prometheus',
    bin: PROMETHEUS_BIN,
    files: { 'prometheus.yml': prometheusConfig(options), ...Object.fromEntries((options.ruleFiles ?? []).map((f) => [f.name, f.content])) },
    args: ({ dir, address, url }) => [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${options.storagePath ?? join(dir, 'data')}`,
      `--web.listen-address=${address}`,
      `--web.external-url=${url}`,
      '--web.enable-lifecycle',
      `--storage.tsdb.retention.time=${options.retention ?? '1d'}`,
      ...(options.alertResendDelay ? [`--rules.alert.resend-delay=${options.alertResendDelay}`] : []),
      ...(options.remoteWriteReceiver ? ['--web.enable-remote-write-receiver'] : []),
      ...(options.extraArgs ?? []),
    ],
  });
  const { url, dir } = daemon;

  const { query, queryRange } = prometheusClient(url);

  const waitFor = (expr: string, ok: (r: InstantSample[]) => boolean, timeoutMs: number) =>
    pollQuery({ query }, expr, ok, timeoutMs, () => (daemon.exited() ? `prometheus exited while waiting for ${expr}:\n${daemon.stderrTail()}` : undefined));

  const configured = options.scrape.reduce((n, s) => n + s.targets.length, 0);

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
    close: () => daemon.close(),
  };
}
