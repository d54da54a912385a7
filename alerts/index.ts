// Assembles the rule bundle from config: recording groups, alert groups, and the alert definitions (for runbooks and
// routing). Cross-cutting annotations (runbook_url, dashboard_url) and labels (severity, extraLabels) are stamped here
// by one pass, so no alert module repeats them.
import type { DgmonConfig } from '../core/config.ts';
import { Promql } from '../core/promql.ts';
import { recordNames } from '../core/names.ts';
import { dashboardUrl, runbookUrl } from '../core/links.ts';
import { engineRecordingRules } from './recording/engine.ts';
import { gpuRecordingRules } from './recording/gpu.ts';
import { sloRecordingRules } from './recording/slo.ts';
import { callerRecordingRules } from './recording/callers.ts';
import { exporterRecordingRules } from './recording/exporter.ts';
import { rulesInfoGroup } from './recording/info.ts';
import { presenceRecordingRules } from './recording/presence.ts';
import { availabilityAlerts } from './alerting/availability.ts';
import { sourceAlerts } from './alerting/sources.ts';
import { capacityAlerts } from './alerting/capacity.ts';
import { sloAlerts } from './alerting/slo.ts';
import { gpuAlerts } from './alerting/gpu.ts';
import { expiryAlerts } from './alerting/expiry.ts';
import { metaAlerts } from './alerting/meta.ts';
import type { AlertContext, AlertDefinition, AlertingRule, AlertModule, RecordingRule, RuleGroup } from './types.ts';

/**
 * Alert modules in the order they are written, each one concern and the prefix of its groups: `dgmon.gpu` writes
 * dgmon.gpu.alerts, and dgmon.gpu.xid.alerts for its definitions with `group: 'xid'`.
 */
const ALERT_MODULES: [string, AlertModule][] = [
  ['dgmon.availability', availabilityAlerts],
  ['dgmon.sources', sourceAlerts],
  ['dgmon.capacity', capacityAlerts],
  ['dgmon.slo', sloAlerts],
  ['dgmon.gpu', gpuAlerts],
  ['dgmon.expiry', expiryAlerts],
  ['dgmon.meta', metaAlerts],
];

export function alertContext(config: DgmonConfig): AlertContext {
  const q = new Promql(config);
  return {
    config,
    q,
    rec: recordNames(config),
    inCluster: config.cluster.multiCluster ? ` in cluster {{ $labels.${q.cluster} }}` : '',
  };
}

export interface RuleBundle {
  recording: RuleGroup<RecordingRule>[];
  alerting: RuleGroup<AlertingRule>[];
  /** Enabled alerts with their runbooks, in rule order. */
  definitions: AlertDefinition[];
}

export function buildRules(config: DgmonConfig): RuleBundle {
  const ctx = alertContext(config);
  const interval = config.intervals.evaluation;
  const recording: RuleGroup<RecordingRule>[] = [...engineRecordingRules(ctx), ...gpuRecordingRules(ctx), ...sloRecordingRules(ctx), ...callerRecordingRules(ctx), ...exporterRecordingRules(ctx), ...presenceRecordingRules(ctx)].map((g) => ({ name: g.name, interval, rules: g.rules }));
  const definitions: AlertDefinition[] = [];
  const alerting: RuleGroup<AlertingRule>[] = [];
  for (const [prefix, module] of ALERT_MODULES) {
    // Groups in the order their first alert comes; definitions in the order of the rules.
    const groups = new Map<string, AlertDefinition[]>();
    for (const d of module(ctx).filter((x) => isEnabled(config, x.name))) {
      const name = `${prefix}${d.group ? `.${d.group}` : ''}.alerts`;
      groups.set(name, [...(groups.get(name) ?? []), d]);
    }
    for (const [name, defs] of groups) {
      definitions.push(...defs);
      alerting.push({ name, interval, rules: defs.flatMap((d) => toRules(d, config)) });
    }
  }
  // Last, so its fingerprint covers every other group.
  recording.push(rulesInfoGroup([...recording, ...alerting], interval));
  return { recording, alerting, definitions };
}

/** Whether `alerts.<alert>.enabled` leaves the alert on (the default): routing leaves out what a disabled one needs. */
export function isEnabled(config: DgmonConfig, alert: string): boolean {
  const settings = (config.alerts as Record<string, { enabled?: boolean }>)[alert];
  return settings?.enabled ?? true;
}

function toRules(def: AlertDefinition, config: DgmonConfig): AlertingRule[] {
  return def.rules.map((r) => ({
    alert: def.name,
    expr: r.expr,
    for: r.for,
    ...(r.keepFiringFor ? { keep_firing_for: r.keepFiringFor } : {}),
    labels: { ...config.extraLabels, ...r.labels, severity: r.severity },
    annotations: {
      summary: def.summary,
      description: r.description,
      runbook_url: runbookUrl(config, def.name),
      dashboard_url: dashboardUrl(config, def.dashboard, def.perNode),
    },
  }));
}
