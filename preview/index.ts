// `dgmon preview`: every generated dashboard as a PNG. The data comes from a given Prometheus, or from a short
// scripted run of simulated nodes with a fault; each panel's queries are evaluated over the time range, the page is
// drawn in headless Chromium and screenshotted; <out>/<uid>.png per dashboard and <out>/index.html linking them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DgmonConfig } from '../core/config.ts';
import { durationSeconds, formatDuration } from '../core/duration.ts';
import { buildDashboards, type BuiltDashboard } from '../dashboards/index.ts';
import type { PrometheusQueries } from '../daemons/prometheus.ts';
import { prometheusClient } from '../daemons/prometheus.ts';
import { checkPrometheusReachable } from '../verify/prometheus.ts';
import { shownUrl } from '../verify/http.ts';
import { dashboardModel } from './panels.ts';
import { evaluateTargets, mapLimited, type TimeRange } from './evaluate.ts';
import { dashboardPage, indexPage, type IndexEntry } from './page.ts';
import { openRenderer, DEFAULT_WIDTH, CHROMIUM_PATH, type Rendered, type Renderer } from './render.ts';
import { scriptedRun, type ScriptTiming } from './scripted-run.ts';
import type { Annotation } from './visuals.ts';

/** A preview that cannot run as asked (unknown dashboard, unreachable Prometheus): one sentence, exit 1. */
export class PreviewError extends Error {
  override name = 'PreviewError';
}

export interface PreviewOptions {
  out: string;
  /** Read this Prometheus; without it, the scripted run. */
  prometheus?: string;
  /** With `prometheus`: the user's config (its selectors and windows are what the dashboards query). */
  config?: DgmonConfig;
  /** Only these dashboard uids (default: all). */
  dashboards?: string[];
  /** With `prometheus`: seconds of history ending now (default: the dashboard's own time range). */
  rangeSeconds?: number;
  width?: number;
  script?: ScriptTiming;
  chromium?: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface PreviewFile extends IndexEntry {
  path: string;
  /** What each panel showed, as the browser laid it out. */
  panels: Rendered['panels'];
}

export interface PreviewResult {
  files: PreviewFile[];
  index: string;
}

/** Queries in flight at once against the Prometheus: enough to be quick, few enough not to load a production one. */
const QUERY_CONCURRENCY = 6;
/** About one point per two pixels of a half-width panel, as Grafana's max data points would give. */
const MAX_POINTS = 400;
const REQUEST_TIMEOUT_MS = 10_000;

/** The step Grafana would choose: the scrape interval, or coarser so that the range has at most MAX_POINTS points. */
export function stepFor(rangeSeconds: number, config: DgmonConfig): number {
  return Math.max(durationSeconds(config.intervals.scrape), Math.ceil(rangeSeconds / MAX_POINTS));
}

/** The dashboards asked for, in their usual order; an unknown uid is refused with the known ones listed. */
function selectDashboards(all: BuiltDashboard[], uids: string[] | undefined): BuiltDashboard[] {
  if (!uids || uids.length === 0) return all;
  const unknown = uids.filter((uid) => !all.some((d) => d.uid === uid));
  if (unknown.length) throw new PreviewError(`unknown dashboard ${unknown.join(', ')}; the dashboards are ${all.map((d) => d.uid).join(', ')}`);
  return all.filter((d) => uids.includes(d.uid));
}

/** "now-6h" → 21600: the relative start of a dashboard's default time range. */
function relativeSeconds(from: string): number {
  const m = /^now-(\d+[smhdwy])$/.exec(from);
  return m ? durationSeconds(m[1]!) : 6 * 3600;
}

interface Source {
  config: DgmonConfig;
  prometheus: PrometheusQueries;
  range(dashboard: BuiltDashboard): TimeRange;
  annotations: Annotation[];
  description: string;
  close(): Promise<void>;
}

async function givenPrometheus(url: string, config: DgmonConfig, rangeSeconds: number | undefined): Promise<Source> {
  const reachable = await checkPrometheusReachable({ url, timeoutMs: REQUEST_TIMEOUT_MS, config });
  if (reachable.status === 'fail') throw new PreviewError(`cannot read Prometheus at ${shownUrl(url)}: ${reachable.detail}`);
  const end = Math.floor(Date.now() / 1000);
  return {
    config,
    prometheus: prometheusClient(url),
    range(dashboard) {
      const seconds = rangeSeconds ?? relativeSeconds(String((dashboard.json.time as { from?: string } | undefined)?.from ?? 'now-6h'));
      return { start: end - seconds, end, step: stepFor(seconds, config) };
    },
    annotations: [],
    description: `Prometheus ${shownUrl(url)}`,
    close: async () => undefined,
  };
}

export async function runPreview(options: PreviewOptions): Promise<PreviewResult> {
  const log = options.log ?? (() => undefined);
  const width = options.width ?? DEFAULT_WIDTH;
  // The browser first: a missing Chromium is reported before minutes of scripted run, not after.
  const renderer: Renderer = await openRenderer(options.chromium ?? CHROMIUM_PATH);
  let source: Source | undefined;
  try {
    if (options.prometheus) {
      if (!options.config) throw new PreviewError('a config is needed with a Prometheus: its selectors and windows are what the dashboards query');
      selectDashboards(buildDashboards(options.config), options.dashboards); // refuse an unknown uid before any query
      source = await givenPrometheus(options.prometheus, options.config, options.rangeSeconds);
    } else {
      const run = await scriptedRun({ timing: options.script, signal: options.signal, log });
      const range = { start: run.start, end: run.end, step: stepFor(run.end - run.start, run.config) };
      source = { ...run, range: () => range, description: run.source };
    }
    const dashboards = selectDashboards(buildDashboards(source.config), options.dashboards);
    mkdirSync(options.out, { recursive: true });
    const files: PreviewFile[] = [];
    for (const dashboard of dashboards) {
      options.signal?.throwIfAborted();
      const range = source.range(dashboard);
      const model = dashboardModel(dashboard.json, source.config, formatDuration(range.end - range.start));
      const prometheus = source.prometheus;
      const data = await mapLimited(model.panels, QUERY_CONCURRENCY, (panel) => evaluateTargets(panel.targets, prometheus, range));
      const html = dashboardPage(model, data, { range, width, source: source.description, annotations: source.annotations });
      const shot = await renderer.render(html, width);
      const file = `${dashboard.uid}.png`;
      const path = join(options.out, file);
      writeFileSync(path, shot.png);
      const failed = data.reduce((n, d) => n + d.errors.length, 0);
      log(`wrote ${path} (${shot.width}×${shot.height}, ${model.panels.length} panels${failed ? `, ${failed} failed queries shown in their panels` : ''})`);
      files.push({ uid: dashboard.uid, title: dashboard.title, description: model.description, file, width: shot.width, height: shot.height, path, panels: shot.panels });
    }
    const first = files[0] ? source.range(dashboards[0]!) : { start: 0, end: 0, step: 1 };
    const index = join(options.out, 'index.html');
    writeFileSync(index, indexPage(files, { source: source.description, range: first }));
    log(`wrote ${index}`);
    return { files, index };
  } finally {
    const results = await Promise.allSettled([renderer.close(), source?.close() ?? Promise.resolve()]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) log(`clean-up: ${String(failed.reason)}`);
  }
}
