// The generated monitoring as typed objects, built once per config: the rule groups, the alert definitions (each with
// its runbook), the Alertmanager config, the dashboards and Grafana's provisioning. Every output (the plain files,
// Kubernetes, Helm values, Compose, systemd, the scale-out views) is a view of these objects and serialises what it
// takes from them itself, so no target reads another target's text back and each carries exactly the same rules.
import type { DgmonConfig } from '../core/config.ts';
import { buildRules, type RuleBundle } from '../alerts/index.ts';
import { buildAlertmanagerConfig } from '../alerts/alertmanager.ts';
import { buildDashboards, type BuiltDashboard } from '../dashboards/index.ts';

/** Where Grafana reads the provisioned dashboard files from (file provisioning and Compose mount the same path). */
export const GRAFANA_DASHBOARD_PATH = '/var/lib/grafana/dashboards/dgmon';

export interface DashboardProvisioning {
  apiVersion: 1;
  providers: {
    name: string;
    folder: string;
    type: 'file';
    disableDeletion: boolean;
    allowUiUpdates: boolean;
    options: { path: string; foldersFromFilesStructure: boolean };
  }[];
}

export interface DatasourceProvisioning {
  apiVersion: 1;
  datasources: { name: string; type: 'prometheus'; access: 'proxy'; url: string; isDefault: boolean; jsonData: { timeInterval: string } }[];
}

export interface Bundle {
  config: DgmonConfig;
  rules: RuleBundle;
  alertmanager: ReturnType<typeof buildAlertmanagerConfig>;
  dashboards: BuiltDashboard[];
  grafana: { dashboardProvider: DashboardProvisioning; datasource: DatasourceProvisioning };
}

export function buildBundle(config: DgmonConfig): Bundle {
  return {
    config,
    rules: buildRules(config),
    alertmanager: buildAlertmanagerConfig(config),
    dashboards: buildDashboards(config),
    grafana: {
      dashboardProvider: {
        apiVersion: 1,
        providers: [
          {
            name: 'dgmon',
            folder: config.grafana.folder,
            type: 'file',
            disableDeletion: false,
            allowUiUpdates: false,
            options: { path: GRAFANA_DASHBOARD_PATH, foldersFromFilesStructure: false },
          },
        ],
      },
      datasource: {
        apiVersion: 1,
        datasources: [{ name: 'Prometheus', type: 'prometheus', access: 'proxy', url: 'http://prometheus:9090', isDefault: true, jsonData: { timeInterval: config.intervals.scrape } }],
      },
    },
  };
}
