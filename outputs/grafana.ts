// Grafana files: one JSON per dashboard (importable through the UI, where the datasource is chosen at import), and
// file provisioning for the dashboards and a Prometheus datasource.
import type { DgmonConfig } from '../core/config.ts';
import { buildDashboards } from '../dashboards/index.ts';
import { yamlFile } from './yaml.ts';

export const GRAFANA_PATHS = {
  dashboard: (uid: string) => `grafana/dashboards/${uid}.json`,
  dashboardProvider: 'grafana/provisioning/dashboards/dgmon.yml',
  datasource: 'grafana/provisioning/datasources/prometheus.yml',
} as const;

export function grafanaFiles(config: DgmonConfig): Map<string, string> {
  const files = new Map<string, string>();
  for (const d of buildDashboards(config)) files.set(GRAFANA_PATHS.dashboard(d.uid), `${JSON.stringify(d.json, null, 2)}\n`);
  files.set(
    GRAFANA_PATHS.dashboardProvider,
    yamlFile(
      {
        apiVersion: 1,
        providers: [
          {
            name: 'dgmon',
            folder: config.grafana.folder,
            type: 'file',
            disableDeletion: false,
            allowUiUpdates: false,
            options: { path: '/var/lib/grafana/dashboards/dgmon', foldersFromFilesStructure: false },
          },
        ],
      },
      'Grafana dashboard provisioning (copy grafana/dashboards/*.json to options.path)',
    ),
  );
  files.set(
    GRAFANA_PATHS.datasource,
    yamlFile(
      { apiVersion: 1, datasources: [{ name: 'Prometheus', type: 'prometheus', access: 'proxy', url: 'http://prometheus:9090', isDefault: true, jsonData: { timeInterval: config.intervals.scrape } }] },
      'Grafana datasource provisioning (set url to your Prometheus)',
    ),
  );
  return files;
}
