// Are the sources dgmon reads there at all? Targets down, exporter sources unreachable, and sources or clusters that
// vanished. Its own group: one alert, six rules (two severities by what the loss means, three reasons).
import { DCGM, DGMON } from '../../core/catalog/index.ts';
import { selector } from '../../core/promql.ts';
import type { AlertContext, AlertDefinition, AlertModule, AlertRuleSpec } from '../types.ts';

export const sourceAlerts: AlertModule = (ctx) => {
  const { config, q, rec } = ctx;
  const sd = config.alerts.DeepgramSourceDown;
  const defs: AlertDefinition[] = [
    {
      name: 'DeepgramSourceDown',
      summary: 'A Deepgram monitoring source is down or missing.',
      dashboard: 'node',
      perNode: true,
      rules: sourceDownRules(ctx),
      runbook: {
        meaning: `One of three things for longer than the for: duration (the reason label says which): a scrape target (Engine metrics on 9991, dcgm-exporter on 9400, the dgmon exporter) answers no scrape (up == 0, reason scrape_failed); the dgmon exporter cannot read one of its sources (dgmon_source_up == 0, reason source_unreachable, the source label says which); or a cluster that had targets of a kind within the last ${sd.lookback} has none now, or none was ever seen (reason target_absent; counted per cluster and source by the recorded ${rec.clusterSourceTargets}, from series each source publishes at start-up, so an Engine job that vanished pages even while the exporter, whose job the default selectors also match, is up). The source label says what is lost, and the severity follows from it: source="engine" (an Engine target, an exporter that carried the Engine, the exporter's Engine source, or every Engine of a cluster) is ${sd.severity}, because either the service stopped or every Engine alert of that node is blind; any other source is ${sd.monitoringSeverity}: dcgm-exporter (GPU alerts blind), an exporter that does not carry the Engine (health check and API status blind), the exporter's api source (DeepgramHealthCheckFailing pages for the API itself) or license_proxy. A missing Engine metric after start-up is not a fault (the Engine registers most metrics on its first request); a missing target is.`,
        impact: 'Every alert fed by that source is blind. If the Engine itself is down, the API routes around it and capacity is reduced; a source="engine" SourceDown holds back the latency and capacity alerts of its node (never DeepgramHighErrorRate), and is itself held back while DeepgramEngineDisconnected pages for the same cluster.',
        confirm: [
          { what: 'Targets down', promql: `up{${config.selectors.engine}} == 0 or up{${config.selectors.dcgm}} == 0 or up{${config.selectors.exporter}} == 0` },
          { what: 'Exporter sources and why they fail', promql: `${q.exporter(DGMON.sourceUp.name)} == 0 or increase(${q.exporter(DGMON.sourceFailures.name)}[15m]) > 0` },
          { what: 'Targets per cluster and source now, and the most within the lookback (a source missing from the first list was lost)', promql: `${rec.clusterSourceTargets}\nor\nmax_over_time(${rec.clusterSourceTargets}[${sd.lookback}])` },
          { what: 'Which targets Prometheus knows', promql: `count by (job) (up{${config.selectors.engine}} or up{${config.selectors.dcgm}} or up{${config.selectors.exporter}})` },
        ],
        causes: [
          'The Engine or dcgm-exporter container crashed or is restarting (check the pod or container status).',
          'The Engine metrics server is not enabled: engine.toml needs [metrics_server] with host 0.0.0.0 and port 9991.',
          'A firewall, NetworkPolicy or changed port between Prometheus (or the exporter) and the target.',
          'Service discovery no longer finds the target: a renamed Service (Deepgram\'s chart calls it <prefix>-metrics, port metrics), a missing release label on a ServiceMonitor, or a changed job name (adjust selectors in dgmon.yaml).',
          'A whole cluster stopped reporting (reason target_absent with a cluster label): its Prometheus, remote-write or agent stopped sending to the shared store, or the cluster was removed on purpose (silence it for the lookback).',
          'dcgm-exporter cannot reach the GPU driver (needs --gpus all and SYS_ADMIN).',
        ],
        actions: [
          'Open Prometheus /targets and read the scrape error for the target.',
          'For an exporter source, read the exporter log: it names the source and the reason (timeout, connection, http_status, too_large, parse).',
          'curl the target\'s /metrics from the Prometheus host to separate network from service problems.',
          'Restart the failed container; if the Engine is down, confirm the API still has other Engines (DeepgramEngineDisconnected would fire if none).',
          `For target_absent in one cluster of a shared store: check that cluster's Prometheus (or agent) and its remote write first; the alert resolves when the source reports again, or by itself after ${sd.lookback}. A lost agent writes no up == 0 and no stale marker, so the store keeps answering with its last samples until they go stale (Prometheus' --query.lookback-delta, VictoriaMetrics' query step or -search.maxStalenessInterval: 5m by default): the cluster has been dark for that long plus the for: when this pages.`,
        ],
        escalate: `source="engine" (${sd.severity}): if the Engine stays down after a restart, escalate to the Deepgram platform owner. Any other source (${sd.monitoringSeverity}): fix it within the business day; GPU or health-check alerts are blind meanwhile, Engine alerts are not.`,
      },
    },
  ];
  return defs;
};

