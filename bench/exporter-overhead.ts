// Exporter overhead, side by side in one run: the simulator (8 GPUs, healthy) and the exporter in front of it run as
// child processes; autocannon, in this process, scrapes the Engine's and dcgm-exporter's /metrics directly and then
// the exporter's, at 1, 10 and 100 concurrent scrapers. Upstream fetches are counted at the upstream (the
// simulator's GET /metrics-requests), the exporter's memory and CPU read from /proc. Then bursts of 100 scrapes fired
// at once, and the serialisation of one node's payload timed in-process.
//
// The exporter runs three ways, each scenario in a fresh process of each, the three one after another per scenario
// (so a change in the machine's load lands on all three alike): the built package with the image's Node flags (the
// heap cap of deploy/Dockerfile), the built package with Node's defaults (systemd's unit), and the sources through
// tsx as every dgmon ran before the build. Scenarios: start-up to the first served scrape; Prometheus-like load (two
// scrapers, each once a second, with the probe enabled); 1, 10 and 100 concurrent scrapers.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { openScrapers } from './burst.ts';
import { startDgmon, type Child, type Entry } from './child.ts';
import { runLoad, warmUp, type LoadFigures } from './load.ts';
import { procUsage, type ProcUsage } from './proc.ts';
import type { BenchResult, Target } from './result.ts';
import { scrapeEvery, type ScheduledFigures } from './scrape-every.ts';
import { timeSerialiseApart, type SerialiseFigures } from './serialise.ts';
import type { MetricsRequests } from '../simulator/index.ts';

/** Measured seconds per phase; DGMON_BENCH_SECONDS=3 for a quick development run. */
const SECONDS = Number(process.env.DGMON_BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Math.max(1, Math.round(SECONDS / 5));
/** When set, the exporter runs under `node --cpu-prof` and writes its profile into this directory on exit. */
const PROFILE_DIR = process.env.DGMON_BENCH_PROFILE;
const CONCURRENCY = [1, 10, 100] as const;
const GPUS = 8;
const BURST_SIZE = 100;
const BURSTS = 10;
const SERIALISE_ITERATIONS = 2000;
/** The targets. */
const P99_FACTOR = 1.1;
/** Peak RSS under Prometheus-like load, and under 100 concurrent scrapers. */
const RSS_LIMIT_PROMETHEUS_BYTES = 80e6;
const RSS_LIMIT_CONCURRENT_BYTES = 120e6;
/** Prometheus-like load: scrapers, each once per interval, for this long (DGMON_BENCH_PROMETHEUS_SECONDS to shorten). */
const PROMETHEUS_SCRAPERS = 2;
const PROMETHEUS_INTERVAL_MS = 1000;
const PROMETHEUS_SECONDS = Number(process.env.DGMON_BENCH_PROMETHEUS_SECONDS ?? 60);
/** The probe in the Prometheus-like run: four times as often as its 1m default, so a 60 s run sees each mode four times. */
const PROBE_INTERVAL = '15s';
/** Fresh processes timed from spawn to their first served scrape, per way of running. */
const STARTS = 5;
/** p50 and p99 at 1 and 10 scrapers, built against tsx: no worse, with the same slack as the upstream comparison
 * (the machine is shared, so two runs of the same code differ by a few per cent). */
const NO_WORSE_FACTOR = 1.1;
const SERIALISE_LIMIT_MS = 2;
/** A burst is one collection when every request reaches the exporter while it is in flight; on a busy machine the load
 * generator is now and then descheduled mid-burst and the last requests start a second one. */
const BURST_MEAN_LIMIT = 1.1;
const BURST_WORST_LIMIT = 2;
/** Sustained coalescing: with c closed-loop scrapers, perfect coalescing serves all c from one fetch of each
 * upstream (1/c per scrape); up to twice that counts as coalescing working. */
const SUSTAINED_SLACK = 2;
/** Lets in-flight collections end (and be counted) between a load run and the counters being read. */
const SETTLE_MS = 300;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The Node flags the image sets (ENV NODE_OPTIONS in deploy/Dockerfile), so the benchmark runs what the image runs. */
export function imageNodeFlags(dockerfile = readFileSync(path.join(root, 'deploy/Dockerfile'), 'utf8')): string[] {
  const match = /^ENV NODE_OPTIONS="([^"]*)"$/m.exec(dockerfile);
  if (!match) throw new Error('deploy/Dockerfile: no ENV NODE_OPTIONS="…" line');
  return match[1]!.split(/\s+/).filter(Boolean);
}

