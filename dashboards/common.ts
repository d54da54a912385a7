// The one query factory and the panel factories every dashboard uses, plus the dashboard shell (variables, links,
// defaults). Queries read the recorded series (named in core/names.ts), filtered by the dashboard variables, so a panel
// and the alert beside it compute the same thing.
import { DashboardBuilder, DatasourceVariableBuilder, QueryVariableBuilder, DashboardLinkBuilder, DashboardLinkType, DashboardCursorSync, ThresholdsConfigBuilder, ThresholdsMode, VariableHide, VariableRefresh } from '@grafana/grafana-foundation-sdk/dashboard';
import { VizLegendOptionsBuilder, LegendDisplayMode, LegendPlacement, ReduceDataOptionsBuilder, GraphThresholdsStyleConfigBuilder, GraphThresholdsStyleMode, BigValueGraphMode } from '@grafana/grafana-foundation-sdk/common';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { DataqueryBuilder as PromQuery } from '@grafana/grafana-foundation-sdk/prometheus';
import type { DgmonConfig } from '../core/config.ts';
import { Promql } from '../core/promql.ts';
import { knownSeriesNames } from '../core/catalog/index.ts';
import { recordNames, type RecordNames } from '../core/names.ts';
import { DASHBOARD_UIDS, dashboardVariables, legendLabel, runbookUrl, variableRef, type DashboardKey } from '../core/links.ts';

/**
 * Per-node panels that would draw one line per node at "All" draw only the nodes furthest out (topk/bottomk per
 * step): at 1000 nodes a thousand lines cannot be read, and sending them cost more than a second per panel
 * (bench/results/fleet.json). A selection of up to this many nodes is drawn whole.
 */
export const WORST_NODES = 10;

/** Which end of a per-node series is the one to look at: a hot GPU is the highest, a throttled clock the lowest. */
export type Worse = 'highest' | 'lowest';

/** `expr` (one series per node or GPU) as the WORST_NODES furthest out at each step: topk, or bottomk. */
export function worst(expr: string, worse: Worse): string {
  return `${worse === 'highest' ? 'topk' : 'bottomk'}(${WORST_NODES}, ${expr})`;
}

/**
 * `expr` on only the nodes `ranking` puts furthest out at each step: every query of a panel of several (streams and
 * capacity, tensor and DRAM) then draws the same nodes, which is what makes the lines comparable.
 */
export function onWorst(ctx: DashboardContext, expr: string, ranking: string, worse: Worse): string {
  return `${expr}\nand on (${ctx.q.nodeBy.join(', ')})\n${worst(ranking, worse)}`;
}

/** Every panel and target reads from the dashboard's datasource variable. */
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

export interface DashboardContext {
  config: DgmonConfig;
  q: Promql;
  rec: RecordNames;
  /** `{cluster=~"$cluster",node=~"$node"}`-style matchers for recorded per-node series, without braces. */
  nodeFilter: string;
  /** The same for per-cluster series. */
  clusterFilter: string;
  /** Legend placeholder for the configured node label: `{{node}}`, or `{{host}}` when the label is `host`. */
  nodeLegend: string;
  /** A GPU's series, named so that GPUs of several nodes stay apart in one legend. */
  gpuLegend: string;
}

export function dashboardContext(config: DgmonConfig): DashboardContext {
  const q = new Promql(config);
  const variables = dashboardVariables(config);
  const cluster = config.cluster.multiCluster ? `${q.cluster}=~"${variableRef(variables.cluster)}"` : '';
  const nodeLegend = legendLabel(q.node);
  return {
    config,
    q,
    rec: recordNames(config),
    nodeFilter: [cluster, `${q.node}=~"${variableRef(variables.node)}"`].filter(Boolean).join(', '),
    clusterFilter: cluster,
    nodeLegend,
    gpuLegend: `${nodeLegend} GPU {{gpu}}`,
  };
}

/** `series{filter, extra}`: a recorded series narrowed to the dashboard's selection. */
export function filtered(series: string, ...matchers: string[]): string {
  const parts = matchers.filter((m) => m.trim() !== '');
  return parts.length ? `${series}{${parts.join(', ')}}` : series;
}

export function target(expr: string, legend: string, refId = 'A'): PromQuery {
  return new PromQuery().datasource(DATASOURCE).expr(expr).legendFormat(legend).refId(refId).range();
}

/**
 * Two targets for a sum over nodes whose per-cluster sum is recorded too: A reads the per-node series while nodes are
 * picked, B the per-cluster series at All. Only one of them returns series; the other costs an index lookup. At All,
 * summing every node's series at every step is what the panel would pay otherwise: up to 1.01 s for Engine requests
 * by status at 1000 nodes (15 series per node), in the 1000-node fleet runs of issue 21 before this.
 */
export function allOrPicked(ctx: DashboardContext, sum: (selector: string) => string, perNode: string, perCluster: string, legend: string): PromQuery[] {
  // At All the node variable is `.+`, which every label value matches; a request kind is never a node's name. So
  // `kind=~"$node"` holds at All only, and `kind!~"$node"` only while nodes are picked. Prometheus answers the
  // selector whose matcher fails from the index alone, without reading a sample.
  const node = variableRef(dashboardVariables(ctx.config).node);
  return [
    target(sum(filtered(perNode, ctx.nodeFilter, `kind!~"${node}"`)), legend, 'A'),
    target(sum(filtered(perCluster, ctx.clusterFilter, `kind=~"${node}"`)), legend, 'B'),
  ];
}

export function instantTarget(expr: string, legend: string, refId = 'A'): PromQuery {
  return new PromQuery().datasource(DATASOURCE).expr(expr).legendFormat(legend).refId(refId).instant();
}

