// The scale-out topology, on real daemons: per-cluster Prometheus agents (--enable-feature=agent, each with its
// cluster as an external label) scrape simulated nodes (simulator + exporter each) and remote-write to two central
// stores at once, each evaluating the same generated rules and sending to an Alertmanager of its own:
//   (a) Prometheus with --web.enable-remote-write-receiver, its rule_files the generated files;
//   (b) VictoriaMetrics, with vmalert evaluating the same files against it (recorded series written back to it).
// Both Alertmanagers run the generated routing; their receivers post to one webhook recorder under a path per engine
// (/prometheus/pager, /victoriametrics/pager, …). One set of agents feeding both stores keeps the run short and lets
// the test compare the engines on the same samples. Node names repeat across clusters on purpose (node-1 in east and
// in west), so only the cluster label tells their alerts and inhibitions apart. 127.0.0.1 only, time scaled down.
import type { DgmonConfig } from '../../core/config.ts';
import { plainBundle, OUTPUT_PATHS } from '../../outputs/plain.ts';
import { timeScaledConfig, LOAD, SIMULATOR_WINDOWS, EXPORTER_TIMING } from '../../simulator/time-scaled.ts';
import { watchSimulator } from '../../simulator/watch-simulator.ts';
import { startExporter, type ExporterHandle } from '../../exporter/index.ts';
import { createLogger } from '../../exporter/log.ts';
import { startSimulator, type Simulator } from '../../simulator/index.ts';
import { startPrometheus, startPrometheusAgent, type PrometheusHandle, type AgentHandle, type InstantSample, type PrometheusQueries } from '../../daemons/prometheus.ts';
import { startVictoriaMetrics, startVmalert, type VictoriaMetricsHandle, type VmalertHandle } from '../../daemons/victoria-metrics.ts';
import { startAlertmanager, startWebhookRecorder, type AlertmanagerHandle, type WebhookRecorder } from '../support/alertmanager.ts';
import { Capture } from '../support/net.ts';
import { closeAll } from '../support/close-all.ts';

/** Clusters and the nodes in each; node-1 exists in both. */
export const TOPOLOGY = { east: ['node-1', 'node-2'], west: ['node-1'] } as const;
export type ClusterName = keyof typeof TOPOLOGY;
export const ENGINES = ['prometheus', 'victoriametrics'] as const;
export type EngineName = (typeof ENGINES)[number];
/** The target label each node is scraped with, which the rules read the node name from (node.*.hostLabel). */
const HOST_LABEL = 'host';
/** How long an agent waits to fill a remote-write batch: added to every detection downstream (production: 5s). */
const BATCH_SEND_DEADLINE = '250ms';
/**
 * How long either central store still answers with a series' last sample when no newer one and no stale marker came
 * (Prometheus' --query.lookback-delta, VictoriaMetrics' -search.maxStalenessInterval): what a lost agent's series stay
 * visible for. Production's 5m is twenty 15 s scrapes; scaled, twenty 1 s scrapes.
 */
const LOOKBACK_DELTA = '20s';

/** The scaled config for one engine's Alertmanager: receivers post to `<webhook>/<engine>/<receiver>`. */
export function topologyConfig(webhook: string, engine: EngineName): DgmonConfig {
  const hook = (path: string) => ({ webhook_configs: [{ url: `${webhook}/${engine}/${path}`, send_resolved: true }] });
  return timeScaledConfig(
    {
      cluster: { multiCluster: true },
      node: { engine: { hostLabel: HOST_LABEL }, dcgm: { hostLabel: HOST_LABEL } },
      alertmanager: {
        groupWait: '1s',
        groupInterval: '2s',
        repeatInterval: '1h',
        receivers: { pager: hook('pager'), ticket: hook('ticket'), watchdog: hook('watchdog') },
      },
    },
    {
      // Both engines load the same files, and vmalert 1.79 refuses keep_firing_for: the setting docs/scale-out.md gives
      // vmalert users (the critical Xid page then resolves after its window, as DeepgramGPUDisappeared keeps watch).
      DeepgramGPUXidErrors: { criticalKeepFiringFor: '0s' },
      // VictoriaMetrics makes a new series queryable 5-6 s after its first sample, and a recorded series goes through
      // that twice (the agents' samples, then vmalert's write-back): at start-up the per-cluster target counts are not
      // there yet for longer than the scaled 15 s. Production's 2m covers it many times over.
      DeepgramSourceDown: { for: '30s' },
      // "Errors within the last minute", scaled to 3 s, is shorter than what VictoriaMetrics holds back from queries
      // (-search.latencyOffset, plus the agents' send interval): a 10 s window still asks for recent errors.
      DeepgramHighErrorRate: { recentWindow: '10s' },
    },
  );
}

