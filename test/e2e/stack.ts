// The end-to-end stack: simulated Deepgram nodes, each behind its own exporter and in a cluster of its own (a lane),
// all scraped by one real Prometheus running the generated rules, which sends to one real Alertmanager running the
// generated routing, whose receivers post to a local webhook recorder. Lanes share nothing that alerts can see
// (every rule keeps the cluster label, Alertmanager groups and inhibits within a cluster), so scenarios run in
// parallel lanes. Time is scaled down through the config: the same generators, other numbers. 127.0.0.1 only.
import { parseConfig, type DgmonConfig } from '../../core/config.ts';
import { plainBundle, OUTPUT_PATHS } from '../../outputs/plain.ts';
import { ENGINE_SYMPTOM_ALERTS } from '../../alerts/alertmanager.ts';
import { watchSimulator } from '../../cli/watch-simulator.ts';
import { startExporter, type ExporterHandle } from '../../exporter/index.ts';
import { createLogger } from '../../exporter/log.ts';
import { startSimulator, type Simulator, type ScenarioName } from '../../simulator/index.ts';
import { startDemoProxy, type TlsEndpoint } from '../../simulator/tls-endpoint.ts';
import { startPrometheus, type PrometheusHandle } from '../../daemons/prometheus.ts';
import { startAlertmanager, startWebhookRecorder, type AlertmanagerHandle, type WebhookRecorder } from '../support/alertmanager.ts';
import { Capture } from '../support/net.ts';

/** Every alert's `for:` (and criticalFor), in the scaled config. */
export const FOR = '5s';
/**
 * DeepgramSourceDown includes absent(up{…}), true from Prometheus' start until its first scrape, which the SD manager's
 * 5 s update throttle delays by about 6.5 s: its `for:` must outlast that, as the production 2m outlasts a restart.
 */
export const SOURCE_DOWN_FOR = '15s';
/**
 * The node symptoms that a down source silences (error rate, latency, capacity) keep production's order too: their
 * `for:` (2m-15m) outlasts DeepgramSourceDown's (2m), so when a source goes down the silencing alert is there first.
 * DeepgramGPUIdleWhileServing, itself the root cause that silences the others, keeps the short FOR.
 */
export const SYMPTOM_FOR = '20s';
const SYMPTOMS: readonly string[] = ENGINE_SYMPTOM_ALERTS.filter((name) => name !== 'DeepgramGPUIdleWhileServing');
/** The look-back windows of the windowed alerts (production: 1h for rate-limit hits, 10m for GPU error counts). */
export const ALERT_WINDOW = '20s';
/**
 * The burn-rate pairs keep production's order: the fast-burn critical (1h/5m, for 2m) is judged on shorter windows
 * and a shorter `for:` than the slow-burn warning (1d/2h, for 1h), so a sudden fault pages before its warning could
 * fire, and the warning arrives inhibited.
 */
export const BURN_RATE_WINDOWS = [
  { severity: 'critical', long: '15s', short: '5s', factor: 14.4, for: '5s' },
  { severity: 'warning', long: '30s', short: '10s', factor: 3, for: '10s' },
] as const;
/** The simulator's own windows: the API's system_health over 5 s of requests, dcgm-exporter's Xid count over 10 s. */
export const SIMULATOR_WINDOWS = { health: 5, xidCount: 10 };
/** Requests per second per node: enough per 10 s window that error-burst's 8 % stays clearly above the 5 % limit. */
export const LOAD = 40;
/** The exporter's budget stays under Prometheus' 1 s scrape timeout, as production's 8 s stays under 10 s. */
const SOURCE_TIMEOUT = '700ms';
const SCRAPE_BUDGET = '800ms';

/** The defaults with time scaled down, several clusters in one Prometheus, receivers posting to `webhook`. */
export function scaledConfig(webhook: string): DgmonConfig {
  const defaults = parseConfig({});
  const alerts: Record<string, Record<string, unknown>> = {};
  for (const [name, block] of Object.entries(defaults.alerts as Record<string, Record<string, unknown>>)) {
    const scaled: Record<string, unknown> = {};
    if ('for' in block) scaled.for = name === 'DeepgramSourceDown' ? SOURCE_DOWN_FOR : SYMPTOMS.includes(name) ? SYMPTOM_FOR : FOR;
    if ('criticalFor' in block) scaled.criticalFor = FOR;
    if ('window' in block) scaled.window = ALERT_WINDOW;
    alerts[name] = scaled;
  }
  const hook = (path: string) => ({ webhook_configs: [{ url: `${webhook}/${path}`, send_resolved: true }] });
  return parseConfig({
    intervals: { evaluation: '1s', rate: '10s', scrape: '1s' },
    cluster: { multiCluster: true },
    alerts,
    slo: { burnRateWindows: BURN_RATE_WINDOWS },
    alertmanager: {
      groupWait: '1s',
      groupInterval: '2s',
      repeatInterval: '1h',
      receivers: { pager: hook('pager'), ticket: hook('ticket'), watchdog: hook('watchdog') },
    },
    exporter: { scrapeBudget: SCRAPE_BUDGET },
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
  const close = async () => {
    // Each stop is independent: one failing must not leave the others running.
    const results = await Promise.allSettled(closers.reverse().map((c) => c()));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) throw new Error(`clean-up failed: ${failed.map((f) => String(f.reason)).join('; ')}`);
  };
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
        watchSimulator(config, simulator.urls, { listen: '127.0.0.1:0', timeout: SOURCE_TIMEOUT, healthCacheTtl: '1s', demoExpiry: { tlsAddress: proxy.address }, ...(probe ? { probeInterval: '1s' } : {}) }),
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
