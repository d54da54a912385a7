// `dgmon backtest` on the command line: flags checked (a bad one is a usage error, exit 2), the config and its
// what-if variant (`--set Alert.field=value` overrides, or `--compare-config FILE`) loaded and validated (exit 2),
// both backtested against the same Prometheus, the report printed (table or JSON) and written as HTML (and PNG) with
// `--out`. Exit 0; 1 when `--max-pages-per-week` is exceeded (by the proposed config when there is one), or the
// Prometheus or Chromium fails.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import type { DgmonConfig } from '../core/config.ts';
import { loadConfig } from '../core/load.ts';
import { durationMilliseconds, durationSeconds, isDuration } from '../core/duration.ts';
import { prometheusClient } from '../daemons/prometheus.ts';
import { UsageError } from '../core/usage-error.ts';
import { url } from '../verify/command.ts';
import { alertNames, backtest, type BacktestResult } from './run.ts';
import { renderJson, renderText, rate, type Side } from './text.ts';
import { renderHtml } from './html.ts';
import { fetchRules, phasesFromRules } from './phases.ts';
import { buildRules } from '../alerts/index.ts';

export interface BacktestFlags {
  prometheus: string;
  range: string;
  end?: string;
  config?: string;
  alert: string[];
  set: string[];
  compareConfig?: string;
  json?: boolean;
  out?: string;
  png?: boolean;
  maxPagesPerWeek?: string;
  expandRecorded?: boolean;
  timeout: string;
}

/** `--range`: a Prometheus duration (a time-scaled test stack backtests seconds, a fleet days). */
export function parseRange(value: string): number {
  if (!isDuration(value) || durationSeconds(value) < 1) throw new UsageError(`--range: must be a duration such as 1d or 7d, got "${value}"`);
  return durationMilliseconds(value);
}

/** `--end`: "now", Unix seconds, or an RFC 3339 time such as 2026-12-01T00:00:00Z. */
export function parseEnd(value: string | undefined, now = Date.now()): number {
  if (value === undefined || value === 'now') return now;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const ms = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new UsageError(`--end: must be now, Unix seconds or an RFC 3339 time such as 2026-12-01T00:00:00Z, got "${value}"`);
  if (ms > now) throw new UsageError(`--end: ${value} is in the future`);
  return ms;
}

export function parseBudget(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--max-pages-per-week: must be a number of pages, 0 or more, got "${value}"`);
  return n;
}

export interface Override {
  path: string[];
  value: unknown;
}

/**
 * `--set DeepgramHighErrorRate.threshold=0.08`: a field of an alert's block (the first part names an alert), or any
 * other config field by its dotted path (`intervals.rate=2m`). The value is read as YAML: 0.08 a number, 5m a string,
 * false a boolean.
 */
export function parseSet(text: string): Override {
  const eq = text.indexOf('=');
  const key = eq > 0 ? text.slice(0, eq) : '';
  if (eq <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(key)) {
    throw new UsageError(`--set: must be Alert.field=value or section.field=value, such as DeepgramHighErrorRate.threshold=0.08, got "${text}"`);
  }
  let value: unknown;
  try {
    value = load(text.slice(eq + 1));
  } catch (err) {
    throw new UsageError(`--set ${key}: the value is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const parts = key.split('.');
  return { path: /^Deepgram[A-Za-z0-9]+$/.test(parts[0]!) ? ['alerts', ...parts] : parts, value: value ?? '' };
}

