// A synthetic Deepgram fleet for the fleet-scale benchmark: N Engine nodes with one GPU each, every series they would
// put into Prometheus, at any moment. The values come from the simulator's own models (simulator/engine.ts and
// simulator/dcgm.ts, driven by a clock we choose instead of the wall clock), so the names, labels and histogram
// buckets are exactly those of the real Engine, dcgm-exporter and dgmon exporter, and every counter and histogram
// grows consistently. Nodes differ: each has its own load, stream occupancy, GPU busyness, latency and error share,
// traffic follows a daily curve per cluster, and a few nodes live through an episode of one of the simulator's
// scenarios (an error burst, a hot GPU, an Xid) at some point of the span.
//
// Each node is scraped as the plain layout in docs/install.md has it: job="deepgram-engine" on port 9991, job="dcgm-exporter"
// on 9400 and job="dgmon" (the exporter, reading the node's API and License Proxy) on 9898, all on the node's host
// name, with a `cluster` target label.
import { API_HEALTH_STATES, DGMON, HEALTH_CHECKS, LICENSE_PROXY_STATES, SOURCE_FAILURE_REASONS } from '../../core/catalog/index.ts';
import { parseExposition } from '../../core/exposition/parse.ts';
import type { MetricFamily } from '../../core/exposition/types.ts';
import { VERSION } from '../../core/version.ts';
import { stateSet } from '../../exporter/sources/shapes.ts';
import { apiStatus } from '../../simulator/api.ts';
import { DcgmModel, type EngineLoad } from '../../simulator/dcgm.ts';
import { EngineModel } from '../../simulator/engine.ts';
import { hashString, noise } from '../../simulator/random.ts';
import { profileOf, type Profile, type ScenarioName } from '../../simulator/scenarios.ts';

/** The fleet's clusters; node i belongs to CLUSTERS[i % 4]. */
export const CLUSTERS = ['us-east', 'us-west', 'eu-central', 'ap-south'] as const;
/** The scrape jobs and ports of one node (the "Loading it" layout of the README and docs/install.md). */
export const TARGETS = [
  { source: 'engine', job: 'deepgram-engine', port: 9991 },
  { source: 'dcgm', job: 'dcgm-exporter', port: 9400 },
  { source: 'exporter', job: 'dgmon', port: 9898 },
] as const;
/** Scenarios a node may live through for a while; the rest of the time it is healthy. */
const EPISODES: readonly { scenario: ScenarioName; share: number; minutes: [number, number] }[] = [
  { scenario: 'error-burst', share: 0.03, minutes: [10, 30] },
  { scenario: 'slow-streaming', share: 0.02, minutes: [20, 60] },
  { scenario: 'gpu-hot', share: 0.01, minutes: [30, 90] },
  { scenario: 'gpu-xid', share: 0.005, minutes: [15, 30] },
];

export interface Episode {
  scenario: ScenarioName;
  /** Unix seconds, inclusive start and exclusive end. */
  from: number;
  to: number;
  /** Profile fields set on top of the scenario's (the quality benchmark's noise: a GPU burst, a few slow files). */
  overrides?: Partial<Profile>;
}

/** A target whose scrapes fail over [from, to): Prometheus writes up 0 and none of its series. */
export interface FailedScrapes {
  source: (typeof TARGETS)[number]['source'];
  from: number;
  to: number;
}

export interface NodeSpec {
  index: number;
  /** Host name: the instance host part, dcgm-exporter's Hostname and the rules' node label. */
  name: string;
  cluster: string;
  /** Requests per second reaching the Engine at the top of the daily curve. */
  load: number;
  /** This node's departures from the healthy profile. */
  overrides: Partial<Profile>;
  episodes: Episode[];
  /** Unix seconds at which the Engine restarts: its counters start from zero and its series register lazily again. */
  restarts?: number[];
  failedScrapes?: FailedScrapes[];
  /** Stretches [from, to) with no sample at all from this node (Prometheus itself not scraping). */
  gaps?: { from: number; to: number }[];
}

const HEALTHY = profileOf('healthy');

/** What a scenario changes in the healthy profile. */
function scenarioOverrides(name: ScenarioName): Partial<Profile> {
  const profile = profileOf(name);
  return Object.fromEntries(Object.entries(profile).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(HEALTHY[k as keyof Profile])));
}

