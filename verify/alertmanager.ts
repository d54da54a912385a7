// The checks that ask Alertmanager: is it reachable with dgmon's receivers and routes loaded, and does a test alert
// for each receiver get routed there and sent without a failed notification.
//
// Test alerts are short-lived and labelled dgmon_verify="<run id>", with distinct alert names (so no inhibition
// between them applies) and a grouping value of their own (so each starts a new group and is sent after group_wait
// instead of waiting for the group_interval of a live group). They are resolved before the run ends.
import { load } from 'js-yaml';
import type { DgmonConfig } from '../core/config.ts';
import { durationSeconds } from '../core/duration.ts';
import { parseExposition } from '../core/exposition/parse.ts';
import { RECEIVER_NAMES } from '../alerts/alertmanager.ts';
import { isEnabled } from '../alerts/index.ts';
import { errorText, joinUrl, requestJson, requestOk, shownUrl } from './http.ts';
import { fail, pass, warn, type CheckResult } from './report.ts';

export interface AlertmanagerTarget {
  url: string;
  timeoutMs: number;
  config: DgmonConfig;
}

export type ReceiverKey = keyof typeof RECEIVER_NAMES;

/** What the loaded config says: each receiver's integrations (webhook, slack, pagerduty, …) and the routed receivers. */
export interface LoadedRouting {
  integrations: Map<string, string[]>;
  routed: Set<string>;
}

interface RouteNode {
  receiver?: string;
  routes?: RouteNode[];
}

/** Reads the loaded alertmanager.yml (as /api/v2/status returns it) into receivers and routed receiver names. */
export function loadedRouting(original: string): LoadedRouting {
  const doc = (load(original) ?? {}) as { route?: RouteNode; receivers?: Record<string, unknown>[] };
  const integrations = new Map<string, string[]>();
  for (const r of doc.receivers ?? []) {
    const kinds = Object.entries(r)
      .filter(([key, value]) => key.endsWith('_configs') && Array.isArray(value) && value.length > 0)
      .map(([key]) => key.replace(/_configs$/, ''));
    integrations.set(String(r.name), kinds);
  }
  const routed = new Set<string>();
  const walk = (node: RouteNode | undefined) => {
    if (!node) return;
    if (node.receiver) routed.add(node.receiver);
    node.routes?.forEach(walk);
  };
  walk(doc.route);
  return { integrations, routed };
}

/** Checks 4: reachable, and dgmon's receivers are defined and used by a route. Returns the routing for check 5. */
export async function checkAlertmanager(a: AlertmanagerTarget): Promise<{ rows: CheckResult[]; routing?: LoadedRouting }> {
  let status: { config?: { original?: string }; versionInfo?: { version?: string }; cluster?: { status?: string } };
  try {
    status = await requestJson(joinUrl(a.url, '/api/v2/status'), { timeoutMs: a.timeoutMs });
  } catch (err) {
    return { rows: [fail('alertmanager', errorText(err))] };
  }
  const rows = [pass('alertmanager', `reachable at ${shownUrl(a.url)}, version ${status.versionInfo?.version ?? 'unknown'}, cluster ${status.cluster?.status ?? 'unknown'}`)];
  let routing: LoadedRouting;
  try {
    routing = loadedRouting(status.config?.original ?? '');
  } catch (err) {
    rows.push(fail('alertmanager: routing', `the loaded config from ${shownUrl(joinUrl(a.url, '/api/v2/status'))} is not readable YAML: ${errorText(err).split('\n')[0]}`));
    return { rows };
  }
  const problems: string[] = [];
  const notes: string[] = [];
  for (const name of Object.values(RECEIVER_NAMES)) {
    if (!routing.integrations.has(name)) problems.push(`receiver ${name} is not defined`);
    else if (!routing.routed.has(name)) problems.push(`receiver ${name} is defined but no route sends to it`);
    else if (routing.integrations.get(name)!.length === 0) notes.push(`receiver ${name} has no integration: its notifications are dropped (set alertmanager.receivers in dgmon.yaml)`);
  }
  if (problems.length > 0) {
    rows.push(fail('alertmanager: routing', `${problems.join('\n')}\nfix: load the alertmanager.yml \`dgmon generate\` writes, or merge its route, inhibit_rules and receivers into yours`));
  } else {
    const list = Object.values(RECEIVER_NAMES).map((n) => `${n} (${routing.integrations.get(n)!.join(', ') || 'no integration'})`);
    rows.push((notes.length ? warn : pass)('alertmanager: routing', [`receivers routed: ${list.join(', ')}`, ...notes].join('\n')));
  }
  return { rows, routing };
}

// ---------------------------------------------------------------------------------------------------------------
// 5. Test alerts

export interface TestAlertOptions {
  runId: string;
  /** How long to wait for routing and notifications, in ms. */
  waitMs: number;
  /** Poll interval, ms. */
  pollMs?: number;
}

interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
}

interface GettableAlert {
  labels: Record<string, string>;
  receivers: { name: string }[];
  status: { state: string; silencedBy: string[]; inhibitedBy: string[] };
}

