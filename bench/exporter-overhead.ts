// Exporter overhead, side by side in one run: the simulator (8 GPUs, healthy) and the exporter in front of it run as
// child processes; autocannon, in this process, scrapes the Engine's and dcgm-exporter's /metrics directly and then
// the exporter's, at 1, 10 and 100 concurrent scrapers. Upstream fetches are counted at the upstream (the
// simulator's GET /metrics-requests), the exporter's memory and CPU read from /proc. Then bursts of 100 scrapes fired
// at once, and the serialisation of one node's payload timed in-process.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { openScrapers } from './burst.ts';
import { startDgmon, type Child } from './child.ts';
import { runLoad, warmUp, type LoadFigures } from './load.ts';
import { procUsage, type ProcUsage } from './proc.ts';
import type { BenchResult, Target } from './result.ts';
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
const RSS_LIMIT_BYTES = 80e6;
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

export async function run(): Promise<BenchResult> {
  if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
  const children: Child[] = [];
  try {
    const sim = await startSimulatorChild();
    children.push(sim.child);
    const exporterChild = await startDgmon(
      'exporter',
      ['exporter', '--listen', '127.0.0.1:0', '--engine-url', `${sim.urls.engine}/metrics`, '--dcgm-url', `${sim.urls.dcgm}/metrics`, '--api-url', sim.urls.api, '--license-proxy-url', sim.urls.licenseProxy],
      /exporter on http:\/\/\S+ /,
      PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(PROFILE_DIR)}`] : [],
    );
    children.push(exporterChild);
    const exporterUrl = /exporter on (http:\/\/\S+) /.exec(exporterChild.output())![1]!;
    const urls: Record<Scraped, string> = { engine: `${sim.urls.engine}/metrics`, dcgm: `${sim.urls.dcgm}/metrics`, exporter: `${exporterUrl}/metrics` };
    const startUsage = procUsage(exporterChild.pid);

    const phases: Phase[] = [];
    for (const connections of CONCURRENCY) {
      for (const target of ['engine', 'dcgm', 'exporter'] as const) {
        console.log(`  ${target} /metrics, ${connections} concurrent, ${SECONDS} s …`);
        await warmUp(urls[target], connections, WARMUP_SECONDS);
        await sleep(SETTLE_MS);
        const before = { counts: await fetchCounts(sim.urls.control), exporter: procUsage(exporterChild.pid), sim: procUsage(sim.child.pid) };
        const load = await runLoad(urls[target], connections, SECONDS);
        await sleep(SETTLE_MS);
        const after = { counts: await fetchCounts(sim.urls.control), exporter: procUsage(exporterChild.pid), sim: procUsage(sim.child.pid) };
        const fetches = { engine: after.counts.engine - before.counts.engine, dcgm: after.counts.dcgm - before.counts.dcgm };
        const cpu = after.exporter.cpuSeconds - before.exporter.cpuSeconds;
        const perScrape = (n: number) => (load.requests > 0 ? n / load.requests : NaN);
        phases.push({
          target,
          load,
          upstreamFetches: fetches,
          fetchesPerScrape: { engine: perScrape(fetches.engine), dcgm: perScrape(fetches.dcgm) },
          exporter: { rssBytesAfter: after.exporter.rssBytes, cpuSeconds: cpu, cpuMsPerScrape: target === 'exporter' ? perScrape(cpu * 1000) : 0 },
          simulatorCpuMsPerFetch: ((after.sim.cpuSeconds - before.sim.cpuSeconds) * 1000) / Math.max(1, fetches.engine + fetches.dcgm),
        });
      }
    }

    console.log(`  ${BURSTS} bursts of ${BURST_SIZE} scrapes at once …`);
    const bursts: Burst[] = [];
    const scrapers = await openScrapers(urls.exporter, BURST_SIZE);
    try {
      for (let i = 0; i < BURSTS; i++) {
        await sleep(SETTLE_MS);
        const before = await fetchCounts(sim.urls.control);
        const { statuses, writeMs } = await scrapers.fire();
        await sleep(SETTLE_MS);
        const after = await fetchCounts(sim.urls.control);
        const byStatus: Record<string, number> = {};
        for (const s of statuses) byStatus[s] = (byStatus[s] ?? 0) + 1;
        bursts.push({ statuses: byStatus, writeMs: Math.round(writeMs * 1000) / 1000, fetches: { engine: after.engine - before.engine, dcgm: after.dcgm - before.dcgm } });
      }
    } finally {
      scrapers.close();
    }
    const endUsage: ProcUsage = procUsage(exporterChild.pid);

    console.log(`  serialising one ${GPUS}-GPU node's payload, ${SERIALISE_ITERATIONS} times …`);
    const serialise = await timeSerialiseApart(await Promise.all([text(urls.engine), text(urls.dcgm)]), SERIALISE_ITERATIONS);

    return result(phases, bursts, startUsage, endUsage, serialise);
  } finally {
    // The exporter first, so a profile it writes on the way out sees no failing upstream.
    for (const child of children.reverse()) await child.close();
  }
}

