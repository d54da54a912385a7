// What Alertmanager would have sent for a set of firing episodes, given the routing dgmon generates (read from the
// generated config object, so a change of routes, grouping or inhibitions is backtested as written):
// - routing: depth first, the first matching child (or several with `continue`), settings inherited from the parent;
// - inhibition: a target alert is muted while a firing source alert matches the rule's source matchers and has the
//   same values of its `equal` labels (a label missing on both sides is equal); an alert matching both sides is not
//   muted by alerts that also match both sides (Alertmanager's two-sided exclusion);
// - grouping: one aggregation group per route and group_by values, flushed group_wait after its first alert and then
//   every group_interval; a flush notifies (Alertmanager's DedupStage) when a firing alert is new to the receiver,
//   when everything it was told about has resolved, or when repeat_interval has passed. Muted alerts are left out of
//   the flush, not out of the group. A group whose alerts have all resolved is dropped after its flush.
// Left out: silences, time intervals, the send_resolved choice of each integration (resolved notifications are
// counted apart), and delays between Prometheus and Alertmanager.
import { durationSeconds } from '../core/duration.ts';
import type { Episode } from './alerting.ts';

interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

/** An Alertmanager matcher string such as `severity="critical"` or `alertname=~"A|B"`. */
export function parseMatcher(text: string): Matcher {
  const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/.exec(text);
  if (!m) throw new Error(`not an Alertmanager matcher: ${text}`);
  let value = m[3]!;
  if (value.startsWith('"')) value = JSON.parse(value) as string;
  return { label: m[1]!, op: m[2] as Matcher['op'], value };
}

function matches(m: Matcher, labels: Record<string, string>): boolean {
  const v = labels[m.label] ?? '';
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return new RegExp(`^(?:${m.value})$`).test(v);
    case '!~':
      return !new RegExp(`^(?:${m.value})$`).test(v);
  }
}

const matchAll = (ms: Matcher[], labels: Record<string, string>) => ms.every((m) => matches(m, labels));

interface RawRoute {
  receiver?: string;
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  matchers?: string[];
  continue?: boolean;
  routes?: RawRoute[];
}

interface RawInhibit {
  source_matchers?: string[];
  target_matchers?: string[];
  equal?: string[];
}

/** The parts of an Alertmanager config this emulation reads (buildAlertmanagerConfig's shape). */
export interface AlertmanagerConfigObject {
  route: RawRoute;
  inhibit_rules?: RawInhibit[];
}

export interface Leaf {
  /** Route path, e.g. "0/1": tells routes to the same receiver apart. */
  path: string;
  receiver: string;
  groupBy: string[];
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
}

// Alertmanager's own defaults for a root route without them.
const DEFAULTS = { group_wait: '30s', group_interval: '5m', repeat_interval: '4h' };

/** The routes an alert with `labels` is sent along (Alertmanager's Route.Match). */
export function routeAlert(root: RawRoute, labels: Record<string, string>): Leaf[] {
  const walk = (route: RawRoute, inherited: Required<Pick<RawRoute, 'receiver' | 'group_by' | 'group_wait' | 'group_interval' | 'repeat_interval'>>, path: string): Leaf[] => {
    const own = {
      receiver: route.receiver ?? inherited.receiver,
      group_by: route.group_by ?? inherited.group_by,
      group_wait: route.group_wait ?? inherited.group_wait,
      group_interval: route.group_interval ?? inherited.group_interval,
      repeat_interval: route.repeat_interval ?? inherited.repeat_interval,
    };
    const found: Leaf[] = [];
    for (const [i, child] of (route.routes ?? []).entries()) {
      if (!matchAll((child.matchers ?? []).map(parseMatcher), labels)) continue;
      found.push(...walk(child, own, `${path}/${i}`));
      if (!child.continue) break;
    }
    if (found.length > 0) return found;
    return [
      {
        path,
        receiver: own.receiver,
        groupBy: own.group_by,
        groupWaitMs: durationSeconds(own.group_wait) * 1000,
        groupIntervalMs: durationSeconds(own.group_interval) * 1000,
        repeatIntervalMs: durationSeconds(own.repeat_interval) * 1000,
      },
    ];
  };
  return walk(root, { receiver: root.receiver ?? '', group_by: [], ...DEFAULTS }, '0');
}

/** An episode's labels as Alertmanager sees them: with alertname. */
const amLabels = (e: Episode): Record<string, string> => ({ ...e.labels, alertname: e.alert });

/** [from, to) stretches of time (ms); `to` undefined: open to the end. */
type Span = [number, number];

function mergeSpans(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
    else out.push([s[0], s[1]]);
  }
  return out;
}

/** For each episode, the stretches in which an inhibition rule mutes it (merged, within the episode). */
export function mutedSpans(episodes: Episode[], rules: RawInhibit[], endMs: number): Span[][] {
  const parsed = rules.map((r) => ({ source: (r.source_matchers ?? []).map(parseMatcher), target: (r.target_matchers ?? []).map(parseMatcher), equal: r.equal ?? [] }));
  const labels = episodes.map(amLabels);
  return episodes.map((target, i) => {
    const spans: Span[] = [];
    const tEnd = target.end ?? endMs;
    for (const rule of parsed) {
      if (!matchAll(rule.target, labels[i]!)) continue;
      const twoSided = matchAll(rule.source, labels[i]!);
      for (const [j, source] of episodes.entries()) {
        if (j === i || !matchAll(rule.source, labels[j]!)) continue;
        if (twoSided && matchAll(rule.target, labels[j]!)) continue;
        if (!rule.equal.every((l) => (labels[j]![l] ?? '') === (labels[i]![l] ?? ''))) continue;
        const from = Math.max(target.start, source.start);
        const to = Math.min(tEnd, source.end ?? endMs);
        if (from < to) spans.push([from, to]);
      }
    }
    return mergeSpans(spans);
  });
}