export interface TopologyNode {
  cluster: ClusterName;
  node: string;
  simulator: Simulator;
  /** The exporter's port: an outage closes the exporter, the recovery starts a new one on the same port. */
  port: number;
  exporter: ExporterHandle | undefined;
}

/** What the test asks of either central store, whichever engine it is. */
export interface CentralEngine {
  name: EngineName;
  /** The Prometheus query API (Prometheus itself, or VictoriaMetrics for vmalert's engine). */
  store: PrometheusQueries & { url: string; waitFor(expr: string, ok: (r: InstantSample[]) => boolean, timeoutMs: number): Promise<InstantSample[]> };
  alertmanager: AlertmanagerHandle;
  /** Rules whose last evaluation failed, as `group/rule: error`; failures counted since start for Prometheus. */
  ruleFailures(): Promise<string[]>;
}

export interface Topology {
  /** The rules' config (the engines' configs differ only in the receivers' URLs). */
  config: DgmonConfig;
  recorder: WebhookRecorder;
  nodes: TopologyNode[];
  agents: Record<ClusterName, AgentHandle>;
  prometheus: PrometheusHandle;
  victoria: VictoriaMetricsHandle;
  vmalert: VmalertHandle;
  engines: CentralEngine[];
  /** Closes the nodes' exporters: every target of those nodes down, agents still running. */
  takeDown(nodes: TopologyNode[]): Promise<void>;
  /** A fresh exporter for each node, on its old port. */
  bringUp(nodes: TopologyNode[]): Promise<void>;
  /**
   * Stops a cluster's agent as a crash or a lost network would: its samples simply stop reaching both stores, with
   * no `up == 0` and no stale marker (an agent that is shut down writes none), its targets still running.
   */
  stopAgent(cluster: ClusterName): Promise<void>;
  /** A new agent for the cluster, with the same targets and external labels (a fresh write-ahead log). */
  startAgent(cluster: ClusterName): Promise<void>;
  close(): Promise<void>;
}

async function startNodeExporter(config: DgmonConfig, node: TopologyNode, port: number): Promise<ExporterHandle> {
  return await startExporter(watchSimulator(config, node.simulator.urls, { listen: `127.0.0.1:${port}`, ...EXPORTER_TIMING }), {
    log: createLogger({ destination: new Capture() }),
    secrets: {},
  });
}

/** Prometheus' own counters of failed rule evaluations, per group, from its /metrics. */
async function prometheusRuleFailures(url: string): Promise<string[]> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('prometheus_rule_evaluation_failures_total{') && !/ 0$/.test(l))
    .map((l) => l.replace(/^prometheus_rule_evaluation_failures_total/, ''));
}