interface Way {
  name: 'image' | 'built' | 'tsx';
  what: string;
  entry: Entry;
  nodeArgs: string[];
}

function ways(): Way[] {
  const flags = imageNodeFlags();
  return [
    { name: 'image', what: `built, ${flags.join(' ')}`, entry: 'built', nodeArgs: flags },
    { name: 'built', what: 'built, Node defaults', entry: 'built', nodeArgs: [] },
    { name: 'tsx', what: 'sources through tsx (before)', entry: 'tsx', nodeArgs: [] },
  ];
}

type Upstream = keyof MetricsRequests;
const UPSTREAMS: Upstream[] = ['engine', 'dcgm'];
type Scraped = Upstream | 'exporter';

interface Phase {
  target: Scraped;
  load: LoadFigures;
  /** /metrics requests each upstream received during the measured run, and per request the load sent. */
  upstreamFetches: MetricsRequests;
  fetchesPerScrape: Record<Upstream, number>;
  exporter: { rssBytesAfter: number; cpuSeconds: number; cpuMsPerScrape: number };
  simulatorCpuMsPerFetch: number;
}

interface StartUp {
  /** From spawning node to the first 200 answer on /metrics, per start. */
  msToFirstScrape: number[];
  medianMs: number;
  /** RSS right after the first scrape, per start. */
  rssBytesAfterFirstScrape: number[];
}

interface PrometheusLike extends ScheduledFigures {
  peakRssBytes: number;
  rssBytesAtEnd: number;
  cpuSeconds: number;
  probeRuns: number;
}

interface Concurrent {
  phases: Phase[];
  /** VmHWM after the 1, 10 and 100 scraper phases (the process served nothing else). */
  peakRssBytes: number;
  rssBytesAtStart: number;
}

interface WayFigures {
  what: string;
  nodeArgs: string[];
  startUp: StartUp;
  prometheusLike: PrometheusLike;
  concurrent: Concurrent;
}

