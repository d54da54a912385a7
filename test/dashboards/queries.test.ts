// Template variables replaced as Grafana replaces them: at All, and with a node picked whose name holds regex
// characters, which Grafana escapes (backslash doubled inside the PromQL string).
import { describe, it, expect } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { substituteVariables } from '../../dashboards/queries.ts';
import { parsePromql } from '../support/promql-parse.ts';

const config = parseConfig({});
const expr = 'x{node=~"$node", kind!~"$node"}';

/** The regex a matcher's PromQL string literal holds (its escapes undone, as Prometheus reads it). */
const matcherRegex = (query: string) => new RegExp(`^(?:${JSON.parse(/node=~("(?:[^"\\]|\\.)*")/.exec(query)![1]!) as string})$`);

describe('substituteVariables', () => {
  it('at All, the node variable is .+', () => {
    expect(substituteVariables(expr, config)).toBe('x{node=~".+", kind!~".+"}');
  });

  it('a picked node matches itself only, even with regex characters in its name, and the query parses', () => {
    for (const node of ['engine-0001', 'gpu.node(1)+a', 'a|b']) {
      const query = substituteVariables(expr, config, '1h', { node });
      expect(parsePromql(query).errors, query).toEqual([]);
      const regex = matcherRegex(query);
      expect(regex.test(node), query).toBe(true);
      expect(regex.test(node.replace(/[.(|]/g, 'x')), query).toBe(node === 'engine-0001');
      // A request kind never matches a picked node: the per-node query of an all-or-picked panel reads it.
      expect(regex.test('batch'), query).toBe(false);
    }
  });
});
