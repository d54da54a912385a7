// The end-to-end stack: simulated Deepgram nodes, each behind its own exporter and in a cluster of its own (a lane),
// all scraped by one real Prometheus running the generated rules, which sends to one real Alertmanager running the
// generated routing, whose receivers post to a local webhook recorder. Lanes share nothing that alerts can see
// (every rule keeps the cluster label, Alertmanager groups and inhibits within a cluster), so scenarios run in
// parallel lanes. Time is scaled down through the config: the same generators, other numbers. 127.0.0.1 only.
import type { DgmonConfig } from '../../core/config.ts';
import { plainBundle, OUTPUT_PATHS } from '../../outputs/plain.ts';
import { timeScaledConfig, LOAD, SIMULATOR_WINDOWS, EXPORTER_TIMING } from '../../simulator/time-scaled.ts';
import { watchSimulator } from '../../simulator/watch-simulator.ts';
import { startExporter, type ExporterHandle } from '../../exporter/index.ts';
import { createLogger } from '../../exporter/log.ts';
import { startSimulator, type Simulator, type ScenarioName } from '../../simulator/index.ts';
import { startDemoProxy, type TlsEndpoint } from '../../simulator/tls-endpoint.ts';
import { startPrometheus, type PrometheusHandle } from '../../daemons/prometheus.ts';
import { startAlertmanager, startWebhookRecorder, type AlertmanagerHandle, type WebhookRecorder } from '../support/alertmanager.ts';
import { Capture } from '../support/net.ts';
import { closeAll } from '../support/close-all.ts';

// The scaled timings are shared with `dgmon preview`'s scripted run (simulator/time-scaled.ts); the e2e files read them here.
export { FOR, SOURCE_DOWN_FOR, SYMPTOM_FOR, ALERT_WINDOW, BURN_RATE_WINDOWS, SIMULATOR_WINDOWS, LOAD, EXPORTER_TIMING } from '../../simulator/time-scaled.ts';

/** The defaults with time scaled down, several clusters in one Prometheus, receivers posting to `webhook`. */
export function scaledConfig(webhook: string): DgmonConfig {
  const hook = (path: string) => ({ webhook_configs: [{ url: `${webhook}/${path}`, send_resolved: true }] });
  return timeScaledConfig({
    cluster: { multiCluster: true },
    alertmanager: {
      groupWait: '1s',
      groupInterval: '2s',
      repeatInterval: '1h',
      receivers: { pager: hook('pager'), ticket: hook('ticket'), watchdog: hook('watchdog') },
    },
  });
}

/** One simulated node in a cluster of its own. */
export interface Lane {
  cluster: string;
  simulator: Simulator;
  exporter: ExporterHandle;
  /** Switches the node's scenario; resolves with Date.now() at the switch, once its listeners have settled. */
  switchScenario(name: ScenarioName): Promise<number>;
}

export interface Stack {
  config: DgmonConfig;
  /**
   * A healthy node whose exporter also runs the synthetic probe (every second, against its simulator), so the probe
   * panels have data and the baseline shows a working probe raises nothing. Scenarios run on `lanes` only: the probe's
   * alerts are proven by promtool and the probe's own tests against the simulator.
   */
  probeLane: Lane;
  recorder: WebhookRecorder;
  alertmanager: AlertmanagerHandle;
  prometheus: PrometheusHandle;
  lanes: Lane[];
  close(): Promise<void>;
}

/**
 * Starts the stack and waits until every target has been scraped, the rate windows hold enough points for ratio
 * alerts to be judged, and the watchdog has proved the path to the webhook. Whatever started is stopped on failure.
 */
export async function startStack(laneCount: number): Promise<Stack> {
  const total = laneCount + 1;
  const closers: (() => Promise<void>)[] = [];
  const close = () => closeAll(closers);
  try {
    const recorder = await startWebhookRecorder();
    closers.push(() => recorder.close());
    const config = scaledConfig(recorder.url);
    // The expiry panels need a certificate to show: one stand-in proxy, watched by every node as production would.
    const proxy: TlsEndpoint = await startDemoProxy();
    closers.push(() => proxy.close());
    const lanes: Lane[] = [];
    for (let i = 0; i < total; i++) {
      const probe = i === laneCount;
      const cluster = probe ? 'probe-lane' : `lane-${i + 1}`;
      const simulator = await startSimulator({ scenario: 'healthy', load: LOAD, hostname: `sim-node-${i + 1}`, windows: SIMULATOR_WINDOWS });
      closers.push(() => simulator.close());
      const exporter = await startExporter(
        watchSimulator(config, simulator.urls, { listen: '127.0.0.1:0', ...EXPORTER_TIMING, demoExpiry: { tlsAddress: proxy.address }, ...(probe ? { probeInterval: '1s' } : {}) }),
        { log: createLogger({ destination: new Capture() }), secrets: {} },
      );
      closers.push(() => exporter.close());
      lanes.push({
        cluster,
        simulator,
        exporter,
        async switchScenario(name) {
          const at = Date.now();
          simulator.setScenario(name);
          await simulator.settled();
          return at;
        },
      });
    }
    const files = plainBundle(config);
    const alertmanager = await startAlertmanager({ configYaml: files.get(OUTPUT_PATHS.alertmanager)! });
    closers.push(() => alertmanager.close());
    const prometheus = await startPrometheus({
      scrape: lanes.map((lane) => ({ job: 'dgmon', targets: [lane.exporter.url.replace(/^https?:\/\//, '')], labels: { [config.cluster.label]: lane.cluster } })),
      ruleFiles: [
        { name: 'rules.yml', content: files.get(OUTPUT_PATHS.recordingRules)! },
        { name: 'alerts.yml', content: files.get(OUTPUT_PATHS.alertingRules)! },
      ],
      alertmanagers: [alertmanager.address],
      alertResendDelay: '2s',
    });
    closers.push(() => prometheus.close());
    // Static targets and the notifier's Alertmanager list pass the SD throttle first: wait for scrapes, then for the
    // rate windows to fill (so ratio alerts can be judged), then for the watchdog to prove the path to the webhook.
    await prometheus.waitForTargets(total, 30_000);
    await prometheus.waitFor(`count by (${config.cluster.label}) (count_over_time(node:engine_requests:rate10s[1m]) >= 12)`, (r) => r.length === total, 60_000);
    await recorder.waitFor((n) => n.path === '/watchdog', 30_000);
    return { config, recorder, alertmanager, prometheus, lanes: lanes.slice(0, laneCount), probeLane: lanes[laneCount]!, close };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}