export interface PanelSpec {
  title: string;
  description: string;
  unit: string;
  targets: PromQuery[];
  /** Alert thresholds drawn on the panel: the same config values the alert rules use. */
  thresholds?: { value: number; color: string }[];
  /** Colour below the first threshold (default green); red where low values are the bad ones. */
  baseColor?: string;
  /** The alert this panel watches: its runbook is linked from the panel. */
  alert?: string;
  /** A per-node panel (top-k, see worst()): each series links to the node dashboard opened on its node. */
  drillDown?: boolean;
  min?: number;
  max?: number;
  span?: number;
  height?: number;
}

function thresholdSteps(spec: PanelSpec): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps([{ value: null as unknown as number, color: spec.baseColor ?? 'green' }, ...(spec.thresholds ?? [])]);
}

function runbookLinks(ctx: DashboardContext, spec: PanelSpec): DashboardLinkBuilder[] {
  return spec.alert ? [new DashboardLinkBuilder(`Runbook: ${spec.alert}`).type(DashboardLinkType.Link).url(runbookUrl(ctx.config, spec.alert)).targetBlank(true)] : [];
}

/**
 * The data link from a series of a per-node panel to the node dashboard, opened on that series' node (and cluster,
 * where several share the store) over the same time range: a top-k panel shows ten nodes, the link is how a person
 * gets from one of them to everything about it.
 */
export function nodeDrillDown(ctx: DashboardContext): DashboardLinkBuilder {
  const vars = dashboardVariables(ctx.config);
  const field = (label: string) => `\${__field.labels.${label}}`;
  const params = [
    ...(ctx.config.cluster.multiCluster ? [`var-${vars.cluster}=${field(ctx.config.cluster.label)}`] : []),
    `var-${vars.node}=${field(ctx.config.node.label)}`,
    '\${__url_time_range}',
  ];
  return new DashboardLinkBuilder(`Open ${field(ctx.config.node.label)} on the node dashboard`)
    .type(DashboardLinkType.Link)
    .url(`/d/${DASHBOARD_UIDS.node}?${params.join('&')}`);
}

/** What every panel type shares, whatever its builder: text, unit, datasource, size, thresholds, links, targets. */
function withCommon<P extends TimeseriesBuilder | StatBuilder>(ctx: DashboardContext, panel: P, spec: PanelSpec, size: { height: number; span: number }): P {
  panel
    .title(spec.title)
    .description(spec.description)
    .unit(spec.unit)
    .datasource(DATASOURCE)
    .height(spec.height ?? size.height)
    .span(spec.span ?? size.span)
    .thresholds(thresholdSteps(spec))
    .links(runbookLinks(ctx, spec));
  if (spec.min !== undefined) panel.min(spec.min);
  if (spec.max !== undefined) panel.max(spec.max);
  for (const t of spec.targets) panel.withTarget(t);
  if (spec.drillDown) panel.dataLinks([nodeDrillDown(ctx)]);
  // A recorded series holds one sample per evaluation: a finer step only repeats them, and costs a range query over a
  // large fleet as many more points (bench/results/fleet.json). Grafana's step is then never below the evaluation
  // interval.
  if (spec.targets.every((t) => readsOnlyRecorded(t.build().expr ?? ''))) panel.interval(ctx.config.intervals.evaluation);
  return panel;
}

const RAW_SERIES = [...knownSeriesNames()];

/** Whether `expr` reads recorded series only: no catalogue series (nor up or ALERTS) appears in it as a name. */
export function readsOnlyRecorded(expr: string): boolean {
  return !RAW_SERIES.some((name) => new RegExp(`(?<![\\w:])${name}(?![\\w:])`).test(expr));
}

export function timeseries(ctx: DashboardContext, spec: PanelSpec): TimeseriesBuilder {
  return withCommon(ctx, new TimeseriesBuilder(), spec, { height: 8, span: 12 })
    .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom))
    .thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(spec.thresholds?.length ? GraphThresholdsStyleMode.Dashed : GraphThresholdsStyleMode.Off));
}

export function stat(ctx: DashboardContext, spec: PanelSpec): StatBuilder {
  return withCommon(ctx, new StatBuilder(), spec, { height: 4, span: 6 })
    .graphMode(BigValueGraphMode.Area)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']));
}

/** The shell every dgmon dashboard shares: uid, tags, variables, links between dashboards, not editable. */
export function dashboardShell(ctx: DashboardContext, key: DashboardKey, title: string, description: string): DashboardBuilder {
  const { q, rec, config } = ctx;
  const variables = dashboardVariables(config);
  const clusterVariable = new QueryVariableBuilder(variables.cluster)
    .label('Cluster')
    .datasource(DATASOURCE)
    .query(`label_values(${rec.nodeStreamCapacity}, ${q.cluster})`)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .hide(config.cluster.multiCluster ? VariableHide.DontHide : VariableHide.HideVariable);
  const nodeVariable = new QueryVariableBuilder(variables.node)
    .label('Node')
    .datasource(DATASOURCE)
    .query(`label_values(${filtered(rec.nodeStreamCapacity, ctx.clusterFilter)}, ${q.node})`)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .multi(true)
    .includeAll(true)
    .allValue('.+');
  return new DashboardBuilder(`Deepgram / ${title}`)
    .uid(DASHBOARD_UIDS[key])
    .description(description)
    .tags(['deepgram'])
    .editable()
    .readonly()
    .timezone('browser')
    .time({ from: 'now-6h', to: 'now' })
    .refresh('30s')
    .tooltip(DashboardCursorSync.Crosshair)
    .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'))
    .withVariable(clusterVariable)
    .withVariable(nodeVariable)
    .link(new DashboardLinkBuilder('Deepgram dashboards').type(DashboardLinkType.Dashboards).tags(['deepgram']).asDropdown(true).includeVars(true).keepTime(true));
}
