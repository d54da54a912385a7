// Defaults that name a configured label. A schema default cannot see another field, so these are settled after
// parsing: a default that said `cluster` would group by a label that, once cluster.label is renamed, no alert has.
import type { DgmonConfig } from './schema.ts';

/** The default Alertmanager grouping: one notification per alert name and cluster. */
export const defaultGroupBy = (config: DgmonConfig) => ['alertname', config.cluster.label];

/** `config` with the label-naming defaults the user left unset following the configured labels. */
export function withLabelDefaults(config: DgmonConfig, raw: unknown): DgmonConfig {
  const alertmanager = (raw as { alertmanager?: { groupBy?: unknown } } | null | undefined)?.alertmanager;
  if (alertmanager?.groupBy !== undefined) return config;
  return { ...config, alertmanager: { ...config.alertmanager, groupBy: defaultGroupBy(config) } };
}
