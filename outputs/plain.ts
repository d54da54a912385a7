// The plain-file bundle: Prometheus rule files, Alertmanager config, runbooks and the Grafana files, as a map of
// relative path → text. Nothing touches the disk here, so a generation that fails half-way writes nothing.
import type { DgmonConfig } from '../core/config.ts';
import { renderRunbook } from '../alerts/runbooks.ts';
import { buildBundle, type Bundle } from './bundle.ts';
import { grafanaFiles } from './grafana.ts';
import { yamlFile } from './yaml.ts';

export const OUTPUT_PATHS = {
  recordingRules: 'prometheus/rules.yml',
  alertingRules: 'prometheus/alerts.yml',
  alertmanager: 'alertmanager/alertmanager.yml',
  runbook: (alert: string) => `runbooks/${alert}.md`,
} as const;

export function plainFiles(bundle: Bundle): Map<string, string> {
  const { rules, config } = bundle;
  const files = new Map<string, string>();
  files.set(OUTPUT_PATHS.recordingRules, yamlFile({ groups: rules.recording }, 'Prometheus recording rules for Deepgram'));
  files.set(OUTPUT_PATHS.alertingRules, yamlFile({ groups: rules.alerting }, 'Prometheus alerting rules for Deepgram'));
  files.set(OUTPUT_PATHS.alertmanager, yamlFile(bundle.alertmanager, 'Alertmanager routing for the Deepgram alerts'));
  for (const def of rules.definitions) files.set(OUTPUT_PATHS.runbook(def.name), renderRunbook(def, config));
  for (const [path, content] of grafanaFiles(bundle)) files.set(path, content);
  return files;
}

/** The plain files of a config, for callers that want those alone (tests, preview, benchmarks). */
export function plainBundle(config: DgmonConfig): Map<string, string> {
  return plainFiles(buildBundle(config));
}
