// Each panel's queries run the way Grafana runs them: range targets as query_range over the time range at one step,
// instant targets as one instant query at its end; series named by the target's legendFormat ({{label}} replaced by
// the series' label). A failed query is kept as an error for the panel to show, never dropped.
import type { PrometheusQueries } from '../daemons/prometheus.ts';
import type { PanelTarget } from '../dashboards/queries.ts';

export interface TimeRange {
  /** Unix seconds. */
  start: number;
  end: number;
  /** Seconds between points. */
  step: number;
}

export interface Series {
  refId: string;
  name: string;
  labels: Record<string, string>;
  /** [unix seconds, value], ascending; NaN where Prometheus said NaN. */
  points: [number, number][];
  /** From an instant query: one point, at the end of the range. */
  instant: boolean;
}

export interface PanelData {
  series: Series[];
  /** One line per failed target: "A: <Prometheus' error>". */
  errors: string[];
}

/**
 * Grafana's legend: `{{label}}` (spaces allowed inside the braces) replaced by the label's value, an absent label by
 * nothing. Without a legend format, the series' labels as `name{a="b"}`, or the expression for a series without any.
 */
export function legendName(format: string, labels: Record<string, string>, expr: string): string {
  if (format !== '' && format !== '__auto') return format.replace(/\{\{\s*([^{}\s]+)\s*\}\}/g, (_, name: string) => labels[name] ?? '');
  const { __name__: metric = '', ...rest } = labels;
  const pairs = Object.entries(rest).map(([k, v]) => `${k}="${v}"`);
  if (metric === '' && pairs.length === 0) return expr;
  return pairs.length ? `${metric}{${pairs.join(', ')}}` : metric;
}

/** Grafana's reducers (reduceOptions.calcs) over a series' values; null when there is nothing to reduce. */
export function reduce(points: [number, number][], calc: string): number | null {
  const all = points.map(([, v]) => v);
  const values = all.filter((v) => !Number.isNaN(v));
  if (all.length === 0) return calc === 'count' ? 0 : null;
  switch (calc) {
    case 'last':
      return all[all.length - 1]!;
    case 'first':
      return all[0]!;
    case 'firstNotNull':
      return values[0] ?? null;
    case 'count':
      return all.length;
    default:
      break;
  }
  if (values.length === 0) return null;
  switch (calc) {
    case 'mean':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'max':
      return Math.max(...values);
    case 'min':
      return Math.min(...values);
    case 'range':
      return Math.max(...values) - Math.min(...values);
    case 'delta':
    case 'diff':
      return values[values.length - 1]! - values[0]!;
    case 'lastNotNull':
    default:
      return values[values.length - 1]!;
  }
}

/** The first line of an error, which for Prometheus' errors is the reason (the query follows on the next line). */
function errorLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.replace(/^\/api\/v1\/query(_range)?: /, '');
}

export async function evaluateTargets(targets: PanelTarget[], prometheus: PrometheusQueries, range: TimeRange): Promise<PanelData> {
  const results = await Promise.all(
    targets.map(async (target): Promise<Series[] | string> => {
      try {
        if (target.instant) {
          const samples = await prometheus.query(target.expr, range.end);
          return samples.map((s) => ({
            refId: target.refId,
            name: legendName(target.legendFormat, s.metric, target.expr),
            labels: s.metric,
            points: [[range.end, s.value]],
            instant: true,
          }));
        }
        const matrix = await prometheus.queryRange(target.expr, range.start, range.end, range.step);
        return matrix.map((s) => ({ refId: target.refId, name: legendName(target.legendFormat, s.metric, target.expr), labels: s.metric, points: s.values, instant: false }));
      } catch (err) {
        return `${target.refId}: ${errorLine(err)}`;
      }
    }),
  );
  return {
    series: results.flatMap((r) => (typeof r === 'string' ? [] : r)),
    errors: results.filter((r): r is string => typeof r === 'string'),
  };
}

/** Runs `work` over `items` with at most `limit` at a time, results in input order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