/**
 * The specs of nodes first … first + count - 1 of a fleet whose data spans [fromS, toS): deterministic (node i is
 * the same node in every fleet that has it), varied per node.
 */
export function nodeSpecs(first: number, count: number, fromS: number, toS: number): NodeSpec[] {
  return Array.from({ length: count }, (_, k) => {
    const index = first + k;
    const seed = hashString(`dgmon-bench-fleet/${index}`);
    const n = (k: number) => noise(seed, k);
    // Busyness drives load, stream occupancy, GPU use and latency together; one node in ten is much busier.
    const busy = n(1);
    const hot = n(2) < 0.1 ? 1.8 : 1;
    const episodes: Episode[] = [];
    EPISODES.forEach((e, k) => {
      if (n(10 + k) >= e.share) return;
      const seconds = 60 * Math.round(e.minutes[0] + (e.minutes[1] - e.minutes[0]) * n(20 + k));
      const from = Math.floor(fromS + (toS - fromS - seconds) * n(30 + k));
      episodes.push({ scenario: e.scenario, from, to: from + seconds });
    });
    return {
      index,
      name: `engine-${String(index + 1).padStart(4, '0')}`,
      cluster: CLUSTERS[index % CLUSTERS.length]!,
      load: (1.5 + 4 * busy) * hot,
      overrides: {
        streamFill: Math.min(0.85, (0.25 + 0.4 * busy) * (hot > 1 ? 1.3 : 1)),
        gpuUtil: Math.min(97, (30 + 40 * busy) * (hot > 1 ? 1.3 : 1)),
        gpuUtilJitter: 6 + 6 * n(3),
        batchRtf: 85 + 30 * n(4),
        streamLatency: 0.13 + 0.1 * busy * hot,
        serverErrorShare: 0.0001 + 0.0009 * n(5),
        clientErrorShare: 0.005 + 0.02 * n(6),
      },
      episodes,
    };
  });
}

/** One scrape target's answer at a moment, with the target labels Prometheus would add. */
export interface TargetFamilies {
  /** `<node>/<source>`: stable, for caches. */
  key: string;
  labels: Record<string, string>;
  families: MetricFamily[];
  /**
   * dcgm-exporter's answer as it serves it (0.0.4 text), kept unparsed: parsing it at every sample of every node
   * would be most of the generation time. `families` is empty then; targetFamilies() parses it when asked.
   */
  text?: string;
}

/** The families of a target, its text parsed with the exporter's own parser. */
export function targetFamilies(target: TargetFamilies): MetricFamily[] {
  return target.text === undefined ? target.families : [...parseExposition(target.text), ...target.families];
}

/** Share of the top load at unix second `t`: a daily curve, each cluster in its own time zone. */
export function daily(t: number, cluster: number): number {
  return 0.75 + 0.25 * Math.sin((2 * Math.PI * (t + cluster * 6 * 3600)) / 86_400);
}

class SyntheticNode {
  private engine: EngineModel;
  private readonly dcgm: DcgmModel;
  private readonly seed: number;
  private readonly clusterIndex: number;
  private episode: Episode | undefined;

  private restarted = 0;
  /** The profile of the last scrape. */
  profileNow: Profile = HEALTHY;

  constructor(
    readonly spec: NodeSpec,
    startMs: number,
    private readonly stepSeconds: number,
    private readonly dailyShare: (t: number, cluster: number) => number = daily,
  ) {
    this.seed = hashString(`dgmon-bench-fleet/${spec.name}`);
    this.clusterIndex = Math.max(0, CLUSTERS.indexOf(spec.cluster as (typeof CLUSTERS)[number]));
    this.engine = new EngineModel({ gpus: 1, load: spec.load, seed: this.seed, startMs, stepSeconds });
    this.dcgm = new DcgmModel({ gpus: 1, hostname: spec.name, seed: this.seed, startMs, stepSeconds });
  }

  private profileAt(t: number): Profile {
    const episode = this.spec.episodes.find((e) => e.from <= t && t < e.to);
    const share = this.dailyShare(t, this.clusterIndex);
    const base: Profile = { ...HEALTHY, ...this.spec.overrides, traffic: share };
    base.streamFill = (this.spec.overrides.streamFill ?? HEALTHY.streamFill) * (0.7 + 0.3 * share);
    if (!episode) return base;
    const scenario = profileOf(episode.scenario);
    return { ...base, ...scenarioOverrides(episode.scenario), traffic: share * scenario.traffic, ...episode.overrides };
  }