interface Burst {
  statuses: Record<string, number>;
  /** How long this process took to write the burst's requests. */
  writeMs: number;
  fetches: MetricsRequests;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const ms = (x: number) => `${x.toFixed(2)} ms`;

function urlOf(output: string, label: string): string {
  const match = new RegExp(`^\\s+${label}\\s+(http://[^/\\s]+)`, 'm').exec(output);
  if (!match) throw new Error(`simulator: no ${label} URL in its output:\n${output}`);
  return match[1]!;
}

async function startSimulatorChild(): Promise<{ child: Child; urls: Record<'engine' | 'api' | 'licenseProxy' | 'dcgm' | 'control', string> }> {
  const ports = ['--engine-port', '--api-port', '--license-proxy-port', '--dcgm-port', '--control-port'].flatMap((flag) => [flag, '0']);
  const child = await startDgmon('simulator', ['simulate', '--gpus', String(GPUS), '--scenario', 'healthy', '--host', '127.0.0.1', ...ports], /^\s+control\s+http:\/\//m);
  const out = child.output();
  return {
    child,
    urls: { engine: urlOf(out, 'engine'), api: urlOf(out, 'api'), licenseProxy: urlOf(out, 'license proxy'), dcgm: urlOf(out, 'dcgm'), control: urlOf(out, 'control') },
  };
}

async function fetchCounts(controlUrl: string): Promise<MetricsRequests> {
  const response = await fetch(`${controlUrl}/metrics-requests`, { signal: AbortSignal.timeout(10_000) });
  if (response.status !== 200) throw new Error(`simulator /metrics-requests answered ${response.status}`);
  return (await response.json()) as MetricsRequests;
}

async function text(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return response.text();
}


/** A port free on 127.0.0.1 now, so a start-up can be timed by polling it before the exporter prints its address. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const READY = /exporter on http:\/\/\S+ /;

type SimUrls = Awaited<ReturnType<typeof startSimulatorChild>>['urls'];

function exporterArgs(sim: SimUrls, listen: string, config?: string): string[] {
  return [
    'exporter',
    ...(config ? ['--config', config] : []),
    '--listen',
    listen,
    '--engine-url',
    `${sim.engine}/metrics`,
    '--dcgm-url',
    `${sim.dcgm}/metrics`,
    '--api-url',
    sim.api,
    '--license-proxy-url',
    sim.licenseProxy,
  ];
}

/** Spawns the exporter and GETs /metrics on its port every 5 ms from the same instant until one answers 200. */
async function timeStart(way: Way, sim: SimUrls): Promise<{ ms: number; rssBytes: number }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/metrics`;
  const spawned = performance.now();
  const started = startDgmon(`exporter (${way.name})`, exporterArgs(sim, `127.0.0.1:${port}`), READY, way.nodeArgs, way.entry);
  let child: Child | undefined;
  try {
    let ms: number | undefined;
    while (ms === undefined) {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
        await response.arrayBuffer();
        if (response.status === 200) ms = performance.now() - spawned;
      } catch {
        // not listening yet
      }
      if (ms === undefined) await sleep(5);
      if (performance.now() - spawned > 30_000) throw new Error(`exporter (${way.name}): no scrape served within 30 s`);
    }
    child = await started;
    return { ms: Math.round(ms * 10) / 10, rssBytes: procUsage(child.pid).rssBytes };
  } finally {
    await (child ?? (await started.catch(() => undefined)))?.close();
  }
}

async function startUp(way: Way, sim: SimUrls): Promise<StartUp> {
  const runs: { ms: number; rssBytes: number }[] = [];
  for (let i = 0; i < STARTS; i++) runs.push(await timeStart(way, sim));
  const msToFirstScrape = runs.map((r) => r.ms);
  return { msToFirstScrape, medianMs: median(msToFirstScrape), rssBytesAfterFirstScrape: runs.map((r) => r.rssBytes) };
}

async function prometheusLike(way: Way, sim: SimUrls, configDir: string): Promise<PrometheusLike> {
  const config = path.join(configDir, 'probe.yaml');
  writeFileSync(config, `exporter:\n  probe: { enabled: true, interval: ${PROBE_INTERVAL} }\n`);
  const child = await startDgmon(`exporter (${way.name})`, exporterArgs(sim, '127.0.0.1:0', config), READY, way.nodeArgs, way.entry);
  try {
    const url = `${READY.exec(child.output())![0].slice('exporter on '.length).trim()}/metrics`;
    const figures = await scrapeEvery(url, PROMETHEUS_SCRAPERS, PROMETHEUS_INTERVAL_MS, PROMETHEUS_SECONDS);
    const metrics = await text(url);
    const usage = procUsage(child.pid);
    // Probe runs that ended within the run, batch and stream, from the exporter's own counter.
    const probeRuns = [...metrics.matchAll(/^dgmon_probe_runs_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    return { ...figures, peakRssBytes: usage.peakRssBytes, rssBytesAtEnd: usage.rssBytes, cpuSeconds: usage.cpuSeconds, probeRuns };
  } finally {
    await child.close();
  }
}

/** One measured load phase against `url`, with the upstream fetches it caused and the exporter's CPU over it. */
async function phase(target: Scraped, url: string, connections: number, controlUrl: string, exporterPid: number | undefined, simPid: number): Promise<Phase> {
  console.log(`  ${target} /metrics, ${connections} concurrent, ${SECONDS} s …`);
  await warmUp(url, connections, WARMUP_SECONDS);
  await sleep(SETTLE_MS);
  const zero: ProcUsage = { rssBytes: 0, peakRssBytes: 0, cpuSeconds: 0 };
  const before = { counts: await fetchCounts(controlUrl), exporter: exporterPid ? procUsage(exporterPid) : zero, sim: procUsage(simPid) };
  const load = await runLoad(url, connections, SECONDS);
  await sleep(SETTLE_MS);
  const after = { counts: await fetchCounts(controlUrl), exporter: exporterPid ? procUsage(exporterPid) : zero, sim: procUsage(simPid) };
  const fetches = { engine: after.counts.engine - before.counts.engine, dcgm: after.counts.dcgm - before.counts.dcgm };
  const cpu = after.exporter.cpuSeconds - before.exporter.cpuSeconds;
  const perScrape = (n: number) => (load.requests > 0 ? n / load.requests : NaN);
  return {
    target,
    load,
    upstreamFetches: fetches,
    fetchesPerScrape: { engine: perScrape(fetches.engine), dcgm: perScrape(fetches.dcgm) },
    exporter: { rssBytesAfter: after.exporter.rssBytes, cpuSeconds: cpu, cpuMsPerScrape: target === 'exporter' ? perScrape(cpu * 1000) : 0 },
    simulatorCpuMsPerFetch: ((after.sim.cpuSeconds - before.sim.cpuSeconds) * 1000) / Math.max(1, fetches.engine + fetches.dcgm),
  };
}

async function bursts(url: string, controlUrl: string): Promise<Burst[]> {
  console.log(`  ${BURSTS} bursts of ${BURST_SIZE} scrapes at once …`);
  const out: Burst[] = [];
  const scrapers = await openScrapers(url, BURST_SIZE);
  try {
    for (let i = 0; i < BURSTS; i++) {
      await sleep(SETTLE_MS);
      const before = await fetchCounts(controlUrl);
      const { statuses, writeMs } = await scrapers.fire();
      await sleep(SETTLE_MS);
      const after = await fetchCounts(controlUrl);
      const byStatus: Record<string, number> = {};
      for (const s of statuses) byStatus[s] = (byStatus[s] ?? 0) + 1;
      out.push({ statuses: byStatus, writeMs: Math.round(writeMs * 1000) / 1000, fetches: { engine: after.engine - before.engine, dcgm: after.dcgm - before.dcgm } });
    }
  } finally {
    scrapers.close();
  }
  return out;
}

export async function run(): Promise<BenchResult> {
  if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
  const loadAtStart = os.loadavg();
  const configDir = mkdtempSync(path.join(process.env.DGMON_TMP ?? os.tmpdir(), 'dgmon-bench-exporter-'));
  const children: Child[] = [];
  try {
    const sim = await startSimulatorChild();
    children.push(sim.child);
    const upstreamUrls: Record<Upstream, string> = { engine: `${sim.urls.engine}/metrics`, dcgm: `${sim.urls.dcgm}/metrics` };

    const upstreamPhases: Phase[] = [];
    for (const connections of CONCURRENCY) {
      for (const u of UPSTREAMS) upstreamPhases.push(await phase(u, upstreamUrls[u], connections, sim.urls.control, undefined, sim.child.pid));
    }

    const all = ways();
    const figures = {} as Record<Way['name'], WayFigures>;
    for (const way of all) figures[way.name] = { what: way.what, nodeArgs: way.nodeArgs } as WayFigures;

    for (const way of all) {
      console.log(`  ${way.name}: ${STARTS} starts to the first served scrape …`);
      figures[way.name].startUp = await startUp(way, sim.urls);
    }
    for (const way of all) {
      console.log(`  ${way.name}: ${PROMETHEUS_SCRAPERS} scrapers every ${PROMETHEUS_INTERVAL_MS} ms for ${PROMETHEUS_SECONDS} s, probe every ${PROBE_INTERVAL} …`);
      figures[way.name].prometheusLike = await prometheusLike(way, sim.urls, configDir);
    }

    let burstFigures: Burst[] = [];
    let endUsage: ProcUsage | undefined;
    for (const way of all) {
      const profiled = PROFILE_DIR && way.name === 'image' ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(PROFILE_DIR)}`] : [];
      const child = await startDgmon(`exporter (${way.name})`, exporterArgs(sim.urls, '127.0.0.1:0'), READY, [...way.nodeArgs, ...profiled], way.entry);
      try {
        const url = `${READY.exec(child.output())![0].slice('exporter on '.length).trim()}/metrics`;
        const rssBytesAtStart = procUsage(child.pid).rssBytes;
        const phases: Phase[] = [];
        console.log(`  ${way.name}:`);
        for (const connections of CONCURRENCY) phases.push(await phase('exporter', url, connections, sim.urls.control, child.pid, sim.child.pid));
        figures[way.name].concurrent = { phases, peakRssBytes: procUsage(child.pid).peakRssBytes, rssBytesAtStart };
        // Bursts and the whole-run usage on what the image runs only.
        if (way.name === 'image') {
          burstFigures = await bursts(url, sim.urls.control);
          endUsage = procUsage(child.pid);
        }
      } finally {
        await child.close();
      }
    }

    console.log(`  serialising one ${GPUS}-GPU node's payload, ${SERIALISE_ITERATIONS} times …`);
    const serialise = await timeSerialiseApart(await Promise.all([text(upstreamUrls.engine), text(upstreamUrls.dcgm)]), SERIALISE_ITERATIONS);

    return result(upstreamPhases, figures, burstFigures, endUsage!, serialise, { atStart: loadAtStart, atEnd: os.loadavg() });
  } finally {
    for (const child of children.reverse()) await child.close();
    rmSync(configDir, { recursive: true, force: true });
  }
}

