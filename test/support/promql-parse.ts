// Parses PromQL with Prometheus' own lezer grammar: syntax errors and the metric names an expression reads.
// promtool stays the judge of validity; this lets tests ask "which metrics does this query touch?".
import { parser } from '@prometheus-io/lezer-promql';

export interface ParsedQuery {
  errors: { from: number; to: number }[];
  metrics: string[];
}

export function parsePromql(expr: string): ParsedQuery {
  const errors: { from: number; to: number }[] = [];
  const metrics = new Set<string>();
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push({ from: node.from, to: node.to });
      if (node.type.name === 'Identifier' && node.node.parent?.type.name === 'VectorSelector') metrics.add(expr.slice(node.from, node.to));
    },
  });
  return { errors, metrics: [...metrics] };
}