  /** Whether the node is in a gap at `t` (nothing at all is stored), or which of its targets fail their scrape. */
  down(t: number, profile: Profile): { gap: boolean; sources: Set<string> } {
    const gap = (this.spec.gaps ?? []).some((g) => g.from <= t && t < g.to);
    const sources = new Set((this.spec.failedScrapes ?? []).filter((f) => f.from <= t && t < f.to).map((f) => f.source));
    if (profile.engineEndpoint === 'down') sources.add('engine');
    if (profile.dcgmEndpoint === 'down') sources.add('dcgm');
    return { gap, sources };
  }

  /** Advances the models to unix second `t` (never backwards) and returns what each of the node's targets serves. */
  scrape(t: number): TargetFamilies[] {
    const ms = t * 1000;
    // A restart: a fresh Engine process, counters from zero, series registered again as requests arrive.
    const restarts = (this.spec.restarts ?? []).filter((r) => r <= t).length;
    if (restarts > this.restarted) {
      this.restarted = restarts;
      this.engine = new EngineModel({ gpus: 1, load: this.spec.load, seed: this.seed + restarts, startMs: ms - this.stepSeconds * 1000, stepSeconds: this.stepSeconds });
    }
    const profile = this.profileAt(t);
    this.profileNow = profile;
    const episode = this.spec.episodes.find((e) => e.from <= t && t < e.to);
    // A fault that is an event (an Xid) happens as its episode starts, as the simulator does on a scenario switch.
    if (episode !== this.episode) {
      this.episode = episode;
      if (episode) this.dcgm.enter(ms, profile);
    }
    const load = (second: number): EngineLoad => {
      const a = this.engine.activeAtSecond(second, profile);
      return { running: true, busy: a.batch + a.stream + a.tts > 0 };
    };
    this.engine.advance(ms, profile);
    this.dcgm.advance(ms, profile, load);
    const { name, cluster } = this.spec;
    const target = (source: (typeof TARGETS)[number], families: MetricFamily[], text?: string): TargetFamilies => ({
      key: `${name}/${source.source}`,
      labels: { job: source.job, instance: `${name}:${source.port}`, cluster },
      families,
      ...(text === undefined ? {} : { text }),
    });
    const [engine, dcgm, exporter] = TARGETS;
    return [
      target(engine, this.engine.families(ms, profile)),
      target(dcgm, [], this.dcgm.render(ms, profile, load(this.engine.secondAt(ms)))),
      target(exporter, this.exporterFamilies(t, profile)),
    ];
  }

  /** The dgmon exporter beside the node, reading its API and License Proxy (as exporter/sources/api.ts renders them). */
  private exporterFamilies(t: number, profile: Profile): MetricFamily[] {
    const health = this.engine.systemHealth();
    const status = apiStatus(health, this.engine.active(t * 1000, profile));
    const gauge = (def: { name: string; help: string }, samples: [Record<string, string>, number][]): MetricFamily => ({
      name: def.name,
      type: 'gauge',
      help: def.help,
      samples: samples.map(([labels, value]) => ({ name: def.name, labels, value })),
    });
    const jitter = (k: number) => noise(this.seed, t, k);
    const sources = ['api', 'license_proxy'];
    return [
      stateSet(DGMON.apiSystemHealth.name, DGMON.apiSystemHealth.help, API_HEALTH_STATES, health),
      gauge(DGMON.apiActiveRequests, [
        [{ kind: 'batch' }, status.active_batch_requests],
        [{ kind: 'stream' }, status.active_stream_requests],
        [{ kind: 'listen_v2_stream' }, status.active_listen_v2_stream_requests],
      ]),
      gauge(DGMON.apiEngineConnected, [[{}, profile.engineConnected ? 1 : 0]]),
      stateSet(DGMON.licenseProxyState.name, DGMON.licenseProxyState.help, LICENSE_PROXY_STATES, 'Connected'),
      gauge(DGMON.sourceUp, sources.map((source) => [{ source }, 1])),
      gauge(DGMON.sourceScrapeDuration, sources.map((source, k) => [{ source }, Math.round(3000 + 9000 * jitter(k)) / 1e6])),
      {
        name: DGMON.sourceFailures.name,
        type: 'counter',
        help: DGMON.sourceFailures.help,
        samples: sources.flatMap((source) => SOURCE_FAILURE_REASONS.map((reason) => ({ name: DGMON.sourceFailures.name, labels: { source, reason }, value: 0 }))),
      },
      gauge(DGMON.healthCheckSuccess, HEALTH_CHECKS.map((check) => [{ check }, check === 'engine_connection' && !profile.engineConnected ? 0 : 1])),
      gauge(DGMON.healthCheckDuration, HEALTH_CHECKS.map((check, k) => [{ check }, Math.round(4000 + 12000 * jitter(10 + k)) / 1e6])),
      { name: DGMON.rateLimitHits.name, type: 'counter', help: DGMON.rateLimitHits.help, samples: [{ name: DGMON.rateLimitHits.name, labels: { source: 'health_check' }, value: 0 }] },
      gauge(DGMON.buildInfo, [[{ version: VERSION }, 1]]),
    ];
  }
}

