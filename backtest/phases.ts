// Where a Prometheus already runs dgmon's alert groups, the instants it evaluates them at: each group runs at
// multiples of its interval shifted by an offset Prometheus derives from a hash of the group's name and file. The
// rules API gives each group's last evaluation; that time modulo the interval is the offset (late by the few
// milliseconds between the scheduled instant and the evaluation's start, which reads the same samples). A backtest
// evaluating at those instants replays the live rules sample for sample.
import { durationMilliseconds } from '../core/duration.ts';
import { prometheusEndpoint } from '../daemons/prometheus.ts';

interface RulesData {
  groups?: { name: string; interval?: number; lastEvaluation?: string }[];
}

/** Milliseconds since the epoch from an RFC 3339 time with up to nanoseconds (Date.parse keeps milliseconds). */
export function parseTime(text: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!m) return NaN;
  const whole = Date.parse(`${m[1]}${m[3]}`);
  const fraction = m[2] ? Number(`0.${m[2]}`) * 1000 : 0;
  return whole + fraction;
}

/** Offsets by group name from the `data` of /api/v1/rules; groups never evaluated yet are left out. */
export function phasesFromRules(data: RulesData, intervals: Record<string, string>): Record<string, number> {
  const phases: Record<string, number> = {};
  for (const group of data.groups ?? []) {
    const interval = intervals[group.name];
    if (!interval || !group.lastEvaluation) continue;
    const at = parseTime(group.lastEvaluation);
    // Go's zero time ("0001-01-01T00:00:00Z") means not evaluated yet.
    if (!Number.isFinite(at) || at <= 0) continue;
    const step = durationMilliseconds(interval);
    if (group.interval !== undefined && Math.round(group.interval * 1000) !== step) continue;
    phases[group.name] = Math.floor(at) % step;
  }
  return phases;
}

/** GET /api/v1/rules?type=alert of the Prometheus at `baseUrl` (credentials in the URL sent as basic auth). */
export async function fetchRules(baseUrl: string, timeoutMs: number): Promise<RulesData> {
  const { base, headers } = prometheusEndpoint(baseUrl);
  const response = await fetch(`${base}/api/v1/rules?type=alert`, { headers, signal: AbortSignal.timeout(timeoutMs) });
  const body = (await response.json()) as { status?: string; data?: RulesData; error?: string };
  if (body.status !== 'success' || !body.data) throw new Error(`/api/v1/rules: HTTP ${response.status}: ${body.error ?? 'no data'}`);
  return body.data;
}