function result(
  phases: Phase[],
  bursts: Burst[],
  startUsage: ProcUsage,
  endUsage: ProcUsage,
  serialise: SerialiseFigures,
): BenchResult {
  const phase = (target: Scraped, c: number) => phases.find((p) => p.target === target && p.load.connections === c)!;
  const targets: Target[] = [];
  for (const c of CONCURRENCY) {
    const slowest = Math.max(...UPSTREAMS.map((u) => phase(u, c).load.p99Ms));
    const exporter = phase('exporter', c);
    const via = exporter.load.p99Ms;
    targets.push({
      what: `p99 scrape latency through the exporter, ${c} concurrent scraper${c > 1 ? 's' : ''}`,
      target: `≤ ${P99_FACTOR} × the slowest direct upstream's p99 (${ms(slowest)})`,
      measured: `${ms(via)} (${(via / slowest).toFixed(2)} ×); p50 ${ms(exporter.load.p50Ms)}, ${Math.round(exporter.load.requestsPerSecond)} scrapes/s, ${ms(exporter.exporter.cpuMsPerScrape)} CPU each`,
      met: via <= P99_FACTOR * slowest,
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
  const sustained = phase('exporter', 100);
  const limit = SUSTAINED_SLACK / 100;
  targets.push({
    what: `Upstream fetches per scrape, 100 concurrent scrapers for ${SECONDS} s`,
    target: `≤ ${limit} of each upstream (perfect coalescing: 1/100)`,
    measured: UPSTREAMS.map((u) => `${u} ${sustained.fetchesPerScrape[u].toFixed(4)}`).join(', ') + ` (${sustained.load.requests} scrapes)`,
    met: UPSTREAMS.every((u) => sustained.fetchesPerScrape[u] <= limit),
  });
  targets.push({
    what: 'Exporter peak RSS (VmHWM, whole run)',
    target: `≤ ${RSS_LIMIT_BYTES / 1e6} MB`,
    measured: mb(endUsage.peakRssBytes),
    met: endUsage.peakRssBytes <= RSS_LIMIT_BYTES,
  });
  targets.push({
    what: `Serialising one ${GPUS}-GPU node's payload (${serialise.series} series, ${Math.round(serialise.servedBytes / 1000)} kB)`,
    target: `p99 ≤ ${SERIALISE_LIMIT_MS} ms per call`,
    measured: `p99 ${ms(serialise.serialise.p99Ms)}, median ${ms(serialise.serialise.medianMs)}`,
    met: serialise.serialise.p99Ms <= SERIALISE_LIMIT_MS,
  });
  const failures =
    phases.reduce((n, p) => n + p.load.errors + p.load.timeouts + p.load.non2xx, 0) +
    bursts.reduce((n, b) => n + Object.entries(b.statuses).reduce((m, [status, count]) => m + (status === '200' ? 0 : count), 0), 0);
  targets.push({
    what: 'Errors, timeouts and non-2xx answers, every phase and burst',
    target: '0',
    measured: String(failures),
    met: failures === 0,
  });
  return {
    name: 'exporter',
    title: `Exporter overhead (simulated ${GPUS}-GPU node; simulator, exporter and load generator in separate processes; ${SECONDS} s per phase)`,
    targets,
    figures: {
      secondsPerPhase: SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      gpus: GPUS,
      exporter: { rssBytesAtStart: startUsage.rssBytes, rssBytesAtEnd: endUsage.rssBytes, peakRssBytes: endUsage.peakRssBytes, cpuSecondsTotal: endUsage.cpuSeconds },
      phases,
      bursts,
      serialise,
    },
  };
}
