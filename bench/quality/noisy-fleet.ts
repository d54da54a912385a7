// A healthy but noisy fleet for the alert-quality benchmark, from the simulator's models (bench/fleet/synthetic.ts):
// what a real fleet does on an ordinary day and what must NOT page, with labelled incidents mixed in that must.
//
// Noise, every node, seeded: traffic following the day down to 1 % of the peak at night (a request or two a minute);
// single 5xx among those night requests; one Engine restart a day (counters from zero, series registered again as
// requests come, the Engine target down and the API without its Engine for a scrape) and a rolling deploy restarting
// every node five minutes apart; single failed scrapes of one target; a four-minute gap with no samples at all; a
// few long audio files (batch requests taking 10-20 s for a couple of minutes, by night and by day); GPU bursts to
// 100 % for 3-8 minutes; the afternoon's GPU temperature swing to 78-83 °C.
//
// Incidents, one per node, one after another in the node's daytime: the simulator's scenarios that an SRE must
// hear about, with the alert each must raise, its severity and the bound within which it must fire.
import { hashString, noise } from '../../simulator/random.ts';
import type { ScenarioName } from '../../simulator/scenarios.ts';
import type { Episode, FailedScrapes, NodeSpec } from '../fleet/synthetic.ts';
import { CLUSTERS } from '../fleet/synthetic.ts';

export interface Incident {
  scenario: ScenarioName;
  /** What broke, in an SRE's words. */
  what: string;
  alert: string;
  severity: 'critical' | 'warning';
  /** The receiver its notification goes to. */
  receiver: string;
  minutes: number;
  /** How long after the incident begins the alert must fire: its `for:` plus its window, an evaluation and scrapes. */
  boundMinutes: number;
  /** Filled in by the fleet: where and when. */
  node?: string;
  cluster?: string;
  from?: number;
  to?: number;
}

export const INCIDENTS: Incident[] = [
  { scenario: 'error-burst', what: 'sustained 5xx (8 %)', alert: 'DeepgramHighErrorRate', severity: 'critical', receiver: 'deepgram-pager', minutes: 25, boundMinutes: 2 + 5 + 3 },
  { scenario: 'slow-batch', what: 'slow batch (P95 20-60 s)', alert: 'DeepgramHighLatencyP95', severity: 'warning', receiver: 'deepgram-ticket', minutes: 40, boundMinutes: 10 + 5 + 3 },
  { scenario: 'slow-streaming', what: 'slow streaming (0.7 s)', alert: 'DeepgramStreamingLatencyHigh', severity: 'warning', receiver: 'deepgram-ticket', minutes: 30, boundMinutes: 5 + 5 + 3 },
  { scenario: 'gpu-xid', what: 'GPU Xid 79', alert: 'DeepgramGPUXidErrors', severity: 'critical', receiver: 'deepgram-pager', minutes: 20, boundMinutes: 0 + 10 + 3 },
  { scenario: 'gpu-hot', what: 'GPU overheating (92 °C)', alert: 'DeepgramGPUTemperatureHigh', severity: 'warning', receiver: 'deepgram-ticket', minutes: 30, boundMinutes: 10 + 3 },
  { scenario: 'engine-disconnected', what: 'Engine disconnected from the API', alert: 'DeepgramEngineDisconnected', severity: 'critical', receiver: 'deepgram-pager', minutes: 10, boundMinutes: 1 + 3 },
  // dcgm-exporter is monitoring only: its loss blinds the GPU alerts but stops no transcription, so it opens a ticket.
  { scenario: 'dcgm-down', what: 'dcgm-exporter down', alert: 'DeepgramSourceDown', severity: 'warning', receiver: 'deepgram-ticket', minutes: 10, boundMinutes: 2 + 3 },
  { scenario: 'capacity-exhausted', what: 'stream capacity exhausted (94 %)', alert: 'DeepgramStreamCapacityHigh', severity: 'warning', receiver: 'deepgram-ticket', minutes: 40, boundMinutes: 15 + 5 + 3 },
];

/** Clusters of the noisy fleet and their time zones (hours ahead of UTC). */
const ZONES: Record<string, number> = { [CLUSTERS[0]]: -5, [CLUSTERS[1]]: -8 };
const CLUSTER_NAMES = [CLUSTERS[0], CLUSTERS[1]];

const localHour = (t: number, cluster: number) => ((((t / 3600 + (ZONES[CLUSTER_NAMES[cluster]!] ?? 0)) % 24) + 24) % 24);

/** Share of the peak load: 1 % at 04:00 local, the peak at 16:00, a smooth day between. */
export function noisyDaily(t: number, cluster: number): number {
  const day = (1 - Math.cos((2 * Math.PI * (localHour(t, cluster) - 4)) / 24)) / 2;
  return 0.01 + 0.99 * day * day;
}

export interface NoisyFleet {
  specs: NodeSpec[];
  incidents: Required<Incident>[];
  /** The noise put in, by kind, for the report. */
  noise: Record<string, number>;
}

const MIN = 60;

