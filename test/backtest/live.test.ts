// The proof that the backtest replays rules as Prometheus runs them: two simulated nodes, each behind its own exporter
// and in a cluster of its own, scraped by a real Prometheus evaluating the generated rules with time scaled down
// (1 s scrapes and evaluations, 5 s `for:`). Scenarios switch to raise alerts (a hot GPU twice, so one label set has
// two episodes; an Engine disconnected); then `dgmon backtest` runs over that stretch and its episodes are compared
// with the ALERTS{alertstate="firing"} series Prometheus itself recorded: the same alerts with the same labels, each
// start and end within one evaluation interval. Then the command itself: report, HTML and PNG, budget and what-if.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timeScaledConfig, LOAD, SIMULATOR_WINDOWS, EXPORTER_TIMING } from '../../simulator/time-scaled.ts';
import { watchSimulator } from '../../simulator/watch-simulator.ts';
import { startExporter, type ExporterHandle } from '../../exporter/index.ts';
import { createLogger } from '../../exporter/log.ts';
import { startSimulator, type Simulator } from '../../simulator/index.ts';
import { startPrometheus, type PrometheusHandle } from '../../daemons/prometheus.ts';
import { plainBundle, OUTPUT_PATHS } from '../../outputs/plain.ts';
import { main } from '../../cli/main.ts';
import { backtest, alertNames, type BacktestResult } from '../../backtest/run.ts';
import { labelKey } from '../../backtest/alerting.ts';
import { phasesFromRules } from '../../backtest/phases.ts';
import { buildRules } from '../../alerts/index.ts';
import { ensureTools } from '../support/tools.ts';
import { Capture } from '../support/net.ts';

