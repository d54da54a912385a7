// Recording rules over what exists at all, so that a vanished source or GPU can be told from one that never was:
// targets per cluster and source, the exporters that carry the Engine, and GPUs per node. `absent()` cannot do this:
// it has no per-cluster view, and the default Engine and DCGM selectors also match the dgmon exporter's job, so
// `absent(up{<engine selector>})` stays empty while the exporter is up even if no Engine is scraped at all.
import { DCGM, DGMON, ENGINE } from '../../core/catalog/index.ts';
import { by, selector } from '../../core/promql.ts';
import type { AlertContext, RecordingRule, RuleGroup } from '../types.ts';

export function presenceRecordingRules({ config, q, rec }: AlertContext): RuleGroup<RecordingRule>[] {
  const targetsOf = (expr: string) => by('count', q.clusterBy, by('group', [q.cluster, 'job', 'instance'], expr));
  // One rule per source, its name in a static label: each is a plain count a reader (or `dgmon backtest`'s expansion
  // of recorded series) can pick by {source=…}.
  const tagged = (source: string, expr: string): RecordingRule => ({ record: rec.clusterSourceTargets, expr, labels: { source } });
  // An Engine is counted by a series it registers at start-up, wherever it comes from (its own target, or the dgmon
  // exporter passing it through); dcgm-exporter by a field every GPU reports; the exporter by its targets.
  const sources = [
    ...(config.expectedTargets.engine ? [tagged('engine', targetsOf(q.engine(ENGINE.estimatedStreamCapacity.name)))] : []),
    ...(config.expectedTargets.dcgm ? [tagged('dcgm', targetsOf(q.dcgm(DCGM.gpuTemp.name)))] : []),
    ...(config.expectedTargets.exporter ? [tagged('exporter', targetsOf(selector('up', config.selectors.exporter)))] : []),
  ];
  const rules: RecordingRule[] = [
    // Exporters reading an Engine: when such an exporter stops answering, the Engine it carried is blind.
    { record: rec.exporterEngineSource, expr: by('group', [q.cluster, 'job', 'instance'], q.exporter(DGMON.sourceUp.name, 'source="engine"')) },
    // Distinct GPUs per node (MIG instances of one GPU count once).
    { record: rec.nodeGpuCount, expr: by('count', q.nodeBy, by('group', [...q.nodeBy, 'gpu', 'UUID'], rec.gpuTemperature)) },
  ];
  rules.unshift(...sources);
  return [{ name: 'dgmon.presence.rules', rules }];
}