/** The noisy fleet over [fromS, toS): `nodes` nodes (at least one per incident), incidents inside [incidentsFromS, toS). */
export function noisyFleet(nodes: number, fromS: number, toS: number, incidentsFromS: number): NoisyFleet {
  if (nodes < INCIDENTS.length) throw new Error(`the noisy fleet needs a node per incident (${INCIDENTS.length})`);
  const counts: Record<string, number> = {};
  const count = (kind: string, n = 1) => (counts[kind] = (counts[kind] ?? 0) + n);
  const align = (t: number) => Math.floor(t / MIN) * MIN;
  const span = toS - fromS;
  const deploy = align(fromS + span * 0.55);
  const gap = align(fromS + span * 0.35);
  count('scrape gap of 4 min (every node)');

  const incidents: Required<Incident>[] = [];
  let lastIncidentEnd = -Infinity;
  const specs = Array.from({ length: nodes }, (_, index): NodeSpec => {
    const seed = hashString(`dgmon-bench-quality/${index}`);
    const n = (k: number) => noise(seed, k);
    const cluster = index % 2;
    const name = `engine-${String(index + 1).padStart(2, '0')}`;
    const at = (k: number, from = fromS, to = toS) => align(from + (to - from) * n(k));
    const episodes: Episode[] = [];
    const failedScrapes: FailedScrapes[] = [];

    // The incident of this node first: an episode found first wins over noise at the same moment.
    const incident = INCIDENTS[index];
    if (incident) {
      // Spread over the range in order, moved forward to the node's daytime (10:00-18:00 local).
      // One after another, half an hour apart at least, each moved forward to its node's daytime (09:00-19:00 local).
      let start = align(Math.max(incidentsFromS, lastIncidentEnd + 30 * MIN));
      while (localHour(start, cluster) < 9 || localHour(start, cluster) + incident.minutes / 60 > 19) start += 30 * MIN;
      lastIncidentEnd = start + incident.minutes * MIN;
      if (lastIncidentEnd > toS) throw new Error(`the noisy fleet's range is too short for its incidents: ${incident.scenario} would end after it (a day or more is needed)`);
      const end = start + incident.minutes * MIN;
      episodes.push({ scenario: incident.scenario, from: start, to: end });
      incidents.push({ ...incident, node: name, cluster: CLUSTER_NAMES[cluster]!, from: start, to: end });
    }

    const restarts: number[] = [];
    const restart = (t: number) => {
      restarts.push(t);
      // The Engine is gone for one scrape and the API has no Engine meanwhile.
      failedScrapes.push({ source: 'engine', from: t, to: t + MIN });
      episodes.push({ scenario: 'healthy', from: t, to: t + MIN, overrides: { engineConnected: false, traffic: 0 } });
    };
    restart(at(1));
    count('Engine restart');
    restart(deploy + index * 5 * MIN);
    count('rolling-deploy restart');

    for (let k = 0; k < 3; k++) {
      failedScrapes.push({ source: (['engine', 'dcgm', 'exporter'] as const)[Math.floor(n(10 + k) * 3)]!, from: at(20 + k), to: at(20 + k) + MIN });
      count('single failed scrape');
    }
    // Night 5xx: within the quiet hours, one minute in which every second request fails (one or two requests).
    for (let k = 0; k < 3; k++) {
      let t = at(30 + k);
      for (let tries = 0; tries < 60 && !(localHour(t, cluster) >= 1 && localHour(t, cluster) < 5); tries++) {
        t += 30 * MIN;
        if (t >= toS - MIN) t = align(fromS);
      }
      episodes.push({ scenario: 'healthy', from: t, to: t + MIN, overrides: { serverErrorShare: 0.5 } });
      count('night minute with 5xx');
    }
    for (let k = 0; k < 2; k++) {
      const t = at(40 + k);
      episodes.push({ scenario: 'healthy', from: t, to: t + (2 + Math.floor(2 * n(42 + k))) * MIN, overrides: { batchQueueSeconds: 10 + 10 * n(44 + k) } });
      count('long audio files (2-3 min of 10-20 s batch requests)');
    }
    for (let k = 0; k < 3; k++) {
      const t = at(50 + k);
      episodes.push({ scenario: 'healthy', from: t, to: t + (3 + Math.floor(6 * n(53 + k))) * MIN, overrides: { gpuUtil: 100, gpuUtilJitter: 0 } });
      count('GPU burst to 100 % (3-8 min)');
    }
    // The afternoon's warmth: 45 minutes at 78-83 °C around 15:00 local, each day.
    for (let t = align(fromS); t < toS; t += 3600) {
      if (Math.floor(localHour(t, cluster)) !== 15) continue;
      episodes.push({ scenario: 'healthy', from: t, to: t + 45 * MIN, overrides: { gpuTempCelsius: Math.round(78 + 5 * n(60)) } });
      count('afternoon GPU temperature swing (78-83 °C)');
    }
    return {
      index,
      name,
      cluster: CLUSTER_NAMES[cluster]!,
      load: 2 + 2 * n(2),
      overrides: { streamFill: 0.3 + 0.2 * n(3), gpuUtil: 40 + 20 * n(4), batchRtf: 90 + 20 * n(5), serverErrorShare: 0.0003 },
      episodes,
      restarts: restarts.sort((a, b) => a - b),
      failedScrapes,
      gaps: [{ from: gap, to: gap + 4 * MIN }],
    };
  });
  return { specs, incidents, noise: counts };
}
