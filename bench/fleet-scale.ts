// Fleet scale: what the generated rules and dashboards cost a real Prometheus, and VictoriaMetrics with vmalert, holding
// 100, 300, 1000 and 3000 Engine nodes.
//
// For each fleet size: the synthetic fleet (bench/fleet/synthetic.ts: the simulator's Engine, dcgm-exporter and
// exporter series for every node) is written as OpenMetrics and backfilled with promtool over the dashboard window
// (6 h) plus an hour before it; a larger fleet reuses the smaller one's blocks and adds its further nodes. Prometheus
// (daemons/prometheus.ts) then serves that TSDB and the recorded series are backfilled over the same span with
// `promtool tsdb create-blocks-from rules`, one pass per dependency level. Once Prometheus has compacted it all:
// - every dashboard panel's queries over the 6 h window, as Grafana sends them (range queries at a 20 s step, instant
//   ones at the end), through the recording rules as written and with every recorded series expanded into its
//   definition (the raw equivalent), each form checked to give the same answer;
// - then the data is topped up to the present and Prometheus evaluates the generated rule groups at the wall clock;
//   each group's prometheus_rule_group_last_duration_seconds is read after each of several evaluations.
// Everything it writes is under one temporary directory, removed at the end.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRules } from '../alerts/index.ts';
import { parseConfig, type DgmonConfig } from '../core/config.ts';
import { durationSeconds } from '../core/duration.ts';
import { panelQueries } from '../dashboards/queries.ts';
import { startPrometheus, type PrometheusHandle } from '../daemons/prometheus.ts';
import { startVictoriaMetrics, startVmalert, type VictoriaMetricsHandle, type VmalertHandle } from '../daemons/victoria-metrics.ts';
import { forceFlush, vmalertGroupDurations, vmalertRuleTimes, vmctlImport } from './fleet/victoria.ts';
import { OUTPUT_PATHS, plainBundle } from '../outputs/plain.ts';
import { backfillRules, moveBlocks, OpenMetricsBackfill } from './fleet/backfill.ts';
import { firstDifference, instantValues, median, ruleGroupDurations, ruleTimes, timeQuery, waitUntilIdle, type GroupDurations, type QueryShape, type QueryTiming } from './fleet/measure.ts';
import { backfillLevels, definitions, expandRecorded, readsRecordedRange, selectors, type Definition } from '../backtest/recorded.ts';
import { FleetGenerator } from './fleet/generator.ts';
import type { BenchResult, Target } from './result.ts';

const env = (name: string, fallback: string) => process.env[name] ?? fallback;

