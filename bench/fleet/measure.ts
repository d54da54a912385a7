// Measurements against a running Prometheus for the fleet benchmark: a timed query (wall time as a dashboard would
// wait for it, plus Prometheus' own statistics), the rule groups' evaluation times from Prometheus' /metrics, and a
// wait until Prometheus has finished compacting (so a measurement is not sharing the CPU with it).
import { parseExposition } from '../../core/exposition/parse.ts';
import type { MetricFamily } from '../../core/exposition/types.ts';
import { sleep } from '../../daemons/daemon.ts';
import { postForm } from '../../daemons/prometheus.ts';

/** Far above any target: a query that takes longer is reported as such, not waited for forever. */
const QUERY_TIMEOUT_MS = 150_000;

export interface QueryTiming {
  /** From sending the request to the last byte of the answer. */
  wallMs: number;
  /** Prometheus' own evaluation time (stats=all: timings.execTotalTime). */
  execMs?: number;
  /** Samples the query read (stats=all: samples.totalQueryableSamples) and held at once at most (peakSamples). */
  samples?: number;
  peakSamples?: number;
  series: number;
  /** Prometheus' error, e.g. too many samples; then the timing is of the failure. */
  error?: string;
}

interface QueryBody {
  status: string;
  error?: string;
  data?: {
    resultType: string;
    result: { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[] | [number, string];
    stats?: { timings?: { execTotalTime?: number }; samples?: { totalQueryableSamples?: number; peakSamples?: number } };
  };
}

async function post(url: string, path: string, params: Record<string, string>): Promise<{ wallMs: number; body: QueryBody }> {
  const started = performance.now();
  const { status, text } = await postForm(url, path, params, QUERY_TIMEOUT_MS);
  const wallMs = performance.now() - started;
  try {
    return { wallMs, body: JSON.parse(text) as QueryBody };
  } catch {
    return { wallMs, body: { status: 'error', error: `HTTP ${status}: ${text.slice(0, 300)}` } };
  }
}

export type QueryShape = { instant: true; time: number } | { instant: false; start: number; end: number; step: number };

/**
 * Runs `expr` once as Grafana would send it (instant, or a range query) and times it; Prometheus gives up after
 * `timeoutSeconds` (its own default, 2 min, when not given).
 */
export async function timeQuery(url: string, expr: string, shape: QueryShape, timeoutSeconds?: number): Promise<QueryTiming> {
  const params: Record<string, string> = shape.instant
    ? { query: expr, time: String(shape.time), stats: 'all' }
    : { query: expr, start: String(shape.start), end: String(shape.end), step: String(shape.step), stats: 'all' };
  if (timeoutSeconds !== undefined) params.timeout = `${timeoutSeconds}s`;
  const { wallMs, body } = await post(url, shape.instant ? '/api/v1/query' : '/api/v1/query_range', params);
  if (body.status !== 'success' || !body.data) return { wallMs, series: 0, error: body.error ?? 'failed' };
  const stats = body.data.stats;
  const result = body.data.result;
  return {
    wallMs,
    ...(stats?.timings?.execTotalTime !== undefined ? { execMs: stats.timings.execTotalTime * 1000 } : {}),
    ...(stats?.samples?.totalQueryableSamples !== undefined ? { samples: stats.samples.totalQueryableSamples } : {}),
    ...(stats?.samples?.peakSamples !== undefined ? { peakSamples: stats.samples.peakSamples } : {}),
    series: body.data.resultType === 'scalar' ? 1 : (result as unknown[]).length,
  };
}

/** An instant query's result as label-set key → value, for comparing two forms of the same query. */
export async function instantValues(url: string, expr: string, time: number): Promise<Map<string, number>> {
  const { body } = await post(url, '/api/v1/query', { query: expr, time: String(time) });
  if (body.status !== 'success' || !body.data) throw new Error(`${body.error ?? 'query failed'}\n  query: ${expr.slice(0, 300)}`);
  const values = new Map<string, number>();
  if (body.data.resultType === 'scalar') {
    values.set('{}', Number((body.data.result as [number, string])[1]));
    return values;
  }
  for (const s of body.data.result as { metric: Record<string, string>; value: [number, string] }[]) {
    const { __name__: _name, ...labels } = s.metric;
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
    values.set(key, Number(s.value[1]));
  }
  return values;
}

/**
 * Where two results first differ, said in words (a series only one of them holds, or its two values), or nothing
 * when they hold the same series with the same values (relative 1e-6; NaN equals NaN). Compares series only with
 * `valuesToo` false.
 */
export function firstDifference(a: Map<string, number>, b: Map<string, number>, valuesToo = true): string | undefined {
  for (const key of b.keys()) if (!a.has(key)) return `${key} only in the raw form`;
  for (const [key, x] of a) {
    const y = b.get(key);
    if (y === undefined) return `${key} only through the recorded series`;
    if (!valuesToo || (Number.isNaN(x) && Number.isNaN(y)) || x === y) continue;
    if (Math.abs(x - y) > 1e-6 * Math.max(Math.abs(x), Math.abs(y))) return `${key}: ${x} through the recorded series, ${y} raw`;
  }
  return undefined;
}

async function ownMetrics(url: string): Promise<MetricFamily[]> {
  const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(15_000) });
  return parseExposition(await response.text(), { maxSamples: 1_000_000 });
}

