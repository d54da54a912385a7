// The dgmon config with time scaled down, for a stack of simulated nodes that must show in seconds what production
// shows in minutes: the same generators with other numbers (1 s scrapes and evaluations, 10 s rate windows, 5-20 s
// `for:`), and the simulator's own windows shortened to match. Used by the end-to-end tests and by `dgmon preview`'s
// scripted run, so both scale time the same way.
import { parseConfig, type DgmonConfig } from '../core/config.ts';
import { ENGINE_SYMPTOM_ALERTS } from '../alerts/alertmanager.ts';

/** Every alert's `for:` (and criticalFor), in the scaled config. */
export const FOR = '5s';
/**
 * DeepgramSourceDown includes absent() of the recorded target counts, true from Prometheus' start until its first
 * scrape (and one evaluation more), which the SD manager's 5 s update throttle delays by about 6.5 s: its `for:` must
 * outlast that, as the production 2m outlasts a restart.
 */
export const SOURCE_DOWN_FOR = '15s';
/**
 * The node symptoms that a down source silences (error rate, latency, capacity) keep production's order too: their
 * `for:` (2m-15m) outlasts DeepgramSourceDown's (2m), so when a source goes down the silencing alert is there first.
 * DeepgramGPUIdleWhileServing, itself the root cause, keeps the short FOR (it no longer silences them: only a down
 * Engine does).
 */
export const SYMPTOM_FOR = '20s';
const SYMPTOMS: readonly string[] = ENGINE_SYMPTOM_ALERTS.filter((name) => name !== 'DeepgramGPUIdleWhileServing');
/**
 * DeepgramStreamCapacityHigh keeps its production place after DeepgramConcurrencyLimitNear (15m after 5m): on a full
 * node the concurrency ticket is there first and holds the stream-capacity warning of that node (one full node, one
 * ticket), instead of the two racing on the same scaled `for:`.
 */
export const STREAM_CAPACITY_FOR = '30s';
/** The look-back windows of the windowed alerts (production: 1h for rate-limit hits, 10m for GPU error counts). */
export const ALERT_WINDOW = '20s';
/**
 * DeepgramHighErrorRate's "errors still coming in" window (production 1m, four 15 s scrapes): three 1 s scrapes, so
 * a steady error share always has errors in it, as in production.
 */
export const RECENT_WINDOW = '3s';
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
/**
 * The exporter's per-source timeout and total budget stay under Prometheus' 1 s scrape timeout, as production's 8 s
 * stays under 10 s; its health check is cached 1 s instead of 5 s.
 */
export const EXPORTER_TIMING = { timeout: '700ms', healthCacheTtl: '1s' } as const;
const SCRAPE_BUDGET = '800ms';

/**
 * The defaults with time scaled down. `extra` adds top-level fields the scaling does not set (cluster, alertmanager,
 * runbooks…); `alertOverrides` sets alert fields over the scaled ones.
 */
export function timeScaledConfig(extra: Record<string, unknown> = {}, alertOverrides: Record<string, Record<string, unknown>> = {}): DgmonConfig {
  const defaults = parseConfig({});
  const alerts: Record<string, Record<string, unknown>> = {};
  for (const [name, block] of Object.entries(defaults.alerts as Record<string, Record<string, unknown>>)) {
    const scaled: Record<string, unknown> = {};
    if ('for' in block)
      scaled.for = name === 'DeepgramSourceDown' ? SOURCE_DOWN_FOR : name === 'DeepgramStreamCapacityHigh' ? STREAM_CAPACITY_FOR : SYMPTOMS.includes(name) ? SYMPTOM_FOR : FOR;
    if ('criticalFor' in block) scaled.criticalFor = FOR;
    if ('window' in block) scaled.window = ALERT_WINDOW;
    if ('recentWindow' in block) scaled.recentWindow = RECENT_WINDOW;
    // A critical Xid is held a day after it clears in production; scaled, as long as its window.
    if ('criticalKeepFiringFor' in block) scaled.criticalKeepFiringFor = ALERT_WINDOW;
    alerts[name] = { ...scaled, ...alertOverrides[name] };
  }
  return parseConfig({
    intervals: { evaluation: '1s', rate: '10s', scrape: '1s' },
    alerts,
    slo: { burnRateWindows: BURN_RATE_WINDOWS },
    exporter: { scrapeBudget: SCRAPE_BUDGET },
    ...extra,
  });
}
