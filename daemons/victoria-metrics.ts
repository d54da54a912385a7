// Runs single-node VictoriaMetrics and vmalert (Debian's victoria-metrics package, 1.79) on free 127.0.0.1 ports, in
// the style of the Prometheus runner: a temporary directory each, ready when /-/ready answers 200 (both serve it),
// stopped with SIGTERM then SIGKILL, every wait bounded, children killed by daemon.ts' exit hooks as a last resort.
//
// VictoriaMetrics stands for a central store fed by per-cluster agents over remote write (/api/v1/write) and answers
// the Prometheus query API (MetricsQL, a superset of PromQL with other edges). vmalert evaluates rule files against
// it, writes recorded series and the ALERTS series back through remote write and sends alerts to Alertmanager.
import { join } from 'node:path';
import { startDaemon } from './daemon.ts';
import { prometheusClient, pollQuery, type InstantSample, type PrometheusQueries } from './prometheus.ts';

export const VICTORIA_METRICS_BIN = 'victoria-metrics';
export const VMALERT_BIN = 'vmalert';
const REQUEST_TIMEOUT_MS = 15_000;

export interface VictoriaMetricsOptions {
  /**
   * -search.latencyOffset (VictoriaMetrics' default 30s): queries do not see samples newer than this, so that a
   * point still being ingested is not read half-way. Rules evaluated every minute live with 30 s; scaled-down tests
   * (1 s evaluations) set it to 1s, or every alert would come 30 s late.
   */
  latencyOffset?: string;
  /** -retentionPeriod (default 1d). */
  retention?: string;
  extraArgs?: string[];
}

export interface VictoriaMetricsHandle extends PrometheusQueries {
  /** http://127.0.0.1:PORT: the Prometheus query API (/api/v1/query…), Grafana's datasource URL. */
  url: string;
  /** The Prometheus remote write endpoint (`${url}/api/v1/write`), for agents and vmalert's -remoteWrite.url. */
  writeUrl: string;
  dir: string;
  waitFor(expr: string, ok: (r: InstantSample[]) => boolean, timeoutMs: number): Promise<InstantSample[]>;
  close(): Promise<void>;
}

export async function startVictoriaMetrics(options: VictoriaMetricsOptions = {}): Promise<VictoriaMetricsHandle> {
  const daemon = await startDaemon({
    name: 'victoria-metrics',
    bin: VICTORIA_METRICS_BIN,
    files: {},
    args: ({ dir, address }) => [
      `-httpListenAddr=${address}`,
      `-storageDataPath=${join(dir, 'data')}`,
      `-retentionPeriod=${options.retention ?? '1d'}`,
      `-search.latencyOffset=${options.latencyOffset ?? '30s'}`,
      '-loggerLevel=ERROR',
      ...(options.extraArgs ?? []),
    ],
  });
  const client = prometheusClient(daemon.url);
  return {
    url: daemon.url,
    writeUrl: `${daemon.url}/api/v1/write`,
    dir: daemon.dir,
    ...client,
    waitFor: (expr, ok, timeoutMs) =>
      pollQuery(client, expr, ok, timeoutMs, () => (daemon.exited() ? `victoria-metrics exited while waiting for ${expr}:\n${daemon.stderrTail()}` : undefined)),
    close: () => daemon.close(),
  };
}

export interface VmalertOptions {
  /** Rule files written into vmalert's directory and passed as -rule (plain file names). */
  ruleFiles: { name: string; content: string }[];
  /** -datasource.url: where the rules are evaluated (VictoriaMetrics' query API). */
  datasourceUrl: string;
  /**
   * -remoteWrite.url: where recorded series and ALERTS/ALERTS_FOR_STATE are written (VictoriaMetrics' base URL; vmalert
   * appends /api/v1/write). Without it recording rules are evaluated and their results dropped.
   */
  remoteWriteUrl?: string;
  /** -remoteRead.url: where vmalert restores the state of pending and firing alerts after a restart. */
  remoteReadUrl?: string;
  /** -notifier.url: the Alertmanagers (http://host:port). */
  notifierUrls: string[];
  /** -evaluationInterval: for groups without their own `interval` (vmalert's default 1m). */
  evaluationInterval?: string;
  /** -rule.resendDelay: the least time between two sends of a still-firing alert. */
  resendDelay?: string;
  /** -remoteWrite.flushInterval (vmalert's default 5s): how often recorded series are written out. */
  remoteWriteFlushInterval?: string;
  extraArgs?: string[];
}

/** One rule as vmalert's /api/v1/rules reports it. */
export interface VmalertRule {
  name: string;
  type: 'alerting' | 'recording';
  query: string;
  /** The last evaluation's error, empty when it succeeded. */
  lastError: string;
  lastSamples?: number;
  lastEvaluation?: string;
}

export interface VmalertHandle {
  url: string;
  dir: string;
  /** Every rule of every group, from /api/v1/rules. */
  rules(): Promise<{ group: string; rule: VmalertRule }[]>;
  /** vmalert's own metrics (/metrics) as text: evaluation and error counters per group. */
  metrics(): Promise<string>;
  close(): Promise<void>;
}

export async function startVmalert(options: VmalertOptions): Promise<VmalertHandle> {
  const daemon = await startDaemon({
    name: 'vmalert',
    bin: VMALERT_BIN,
    files: Object.fromEntries(options.ruleFiles.map((f) => [f.name, f.content])),
    args: ({ dir, address, url }) => [
      `-httpListenAddr=${address}`,
      `-external.url=${url}`,
      ...options.ruleFiles.map((f) => `-rule=${join(dir, f.name)}`),
      `-datasource.url=${options.datasourceUrl}`,
      ...(options.remoteWriteUrl ? [`-remoteWrite.url=${options.remoteWriteUrl}`] : []),
      ...(options.remoteReadUrl ? [`-remoteRead.url=${options.remoteReadUrl}`] : []),
      ...options.notifierUrls.map((u) => `-notifier.url=${u}`),
      ...(options.evaluationInterval ? [`-evaluationInterval=${options.evaluationInterval}`] : []),
      ...(options.resendDelay ? [`-rule.resendDelay=${options.resendDelay}`] : []),
      ...(options.remoteWriteFlushInterval ? [`-remoteWrite.flushInterval=${options.remoteWriteFlushInterval}`] : []),
      '-loggerLevel=ERROR',
      ...(options.extraArgs ?? []),
    ],
  });
  async function get(path: string): Promise<Response> {
    const response = await fetch(`${daemon.url}${path}`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`vmalert ${path}: HTTP ${response.status}: ${await response.text()}`);
    return response;
  }
  return {
    url: daemon.url,
    dir: daemon.dir,
    async rules() {
      const body = (await (await get('/api/v1/rules')).json()) as { data: { groups: { name: string; rules: VmalertRule[] }[] } };
      return body.data.groups.flatMap((g) => g.rules.map((rule) => ({ group: g.name, rule })));
    },
    async metrics() {
      return await (await get('/metrics')).text();
    },
    close: () => daemon.close(),
  };
}
