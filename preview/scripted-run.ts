// Data for the pictures when there is no Prometheus to read: a short scripted run of real parts on 127.0.0.1. Three
// simulated Deepgram nodes, each behind its own dgmon exporter (the stand-in TLS proxy and two demo keys watched, the
// synthetic probe on one node), scraped by a real Prometheus that evaluates the generated rules, with time scaled
// down (simulator/time-scaled.ts) so a minute shows what production shows in an hour. Healthy traffic first, then two
// faults at once on two nodes (the third stays healthy for comparison), so the dashboards show an incident.
import { setTimeout as sleep } from 'node:timers/promises';
import type { DgmonConfig } from '../core/config.ts';
import { durationSeconds } from '../core/duration.ts';
import { plainBundle, OUTPUT_PATHS } from '../outputs/plain.ts';
import { timeScaledConfig, EXPORTER_TIMING, LOAD, SIMULATOR_WINDOWS } from '../simulator/time-scaled.ts';
import { watchSimulator } from '../simulator/watch-simulator.ts';
import { startExporter } from '../exporter/index.ts';
import { createLogger } from '../exporter/log.ts';
import { startSimulator, type ScenarioName } from '../simulator/index.ts';
import { startDemoProxy } from '../simulator/tls-endpoint.ts';
import { prometheusClient, startPrometheus, type PrometheusQueries } from '../daemons/prometheus.ts';
import type { Annotation } from './visuals.ts';

export interface ScriptTiming {
  /** Healthy traffic shown before the faults (after one rate window of warm-up, which the pictures leave out). */
  healthySeconds: number;
  /** How long the faults run before the pictures are taken. */
  faultSeconds: number;
}

/** About 2½ minutes in all: long enough for every scaled alert (`for:` up to 20 s) to fire during the fault. */
export const DEFAULT_SCRIPT: ScriptTiming = { healthySeconds: 60, faultSeconds: 60 };

/**
 * The nodes and their faults: api-degraded lights the error, SLO, health and probe panels (the probe runs on that
 * node), gpu-saturated the GPU, streaming-latency and capacity panels. Each node is named by its `instance` label
 * (as in a real fleet), not by its 127.0.0.1 port, so that the node label the rules derive from it reads well.
 */
export const SCRIPT_NODES: readonly { name: string; fault?: ScenarioName; probe?: boolean }[] = [
  { name: 'engine-1' },
  { name: 'engine-2', fault: 'api-degraded', probe: true },
  { name: 'engine-3', fault: 'gpu-saturated' },
];

export interface ScriptedRun {
  config: DgmonConfig;
  prometheus: PrometheusQueries;
  /** Unix seconds: the pictures' time range. */
  start: number;
  end: number;
  annotations: Annotation[];
  /** One line for the pictures' header. */
  source: string;
  close(): Promise<void>;
}

export interface ScriptOptions {
  timing?: ScriptTiming;
  /** Aborts the waits (Ctrl-C); whatever started is stopped by close(), which the caller always calls. */
  signal?: AbortSignal;
  log?: (line: string) => void;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

async function until(unixSeconds: number, signal?: AbortSignal): Promise<void> {
  const ms = unixSeconds * 1000 - Date.now();
  if (ms > 0) await sleep(ms, undefined, { signal });
}

/**
 * Starts the parts and plays the script; resolves when the faults have run their time. On failure everything
 * started is stopped before the error is thrown; on success the caller closes the run after reading it.
 */
export async function scriptedRun(options: ScriptOptions = {}): Promise<ScriptedRun> {
  const timing = options.timing ?? DEFAULT_SCRIPT;
  const log = options.log ?? (() => undefined);
  const signal = options.signal;
  const closers: (() => Promise<unknown>)[] = [];
  // One after the other, last started first: an exporter stops its probe's calls before its simulator goes away
  // (stopped together, a live stream cut by the simulator would hold the process open for the socket's timeout).
  // Each stop is independent: one failing does not leave the others running.
  const close = async () => {
    const failed: string[] = [];
    for (const stop of closers.splice(0).reverse()) await stop().catch((err: unknown) => failed.push(String(err)));
    if (failed.length > 0) throw new Error(`stopping the scripted run failed: ${failed.join('; ')}`);
  };
  try {
    const config = timeScaledConfig();
    // Without openssl the run goes on, without a certificate to watch (the TLS panel then says "No data").
    const proxy = await startDemoProxy().catch((err: Error) => {
      log(`no TLS proxy stand-in (${err.message.split('\n')[0]}); the certificate panel will be empty`);
      return undefined;
    });
    if (proxy) closers.push(() => proxy.close());
    const nodes = [];
    for (const node of SCRIPT_NODES) {
      signal?.throwIfAborted();
      const simulator = await startSimulator({ scenario: 'healthy', load: LOAD, hostname: node.name, windows: SIMULATOR_WINDOWS });
      closers.push(() => simulator.close());
      const exporter = await startExporter(
        watchSimulator(config, simulator.urls, { listen: '127.0.0.1:0', ...EXPORTER_TIMING, demoExpiry: { tlsAddress: proxy?.address }, ...(node.probe ? { probeInterval: '1s' } : {}) }),
        { log: createLogger({ level: 'silent' }), secrets: {} },
      );
      closers.push(() => exporter.close());
      nodes.push({ ...node, simulator, exporter });
    }
    const files = plainBundle(config);
    const prometheus = await startPrometheus({
      scrape: nodes.map((n) => ({ job: 'dgmon', targets: [n.exporter.url.replace(/^https?:\/\//, '')], labels: { instance: `${n.name}:9898` } })),
      ruleFiles: [
        { name: 'rules.yml', content: files.get(OUTPUT_PATHS.recordingRules)! },
        { name: 'alerts.yml', content: files.get(OUTPUT_PATHS.alertingRules)! },
      ],
    });
    closers.push(() => prometheus.close());
    log(`scripted run: ${nodes.length} simulated nodes, exporters and Prometheus ${prometheus.url} started; waiting for the first scrapes`);
    await prometheus.waitForTargets(nodes.length, 30_000);

    // The first rate window is ragged (too few samples); the pictures start after it.
    const start = nowSeconds() + durationSeconds(config.intervals.rate);
    const faultAt = start + timing.healthySeconds;
    log(`scripted run: healthy traffic for ${faultAt - nowSeconds()} s`);
    await until(faultAt, signal);
    const faulty = nodes.filter((n) => n.fault);
    for (const n of faulty) n.simulator.setScenario(n.fault!);
    await Promise.all(faulty.map((n) => n.simulator.settled()));
    const what = faulty.map((n) => `${n.name} → ${n.fault}`).join(', ');
    log(`scripted run: ${what} for ${timing.faultSeconds} s`);
    await until(faultAt + timing.faultSeconds, signal);
    const end = nowSeconds();

    const scaled = `${config.intervals.scrape} scrapes, ${config.intervals.rate} rate windows`;
    return {
      config,
      prometheus: prometheusClient(prometheus.url),
      start,
      end,
      annotations: [{ time: faultAt, text: `fault: ${what}` }],
      source: `scripted run: ${nodes.length} simulated nodes behind the dgmon exporter, a real Prometheus with the generated rules, time scaled down (${scaled})`,
      close,
    };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}
