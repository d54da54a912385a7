// Shapes shared by the rule generators: Prometheus rule objects as promtool reads them, and the alert definitions
// that keep each alert beside its runbook.
import type { DgmonConfig } from '../core/config.ts';
import type { Promql } from '../core/promql.ts';
import type { DashboardKey } from '../core/links.ts';
import type { RecordNames } from '../core/names.ts';

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  keep_firing_for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface RuleGroup<R> {
  name: string;
  interval?: string;
  rules: R[];
}

/** One Prometheus alerting rule of an alert; an alert may need several (two severities, or several signals). */
export interface AlertRuleSpec {
  expr: string;
  for: string;
  /** Prometheus' keep_firing_for: how long the alert stays firing after its condition stops holding. */
  keepFiringFor?: string;
  severity: string;
  /** Labels beyond severity that tell this rule's alerts apart (e.g. the burn-rate window). */
  labels?: Record<string, string>;
  /** Go template; must name the affected cluster/node/GPU and the value. */
  description: string;
}

/** A runbook page: what on-call needs at 3 a.m., written next to the rule it explains. */
export interface Runbook {
  meaning: string;
  impact: string;
  /** Queries to paste (PromQL into Prometheus, or a shell command), each with what it shows. */
  confirm: ({ what: string; promql: string } | { what: string; shell: string })[];
  causes: string[];
  actions: string[];
  escalate: string;
}

export interface AlertDefinition {
  name: string;
  /** Static one-sentence summary ending with a period. */
  summary: string;
  rules: AlertRuleSpec[];
  runbook: Runbook;
  dashboard: DashboardKey;
  /** Whether the alert is about one node: its dashboard link then opens that node. */
  perNode?: boolean;
  /**
   * The rule group within its module's, when the module's alerts are split in several ("xid": dgmon.gpu.xid.alerts):
   * groups are evaluated in parallel, so the costliest alerts at 1000 nodes do not queue one behind another.
   */
  group?: string;
}

/** What every alert module receives: the config and the query helpers built from it. */
export interface AlertContext {
  config: DgmonConfig;
  q: Promql;
  /** Names of the recording rules, so alerts read recorded series rather than repeating their queries. */
  rec: RecordNames;
  /** " in cluster X" when multi-cluster, else "": appended to descriptions. */
  inCluster: string;
}

export type AlertModule = (ctx: AlertContext) => AlertDefinition[];