function result(
  upstreamPhases: Phase[],
  byWay: Record<Way['name'], WayFigures>,
  bursts: Burst[],
  endUsage: ProcUsage,
  serialise: SerialiseFigures,
  loadAverage: { atStart: number[]; atEnd: number[] },
): BenchResult {
  const upstream = (u: Upstream, c: number) => upstreamPhases.find((p) => p.target === u && p.load.connections === c)!;
  const exporter = (way: Way['name'], c: number) => byWay[way].concurrent.phases.find((p) => p.load.connections === c)!;
  const side = (f: (w: Way['name']) => string) => `image ${f('image')}; built ${f('built')}; tsx ${f('tsx')}`;
  const targets: Target[] = [];
  for (const c of CONCURRENCY) {
    const slowest = Math.max(...UPSTREAMS.map((u) => upstream(u, c).load.p99Ms));
    const shipped = exporter('image', c);
    const via = shipped.load.p99Ms;
    targets.push({
      what: `p99 scrape latency through the exporter, ${c} concurrent scraper${c > 1 ? 's' : ''}`,
      target: `≤ ${P99_FACTOR} × the slowest direct upstream's p99 (${ms(slowest)})`,
      measured: `${ms(via)} (${(via / slowest).toFixed(2)} ×); p50 ${ms(shipped.load.p50Ms)}, ${Math.round(shipped.load.requestsPerSecond)} scrapes/s, ${ms(shipped.exporter.cpuMsPerScrape)} CPU each`,
      met: via <= P99_FACTOR * slowest,
    });
  }
  for (const c of [1, 10]) {
    const built = exporter('image', c).load;
    const before = exporter('tsx', c).load;
    targets.push({
      what: `p50 and p99 at ${c} concurrent scraper${c > 1 ? 's' : ''}, built (image) against tsx (before), same run`,
      target: `no worse: each ≤ ${NO_WORSE_FACTOR} × tsx's`,
      measured: `p50 ${ms(built.p50Ms)} vs ${ms(before.p50Ms)}, p99 ${ms(built.p99Ms)} vs ${ms(before.p99Ms)} (built, Node defaults: p50 ${ms(exporter('built', c).load.p50Ms)}, p99 ${ms(exporter('built', c).load.p99Ms)})`,
      met: built.p50Ms <= NO_WORSE_FACTOR * before.p50Ms && built.p99Ms <= NO_WORSE_FACTOR * before.p99Ms,
    });
  }
  const worst: MetricsRequests = { engine: Math.max(...bursts.map((b) => b.fetches.engine)), dcgm: Math.max(...bursts.map((b) => b.fetches.dcgm)) };
  const mean = (u: Upstream) => bursts.reduce((n, b) => n + b.fetches[u], 0) / bursts.length;
  targets.push({
    what: `Upstream fetches per burst of ${BURST_SIZE} scrapes at once (${BURSTS} bursts)`,
    target: `about 1 of each upstream: mean ≤ ${BURST_MEAN_LIMIT}, none > ${BURST_WORST_LIMIT}`,
    measured: UPSTREAMS.map((u) => `${u} mean ${mean(u).toFixed(1)}, worst ${worst[u]}`).join('; '),
    met: UPSTREAMS.every((u) => mean(u) <= BURST_MEAN_LIMIT && worst[u] <= BURST_WORST_LIMIT),
  });
  const sustained = exporter('image', 100);
  const limit = SUSTAINED_SLACK / 100;
  targets.push({
    what: `Upstream fetches per scrape, 100 concurrent scrapers for ${SECONDS} s`,
    target: `≤ ${limit} of each upstream (perfect coalescing: 1/100)`,
    measured: UPSTREAMS.map((u) => `${u} ${sustained.fetchesPerScrape[u].toFixed(4)}`).join(', ') + ` (${sustained.load.requests} scrapes)`,
    met: UPSTREAMS.every((u) => sustained.fetchesPerScrape[u] <= limit),
  });
  targets.push({
    what: `Exporter peak RSS (VmHWM), Prometheus-like: ${PROMETHEUS_SCRAPERS} scrapers each every ${PROMETHEUS_INTERVAL_MS / 1000} s for ${PROMETHEUS_SECONDS} s, probe on (every ${PROBE_INTERVAL})`,
    target: `≤ ${RSS_LIMIT_PROMETHEUS_BYTES / 1e6} MB (image)`,
    measured: side((w) => mb(byWay[w].prometheusLike.peakRssBytes)),
    met: byWay.image.prometheusLike.peakRssBytes <= RSS_LIMIT_PROMETHEUS_BYTES,
  });
  targets.push({
    what: `Exporter peak RSS (VmHWM), 1, 10 then 100 concurrent scrapers (${SECONDS} s each)`,
    target: `≤ ${RSS_LIMIT_CONCURRENT_BYTES / 1e6} MB (image)`,
    measured: side((w) => mb(byWay[w].concurrent.peakRssBytes)),
    met: byWay.image.concurrent.peakRssBytes <= RSS_LIMIT_CONCURRENT_BYTES,
  });
  targets.push({
    what: `Start-up to the first served scrape (spawn to first 200 on /metrics, median of ${STARTS})`,
    target: "≤ tsx's (before)",
    measured: side((w) => `${byWay[w].startUp.medianMs.toFixed(0)} ms (RSS ${mb(median(byWay[w].startUp.rssBytesAfterFirstScrape))})`),
    met: byWay.image.startUp.medianMs <= byWay.tsx.startUp.medianMs,
  });
  targets.push({
    what: `Serialising one ${GPUS}-GPU node's payload (${serialise.series} series, ${Math.round(serialise.servedBytes / 1000)} kB)`,
    target: `p99 ≤ ${SERIALISE_LIMIT_MS} ms per call`,
    measured: `p99 ${ms(serialise.serialise.p99Ms)}, median ${ms(serialise.serialise.medianMs)}`,
    met: serialise.serialise.p99Ms <= SERIALISE_LIMIT_MS,
  });
  const phases = [...upstreamPhases, ...Object.values(byWay).flatMap((w) => w.concurrent.phases)];
  const failures =
    phases.reduce((n, p) => n + p.load.errors + p.load.timeouts + p.load.non2xx, 0) +
    Object.values(byWay).reduce((n, w) => n + w.prometheusLike.failed, 0) +
    bursts.reduce((n, b) => n + Object.entries(b.statuses).reduce((m, [status, count]) => m + (status === '200' ? 0 : count), 0), 0);
  targets.push({
    what: 'Errors, timeouts and non-2xx answers, every phase, scrape and burst',
    target: '0',
    measured: String(failures),
    met: failures === 0,
  });
  return {
    name: 'exporter',
    title: `Exporter overhead, built (image flags and Node defaults) and tsx side by side (simulated ${GPUS}-GPU node; simulator, exporter and load generator in separate processes; ${SECONDS} s per phase)`,
    targets,
    figures: {
      secondsPerPhase: SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      gpus: GPUS,
      loadAverage,
      upstreamPhases,
      ways: byWay,
      image: { wholeRun: { peakRssBytes: endUsage.peakRssBytes, rssBytesAtEnd: endUsage.rssBytes, cpuSecondsTotal: endUsage.cpuSeconds } },
      bursts,
      serialise,
    },
  };
}
