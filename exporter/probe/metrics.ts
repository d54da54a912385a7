// The probe's own metrics (catalogue: core/catalog/probe.ts), on the exporter's registry next to the transcription
// families its client writes with source="probe". Series of a mode exist only when that mode is probed; the speed-up,
// last success and transcript check appear with their first reading, so no made-up 0 is ever served.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { PROBE, PROBE_RESULTS, TRANSCRIPT_CHECKS, type MetricDef, type TRANSCRIPTION_MODES } from '../../core/catalog/index.ts';
import type { TranscriptCheck } from './sanity.ts';

export type ProbeMode = (typeof TRANSCRIPTION_MODES)[number];
export type ProbeResult = (typeof PROBE_RESULTS)[number];

const config = (def: MetricDef, registry: Registry) => ({ name: def.name, help: def.help, labelNames: [...def.labels], registers: [registry] });

export class ProbeMetrics {
  private readonly runs: Counter;
  private readonly consecutive: Gauge;
  private readonly lastSuccess: Gauge;
  private readonly transcript: Gauge;
  private readonly failuresInRow = new Map<ProbeMode, number>();
  private speedup?: Gauge;
  private firstTranscript?: Histogram;

  constructor(
    private readonly registry: Registry,
    modes: readonly ProbeMode[],
  ) {
    this.runs = new Counter(config(PROBE.runs, registry));
    this.consecutive = new Gauge(config(PROBE.consecutiveFailures, registry));
    this.lastSuccess = new Gauge(config(PROBE.lastSuccess, registry));
    this.transcript = new Gauge(config(PROBE.transcriptOk, registry));
    if (modes.includes('stream')) this.firstTranscript = new Histogram({ ...config(PROBE.firstTranscript, registry), buckets: [...(PROBE.firstTranscript.buckets ?? [])] });
    for (const mode of modes) {
      // Every result starts at 0, so increase() sees the first failure.
      for (const result of PROBE_RESULTS) this.runs.inc({ mode, result }, 0);
      this.consecutive.set({ mode }, 0);
      this.failuresInRow.set(mode, 0);
    }
  }

  ran(mode: ProbeMode, result: ProbeResult): void {
    this.runs.inc({ mode, result });
    const inRow = result === 'success' ? 0 : (this.failuresInRow.get(mode) ?? 0) + 1;
    this.failuresInRow.set(mode, inRow);
    this.consecutive.set({ mode }, inRow);
    if (result === 'success') this.lastSuccess.set({ mode }, Date.now() / 1000);
  }

  checked(mode: ProbeMode, check: TranscriptCheck): void {
    // One series per mode: the reason of an earlier check goes away.
    for (const reason of TRANSCRIPT_CHECKS) if (reason !== check) this.transcript.remove({ mode, reason });
    this.transcript.set({ mode, reason: check }, check === 'ok' ? 1 : 0);
  }

  batchSpeedup(ratio: number): void {
    this.speedup ??= new Gauge(config(PROBE.realtimeSpeedup, this.registry));
    this.speedup.set(ratio);
  }

  firstTranscriptAfter(seconds: number): void {
    this.firstTranscript?.observe(seconds);
  }
}