/** The alert each receiver must get: pager by severity critical, ticket by warning, watchdog by the watchdog's name. */
export const TEST_ALERTS: Record<ReceiverKey, { alertname: string; severity: string }> = {
  pager: { alertname: 'DeepgramVerifyPager', severity: 'critical' },
  ticket: { alertname: 'DeepgramVerifyTicket', severity: 'warning' },
  watchdog: { alertname: 'DeepgramWatchdog', severity: 'none' },
};

export const VERIFY_LABEL = 'dgmon_verify';

export function testAlerts(config: DgmonConfig, runId: string, startsAt: Date, endsAt: Date): Record<ReceiverKey, PostableAlert> {
  const own = `dgmon-verify-${runId}`;
  const grouping = Object.fromEntries(config.alertmanager.groupBy.filter((l) => l !== 'alertname' && l !== '...').map((l) => [l, own]));
  const make = (key: ReceiverKey): PostableAlert => ({
    labels: { ...config.extraLabels, ...grouping, alertname: TEST_ALERTS[key].alertname, severity: TEST_ALERTS[key].severity, [VERIFY_LABEL]: runId },
    annotations: {
      summary: 'dgmon verify test alert: no action needed.',
      description: `Sent by \`dgmon verify\` (run ${runId}) to prove that ${RECEIVER_NAMES[key]} receives Deepgram alerts; the same run resolves it.`,
    },
    startsAt: startsAt.toISOString(),
    endsAt: endsAt.toISOString(),
  });
  return { pager: make('pager'), ticket: make('ticket'), watchdog: make('watchdog') };
}

/** Notification request counters per key: the integration, or integration@receiver where Alertmanager labels it. */
interface Counters {
  requests: Map<string, number>;
  failed: Map<string, number>;
  perReceiver: boolean;
}

export function notificationCounters(text: string): Counters {
  const counters: Counters = { requests: new Map(), failed: new Map(), perReceiver: false };
  for (const family of parseExposition(text)) {
    for (const s of family.samples) {
      const target =
        s.name === 'alertmanager_notification_requests_total'
          ? counters.requests
          : s.name === 'alertmanager_notification_requests_failed_total' || s.name === 'alertmanager_notifications_failed_total'
            ? counters.failed
            : undefined;
      if (!target || s.labels.integration === undefined) continue;
      // Newer Alertmanagers add receiver_name; then the counters tell receivers apart.
      if (s.labels.receiver_name !== undefined) counters.perReceiver = true;
      const key = s.labels.receiver_name !== undefined ? `${s.labels.integration}@${s.labels.receiver_name}` : s.labels.integration;
      target.set(key, (target.get(key) ?? 0) + s.value);
    }
  }
  return counters;
}