export interface Notification {
  receiver: string;
  /** Route path and group_by values. */
  group: string;
  at: number;
  /** Alerts firing (and not muted) in it; 0 for a notification that everything resolved. */
  firing: number;
  resolved: number;
  /** Why it was sent. */
  reason: 'new' | 'resolved' | 'repeat';
  /** Indexes (into the episodes given) of the alerts it carries, firing and resolved. */
  episodes: number[];
}

export interface ReceiverSummary {
  receiver: string;
  /** Notifications carrying at least one firing alert (what pages or opens a ticket). */
  firing: number;
  /** Notifications that only say alerts resolved (sent where the integration has send_resolved). */
  resolved: number;
}

/** Every notification Alertmanager would send for `episodes` over a range ending at `endMs`. */
export function notifications(episodes: Episode[], am: AlertmanagerConfigObject, endMs: number): Notification[] {
  const muted = mutedSpans(episodes, am.inhibit_rules ?? [], endMs);
  interface Member {
    id: number;
    start: number;
    end: number;
    muted: Span[];
  }
  const groups = new Map<string, { leaf: Leaf; members: Member[] }>();
  episodes.forEach((e, id) => {
    const labels = amLabels(e);
    for (const leaf of routeAlert(am.route, labels)) {
      const values = leaf.groupBy.includes('...') ? Object.entries(labels).sort() : leaf.groupBy.map((l) => [l, labels[l] ?? '']);
      const key = `${leaf.path}${JSON.stringify(values)}`;
      const group = groups.get(key) ?? { leaf, members: [] };
      group.members.push({ id, start: e.start, end: e.end ?? Infinity, muted: muted[id]! });
      groups.set(key, group);
    }
  });
  const sent: Notification[] = [];
  for (const [key, { leaf, members }] of groups) {
    members.sort((a, b) => a.start - b.start);
    // The notification log's entry for this group and receiver outlives the aggregation group.
    let logged: { firing: Set<number>; resolved: Set<number>; at: number } | undefined;
    let next = 0;
    while (next < members.length) {
      // A new aggregation group: the alerts that join it before it is dropped.
      const t0 = members[next]!.start;
      if (t0 > endMs) break;
      const inGroup: Member[] = [];
      let flush = t0 + leaf.groupWaitMs;
      for (;;) {
        while (next < members.length && members[next]!.start <= flush) inGroup.push(members[next++]!);
        if (flush > endMs) break;
        const live = inGroup.filter((m) => m.end > flush);
        const firing = new Set(live.filter((m) => !m.muted.some(([a, b]) => a <= flush && flush < b)).map((m) => m.id));
        const resolved = new Set(inGroup.filter((m) => m.end <= flush).map((m) => m.id));
        let reason: Notification['reason'] | undefined;
        if (!logged) reason = firing.size > 0 ? 'new' : undefined;
        else if ([...firing].some((id) => !logged!.firing.has(id))) reason = 'new';
        else if (firing.size === 0) reason = logged.firing.size > 0 ? 'resolved' : undefined;
        else if ([...resolved].some((id) => !logged!.resolved.has(id))) reason = 'resolved';
        else if (logged.at <= flush - leaf.repeatIntervalMs) reason = 'repeat';
        if (reason) {
          sent.push({ receiver: leaf.receiver, group: key, at: flush, firing: firing.size, resolved: resolved.size, reason, episodes: [...firing, ...resolved] });
          logged = { firing, resolved, at: flush };
        }
        // Resolved alerts leave the group once flushed; with none left the group is dropped.
        for (let i = inGroup.length - 1; i >= 0; i--) if (inGroup[i]!.end <= flush) inGroup.splice(i, 1);
        if (inGroup.length === 0) break;
        // Nothing changes before the next member arrives or a member ends, except repeats: skip idle ticks.
        flush = nextFlush(flush, leaf, inGroup, members[next]?.start, logged?.at);
      }
    }
  }
  return sent.sort((a, b) => a.at - b.at);
}

/** The next group_interval tick at which something can change (an arrival, an end, a mute edge, a repeat). */
function nextFlush(flush: number, leaf: Leaf, inGroup: { end: number; muted: Span[] }[], arrival: number | undefined, lastSent: number | undefined): number {
  const interval = leaf.groupIntervalMs;
  const events = [arrival ?? Infinity, ...inGroup.map((m) => m.end), ...inGroup.flatMap((m) => m.muted.flat()), lastSent !== undefined ? lastSent + leaf.repeatIntervalMs : Infinity].filter((t) => t > flush);
  const first = Math.min(...events);
  if (!Number.isFinite(first)) return flush + interval;
  return flush + Math.max(1, Math.ceil((first - flush) / interval)) * interval;
}

/** Notifications per receiver. */
export function perReceiver(sent: Notification[]): ReceiverSummary[] {
  const by = new Map<string, ReceiverSummary>();
  for (const n of sent) {
    const s = by.get(n.receiver) ?? { receiver: n.receiver, firing: 0, resolved: 0 };
    if (n.firing > 0) s.firing += 1;
    else s.resolved += 1;
    by.set(n.receiver, s);
  }
  return [...by.values()].sort((a, b) => a.receiver.localeCompare(b.receiver));
}
