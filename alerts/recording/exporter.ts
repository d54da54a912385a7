// Recording rules over the dgmon exporter beside each node: how long each source takes to read, per node, for the
// node dashboard (a range over the raw series would add the node key at every step of every series).
import { DGMON } from '../../core/catalog/index.ts';
import type { AlertContext, RecordingRule, RuleGroup } from '../types.ts';

export function exporterRecordingRules({ q, rec }: AlertContext): RuleGroup<RecordingRule>[] {
  return [
    {
      name: 'dgmon.exporter.rules',
      rules: [{ record: rec.nodeSourceScrapeDuration, expr: q.byNode('max', [...q.nodeBy, 'source'], q.exporter(DGMON.sourceScrapeDuration.name), 'exporter') }],
    },
  ];
}
