// The client's Prometheus metrics, named in the catalogue (core/catalog/client.ts) and labelled with the client's
// `source`. Families are looked up on the registry before they are created, so several clients (or the client and
// dgmon's probe) can share one registry, each under its own source.
import { Counter, Gauge, Histogram, register as globalRegistry, type Registry } from 'prom-client';
import { CIRCUIT_STATES, CLIENT, DGMON, TRANSCRIPTION_MODES, TRANSCRIPTION_STATUSES, type MetricDef } from '../core/catalog/index.ts';
import type { CallStatus } from './errors.ts';
import type { CircuitStateName } from './resilience.ts';

export type Mode = (typeof TRANSCRIPTION_MODES)[number];

function shared<M>(registry: Registry, def: MetricDef, create: (config: { name: string; help: string; labelNames: string[]; registers: Registry[] }) => M): M {
  const existing = registry.getSingleMetric(def.name);
  if (existing) return existing as M;
  return create({ name: def.name, help: def.help, labelNames: [...def.labels], registers: [registry] });
}

export class ClientMetrics {
  readonly registry: Registry;
  private readonly requests: Counter;
  private readonly duration: Histogram;
  private readonly streamLatency: Histogram;
  private readonly audio: Counter;
  private readonly inFlight: Gauge;
  private readonly circuit: Gauge;
  private readonly rateLimitHits: Counter;

  constructor(
    registry: Registry | undefined,
    private readonly source: string,
  ) {
    const r = (this.registry = registry ?? globalRegistry);
    this.requests = shared(r, CLIENT.transcriptionRequests, (c) => new Counter(c));
    this.duration = shared(r, CLIENT.transcriptionDuration, (c) => new Histogram({ ...c, buckets: [...(CLIENT.transcriptionDuration.buckets ?? [])] }));
    this.streamLatency = shared(r, CLIENT.streamLatency, (c) => new Histogram({ ...c, buckets: [...(CLIENT.streamLatency.buckets ?? [])] }));
    this.audio = shared(r, CLIENT.audioProcessed, (c) => new Counter(c));
    this.inFlight = shared(r, CLIENT.requestsInFlight, (c) => new Gauge(c));
    this.circuit = shared(r, CLIENT.circuitState, (c) => new Gauge(c));
    this.rateLimitHits = shared(r, DGMON.rateLimitHits, (c) => new Counter(c));
    // Every series exists from the start at 0, so rate() and increase() see the first failure.
    for (const mode of TRANSCRIPTION_MODES) {
      for (const status of TRANSCRIPTION_STATUSES) this.requests.inc({ source, mode, status }, 0);
      this.audio.inc({ source, mode }, 0);
      this.inFlight.set({ source, mode }, 0);
    }
    this.rateLimitHits.inc({ source }, 0);
    this.circuitState('closed');
  }

  /** One call to Deepgram ended with this status. */
  call(mode: Mode, status: CallStatus): void {
    this.requests.inc({ source: this.source, mode, status });
    if (status === '429') this.rateLimitHits.inc({ source: this.source });
  }

  /** A health check (or any call outside transcription) was answered 429. */
  rateLimited(): void {
    this.rateLimitHits.inc({ source: this.source });
  }

  succeeded(mode: Mode, wallSeconds: number, audioSeconds: number): void {
    this.duration.observe({ source: this.source, mode }, wallSeconds);
    if (audioSeconds > 0) this.audio.inc({ source: this.source, mode }, audioSeconds);
  }

  chunkAnswered(latencySeconds: number): void {
    this.streamLatency.observe({ source: this.source }, latencySeconds);
  }

  started(mode: Mode): void {
    this.inFlight.inc({ source: this.source, mode });
  }

  ended(mode: Mode): void {
    this.inFlight.dec({ source: this.source, mode });
  }

  circuitState(state: CircuitStateName): void {
    for (const s of CIRCUIT_STATES) this.circuit.set({ source: this.source, state: s }, s === state ? 1 : 0);
  }
}
