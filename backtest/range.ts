// An alerting expression evaluated over a range as the rule group would have evaluated it: one instant evaluation per
// group interval, which is what a range query at step = interval computes (each step an instant query with the same
// 5-minute look-back). Prometheus offsets each group's evaluations by a hash of its name and file: where the user's
// Prometheus runs the group, its offset is read from the last evaluation (backtest/phases.ts) and the replay evaluates
// at the same instants; otherwise at multiples of the interval, which agree with the live rules to within one interval.
//
// Long ranges go out in chunks: Prometheus refuses a range query of more than 11 000 points per series, and one day
// of a fleet-wide expression per request keeps each query well inside its timeout.
import type { PrometheusQueries } from '../daemons/prometheus.ts';
import { labelKey, type SeriesPresence } from './alerting.ts';

/** Prometheus' limit on the points a range query may return per series. */
export const MAX_POINTS = 11_000;
/** The longest stretch one request covers. */
export const MAX_CHUNK_MS = 86_400_000;

/**
 * Evaluation times (ms) from the first at or after `startMs` through `endMs`: multiples of `stepMs` shifted by
 * `phaseMs`, the group's offset when it is known (read from a Prometheus running the rules), else 0.
 */
export function evaluationTimes(startMs: number, endMs: number, stepMs: number, phaseMs = 0): number[] {
  const times: number[] = [];
  for (let t = Math.ceil((startMs - phaseMs) / stepMs) * stepMs + phaseMs; t <= endMs; t += stepMs) times.push(t);
  return times;
}

export interface Chunk {
  startMs: number;
  endMs: number;
}

/**
 * The requests covering `times` (evenly spaced by `stepMs`): consecutive, not overlapping, each at most
 * `maxPoints` evaluations and `maxChunkMs` long.
 */
export function chunks(times: readonly number[], stepMs: number, maxPoints = MAX_POINTS, maxChunkMs = MAX_CHUNK_MS): Chunk[] {
  const perChunk = Math.max(1, Math.min(maxPoints, Math.floor(maxChunkMs / stepMs)));
  const out: Chunk[] = [];
  for (let i = 0; i < times.length; i += perChunk) {
    out.push({ startMs: times[i]!, endMs: times[Math.min(i + perChunk, times.length) - 1]! });
  }
  return out;
}

/**
 * Which series `expr` returned at which evaluation times, over `times` (evenly spaced by `stepMs`). `onChunk` is told
 * after each request, for a progress line.
 */
export async function evaluateOverRange(
  prometheus: PrometheusQueries,
  expr: string,
  times: readonly number[],
  stepMs: number,
  onChunk?: (done: number, total: number) => void,
): Promise<SeriesPresence[]> {
  const bySeries = new Map<string, SeriesPresence>();
  const parts = chunks(times, stepMs);
  for (const [i, chunk] of parts.entries()) {
    const result = await prometheus.queryRange(expr, chunk.startMs / 1000, chunk.endMs / 1000, stepMs / 1000);
    for (const series of result) {
      const key = labelKey(series.metric);
      let entry = bySeries.get(key);
      if (!entry) bySeries.set(key, (entry = { labels: series.metric, times: [] }));
      // Timestamps come back as float seconds; round to the millisecond grid the evaluation times are on.
      for (const [t] of series.values) entry.times.push(Math.round(t * 1000));
    }
    onChunk?.(i + 1, parts.length);
  }
  return [...bySeries.values()];
}
