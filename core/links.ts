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
 * The dashboard an alert links to, opened on what the alert is about: its node (for an alert about one node) and,
 * when several clusters share the store, its cluster too, since node names may repeat across clusters. Go template:
 * a label the alert lacks (a vanished job has no node) is left out of the link.
 */
export function dashboardUrl(config: DgmonConfig, dashboard: DashboardKey, perNode = false): string {
  const base = `${config.grafana.url.replace(/\/+$/, '')}/d/${DASHBOARD_UIDS[dashboard]}`;
  const vars = dashboardVariables(config);
  const param = (label: string, variable: string, sep: string) => `${sep}var-${variable}={{ $labels.${label} }}`;
  const node = param(config.node.label, vars.node, '?');
  if (!config.cluster.multiCluster) return perNode ? `${base}{{ if $labels.${config.node.label} }}${node}{{ end }}` : base;
  const c = config.cluster.label;
  const n = config.node.label;
  const cluster = param(c, vars.cluster, '?');
  if (!perNode) return `${base}{{ if $labels.${c} }}${cluster}{{ end }}`;
  const nodeAfterCluster = param(n, vars.node, '&');
  return `${base}{{ if $labels.${c} }}${cluster}{{ if $labels.${n} }}${nodeAfterCluster}{{ end }}{{ else if $labels.${n} }}${node}{{ end }}`;
}