/** Writes each override into the raw config (the YAML's object), creating the blocks on the way. */
export function applyOverrides(raw: Record<string, unknown>, overrides: Override[]): void {
  for (const { path, value } of overrides) {
    let node = raw;
    for (const part of path.slice(0, -1)) {
      const next = node[part];
      if (next === undefined || next === null) node[part] = {};
      else if (typeof next !== 'object' || Array.isArray(next)) throw new UsageError(`--set ${path.join('.')}: ${part} is not a block of fields in the config`);
      node = node[part] as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = value;
  }
}

/** The config to backtest, and with --set or --compare-config the one to compare it with. */
export function loadSides(flags: Pick<BacktestFlags, 'config' | 'set' | 'compareConfig'>): { base: { name: string; config: DgmonConfig }; other?: { name: string; config: DgmonConfig } } {
  const overrides = flags.set.map(parseSet);
  const base = loadConfig(flags.config);
  if (overrides.length === 0 && flags.compareConfig === undefined) return { base: { name: base.source, config: base.config } };
  const from = flags.compareConfig ?? flags.config;
  const other = loadConfig(from, overrides.length > 0 ? (raw) => applyOverrides(raw, overrides) : undefined);
  const name = [flags.compareConfig ?? (overrides.length > 0 ? undefined : other.source), ...flags.set].filter((x) => x !== undefined).join(' ');
  return { base: { name: base.source, config: base.config }, other: { name: name || other.source, config: other.config } };
}

/** A failed request as a sentence naming the Prometheus (without credentials) and the reason; other errors as they are. */
function unreachable(e: unknown, baseUrl: string): Error {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (!(err instanceof TypeError) && err.name !== 'TimeoutError') return err;
  const shown = new URL(baseUrl);
  shown.username = '';
  shown.password = '';
  return new Error(`cannot reach the Prometheus at ${shown.toString().replace(/\/+$/, '')}: ${err.cause?.code ?? err.cause?.message ?? err.message}`);
}

export async function runBacktestCommand(flags: BacktestFlags, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const prometheusUrl = url(flags.prometheus, '--prometheus');
  const rangeMs = parseRange(flags.range);
  const endMs = parseEnd(flags.end);
  const budget = parseBudget(flags.maxPagesPerWeek);
  if (!isDuration(flags.timeout) || durationSeconds(flags.timeout) <= 0) throw new UsageError(`--timeout: must be a duration such as 2m, got "${flags.timeout}"`);
  if (flags.png && flags.out === undefined) throw new UsageError('--png: applies with --out only (the picture is written next to the HTML report)');
  const { base, other } = loadSides(flags);
  const known = new Set([...alertNames(base.config), ...(other ? alertNames(other.config) : [])]);
  const unknown = flags.alert.filter((a) => !known.has(a));
  if (unknown.length > 0) throw new UsageError(`--alert: ${unknown.join(', ')} is not an alert this config generates; choose from ${[...known].join(', ')}`);

  const timeoutMs = durationMilliseconds(flags.timeout);
  const prometheus = prometheusClient(prometheusUrl, { timeoutMs });
  const startMs = endMs - rangeMs;
  // Where the Prometheus already runs dgmon's alert groups, replay at the instants it evaluates them.
  const rules = await fetchRules(prometheusUrl, timeoutMs).catch((e: Error) => {
    err(`dgmon backtest: note: cannot read the rule groups' evaluation times (${unreachable(e, prometheusUrl).message}); evaluating at multiples of the interval`);
    return {};
  });
  const phasesFor = (config: DgmonConfig) => phasesFromRules(rules, Object.fromEntries(buildRules(config).alerting.map((g) => [g.name, g.interval ?? config.intervals.evaluation])));
  const run = (side: { name: string; config: DgmonConfig }): Promise<BacktestResult> =>
    backtest({
      prometheus,
      config: side.config,
      phases: phasesFor(side.config),
      startMs,
      endMs,
      alerts: flags.alert,
      expandAll: flags.expandRecorded,
      progress: (line) => err(`dgmon backtest${other ? ` (${side.name})` : ''}: ${line}`),
    });
  let baseSide: Side;
  let otherSide: Side | undefined;
  try {
    baseSide = { name: base.name, result: await run(base) };
    otherSide = other ? { name: other.name, result: await run(other) } : undefined;
  } catch (e) {
    throw unreachable(e, prometheusUrl);
  }

  out(flags.json ? renderJson(baseSide, otherSide) : renderText(baseSide, otherSide));
  if (flags.out !== undefined) {
    mkdirSync(flags.out, { recursive: true });
    const html = renderHtml(baseSide, otherSide);
    const file = join(flags.out, 'backtest.html');
    writeFileSync(file, html);
    err(`dgmon backtest: wrote ${file}`);
    if (flags.png) {
      // Loaded on demand: only --png needs the browser driver.
      const { openRenderer } = await import('../preview/render.ts');
      const renderer = await openRenderer();
      try {
        const picture = await renderer.render(html, 1200);
        writeFileSync(join(flags.out, 'backtest.png'), picture.png);
        err(`dgmon backtest: wrote ${join(flags.out, 'backtest.png')}`);
      } finally {
        await renderer.close();
      }
    }
  }
  const judged = otherSide ?? baseSide;
  if (budget !== undefined && judged.result.summary.pagesPerWeek > budget) {
    err(`dgmon backtest: ${rate(judged.result.summary.pagesPerWeek)} pages per week with ${judged.name}, over the budget of ${budget} (--max-pages-per-week)`);
    return 1;
  }
  return 0;
}
