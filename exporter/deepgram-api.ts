// The Deepgram API as the exporter sees it: /v1/status and /v1/status/engine, read together as the health check,
// cached for a short TTL and shared by /health and /metrics, so probes and scrapes never multiply API calls.
import type { HEALTH_CHECKS } from '../core/catalog/index.ts';
import { fetchText, SourceError, type FailureReason } from './fetch.ts';
import { parseJson } from './sources/shapes.ts';

export type CheckName = (typeof HEALTH_CHECKS)[number];

export interface ApiStatus {
  systemHealth: string;
  activeBatch?: number;
  activeStream?: number;
  activeV2Stream?: number;
}

export interface CheckResult {
  name: CheckName;
  ok: boolean;
  latencySeconds: number;
  reason?: FailureReason | 'not_connected';
  error?: string;
}

export interface HealthReport {
  healthy: boolean;
  /** Unix milliseconds of the check. */
  checkedAt: number;
  checks: CheckResult[];
  status?: ApiStatus;
  engineConnection?: string;
}

export interface DeepgramApiOptions {
  timeoutMs: number;
  maxBytes: number;
  cacheTtlMs: number;
  apiKey?: string;
  /** Called for every 429 answer, so rate-limit hits are counted. */
  onRateLimited?: () => void;
  now?: () => number;
}

export class DeepgramApi {
  private cached?: HealthReport;
  private inFlight?: Promise<HealthReport>;
  private readonly base: string;
  private readonly now: () => number;

  constructor(
    baseUrl: string,
    private readonly options: DeepgramApiOptions,
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
    this.now = options.now ?? Date.now;
  }

  /** The health report, at most cacheTtlMs old; concurrent callers share one check. */
  health(): Promise<HealthReport> {
    if (this.cached && this.now() - this.cached.checkedAt < this.options.cacheTtlMs) return Promise.resolve(this.cached);
    this.inFlight ??= this.check().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  async get(path: string, signal: AbortSignal): Promise<Record<string, unknown>> {
    const headers: Record<string, string> = this.options.apiKey ? { authorization: `Token ${this.options.apiKey}` } : {};
    try {
      const { body } = await fetchText(`${this.base}${path}`, { signal, maxBytes: this.options.maxBytes, headers, accept: 'application/json' });
      return parseJson(body);
    } catch (err) {
      if (err instanceof SourceError && err.status === 429) this.options.onRateLimited?.();
      throw err;
    }
  }

  private async check(): Promise<HealthReport> {
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    const [statusCheck, engineCheck] = await Promise.all([
      this.timed('api_status', async () => {
        const body = await this.get('/v1/status', signal);
        if (typeof body.system_health !== 'string') throw new SourceError('parse', 'answer has no "system_health" field');
        return {
          systemHealth: body.system_health,
          activeBatch: numberOrUndefined(body.active_batch_requests),
          activeStream: numberOrUndefined(body.active_stream_requests),
          activeV2Stream: numberOrUndefined(body.active_listen_v2_stream_requests),
        } satisfies ApiStatus;
      }),
      this.timed('engine_connection', async () => {
        const body = await this.get('/v1/status/engine', signal);
        const connection = body.engine_connection_status;
        if (typeof connection !== 'string') throw new SourceError('parse', 'answer has no "engine_connection_status" field');
        return connection;
      }),
    ]);
    const engineConnection = engineCheck.value;
    if (engineConnection !== undefined && engineConnection !== 'Connected') {
      engineCheck.result.ok = false;
      engineCheck.result.reason = 'not_connected';
      engineCheck.result.error = `the API reports engine_connection_status "${engineConnection}"`;
    }
    const checks = [statusCheck.result, engineCheck.result];
    const report: HealthReport = {
      healthy: checks.every((c) => c.ok),
      checkedAt: this.now(),
      checks,
      status: statusCheck.value,
      engineConnection,
    };
    this.cached = report;
    return report;
  }

  private async timed<T>(name: CheckName, run: () => Promise<T>): Promise<{ result: CheckResult; value?: T }> {
    const started = performance.now();
    try {
      const value = await run();
      return { result: { name, ok: true, latencySeconds: (performance.now() - started) / 1000 }, value };
    } catch (err) {
      const e = err instanceof SourceError ? err : new SourceError('connection', 'failed');
      return { result: { name, ok: false, latencySeconds: (performance.now() - started) / 1000, reason: e.reason, error: e.message } };
    }
  }
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
