// The names alerts and dashboards must agree on, so a link written by one resolves in the other: the dashboards'
// uids, their variable names (the configured cluster and node labels themselves, so an alert's `?var-<node label>=`
// selects the node it names) and the runbook and dashboard URLs.
import type { DgmonConfig } from './config.ts';

/** Dashboards alerts link to; the uids are fixed so links resolve once the dashboards are provisioned. */
export const DASHBOARD_UIDS = {
  fleet: 'deepgram-fleet',
  streaming: 'deepgram-streaming-capacity',
  gpu: 'deepgram-gpu',
  node: 'deepgram-node',
  tts: 'deepgram-tts',
} as const;
export type DashboardKey = keyof typeof DASHBOARD_UIDS;

/**
 * The dashboard variables that select a cluster and a node. Each is named after the label it filters on, so a link
 * can set it from the alert's own labels (`var-<label>=<value>`) whatever the labels are called.
 */
export function dashboardVariables(config: DgmonConfig): { cluster: string; node: string } {
  return { cluster: config.cluster.label, node: config.node.label };
}

/** Grafana's reference to a variable inside a query: `$name`. */
export const variableRef = (name: string) => `$${name}`;

/** Grafana's legend placeholder for a label: `{{name}}`. */
export const legendLabel = (label: string) => `{{${label}}}`;

export function runbookUrl(config: DgmonConfig, alert: string): string {
  return `${config.runbooks.baseUrl.replace(/\/+$/, '')}/${alert}.md`;
}

/**
 * The dashboard an alert links to; for an alert about one node, opened on that node. Go template: alerts without a
 * node label (a vanished job) link to the dashboard itself.
 */
export function dashboardUrl(config: DgmonConfig, dashboard: DashboardKey, perNode = false): string {
  const base = `${config.grafana.url.replace(/\/+$/, '')}/d/${DASHBOARD_UIDS[dashboard]}`;
  const n = config.node.label;
  const variable = dashboardVariables(config).node;
  return perNode ? `${base}{{ if $labels.${n} }}?var-${variable}={{ $labels.${n} }}{{ end }}` : base;
}
