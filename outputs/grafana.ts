// Grafana files: one JSON per dashboard (importable through the UI, where the datasource is chosen at import), and
// file provisioning for the dashboards and a Prometheus datasource.
import type { BuiltDashboard } from '../dashboards/index.ts';
import type { Bundle } from './bundle.ts';
import { yamlFile } from './yaml.ts';

export const GRAFANA_PATHS = {
  dashboard: (uid: string) => `grafana/dashboards/${uid}.json`,
  dashboardProvider: 'grafana/provisioning/dashboards/dgmon.yml',
  datasource: 'grafana/provisioning/datasources/prometheus.yml',
} as const;

/** A dashboard as its file holds it; the Kubernetes ConfigMaps and the Helm values carry the same text. */
export function dashboardText(dashboard: BuiltDashboard): string {
  return `${JSON.stringify(dashboard.json, null, 2)}\n`;
}

/** The folder holding the dashboard files. */
export const dashboardDir = (): string => GRAFANA_PATHS.dashboard('\u0000').split('\u0000')[0]!.replace(/\/$/, '');

export function grafanaFiles(bundle: Bundle): Map<string, string> {
  const files = new Map<string, string>();
  for (const d of bundle.dashboards) files.set(GRAFANA_PATHS.dashboard(d.uid), dashboardText(d));
  files.set(GRAFANA_PATHS.dashboardProvider, yamlFile(bundle.grafana.dashboardProvider, 'Grafana dashboard provisioning (copy grafana/dashboards/*.json to options.path)'));
  files.set(GRAFANA_PATHS.datasource, yamlFile(bundle.grafana.datasource, 'Grafana datasource provisioning (set url to your Prometheus)'));
  return files;
}
