// Runs a dashboard panel's queries on a live Prometheus the two ways a person opens a dashboard: every node (All) and
// one node picked. Shared by the dashboard execution test and the end-to-end suite.
import { expect } from 'vitest';
import type { DgmonConfig } from '../../core/config.ts';
import { recordNames } from '../../core/names.ts';
import { panelQueries } from '../../dashboards/queries.ts';

interface Store {
  query(expr: string): Promise<{ metric: Record<string, string> }[]>;
}

/** The labels a Grafana legend template names: `{{ host }} GPU {{gpu}}` → host, gpu. */
export function legendLabels(legendFormat: string): string[] {
  return [...legendFormat.matchAll(/\{\{\s*([^}\s]+)\s*\}\}/g)].map((m) => m[1]!);
}

/** A node the store records per-node series for: the one to pick. */
export async function someNode(store: Store, config: DgmonConfig): Promise<string> {
  const label = config.node.label;
  const nodes = await store.query(`group by (${label}) (${recordNames(config).nodeRequestsByStatus})`);
  expect(nodes.length, 'nodes with recorded request rates').toBeGreaterThan(0);
  return nodes.map((s) => s.metric[label]!).sort()[0]!;
}

/** Each query's series at All and at the picked node, in the panel's order of queries. */
export interface PanelAnswers {
  refIds: string[];
  all: { metric: Record<string, string> }[][];
  picked: { metric: Record<string, string> }[][];
}

/**
 * Panel `index` of `panelQueries(config)`, run at All and at `node`. At each, the panel must draw something, and every
 * series must carry the labels its legend names, or Grafana prints an empty name. Each query must answer at one of
 * the two at least: a panel that reads per-node series while nodes are picked and their per-cluster sums at All has
 * one query answer at each, and the other return nothing.
 */
export async function expectPanelAnswers(store: Store, config: DgmonConfig, index: number, node: string): Promise<PanelAnswers> {
  const at = async (queries: ReturnType<typeof panelQueries>[number]['queries']) =>
    Promise.all(
      queries.map(async (q) => {
        const result = await store.query(q.expr);
        for (const label of legendLabels(q.legendFormat)) {
          const without = result.filter((s) => !s.metric[label]).map((s) => JSON.stringify(s.metric));
          expect(without, `${q.refId}: legend "${q.legendFormat}" names ${label}, missing on series of ${q.expr}`).toEqual([]);
        }
        return result;
      }),
    );
  const allPanel = panelQueries(config)[index]!;
  const pickedPanel = panelQueries(config, '5m', { node })[index]!;
  const answers = { refIds: allPanel.queries.map((q) => q.refId), all: await at(allPanel.queries), picked: await at(pickedPanel.queries) };
  const exprs = (queries: { refId: string; expr: string }[]) => queries.map((q) => `${q.refId}: ${q.expr}`).join('\n');
  expect(answers.all.flat().length, `nothing at All:\n${exprs(allPanel.queries)}`).toBeGreaterThan(0);
  expect(answers.picked.flat().length, `nothing at ${node}:\n${exprs(pickedPanel.queries)}`).toBeGreaterThan(0);
  allPanel.queries.forEach((q, i) => {
    expect(answers.all[i]!.length + answers.picked[i]!.length, `${q.refId} answers neither at All nor at ${node}: ${q.expr}`).toBeGreaterThan(0);
    // A query silent at one of the two stands in for one that answers there, under the same legend.
    for (const [where, results] of [['All', answers.all], [node, answers.picked]] as const) {
      if (results[i]!.length > 0) continue;
      const standIn = allPanel.queries.findIndex((o, j) => j !== i && o.legendFormat === q.legendFormat && results[j]!.length > 0);
      expect(standIn, `${q.refId} is silent at ${where}, and no query with its legend answers there: ${q.expr}`).toBeGreaterThanOrEqual(0);
    }
  });
  return answers;
}