const rise = (before: Map<string, number>, after: Map<string, number>, key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function metrics(a: AlertmanagerTarget): Promise<Counters> {
  return notificationCounters((await requestOk(joinUrl(a.url, '/metrics'), { timeoutMs: a.timeoutMs })).text);
}

async function post(a: AlertmanagerTarget, alerts: PostableAlert[]): Promise<void> {
  await requestOk(joinUrl(a.url, '/api/v2/alerts'), { timeoutMs: a.timeoutMs, json: alerts });
}

/** Check 5: one test alert per receiver, each routed to its receiver and sent without failures; always resolved. */
export async function checkTestAlerts(a: AlertmanagerTarget, routing: LoadedRouting, options: TestAlertOptions): Promise<CheckResult[]> {
  const pollMs = options.pollMs ?? 500;
  // With DeepgramWatchdog disabled the bundle routes nothing to the watchdog receiver: there is nothing to prove.
  const keys = (Object.keys(RECEIVER_NAMES) as ReceiverKey[]).filter((key) => key !== 'watchdog' || isEnabled(a.config, 'DeepgramWatchdog'));
  const row = (key: ReceiverKey) => `test alert: ${RECEIVER_NAMES[key]}`;
  const startsAt = new Date();
  // Expires on its own if this run is killed before it resolves the alerts.
  const endsAt = new Date(startsAt.getTime() + Math.max(5 * 60_000, 2 * options.waitMs));
  const alerts = testAlerts(a.config, options.runId, startsAt, endsAt);
  let before: Counters | undefined;
  try {
    before = await metrics(a);
  } catch {
    // Routing is still checked; delivery then cannot be judged from the counters.
  }
  try {
    await post(a, keys.map((k) => alerts[k]));
  } catch (err) {
    return keys.map((k) => fail(row(k), `could not post the test alert: ${errorText(err)}`));
  }
  try {
    const deadline = Date.now() + options.waitMs;
    const routed = await waitForRouting(a, options.runId, keys, deadline, pollMs);
    const results = new Map<ReceiverKey, CheckResult>();
    const pending: ReceiverKey[] = [];
    for (const key of keys) {
      const name = RECEIVER_NAMES[key];
      const found = routed.get(key);
      if (!found) results.set(key, fail(row(key), `Alertmanager did not list the test alert ${TEST_ALERTS[key].alertname} within ${options.waitMs / 1000} s`));
      else if (!found.receivers.some((r) => r.name === name)) results.set(key, fail(row(key), `routed to ${found.receivers.map((r) => r.name).join(', ') || 'no receiver'} instead of ${name}`));
      else if (found.status.state === 'suppressed') {
        const by = [...found.status.silencedBy.map((s) => `silence ${s}`), ...found.status.inhibitedBy.map((i) => `inhibited by alert ${i}`)].join(', ');
        results.set(key, fail(row(key), `routed to ${name} but suppressed (${by}), so it is not sent`));
      } else if ((routing.integrations.get(name) ?? []).length === 0) results.set(key, warn(row(key), `routed to ${name}, which has no integration: nothing is sent`));
      else pending.push(key);
    }
    if (pending.length > 0) {
      for (const [key, result] of await waitForDelivery(a, routing, pending, before, deadline, pollMs)) results.set(key, result);
    }
    return keys.map((k) => results.get(k)!);
  } finally {
    // Resolve them, whatever happened above.
    const now = new Date().toISOString();
    await post(a, keys.map((k) => ({ ...alerts[k], endsAt: now }))).catch(() => undefined);
  }
}

async function waitForRouting(a: AlertmanagerTarget, runId: string, keys: ReceiverKey[], deadline: number, pollMs: number): Promise<Map<ReceiverKey, GettableAlert>> {
  const url = joinUrl(a.url, `/api/v2/alerts?${new URLSearchParams({ filter: `${VERIFY_LABEL}="${runId}"` })}`);
  let found = new Map<ReceiverKey, GettableAlert>();
  for (;;) {
    try {
      const listed = await requestJson<GettableAlert[]>(url, { timeoutMs: a.timeoutMs });
      found = new Map();
      for (const key of keys) {
        const alert = listed.find((x) => x.labels.alertname === TEST_ALERTS[key].alertname && x.labels[VERIFY_LABEL] === runId);
        // "unprocessed" means not yet run through routing and inhibition: wait for the verdict.
        if (alert && alert.status.state !== 'unprocessed') found.set(key, alert);
      }
      if (found.size === keys.length) return found;
    } catch {
      // Listed again on the next poll; the deadline bounds it.
    }
    if (Date.now() >= deadline) return found;
    await sleep(pollMs);
  }
}

/**
 * Judges delivery from Alertmanager's notification request counters: an integration whose failed requests rose
 * while the test alerts were out fails its receivers; one whose successful requests rose by at least the number
 * of test alerts it carries delivered them. Alertmanager 0.25 counts per integration only, so receivers sharing one
 * (three webhooks) are judged together, and other notifications sent meanwhile count too: routing is the proof,
 * the counters are the evidence that nothing failed.
 */
async function waitForDelivery(
  a: AlertmanagerTarget,
  routing: LoadedRouting,
  pending: ReceiverKey[],
  before: Counters | undefined,
  deadline: number,
  pollMs: number,
): Promise<Map<ReceiverKey, CheckResult>> {
  const results = new Map<ReceiverKey, CheckResult>();
  const row = (key: ReceiverKey) => `test alert: ${RECEIVER_NAMES[key]}`;
  if (!before) {
    for (const key of pending) results.set(key, warn(row(key), `routed to ${RECEIVER_NAMES[key]}; delivery not judged: ${shownUrl(joinUrl(a.url, '/metrics'))} was not readable`));
    return results;
  }
  const keysOf = (key: ReceiverKey) =>
    (routing.integrations.get(RECEIVER_NAMES[key]) ?? []).map((i) => (before.perReceiver ? `${i}@${RECEIVER_NAMES[key]}` : i));
  const carried = new Map<string, number>();
  for (const key of pending) for (const k of keysOf(key)) carried.set(k, (carried.get(k) ?? 0) + 1);
  let after = before;
  for (;;) {
    try {
      after = await metrics(a);
    } catch {
      // Judged on the last readable counters.
    }
    for (const key of pending.filter((k) => !results.has(k))) {
      const failedOn = keysOf(key).filter((k) => rise(before.failed, after.failed, k) > 0);
      const sent = keysOf(key).every((k) => rise(before.requests, after.requests, k) - rise(before.failed, after.failed, k) >= carried.get(k)!);
      if (failedOn.length > 0) {
        const which = failedOn.map((k) => `${k} (${rise(before.failed, after.failed, k)} failed)`).join(', ');
        results.set(key, fail(row(key), `routed to ${RECEIVER_NAMES[key]}, but notifications failed meanwhile on ${which}; see the Alertmanager log`));
      } else if (sent) {
        results.set(key, pass(row(key), `routed to ${RECEIVER_NAMES[key]} and sent (${keysOf(key).join(', ')}), no failed notification`));
      }
    }
    if (results.size === pending.length || Date.now() >= deadline) break;
    await sleep(pollMs);
  }
  for (const key of pending.filter((k) => !results.has(k))) {
    const groupWait = durationSeconds(a.config.alertmanager.groupWait);
    results.set(key, warn(row(key), `routed to ${RECEIVER_NAMES[key]}, but no notification was seen within the wait (group_wait is ${groupWait} s; raise --wait)`));
  }
  return results;
}
