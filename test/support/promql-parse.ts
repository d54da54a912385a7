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

/**
 * How many series a query returns, as a fleet grows: `scalar`; `aggregated` (a fixed number, per cluster or per
 * status, whatever the number of nodes); `bounded` (at most k per step: topk, bottomk, or what such a selection
 * restricts); `per-node` (one or more series per node or target, so a thousand at 1000 nodes).
 */
export type FleetShape = 'scalar' | 'aggregated' | 'bounded' | 'per-node';

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

const ORDER: FleetShape[] = ['scalar', 'aggregated', 'bounded', 'per-node'];
const larger = (a: FleetShape, b: FleetShape) => (ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b);
const smaller = (a: FleetShape, b: FleetShape) => (ORDER.indexOf(a) <= ORDER.indexOf(b) ? a : b);

/**
 * The fleet shape of `expr`. `perNode(metric)` says whether a selector of that name returns a series per node; a
 * grouping that keeps `nodeLabel` keeps the shape of what it groups, one that drops it aggregates. Label functions,
 * rate() and the like keep the shape of their vector argument.
 */
export function fleetShape(expr: string, perNode: (metric: string) => boolean, nodeLabel: string): FleetShape {
  const text = (n: SyntaxNode) => expr.slice(n.from, n.to);
  const children = (n: SyntaxNode) => {
    const out: SyntaxNode[] = [];
    for (let c = n.firstChild; c; c = c.nextSibling) out.push(c);
    return out;
  };
  const labelsOf = (n: SyntaxNode | undefined) => (n ? children(n).filter((c) => c.type.name === 'LabelName').map(text) : []);
  const EXPRESSIONS = new Set(['AggregateExpr', 'BinaryExpr', 'FunctionCall', 'MatrixSelector', 'NumberDurationLiteral', 'OffsetExpr', 'ParenExpr', 'StepInvariantExpr', 'StringLiteral', 'SubqueryExpr', 'UnaryExpr', 'VectorSelector']);
  const operands = (n: SyntaxNode) => children(n).filter((c) => EXPRESSIONS.has(c.type.name));

  const shape = (n: SyntaxNode): FleetShape => {
    switch (n.type.name) {
      case 'NumberDurationLiteral':
      case 'StringLiteral':
        return 'scalar';
      case 'VectorSelector': {
        const name = n.getChild('Identifier');
        return name && perNode(text(name)) ? 'per-node' : 'aggregated';
      }
      case 'FunctionCall': {
        const fn = text(n.getChild('FunctionIdentifier')!);
        if (['time', 'scalar', 'pi'].includes(fn)) return 'scalar';
        if (['vector', 'absent', 'absent_over_time'].includes(fn)) return 'aggregated';
        return operands(n.getChild('FunctionCallBody')!).map(shape).reduce(larger, 'scalar');
      }
      case 'AggregateExpr': {
        const op = text(n.getChild('AggregateOp')!);
        const args = operands(n.getChild('FunctionCallBody')!);
        const inner = shape(args.at(-1)!);
        if (['topk', 'bottomk', 'limitk'].includes(op)) return smaller(inner, 'bounded');
        const modifier = n.getChild('AggregateModifier');
        if (!modifier) return 'aggregated';
        const labels = labelsOf(modifier.getChild('GroupingLabels') ?? undefined);
        const keeps = modifier.getChild('By') ? labels.includes(nodeLabel) : !labels.includes(nodeLabel);
        return keeps ? inner : 'aggregated';
      }
      case 'BinaryExpr': {
        const [left, right] = operands(n).map(shape) as [FleetShape, FleetShape];
        if (n.getChild('Or')) return larger(left, right);
        if (n.getChild('Unless')) return left;
        if (left === 'scalar' || right === 'scalar') return larger(left, right);
        if (n.getChild('And')) return smaller(left, right);
        // Matching: one-to-one gives at most as many as the smaller side; group_left keeps the left (many) side's.
        const clause = n.getChild('MatchingModifierClause');
        if (clause?.getChild('GroupLeft')) return left;
        if (clause?.getChild('GroupRight')) return right;
        return smaller(left, right);
      }
      default: {
        const inner = operands(n);
        return inner.length > 0 ? shape(inner[0]!) : 'scalar';
      }
    }
  };
  const top = parser.parse(expr).topNode;
  return shape(operands(top)[0] ?? top);
}