export const ENGINE_NAMES = ['prometheus', 'victoriametrics'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/** What is run; the defaults are the full benchmark, the variables allow a quick development run. */
export const SETTINGS = {
  /** DGMON_BENCH_NODES: fleet sizes, ascending. */
  nodes: env('DGMON_BENCH_NODES', '100,300,1000,3000').split(',').map(Number).sort((a, b) => a - b),
  /** DGMON_BENCH_HOURS: the dashboard window. */
  hours: Number(env('DGMON_BENCH_HOURS', '6')),
  /**
   * DGMON_BENCH_HOURS_AT: a shorter window for some fleet sizes ("3000:2"): the nodes a size adds are generated over
   * its window only, and its panels are timed over it, so the largest fleet fits in the time a run has.
   */
  hoursAt: Object.fromEntries(env('DGMON_BENCH_HOURS_AT', '').split(',').filter(Boolean).map((pair) => pair.split(':').map(Number))) as Record<number, number>,
  /**
   * DGMON_BENCH_HISTORY_AT: less history before the window for some sizes, in minutes ("3000:15"): their 1 h windows
   * (predict_linear, the 1 h burn rates) then read less than an hour at the window's start. For a run that must fit.
   */
  historyAt: Object.fromEntries(env('DGMON_BENCH_HISTORY_AT', '').split(',').filter(Boolean).map((pair) => pair.split(':').map(Number))) as Record<number, number>,
  /** DGMON_BENCH_ENGINES: the central stores measured, each on the same data (docs/scale-out.md). */
  engines: env('DGMON_BENCH_ENGINES', 'prometheus,victoriametrics').split(',') as EngineName[],
  /** DGMON_BENCH_RAW_NODES: the fleet sizes whose raw forms are timed (on Prometheus; each may take up to a minute). */
  rawNodes: env('DGMON_BENCH_RAW_NODES', '100,300,1000').split(',').map(Number),
  /** Seconds between samples of every series (a scrape interval of 60 s). */
  sampleSeconds: 60,
  /** Stored before the window, so rate windows and the 1 h predict_linear panels are full from its first step. */
  historySeconds: 65 * 60,
  /** Grafana's step for 6 h on a panel about 1000 px wide (21.6 s, which it rounds to 20 s). */
  panelStepSeconds: 20,
  /** Timed runs of each query as written (the median is kept); a query slower than 5 s is run once. */
  queryRuns: 3,
  /**
   * Raw forms are slow by nature: each runs once, and Prometheus gives up on it after rawTimeoutSeconds (the speed-up
   * is then at least that time over the recorded form's). All of them are timed on the smallest fleet; on the larger
   * ones only those of the panels that were the heaviest there (their speed-up is the target), as timing every raw
   * form of a 1000-node fleet would take most of an hour.
   */
  rawTimeoutSeconds: 30,
  /** Rule groups evaluate every 15 s here (1 m by default: the cost of an evaluation does not depend on it). */
  liveEvaluation: '15s',
  /**
   * DGMON_BENCH_RESULT: the name the result is stored under (bench/results/NAME.json), `fleet` by default: a check of
   * some sizes after a change is stored beside the full run instead of over it.
   */
  result: env('DGMON_BENCH_RESULT', 'fleet'),
  /** DGMON_BENCH_EVALUATIONS: evaluations per group read, after the first two are dropped. */
  evaluations: Number(env('DGMON_BENCH_EVALUATIONS', '6')),
  /** The targets (issue 9, issue 21): every group and panel within them at this fleet size. */
  targetNodes: 1000,
  groupTargetMs: 500,
  panelTargetMs: 1000,
  speedupTarget: 10,
  heaviest: 3,
};

/** The benchmark's rule and dashboard config: several clusters in one Prometheus, as a 1000-node fleet has. */
export function benchConfig(evaluation?: string): DgmonConfig {
  return parseConfig({ cluster: { multiCluster: true }, ...(evaluation ? { intervals: { evaluation } } : {}) });
}

interface QueryResult {
  refId: string;
  instant: boolean;
  /** Reads recorded series, so it has a raw form. */
  expanded: boolean;
  recorded: QueryTiming;
  raw?: QueryTiming;
  /**
   * Both forms at the window's end: the same series with the same values, the same series (when the values cannot be
   * compared: the recorded series read were evaluated at different moments, or through a subquery), or not.
   */
  check?: 'same values' | 'same series' | 'different';
  /** Where the forms first differ, when they do. */
  difference?: string;
}

interface PanelResult {
  name: string;
  /** Every series its queries read is a recorded one. */
  throughRules: boolean;
  /** Its queries one after another, as written and (when timed) in raw form. */
  recordedMs: number;
  rawMs?: number;
  error?: string;
  queries: QueryResult[];
}

interface GroupResult {
  group: string;
  maxMs: number;
  medianMs: number;
  evaluations: number;
  /** The slowest rules of the group at its last evaluation: where the time goes. */
  slowestRules: { rule: string; ms: number }[];
}

/** What VictoriaMetrics with vmalert measured on the same fleet: the same panels, and vmalert's groups. */
interface EngineResult {
  engine: EngineName;
  seconds: Record<string, number>;
  groups: GroupResult[];
  panels: PanelResult[];
}

interface SizeResult {
  nodes: number;
  /** The dashboard window of this size (shorter than SETTINGS.hours for a size in hoursAt). */
  hours: number;
  /** Minutes of data before the window for the nodes this size adds. */
  historyMinutes: number;
  /** The machine's 1, 5 and 15 minute load averages as this size started (other engineers share the cores). */
  loadAverage: number[];
  /** The other engines' figures; the fields below are Prometheus'. */
  engines?: EngineResult[];
  series: number;
  samples: number;
  seconds: Record<string, number>;
  promtoolCpuSeconds: number;
  ruleBackfillPasses: number[];
  compaction: { waitedS: number; cpuS: number; idle: boolean };
  groups: GroupResult[];
  panels: PanelResult[];
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const since = (t: number) => round((performance.now() - t) / 1000);
const log = (text: string) => console.log(`  fleet: ${text}`);

async function timed(url: string, expr: string, shape: QueryShape, runs = SETTINGS.queryRuns, timeoutSeconds?: number): Promise<QueryTiming> {
  const first = await timeQuery(url, expr, shape, timeoutSeconds);
  if (first.error || first.wallMs > 5_000 || runs === 1) return first;
  const timings = [first];
  for (let i = 1; i < runs; i++) timings.push(await timeQuery(url, expr, shape));
  const wall = median(timings.map((r) => r.wallMs));
  return { ...(timings.find((r) => r.wallMs === wall) ?? first), wallMs: wall };
}

/**
 * Compares a query through the recording rules with its raw form. A recorded sample is the rule's value at its
 * group's evaluation moment, which promtool (like Prometheus) offsets within the interval per group: the query as
 * written, at `at`, sees the last evaluation before it, so the raw form is evaluated at that moment.
 */
async function compareForms(url: string, expr: string, raw: string, defs: Map<string, Definition[]>, at: number): Promise<Pick<QueryResult, 'check' | 'difference'>> {
  const all = selectors(expr);
  const read = all.filter((s) => defs.has(s.name));
  const moments = new Set<number>();
  for (const name of new Set(read.map((s) => s.name))) for (const v of (await instantValues(url, `max(timestamp(${name}))`, at)).values()) moments.add(v);
  const recorded = await instantValues(url, expr, at);
  // Values compare only where every series read is recorded (raw ones are read at `at` in both forms) at one moment,
  // and none over a range, at any depth (its raw form is a subquery, stepping at other moments than the rules).
  const byValue = moments.size === 1 && read.length === all.length && !readsRecordedRange(expr, defs);
  const difference = firstDifference(recorded, await instantValues(url, raw, byValue ? [...moments][0]! : at), byValue);
  if (difference) return { check: 'different', difference };
  return { check: byValue ? 'same values' : 'same series' };
}

/** Times every panel; `rawOf` says which panels' raw forms are timed too. */
async function measurePanels(url: string, config: DgmonConfig, window: { startS: number; endS: number }, rawOf: (panel: string) => boolean): Promise<PanelResult[]> {
  const defs = definitions(buildRules(config).recording);
  const results: PanelResult[] = [];
  for (const panel of panelQueries(config, `${Math.round((window.endS - window.startS) / 60)}m`)) {
    const queries: QueryResult[] = [];
    for (const q of panel.queries) {
      // Grafana's step: about 6 h over the panel's width, never under the panel's minimum interval.
      const step = Math.max(SETTINGS.panelStepSeconds, panel.interval ? durationSeconds(panel.interval) : 0);
      const shape: QueryShape = q.instant ? { instant: true, time: window.endS } : { instant: false, start: window.startS, end: window.endS, step };
      const raw = expandRecorded(q.expr, defs);
      const expanded = raw !== q.expr;
      const result: QueryResult = { refId: q.refId, instant: q.instant, expanded, recorded: await timed(url, q.expr, shape) };
      if (expanded && rawOf(panel.name)) {
        result.raw = await timed(url, raw, shape, 1, SETTINGS.rawTimeoutSeconds);
        if (!result.raw.error) Object.assign(result, await compareForms(url, q.expr, raw, defs, window.endS));
      }
      queries.push(result);
      const slow = [result.recorded, result.raw].filter((r) => r && (r.error || r.wallMs > 2_000));
      if (slow.length > 0) log(`  ${panel.name} ${q.refId}: ${ms(result.recorded.wallMs)}${result.raw ? ` (raw ${ms(result.raw.wallMs)})` : ''}${result.recorded.error ? ` ${result.recorded.error}` : ''}`);
    }
    const sum = (pick: (q: QueryResult) => QueryTiming) => round(queries.reduce((n, q) => n + pick(q).wallMs, 0));
    const error = queries.map((q) => q.recorded.error).find((e) => e !== undefined);
    const throughRules = panel.queries.every((q) => selectors(q.expr).every((s) => defs.has(s.name))) && queries.some((q) => q.expanded);
    const timedRaw = queries.some((q) => q.raw);
    results.push({ name: panel.name, throughRules, recordedMs: sum((q) => q.recorded), ...(timedRaw ? { rawMs: sum((q) => q.raw ?? q.recorded) } : {}), ...(error ? { error } : {}), queries });
  }
  return results;
}

export async function run(): Promise<BenchResult> {
  const started = performance.now();
  // Other work shares this machine's cores: what the load was is part of every figure.
  const loadAtStart = loadavg().map((x) => round(x, 2));
  const root = mkdtempSync(join(process.env.DGMON_TMP ?? tmpdir(), 'dgmon-bench-fleet-'));
  const config = benchConfig();
  const bundle = plainBundle(benchConfig(SETTINGS.liveEvaluation));
  const liveRules = [
    { name: 'rules.yml', content: bundle.get(OUTPUT_PATHS.recordingRules)! },
    { name: 'alerts.yml', content: bundle.get(OUTPUT_PATHS.alertingRules)! },
  ];
  const passes = backfillLevels(buildRules(config).recording);
  const step = SETTINGS.sampleSeconds;
  // The window ends a minute before now, on a whole sample; raw data starts the history before it.
  const endS = Math.floor(Date.now() / 1000 / step) * step - step;
  log(`window ${SETTINGS.hours} h to ${new Date(endS * 1000).toISOString()}, data from ${SETTINGS.historySeconds / 60} min before, ${step} s samples; working in ${root}`);
  // vmalert 1.79 refuses keep_firing_for: the one setting that writes it is off there, as vmalert.args says.
  const vmBundle = plainBundle(parseConfig({ cluster: { multiCluster: true }, intervals: { evaluation: SETTINGS.liveEvaluation }, alerts: { DeepgramGPUXidErrors: { criticalKeepFiringFor: '0s' } } }));
  const vmRules = [
    { name: 'rules.yml', content: vmBundle.get(OUTPUT_PATHS.recordingRules)! },
    { name: 'alerts.yml', content: vmBundle.get(OUTPUT_PATHS.alertingRules)! },
  ];
  const withVictoria = SETTINGS.engines.includes('victoriametrics');

  const stores: { generator: FleetGenerator; nodes: number; dir: string }[] = [];
  const sizes: SizeResult[] = [];
  let prometheus: PrometheusHandle | undefined;
  let victoria: VictoriaMetricsHandle | undefined;
  let vmalert: VmalertHandle | undefined;
  try {
    for (const nodes of SETTINGS.nodes) {
      const seconds: Record<string, number> = {};
      const hours = SETTINGS.hoursAt[nodes] ?? SETTINGS.hours;
      const windowStartS = endS - hours * 3600;
      const historySeconds = SETTINGS.historyAt[nodes] !== undefined ? SETTINGS.historyAt[nodes] * 60 : SETTINGS.historySeconds;
      const dataStartS = windowStartS - historySeconds;
      const rulesStartS = windowStartS - 3600;
      const vm: EngineResult = { engine: 'victoriametrics', seconds: {}, groups: [], panels: [] };
      const loadAverage = loadavg().map((x) => round(x, 2));
      const omDir = join(root, 'om');
      mkdirSync(omDir, { recursive: true });
      // 1. The nodes this fleet has beyond the previous one, generated and backfilled once, into a store of their own.
      const first = stores.reduce((n, s) => n + s.nodes, 0);
      const generator = new FleetGenerator({ firstNode: first, nodes: nodes - first, fromS: dataStartS, toS: endS, stepSeconds: step });
      const store = { generator, nodes: nodes - first, dir: join(root, `store-${first}`) };
      stores.push(store);
      let t = performance.now();
      const backfill = new OpenMetricsBackfill(store.dir, root, 1);
      const files = await generator.write({ fromS: dataStartS, toS: endS, stepS: step, dir: omDir, prefix: `nodes-${first}` }, (f) => backfill.add(f.path));
      seconds.generate = since(t);
      await backfill.drain();
      seconds.generateAndBackfill = since(t);
      const newSamples = files.reduce((n, f) => n + f.samples, 0);
      const previous = sizes.at(-1);
      const series = (previous?.series ?? 0) + (files.at(-1)?.series ?? 0);
      const samples = (previous?.samples ?? 0) + newSamples;
      log(`${nodes} nodes: ${newSamples} new samples generated in ${seconds.generate} s, backfilled by ${seconds.generateAndBackfill} s`);

      // 2. This fleet's TSDB: every store's blocks, then the recorded series, pass by pass (each reads the last).
      const tsdb = join(root, `tsdb-${nodes}`);
      for (const s of stores) cpSync(s.dir, tsdb, { recursive: true });
      t = performance.now();
      const passSeconds: number[] = [];
      const staging = join(root, 'staging');
      for (const pass of passes) {
        prometheus = await startPrometheus({ scrape: [], storagePath: tsdb });
        passSeconds.push(round(await backfillRules(pass, { startS: rulesStartS, endS }, prometheus.url, staging, root)));
        await prometheus.close();
        moveBlocks(staging, tsdb);
      }
      seconds.ruleBackfill = since(t);
      log(`${nodes} nodes: recorded series backfilled in ${passSeconds.join(' + ')} s`);

      // 3. Compaction, then the panels.
      prometheus = await startPrometheus({ scrape: [], storagePath: tsdb });
      t = performance.now();
      const compaction = await waitUntilIdle(prometheus.url, 75, 15 * 60_000);
      seconds.compaction = since(t);
      t = performance.now();
      const heaviest = sizes[0] ? new Set(heaviestPanels(sizes[0], SETTINGS.heaviest).map((p) => p.name)) : undefined;
      const timeRaw = SETTINGS.rawNodes.includes(nodes);
      const panels = await measurePanels(prometheus.url, config, { startS: windowStartS, endS }, (name) => timeRaw && (heaviest === undefined || heaviest.has(name)));
      seconds.panels = since(t);
      await prometheus.close();
      prometheus = undefined;
      log(`${nodes} nodes: compacted in ${seconds.compaction} s, panels timed in ${seconds.panels} s`);

      // 3b. The same blocks, raw and recorded, imported into VictoriaMetrics; its merges, then the same panels.
      if (withVictoria) {
        victoria = await startVictoriaMetrics({ retention: '3d', extraArgs: VICTORIA_ARGS });
        t = performance.now();
        await vmctlImport(tsdb, victoria.url);
        vm.seconds.import = since(t);
        t = performance.now();
        await forceFlush(victoria.url);
        const merges = await waitUntilIdle(victoria.url, 0, 15 * 60_000);
        vm.seconds.merges = since(t);
        t = performance.now();
        vm.panels = await measurePanels(victoria.url, config, { startS: windowStartS, endS }, () => false);
        vm.seconds.panels = since(t);
        log(`${nodes} nodes: VictoriaMetrics imported in ${vm.seconds.import} s, merged in ${vm.seconds.merges} s (idle: ${merges.idle}), panels timed in ${vm.seconds.panels} s`);
      }

      // 4. Data up to the present, then the rule groups at the wall clock.
      // Until the last sample is at most one step old: topping 3000 nodes up took 325 s, and a first pass alone left
      // the newest sample older than a 5m rate window, so Prometheus' groups evaluated on no data at all.
      t = performance.now();
      for (let pass = 0; ; pass++) {
        const now = Math.floor(Date.now() / 1000 / step) * step;
        if (stores.every((s) => (s.generator.last ?? endS) >= now - step) || pass === 5) break;
        for (const s of stores) {
          const from = (s.generator.last ?? endS) + step;
          if (from > now) continue;
          const tail = new OpenMetricsBackfill(join(root, 'tail'), root, 1);
          await s.generator.write({ fromS: from, toS: now, stepS: step, dir: omDir, prefix: `tail-${nodes}-${pass}` }, (f) => tail.add(f.path));
          await tail.drain();
          cpSync(join(root, 'tail'), s.dir, { recursive: true });
          if (victoria) await vmctlImport(join(root, 'tail'), victoria.url);
          moveBlocks(join(root, 'tail'), tsdb);
        }
      }
      seconds.topUp = since(t);
      t = performance.now();
      prometheus = await startPrometheus({ scrape: [], storagePath: tsdb, ruleFiles: liveRules, evaluationInterval: SETTINGS.liveEvaluation });
      const durations = await ruleGroupDurations(prometheus.url, 2, SETTINGS.evaluations, 6 * 60_000);
      const perRule = await ruleTimes(prometheus.url);
      await prometheus.close();
      prometheus = undefined;
      seconds.rules = since(t);
      const groups = groupResults(durations, perRule);
      rmSync(tsdb, { recursive: true, force: true });

      // 4b. vmalert on the same rules against VictoriaMetrics, topped up to the same moment.
      if (victoria) {
        t = performance.now();
        await forceFlush(victoria.url);
        vmalert = await startVmalert({
          ruleFiles: vmRules,
          datasourceUrl: victoria.url,
          remoteWriteUrl: victoria.url,
          notifierUrls: ['http://127.0.0.1:9'],
          evaluationInterval: SETTINGS.liveEvaluation,
          // As the generated vmalert.args run it.
          extraArgs: ['-disableAlertgroupLabel'],
        });
        const vmDurations = await vmalertGroupDurations(vmalert.url, 2, SETTINGS.evaluations, 6 * 60_000);
        const vmPerRule = await vmalertRuleTimes(vmalert.url);
        await vmalert.close();
        vmalert = undefined;
        await victoria.close();
        victoria = undefined;
        vm.groups = groupResults(vmDurations, vmPerRule);
        vm.seconds.rules = since(t);
      }
      const vmGroupsNote = withVictoria && vm.groups.length > 0 ? `; vmalert ${worstOf(vm.groups).group} ${worstOf(vm.groups).maxMs} ms` : '';
      sizes.push({ nodes, hours, historyMinutes: historySeconds / 60, loadAverage, series, samples, seconds, promtoolCpuSeconds: round(backfill.seconds.reduce((a, b) => a + b, 0)), ruleBackfillPasses: passSeconds, compaction, groups, panels, ...(withVictoria ? { engines: [vm] } : {}) });
      const worst = worstOf(groups);
      log(`${nodes} nodes: worst group ${worst.group} ${worst.maxMs} ms${vmGroupsNote}; ${since(started)} s so far`);
      // For a long run: what has been measured so far, in case it is stopped before the end.
      if (process.env.DGMON_BENCH_PARTIAL) writeFileSync(process.env.DGMON_BENCH_PARTIAL, JSON.stringify(report(sizes, since(started)), null, 2));
    }
  } finally {
    await vmalert?.close();
    await victoria?.close();
    await prometheus?.close();
    for (const s of stores) await s.generator.close();
    rmSync(root, { recursive: true, force: true });
  }
  return report(sizes, since(started), { start: loadAtStart, end: loadavg().map((x) => round(x, 2)) });
}

const worstOf = (groups: GroupResult[]) => groups.reduce((a, b) => (b.maxMs > a.maxMs ? b : a));

/** Each group's evaluations and its slowest rules; groups are named without their file. */
function groupResults(durations: GroupDurations[], perRule: { group: string; rule: string; ms: number }[]): GroupResult[] {
  return durations.map((d) => {
    const name = d.group.slice(d.group.indexOf(';') + 1);
    const slowestRules = perRule.filter((r) => r.group === name).sort((a, b) => b.ms - a.ms).slice(0, 3).map((r) => ({ rule: r.rule, ms: round(r.ms) }));
    return { group: name, maxMs: round(Math.max(...d.durationsMs)), medianMs: round(median(d.durationsMs)), evaluations: d.durationsMs.length, slowestRules };
  });
}

/**
 * VictoriaMetrics as the benchmark runs it: no response cache (each timed query is computed afresh, as Prometheus
 * does), and limits raised so that no query of a 3000-node fleet is refused for its size (1.79's defaults: 300 000
 * series a query, 30 s).
 */
const VICTORIA_ARGS = ['-search.disableCache', '-search.maxUniqueTimeseries=20000000', '-search.maxQueryDuration=150s', '-search.maxSamplesPerQuery=10000000000'];

/** The panels drawn from recorded series alone whose raw form costs most. */
function heaviestPanels(size: SizeResult, count: number): PanelResult[] {
  return size.panels.filter((p) => p.throughRules && p.rawMs !== undefined).sort((a, b) => b.rawMs! - a.rawMs!).slice(0, count);
}

/** "6 h window", or each size's where they differ. */
function windows(sizes: SizeResult[]): string {
  const hours = new Set(sizes.map((s) => s.hours));
  return hours.size === 1 ? `${[...hours][0]} h window` : `${sizes.map((s) => `${s.hours} h at ${s.nodes}`).join(', ')} nodes`;
}

const ms = (n: number) => (n >= 1000 ? `${round(n / 1000, 2)} s` : `${Math.round(n)} ms`);

/** Prometheus' figures of a size, or another engine's, in one shape. */
type Measured = Pick<SizeResult, 'groups' | 'panels'>;
const ENGINE_TITLES: Record<EngineName, string> = { prometheus: 'Prometheus', victoriametrics: 'VictoriaMetrics with vmalert' };

function engineOf(s: SizeResult, engine: EngineName): Measured | undefined {
  if (engine === 'prometheus') return s;
  const e = s.engines?.find((x) => x.engine === engine);
  return e && (e.groups.length > 0 || e.panels.length > 0) ? e : undefined;
}

/**
 * The targets: every rule group at the target fleet (1000 nodes, or the largest run if smaller), the slowest panel
 * and the slowest group at every size, on each engine; sizes beyond the target fleet are reported against the same
 * bounds. Then the speed-up of the heaviest panels through the recording rules, where raw forms were timed.
 */
export function report(sizes: SizeResult[], totalSeconds: number, loadAverage?: { start: number[]; end: number[] }): BenchResult {
  const targets: Target[] = [];
  const cost = (p: PanelResult) => (p.error ? Infinity : p.recordedMs);
  const worstPanel = (m: Measured) => m.panels.reduce((a, b) => (cost(b) > cost(a) ? b : a));
  const atTarget = sizes.filter((s) => s.nodes <= SETTINGS.targetNodes).at(-1) ?? sizes[0]!;
  for (const engine of ENGINE_NAMES) {
    const title = ENGINE_TITLES[engine];
    const m = engineOf(atTarget, engine);
    for (const g of m?.groups ?? []) {
      targets.push({
        what: `${title}: rule group ${g.group} at ${atTarget.nodes} nodes (slowest of ${g.evaluations} evaluations)`,
        target: `≤ ${SETTINGS.groupTargetMs} ms`,
        measured: ms(g.maxMs),
        met: g.evaluations > 0 && g.maxMs <= SETTINGS.groupTargetMs,
      });
    }
    for (const s of sizes) {
      const e = engineOf(s, engine);
      if (!e || e.panels.length === 0) continue;
      const p = worstPanel(e);
      const over = e.panels.filter((x) => x.error || x.recordedMs > SETTINGS.panelTargetMs).length;
      targets.push({
        what: `${title}: slowest panel at ${s.nodes} nodes (${s.hours} h): ${p.name}`,
        target: `≤ ${ms(SETTINGS.panelTargetMs)}`,
        measured: `${p.error ? `fails: ${p.error.slice(0, 80)}` : ms(p.recordedMs)}${over > 0 ? ` (${over} of ${e.panels.length} panels over)` : ''}`,
        met: !p.error && p.recordedMs <= SETTINGS.panelTargetMs,
      });
    }
    for (const s of sizes.filter((x) => x !== atTarget)) {
      const e = engineOf(s, engine);
      if (!e || e.groups.length === 0) continue;
      const g = worstOf(e.groups);
      targets.push({ what: `${title}: slowest rule group at ${s.nodes} nodes: ${g.group}`, target: `≤ ${SETTINGS.groupTargetMs} ms`, measured: ms(g.maxMs), met: g.maxMs <= SETTINGS.groupTargetMs });
    }
  }
  const withRaw = sizes.filter((s) => heaviestPanels(s, SETTINGS.heaviest).length > 0).at(-1);
  for (const p of withRaw ? heaviestPanels(withRaw, SETTINGS.heaviest) : []) {
    // A raw form Prometheus gave up on took at least the timeout: the speed-up is at least that over the recorded form.
    const gaveUp = p.queries.some((q) => q.raw?.error);
    const speedup = p.rawMs! / p.recordedMs;
    targets.push({
      what: `Prometheus: ${p.name} at ${withRaw!.nodes} nodes: raw ÷ through recording rules`,
      target: `≥ ${SETTINGS.speedupTarget}x`,
      measured: `${gaveUp ? '≥ ' : ''}${Math.round(speedup)}x (${gaveUp ? `raw over ${ms(p.rawMs!)}, Prometheus gave up` : ms(p.rawMs!)} → ${ms(p.recordedMs)})`,
      met: speedup >= SETTINGS.speedupTarget,
    });
  }
  const growthOf = (engine: EngineName) =>
    sizes.flatMap((s) => {
      const e = engineOf(s, engine);
      if (!e) return [];
      return [
        {
          nodes: s.nodes,
          hours: s.hours,
          series: s.series,
          samples: s.samples,
          worstGroupMs: e.groups.length ? worstOf(e.groups).maxMs : undefined,
          allGroupsMs: round(e.groups.reduce((n, g) => n + g.medianMs, 0)),
          worstPanelMs: e.panels.length ? worstPanel(e).recordedMs : undefined,
          medianPanelMs: round(median(e.panels.map((p) => p.recordedMs))),
          allPanelsRecordedMs: round(e.panels.reduce((n, p) => n + p.recordedMs, 0)),
          ...(engine === 'prometheus' ? { heaviestRawMs: Object.fromEntries(heaviestPanels(s, SETTINGS.heaviest).map((p) => [p.name, p.rawMs])) } : {}),
        },
      ];
    });
  const growth = growthOf('prometheus');
  const growthByEngine = Object.fromEntries(ENGINE_NAMES.map((e) => [e, growthOf(e)]));
  const checks = sizes.flatMap((s) => s.panels.flatMap((p) => p.queries.filter((q) => q.check).map((q) => ({ nodes: s.nodes, query: `${p.name} ${q.refId}`, check: q.check!, difference: q.difference }))));
  const count = (c: string) => checks.filter((x) => x.check === c).length;
  return {
    name: SETTINGS.result,
    title: `Fleet scale: rule groups and dashboard panels on Prometheus${sizes.some((s) => s.engines?.length) ? ' and on VictoriaMetrics with vmalert' : ''} (synthetic fleet, 60 s samples, ${windows(sizes)})`,
    targets,
    figures: {
      settings: SETTINGS,
      totalSeconds,
      ...(loadAverage ? { loadAverage } : {}),
      growth,
      growthByEngine,
      rawForms: { sameValues: count('same values'), sameSeries: count('same series'), different: checks.filter((x) => x.check === 'different') },
      sizes,
    },
  };
}