const TARGET_NAMES = { engine: 'Deepgram Engine', dcgm: 'dcgm-exporter', exporter: 'dgmon exporter' } as const;

/**
 * DeepgramSourceDown, split by what the loss means (issue 23): source="engine" at `severity` (the Engine stopped, or
 * every Engine alert of that node or cluster is blind), every other source at `monitoringSeverity` (the service runs
 * on; GPU alerts, or the health check, are blind). Each rule carries the source label, so the inhibitions can let
 * only a down Engine mute that Engine's symptoms.
 */
function sourceDownRules(ctx: AlertContext): AlertRuleSpec[] {
  const { config, q, rec, inCluster } = ctx;
  const sd = config.alerts.DeepgramSourceDown;
  const node = `{{ $labels.${q.node} }}`;
  const up = (source: 'engine' | 'dcgm' | 'exporter') => selector('up', config.selectors[source]);
  const tag = (source: string, expr: string) => `label_replace(\n  ${expr.replace(/\n/g, '\n  ')},\n  "source", "${source}", "", ""\n)`;
  // The default Engine and DCGM selectors also match the exporter's job: its own targets are judged apart.
  const notExporter = `unless on (job, instance) ${up('exporter')}`;
  const carried = `last_over_time(${rec.exporterEngineSource}[${sd.lookback}])`;
  const scrapeDescription = `Prometheus cannot scrape {{ $labels.job }} target {{ $labels.instance }} (node ${node}${inCluster}).`;
  const unreachableDescription = `The dgmon exporter {{ $labels.instance }} (node ${node}${inCluster}) cannot read its {{ $labels.source }} source.`;
  const targets = rec.clusterSourceTargets;
  // A cluster that had targets of this source within the lookback and has none now; or none ever seen anywhere.
  const vanished = (matcher: string) => `last_over_time(${targets}{${matcher}}[${sd.lookback}]) unless ${targets}`;
  const neverSeen = (source: string) => `absent(${targets}{source="${source}"}) unless on () last_over_time(${targets}{source="${source}"}[${sd.lookback}])`;
  const expected = (['engine', 'dcgm', 'exporter'] as const).filter((source) => config.expectedTargets[source]);
  const monitoring = expected.filter((source) => source !== 'engine');
  const inClusterOf = `{{ if $labels.${q.cluster} }} in cluster {{ $labels.${q.cluster} }}{{ end }}`;
  const rules: AlertRuleSpec[] = [
    {
      expr: q.withNode(`${tag('engine', `${up('engine')} == 0 ${notExporter}`)}\nor\n${tag('engine', `${up('exporter')} == 0 and on (job, instance) ${carried}`)}`, 'engine'),
      for: sd.for,
      severity: sd.severity,
      labels: { reason: 'scrape_failed' },
      description: scrapeDescription,
    },
    {
      expr: q.withNode(`${q.exporter(DGMON.sourceUp.name, 'source="engine"')} == 0`, 'exporter'),
      for: sd.for,
      severity: sd.severity,
      labels: { reason: 'source_unreachable' },
      description: unreachableDescription,
    },
    ...(config.expectedTargets.engine
      ? [
          {
            expr: `${vanished('source="engine"')}\nor\n${neverSeen('engine')}`,
            for: sd.for,
            severity: sd.severity,
            labels: { reason: 'target_absent' },
            description: `Prometheus has no Deepgram Engine${inClusterOf} any more: no engine_estimated_stream_capacity{${config.selectors.engine}} series (the Engine registers it at start-up), directly scraped or passed through by the exporter.`,
          },
        ]
      : []),
    {
      expr: q.withNode(`${tag('dcgm', `${up('dcgm')} == 0 ${notExporter}`)}\nor\n${tag('exporter', `${up('exporter')} == 0 unless on (job, instance) ${carried}`)}`, 'engine'),
      for: sd.for,
      severity: sd.monitoringSeverity,
      labels: { reason: 'scrape_failed' },
      description: scrapeDescription,
    },
    {
      expr: q.withNode(`${q.exporter(DGMON.sourceUp.name, 'source!="engine"')} == 0`, 'exporter'),
      for: sd.for,
      severity: sd.monitoringSeverity,
      labels: { reason: 'source_unreachable' },
      description: unreachableDescription,
    },
    ...(monitoring.length > 0
      ? [
          {
            expr: [vanished(`source=~"${monitoring.join('|')}"`), ...monitoring.map(neverSeen)].join('\nor\n'),
            for: sd.for,
            severity: sd.monitoringSeverity,
            labels: { reason: 'target_absent' },
            description: `Prometheus has no {{ if eq $labels.source "dcgm" }}${TARGET_NAMES.dcgm}{{ else }}${TARGET_NAMES.exporter}{{ end }} target${inClusterOf} any more: nothing matches {{ if eq $labels.source "dcgm" }}${DCGM.gpuTemp.name}{${config.selectors.dcgm}}{{ else }}up{${config.selectors.exporter}}{{ end }}.`,
          },
        ]
      : []),
  ];
  return rules;
}
