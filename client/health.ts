// The connectivity check behind /health: one cheap GET on the Deepgram API (self-hosted /v1/status by default),
// timed, cached for a short TTL and shared by concurrent callers, so a busy load balancer never multiplies calls.
// It bypasses the circuit breaker on purpose: /health must tell whether Deepgram answers now.
import { performance } from 'node:perf_hooks';
import type { CircuitStateName } from './resilience.ts';

export interface HealthReport {
  status: 'ok' | 'unavailable';
  deepgram: {
    ok: boolean;
    latency_seconds: number;
    status_code?: number;
    error?: string;
  };
  circuit: CircuitStateName;
  /** ISO time of the check (a cached report keeps its time). */
  checked_at: string;
}

export interface HealthCheckDeps {
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
  cacheTtlMs: number;
  circuit(): CircuitStateName;
  onRateLimited(): void;
  now?: () => number;
}

export class HealthCheck {
  private cached?: { at: number; report: HealthReport };
  private inFlight?: Promise<HealthReport>;
  private readonly now: () => number;

  constructor(private readonly deps: HealthCheckDeps) {
    this.now = deps.now ?? Date.now;
  }

  report(): Promise<HealthReport> {
    if (this.cached && this.now() - this.cached.at < this.deps.cacheTtlMs) return Promise.resolve(this.cached.report);
    this.inFlight ??= this.check().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async check(): Promise<HealthReport> {
    const at = this.now();
    const started = performance.now();
    let deepgram: HealthReport['deepgram'];
    try {
      const response = await fetch(this.deps.url, { headers: this.deps.headers, signal: AbortSignal.timeout(this.deps.timeoutMs) });
      await response.arrayBuffer();
      if (response.status === 429) this.deps.onRateLimited();
      deepgram = { ok: response.ok, latency_seconds: seconds(started), status_code: response.status, ...(response.ok ? {} : { error: `answered ${response.status}` }) };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      const error = e.name === 'TimeoutError' ? `no answer within ${this.deps.timeoutMs} ms` : `unreachable (${e.cause?.code ?? e.name})`;
      deepgram = { ok: false, latency_seconds: seconds(started), error };
    }
    const report: HealthReport = { status: deepgram.ok ? 'ok' : 'unavailable', deepgram, circuit: this.deps.circuit(), checked_at: new Date(at).toISOString() };
    this.cached = { at, report };
    return report;
  }
}

const seconds = (since: number) => Math.round(performance.now() - since) / 1000;