function values(families: MetricFamily[], name: string): { labels: Record<string, string>; value: number }[] {
  return families.find((f) => f.name === name)?.samples.filter((s) => s.name === name) ?? [];
}

/**
 * Waits until Prometheus has been up for `minUpSeconds` (its first compaction starts a minute after start-up) and then
 * used less than a tenth of a core over 10 s: compaction of the backfilled, overlapping blocks is over.
 */
export async function waitUntilIdle(url: string, minUpSeconds: number, timeoutMs: number): Promise<{ waitedS: number; cpuS: number; idle: boolean }> {
  const started = Date.now();
  const cpu = async () => values(await ownMetrics(url), 'process_cpu_seconds_total')[0]?.value ?? 0;
  const cpuAtStart = await cpu();
  const upSince = values(await ownMetrics(url), 'process_start_time_seconds')[0]?.value ?? Date.now() / 1000;
  let last = { at: Date.now(), cpu: cpuAtStart };
  for (;;) {
    await sleep(10_000);
    const now = { at: Date.now(), cpu: await cpu() };
    const busy = (now.cpu - last.cpu) / ((now.at - last.at) / 1000);
    last = now;
    const up = Date.now() / 1000 - upSince;
    if (up >= minUpSeconds && busy < 0.1) return { waitedS: (Date.now() - started) / 1000, cpuS: now.cpu - cpuAtStart, idle: true };
    if (Date.now() - started > timeoutMs) return { waitedS: (Date.now() - started) / 1000, cpuS: now.cpu - cpuAtStart, idle: false };
  }
}

export interface GroupDurations {
  /** rule_group label: "<file>;<group>". */
  group: string;
  /** prometheus_rule_group_last_duration_seconds after each evaluation seen, in ms. */
  durationsMs: number[];
}

/**
 * Reads prometheus_rule_group_last_duration_seconds each time a group's last evaluation timestamp moves, until every
 * group has `skip + evaluations` of them (the first `skip` are dropped: the first evaluations of a group that reads
 * other groups' series find them not yet written) or `timeoutMs` passes.
 */
export async function ruleGroupDurations(url: string, skip: number, evaluations: number, timeoutMs: number): Promise<GroupDurations[]> {
  const seen = new Map<string, { last: number; durations: number[] }>();
  const until = Date.now() + timeoutMs;
  for (;;) {
    const families = await ownMetrics(url);
    const durations = new Map(values(families, 'prometheus_rule_group_last_duration_seconds').map((s) => [s.labels.rule_group ?? '', s.value]));
    for (const s of values(families, 'prometheus_rule_group_last_evaluation_timestamp_seconds')) {
      const group = s.labels.rule_group ?? '';
      const state = seen.get(group) ?? { last: 0, durations: [] };
      seen.set(group, state);
      if (s.value > 0 && s.value !== state.last) {
        state.last = s.value;
        state.durations.push((durations.get(group) ?? NaN) * 1000);
      }
    }
    const done = seen.size > 0 && [...seen.values()].every((s) => s.durations.length >= skip + evaluations);
    if (done || Date.now() > until) {
      return [...seen].map(([group, s]) => ({ group, durationsMs: s.durations.slice(skip) }));
    }
    await sleep(1_000);
  }
}

/** The last evaluation time of every rule, from /api/v1/rules: which rules make a group slow. */
export async function ruleTimes(url: string): Promise<{ group: string; rule: string; ms: number }[]> {
  const response = await fetch(`${url}/api/v1/rules`, { signal: AbortSignal.timeout(15_000) });
  const body = (await response.json()) as { data: { groups: { name: string; rules: { name: string; evaluationTime: number; labels?: Record<string, string> }[] }[] } };
  return body.data.groups.flatMap((g) =>
    g.rules.map((r) => {
      // Rules of one name differ in a static label: the quantile of a recorded series, the severity of an alert.
      const which = r.labels?.quantile ? `{quantile="${r.labels.quantile}"}` : r.labels?.severity ? `{severity="${r.labels.severity}"}` : '';
      return { group: g.name, rule: `${r.name}${which}`, ms: r.evaluationTime * 1000 };
    }),
  );
}

export const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? NaN : sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