export interface FleetOptions {
  /** Index of the first node (default 0): a larger fleet is built as the smaller one plus further nodes. */
  firstNode?: number;
  nodes: number;
  /** Unix seconds of the first sample; the models start a little earlier, so the first sample already has traffic. */
  fromS: number;
  /** Unix seconds the episodes are spread up to. */
  toS: number;
  /** Seconds between samples, and the models' integration step. */
  stepSeconds: number;
  /** The nodes themselves, instead of the benchmark's varied ones (the quality benchmark's noisy fleet). */
  specs?: NodeSpec[];
  /** The daily traffic curve (share of the top load at a moment, per cluster index). */
  daily?: (t: number, cluster: number) => number;
}

/** Prometheus' own series for every target it scrapes. */
const UP: MetricFamily = { name: 'up', type: 'gauge', help: 'Whether the scrape of the target succeeded (written by Prometheus).', samples: [{ name: 'up', labels: {}, value: 1 }] };
const DOWN: MetricFamily = { ...UP, samples: [{ name: 'up', labels: {}, value: 0 }] };

/** The fleet: every node's targets at a moment. Moments must be asked for in ascending order. */
export class SyntheticFleet {
  readonly specs: NodeSpec[];
  private readonly nodes: SyntheticNode[];
  /** The last moment scraped (unix seconds), or undefined. */
  last: number | undefined;

  constructor(readonly options: FleetOptions) {
    this.specs = options.specs ?? nodeSpecs(options.firstNode ?? 0, options.nodes, options.fromS, options.toS);
    const startMs = (options.fromS - 10 * options.stepSeconds) * 1000;
    this.nodes = this.specs.map((spec) => new SyntheticNode(spec, startMs, options.stepSeconds, options.daily));
  }

  /**
   * Every target of every node at unix second `t`, and its `up` series: 1, or 0 with none of the target's series
   * where its scrape fails; a node in a gap stores nothing at all.
   */
  scrape(t: number): TargetFamilies[] {
    if (this.last !== undefined && t <= this.last) throw new Error(`the fleet was already scraped at ${this.last}; ${t} is not later`);
    this.last = t;
    return this.nodes.flatMap((node) => {
      const targets = node.scrape(t);
      const { gap, sources } = node.down(t, node.profileNow);
      if (gap) return [];
      return targets.map((target, i) =>
        sources.has(TARGETS[i]!.source) ? { key: target.key, labels: target.labels, families: [DOWN] } : { ...target, families: [...target.families, UP] },
      );
    });
  }
}

/** One exposition of the whole fleet at a moment: each family once, target labels on every sample (for checks). */
export function mergeTargets(targets: TargetFamilies[]): MetricFamily[] {
  const byName = new Map<string, MetricFamily>();
  for (const target of targets) {
    for (const family of targetFamilies(target)) {
      let merged = byName.get(family.name);
      if (!merged) byName.set(family.name, (merged = { ...family, samples: [] }));
      for (const s of family.samples) merged.samples.push({ ...s, labels: { ...s.labels, ...target.labels } });
    }
  }
  return [...byName.values()];
}
