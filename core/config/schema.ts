// dgmon.yaml at a glance: its top-level sections, each defined in the file named beside it. Every selector,
// threshold, duration and receiver the generators use comes from here; nothing else in the project hard-codes them.
// Each field's description is its comment: why the default is what it is and when to change it.
import { z } from 'zod';
import { selectors, expectedTargets, cluster, node, extraLabels, intervals, traffic } from './series.ts';
import { alerts, slo, type burnWindow } from './alerts.ts';
import { runbooks, grafana, alertmanager } from './routing.ts';
import { exporter } from './exporter.ts';
import { packaging } from './packaging.ts';

export const configSchema = z.strictObject({
  // series.ts: what dgmon reads from Prometheus, and how series are joined into clusters and nodes
  selectors,
  expectedTargets,
  cluster,
  node,
  extraLabels,
  intervals,
  traffic,
  // alerts.ts: thresholds, for: and severities per alert; the SLOs
  alerts,
  slo,
  // routing.ts: runbook links, Grafana, Alertmanager
  runbooks,
  grafana,
  alertmanager,
  // exporter.ts: the exporter sidecar
  exporter,
  // packaging.ts: the deployment targets
  packaging,
});

export type DgmonConfig = z.infer<typeof configSchema>;
export type BurnWindow = z.infer<typeof burnWindow>;