const INTERVAL_MS = 1000;
const config = timeScaledConfig({ cluster: { multiCluster: true } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let prometheus: PrometheusHandle;
const simulators: Simulator[] = [];
const exporters: ExporterHandle[] = [];
let startMs = 0;
let endMs = 0;
let result: BacktestResult;
let dir: string;
let phases: Record<string, number>;
const progress: string[] = [];

interface Seen {
  key: string;
  start: number;
  end?: number;
}

/** The alert group of each alert. */
const groupOf = new Map(buildRules(config).alerting.flatMap((g) => g.rules.map((r) => [r.alert, g.name] as const)));

/** The first evaluation of `alert`'s group at or after the range's start. */
const firstEvaluation = (alert: string) => {
  const phase = phases[groupOf.get(alert)!] ?? 0;
  return Math.ceil((startMs - phase) / INTERVAL_MS) * INTERVAL_MS + phase;
};

/** Episodes of ALERTS{alertstate="firing"}: runs of presence at each group's own evaluation instants, within the range. */
async function recordedEpisodes(): Promise<Seen[]> {
  const out: Seen[] = [];
  const series = [];
  for (const alert of new Set(groupOf.keys())) {
    const first = firstEvaluation(alert);
    const lastEvaluation = first + Math.floor((endMs - first) / INTERVAL_MS) * INTERVAL_MS;
    for (const s of await prometheus.queryRange(`ALERTS{alertstate="firing", alertname="${alert}"}`, first / 1000, endMs / 1000, INTERVAL_MS / 1000)) series.push({ ...s, lastEvaluation });
  }
  for (const s of series) {
    const { alertname, alertstate: _state, __name__: _name, ...labels } = s.metric;
    const key = `${alertname} ${labelKey(labels)}`;
    let open: Seen | undefined;
    let last = -Infinity;
    for (const [t] of s.values) {
      const ms = Math.round(t * 1000);
      if (open && ms - last > INTERVAL_MS) {
        open.end = last + INTERVAL_MS;
        out.push(open);
        open = undefined;
      }
      open ??= { key, start: ms };
      last = ms;
    }
    if (open) {
      if (last < s.lastEvaluation) open.end = last + INTERVAL_MS;
      out.push(open);
    }
  }
  return out;
}

beforeAll(async () => {
  ensureTools(['prometheus', 'chromium']);
  dir = mkdtempSync(join(tmpdir(), 'dgmon-backtest-'));
  for (let i = 0; i < 2; i++) {
    const simulator = await startSimulator({ scenario: 'healthy', load: LOAD, hostname: `bt-node-${i + 1}`, windows: SIMULATOR_WINDOWS });
    simulators.push(simulator);
    exporters.push(await startExporter(watchSimulator(config, simulator.urls, { listen: '127.0.0.1:0', ...EXPORTER_TIMING }), { log: createLogger({ destination: new Capture() }), secrets: {} }));
  }
  const files = plainBundle(config);
  prometheus = await startPrometheus({
    scrape: exporters.map((e, i) => ({ job: 'dgmon', targets: [e.url.replace(/^https?:\/\//, '')], labels: { [config.cluster.label]: `lane-${i + 1}` } })),
    ruleFiles: [
      { name: 'rules.yml', content: files.get(OUTPUT_PATHS.recordingRules)! },
      { name: 'alerts.yml', content: files.get(OUTPUT_PATHS.alertingRules)! },
    ],
  });
  await prometheus.waitForTargets(2, 30_000);
  // Past DeepgramSourceDown's start-up absent(up) and with the rate windows full, as the e2e stack waits.
  await prometheus.waitFor(`count by (${config.cluster.label}) (count_over_time(node:engine_requests:rate10s[1m]) >= 12)`, (r) => r.length === 2, 60_000);
  startMs = Date.now();
  const [one, two] = simulators as [Simulator, Simulator];
  await sleep(3000);
  one.setScenario('gpu-hot');
  two.setScenario('engine-disconnected');
  await sleep(14_000);
  one.setScenario('healthy');
  two.setScenario('healthy');
  await sleep(6000);
  one.setScenario('gpu-hot');
  await sleep(12_000);
  one.setScenario('healthy');
  await sleep(6000);
  // The range ends on a whole second that Prometheus has evaluated past.
  endMs = Math.floor((Date.now() - 1500) / 1000) * 1000;
  // The alert groups' own evaluation instants, from the rules API, as the command reads them.
  phases = phasesFromRules((await prometheus.rules()) as Parameters<typeof phasesFromRules>[0], Object.fromEntries([...groupOf.values()].map((g) => [g, '1s'])));
  expect(Object.keys(phases).length).toBeGreaterThan(0);
  result = await backtest({ prometheus, config, startMs, endMs, alerts: alertNames(config), phases, progress: (line) => progress.push(line), progressEveryMs: 0 });
}, 180_000);

afterAll(async () => {
  await prometheus?.close();
  for (const e of exporters) await e.close();
  for (const s of simulators) await s.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('dgmon backtest against the alerts a live Prometheus recorded', () => {
  it('finds the same episodes as ALERTS, each start and end within one evaluation interval', async () => {
    const recorded = await recordedEpisodes();
    const replayed: Seen[] = result.episodes.map((e) => ({
      key: `${e.alert} ${labelKey(e.labels)}`,
      // Clipped to the range as the ALERTS query is.
      start: Math.max(e.start, firstEvaluation(e.alert)),
      ...(e.end !== undefined && e.end <= endMs ? { end: e.end } : {}),
    }));
    const byKey = (list: Seen[]) => {
      const map = new Map<string, Seen[]>();
      for (const s of list) map.set(s.key, [...(map.get(s.key) ?? []), s].sort((a, b) => a.start - b.start));
      return map;
    };
    const a = byKey(recorded);
    const b = byKey(replayed);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    // The faults raised what they should, so the comparison is not between two empty sets.
    const names = [...a.keys()].map((k) => k.split(' ')[0]);
    for (const name of ['DeepgramGPUTemperatureHigh', 'DeepgramEngineDisconnected', 'DeepgramWatchdog']) expect(names).toContain(name);
    const diffs: string[] = [];
    for (const [key, live] of a) {
      const ours = b.get(key)!;
      expect(ours.length, `${key}: episodes`).toBe(live.length);
      for (const [i, episode] of live.entries()) {
        const mine = ours[i]!;
        diffs.push(`${key.split(' ')[0]} start ${mine.start - episode.start}`);
        expect(Math.abs(mine.start - episode.start), `${key} #${i + 1} start`).toBeLessThanOrEqual(INTERVAL_MS);
        expect(mine.end === undefined, `${key} #${i + 1} still firing`).toBe(episode.end === undefined);
        if (mine.end !== undefined && episode.end !== undefined) {
          diffs.push(`${key.split(' ')[0]} end ${mine.end - episode.end}`);
          expect(Math.abs(mine.end - episode.end), `${key} #${i + 1} end`).toBeLessThanOrEqual(INTERVAL_MS);
        }
      }
    }
    const hot = [...a.entries()].find(([k]) => k.startsWith('DeepgramGPUTemperatureHigh'));
    expect(hot![1].length, 'the hot GPU fired twice').toBe(2);
    // The progress line, here after every request.
    expect(progress.some((line) => /^rule \d+ of \d+ \(DeepgramGPUTemperatureHigh, warning\): chunk 1 of 1/.test(line)), progress.join('\n')).toBe(true);
    console.log(`backtest vs ALERTS: ${diffs.length} starts and ends compared (backtest - ALERTS, ms): ${diffs.join(', ')}`);
  });

  it('with every recorded series read through its definition: the same episodes, within one evaluation interval', async () => {
    const expanded = await backtest({ prometheus, config, startMs, endMs, alerts: alertNames(config), phases, expandAll: true });
    expect(expanded.expanded.length).toBeGreaterThan(0);
    const key = (e: { alert: string; labels: Record<string, string> }) => `${e.alert} ${labelKey(e.labels)}`;
    expect(expanded.episodes.map(key).sort()).toEqual(result.episodes.map(key).sort());
    const ordered = (list: typeof result.episodes) => [...list].sort((x, y) => key(x).localeCompare(key(y)) || x.start - y.start);
    const [a, b] = [ordered(result.episodes), ordered(expanded.episodes)];
    for (const [i, e] of a.entries()) {
      expect(Math.abs(b[i]!.start - e.start), `${key(e)} start`).toBeLessThanOrEqual(INTERVAL_MS);
      expect(Math.abs((b[i]!.end ?? endMs) - (e.end ?? endMs)), `${key(e)} end`).toBeLessThanOrEqual(INTERVAL_MS);
    }
  });

  it('the command: report, HTML, a page budget (exit 1) and a what-if with --set', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) };
    const range = `${Math.floor((endMs - startMs) / 1000)}s`;
    const common = ['backtest', '--prometheus', prometheus.url, '--end', String(endMs / 1000), '--range', range];
    // The scaled config, as a file: the command reads its config as a user's would.
    const file = join(dir, 'dgmon.yaml');
    const { writeFileSync } = await import('node:fs');
    const { dump } = await import('js-yaml');
    writeFileSync(file, dump(scaledRaw()));

    expect(await main([...common, '--config', file, '--json', '--out', dir, '--png'], io), err.join('\n')).toBe(0);
    const report = JSON.parse(out.join('')) as { baseline: { summary: { pages: number; tickets: number }; episodes: { alert: string }[] } };
    expect(report.baseline.summary.pages).toBeGreaterThan(0);
    expect(report.baseline.summary.tickets).toBeGreaterThan(0);
    const html = readFileSync(join(dir, 'backtest.html'), 'utf8');
    expect(html).toContain('data-alert="DeepgramGPUTemperatureHigh"');
    // Drawn by the preview's Chromium: a PNG as wide as asked.
    const png = readFileSync(join(dir, 'backtest.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(1200);

    out.length = 0;
    expect(await main([...common, '--config', file, '--max-pages-per-week', '0'], io)).toBe(1);
    expect(err.join('\n')).toMatch(/over the budget of 0/);
    expect(out.join('')).toMatch(/DeepgramEngineDisconnected\s+critical/);

    out.length = 0;
    // 92 °C stays under a 95 °C threshold: the what-if loses exactly the temperature tickets.
    expect(await main([...common, '--config', file, '--set', 'DeepgramGPUTemperatureHigh.thresholdCelsius=95', '--json'], io)).toBe(0);
    const whatIf = JSON.parse(out.join('')) as { whatIf: { alert: string; before?: { episodes: number }; after?: { episodes: number } }[] };
    const temperature = whatIf.whatIf.find((r) => r.alert === 'DeepgramGPUTemperatureHigh')!;
    expect(temperature.before?.episodes).toBe(2);
    expect(temperature.after).toBeUndefined();
    for (const row of whatIf.whatIf.filter((r) => r.alert !== 'DeepgramGPUTemperatureHigh')) expect(row.after?.episodes, row.alert).toBe(row.before?.episodes);
  });
});

/** The scaled config as dgmon.yaml fields: what timeScaledConfig passes to the parser. */
function scaledRaw(): Record<string, unknown> {
  return {
    intervals: config.intervals,
    alerts: config.alerts,
    slo: config.slo,
    cluster: config.cluster,
  };
}