export async function startTopology(): Promise<Topology> {
  const closers: (() => Promise<void>)[] = [];
  const close = () => closeAll(closers);
  try {
    const recorder = await startWebhookRecorder();
    closers.push(() => recorder.close());
    const config = topologyConfig(recorder.url, 'prometheus');
    const files = plainBundle(config);
    const ruleFiles = [
      { name: 'rules.yml', content: files.get(OUTPUT_PATHS.recordingRules)! },
      { name: 'alerts.yml', content: files.get(OUTPUT_PATHS.alertingRules)! },
    ];

    const nodes: TopologyNode[] = [];
    for (const [cluster, names] of Object.entries(TOPOLOGY) as [ClusterName, readonly string[]][]) {
      for (const node of names) {
        const simulator = await startSimulator({ scenario: 'healthy', load: LOAD, hostname: `${cluster}-${node}`, windows: SIMULATOR_WINDOWS });
        closers.push(() => simulator.close());
        const entry: TopologyNode = { cluster, node, simulator, port: 0, exporter: undefined };
        const exporter = await startNodeExporter(config, entry, 0);
        entry.exporter = exporter;
        entry.port = Number(new URL(exporter.url).port);
        closers.push(async () => entry.exporter?.close());
        nodes.push(entry);
      }
    }

    // The two Alertmanagers, one per engine, with the generated routing.
    const alertmanagers = {} as Record<EngineName, AlertmanagerHandle>;
    for (const engine of ENGINES) {
      const am = await startAlertmanager({ configYaml: plainBundle(topologyConfig(recorder.url, engine)).get(OUTPUT_PATHS.alertmanager)! });
      closers.push(() => am.close());
      alertmanagers[engine] = am;
    }

    // (a) Prometheus as the central store: accepts remote write, evaluates the rules, scrapes nothing itself.
    const prometheus = await startPrometheus({
      scrape: [],
      ruleFiles,
      alertmanagers: [alertmanagers.prometheus.address],
      alertResendDelay: '2s',
      remoteWriteReceiver: true,
      extraArgs: [`--query.lookback-delta=${LOOKBACK_DELTA}`],
    });
    closers.push(() => prometheus.close());

    // (b) VictoriaMetrics, and vmalert evaluating the same rule files against it.
    // Its staleness scaled as the central Prometheus' (VictoriaMetrics' own default: the query's step, 5m for vmalert).
    const victoria = await startVictoriaMetrics({ latencyOffset: '1s', extraArgs: [`-search.maxStalenessInterval=${LOOKBACK_DELTA}`] });
    closers.push(() => victoria.close());
    const vmalert = await startVmalert({
      ruleFiles,
      datasourceUrl: victoria.url,
      remoteWriteUrl: victoria.url,
      remoteReadUrl: victoria.url,
      notifierUrls: [alertmanagers.victoriametrics.url],
      evaluationInterval: config.intervals.evaluation,
      resendDelay: '2s',
      remoteWriteFlushInterval: '250ms',
      // As the generated vmalert.args run it: the alerts carry exactly the labels Prometheus gives them.
      extraArgs: ['-disableAlertgroupLabel'],
    });
    closers.push(() => vmalert.close());

    // One agent per cluster, writing to both stores.
    const agents = {} as Record<ClusterName, AgentHandle>;
    const startAgent = async (cluster: ClusterName) => {
      agents[cluster] = await startPrometheusAgent({
        scrape: nodes
          .filter((n) => n.cluster === cluster)
          .map((n) => ({ job: 'dgmon', targets: [`127.0.0.1:${n.port}`], labels: { [HOST_LABEL]: n.node } })),
        externalLabels: { [config.cluster.label]: cluster },
        remoteWrite: [
          { url: `${prometheus.url}/api/v1/write`, batchSendDeadline: BATCH_SEND_DEADLINE },
          { url: victoria.writeUrl, batchSendDeadline: BATCH_SEND_DEADLINE },
        ],
      });
    };
    for (const cluster of Object.keys(TOPOLOGY) as ClusterName[]) {
      await startAgent(cluster);
      // Whichever agent runs for the cluster at the end (stopAgent and startAgent replace it).
      closers.push(() => agents[cluster].close());
    }

    const engines: CentralEngine[] = [
      { name: 'prometheus', store: prometheus, alertmanager: alertmanagers.prometheus, ruleFailures: () => prometheusRuleFailures(prometheus.url) },
      {
        name: 'victoriametrics',
        store: victoria,
        alertmanager: alertmanagers.victoriametrics,
        async ruleFailures() {
          return (await vmalert.rules()).filter((r) => r.rule.lastError !== '').map((r) => `${r.group}/${r.rule.name}: ${r.rule.lastError}`);
        },
      },
    ];

    // Targets pass the agents' SD throttle first; then the rate windows fill on both stores (so ratio alerts can be
    // judged) and each engine's watchdog proves its path to the webhook.
    await Promise.all(Object.values(agents).map((a) => a.waitForTargets(undefined, 30_000)));
    const filled = `count(count_over_time(node:engine_requests:rate10s[1m]) >= 12)`;
    await Promise.all(engines.map((e) => e.store.waitFor(filled, (r) => r[0]?.value === nodes.length, 60_000)));
    await Promise.all(ENGINES.map((engine) => recorder.waitFor((n) => n.path === `/${engine}/watchdog`, 30_000)));

    return {
      config,
      recorder,
      nodes,
      agents,
      prometheus,
      victoria,
      vmalert,
      engines,
      async takeDown(down) {
        for (const n of down) {
          await n.exporter?.close();
          n.exporter = undefined;
        }
      },
      async bringUp(up) {
        for (const n of up) n.exporter ??= await startNodeExporter(config, n, n.port);
      },
      async stopAgent(cluster) {
        await agents[cluster].close();
      },
      async startAgent(cluster) {
        await startAgent(cluster);
        await agents[cluster].waitForTargets(undefined, 30_000);
      },
      close,
    };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}
