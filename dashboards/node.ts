// Deepgram / Node drill-down: one node's Engine, GPU, API status, License Proxy and exporter sources on one page,
// where the alert links with a node land.
import { DGMON } from '../core/catalog/index.ts';
import { BigValueColorMode, BigValueTextMode } from '@grafana/grafana-foundation-sdk/common';
import { WORST_NODES, allOrPicked, dashboardShell, worst, filtered, stat, target, timeseries, instantTarget, type DashboardContext } from './common.ts';

export function nodeDashboard(ctx: DashboardContext) {
  const { config, q, rec, nodeFilter, nodeLegend, gpuLegend } = ctx;
  const a = config.alerts;
  const byNode = (series: string, ...m: string[]) => filtered(series, nodeFilter, ...m);
  // Exporter series carry no node label: give them the node key, then keep the selected nodes.
  const selected = `on (${q.node}) group by (${q.node}) (${byNode(rec.nodeStreamCapacity)})`;
  const exporterOnNode = (metric: string, ...m: string[]) => `${q.withNode(q.exporter(metric, ...m), 'exporter')}\nand ${selected}`;

  return dashboardShell(ctx, 'node', 'Node drill-down', 'One Deepgram node: its Engine, GPU, the API and License Proxy it reports, and the dgmon exporter\'s sources.')
    .withPanel(
      stat(ctx, {
        title: 'API system health',
        description: 'The state the Deepgram API reports in /v1/status (Healthy above 90 % recent success, Degraded 40-90 %, Critical under 40 %), with the number of selected nodes in it (1 for one node).',
        unit: 'none',
        targets: [instantTarget(`count by (state) ((${exporterOnNode(DGMON.apiSystemHealth.name)}) == 1)`, '{{state}}')],
        alert: 'DeepgramAPIDegraded',
      })
        // Each state in force is one tile: its name is the answer, in neutral colour whichever it is.
        .textMode(BigValueTextMode.ValueAndName)
        .colorMode(BigValueColorMode.None),
    )
    .withPanel(
      stat(ctx, {
        title: 'Engine connected',
        description: `Whether the API reports a connected Engine (/v1/status/engine): 1 yes, 0 no. With more than ${WORST_NODES} selected, ${WORST_NODES} nodes, the disconnected first.`,
        unit: 'bool_yes_no',
        drillDown: true,
        targets: [instantTarget(worst(exporterOnNode(DGMON.apiEngineConnected.name), 'lowest'), nodeLegend)],
        alert: 'DeepgramEngineDisconnected',
      }),
    )
    .withPanel(
      stat(ctx, {
        title: 'License Proxy',
        description: 'The License Proxy state (Connected to license.deepgram.com, or TrustBased on its grace period), with the number of selected nodes in it (1 for one node).',
        unit: 'none',
        targets: [instantTarget(`count by (state) ((${exporterOnNode(DGMON.licenseProxyState.name)}) == 1)`, '{{state}}')],
        alert: 'DeepgramLicenseProxyTrustBased',
      })
        // Each state in force is one tile: its name is the answer, in neutral colour whichever it is.
        .textMode(BigValueTextMode.ValueAndName)
        .colorMode(BigValueColorMode.None),
    )
    .withPanel(
      stat(ctx, {
        title: 'Exporter sources up',
        description: `Which sources the dgmon exporter could read on its last scrape: 1 up, 0 failing. With more than ${WORST_NODES} node and source pairs selected, ${WORST_NODES} of them, the failing first.`,
        unit: 'bool_on_off',
        drillDown: true,
        targets: [instantTarget(worst(exporterOnNode(DGMON.sourceUp.name), 'lowest'), `${nodeLegend} {{source}}`)],
        alert: 'DeepgramSourceDown',
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'Engine requests by status',
        description: 'Completed requests per second by kind and status class on the selected nodes. Query A reads the per-node series while nodes are picked; at All, query B reads the same sums recorded per cluster, and A returns nothing.',
        unit: 'reqps',
        targets: allOrPicked(ctx, (s) => `sum by (kind, response_status) (${s})`, rec.nodeRequestsByStatus, rec.clusterRequestsByStatus, '{{kind}} {{response_status}}'),
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'Server-error share',
        description: `Share of this node's requests answered 5xx; the line is the alert threshold. With more than ${WORST_NODES} nodes selected, the ${WORST_NODES} highest at each moment.`,
        unit: 'percentunit',
        drillDown: true,
        min: 0,
        targets: [target(worst(byNode(rec.nodeServerErrorRatio), 'highest'), nodeLegend)],
        thresholds: [{ value: a.DeepgramHighErrorRate.threshold, color: 'red' }],
        alert: 'DeepgramHighErrorRate',
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'Active requests by kind',
        description: 'Requests in flight on this node\'s Engine (engine_active_requests).',
        unit: 'short',
        targets: [target(`sum by (kind) (${byNode(rec.nodeActiveRequestsByKind)})`, '{{kind}}')],
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'GPU busy',
        description: `Busy ratio of this node's GPUs (DCGM_FI_DEV_GPU_UTIL, or graphics-engine activity under MIG). With more than ${WORST_NODES} GPUs selected, the ${WORST_NODES} busiest at each moment.`,
        unit: 'percentunit',
        drillDown: true,
        min: 0,
        max: 1,
        targets: [target(worst(byNode(rec.gpuBusy), 'highest'), gpuLegend)],
        thresholds: [{ value: a.DeepgramGPUSaturated.threshold, color: 'orange' }],
        alert: 'DeepgramGPUSaturated',
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'GPU temperature',
        description: `GPU temperature; the line is the alert threshold. With more than ${WORST_NODES} GPUs selected, the ${WORST_NODES} hottest at each moment.`,
        unit: 'celsius',
        drillDown: true,
        targets: [target(worst(byNode(rec.gpuTemperature), 'highest'), gpuLegend)],
        thresholds: [{ value: a.DeepgramGPUTemperatureHigh.thresholdCelsius, color: 'red' }],
        alert: 'DeepgramGPUTemperatureHigh',
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'Exporter source scrape time',
        description: `How long each of the exporter's sources took on its last scrape; the ${WORST_NODES} slowest node and source pairs at each moment when more are selected.`,
        unit: 's',
        drillDown: true,
        targets: [target(worst(byNode(rec.nodeSourceScrapeDuration), 'highest'), `${nodeLegend} {{source}}`)],
      }),
    );
}
