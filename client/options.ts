// The client's settings: every default with the reason for it, checked once at construction so a wrong value fails
// at start-up naming the option and the fix, not later inside a request. The API key comes from the option, a file
// or DEEPGRAM_API_KEY, and stays in this module's result and the request headers only.
import { readFileSync } from 'node:fs';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';

export interface RetryOptions {
  /** Retries after the first call (default 3): enough to ride out a restart or a brief overload, few enough to fail within a minute. */
  maxRetries?: number;
  /** First backoff (default 500 ms), doubled each retry with decorrelated jitter so callers don't retry in step. */
  initialDelayMs?: number;
  /** Longest backoff (default 10 s). */
  maxDelayMs?: number;
  /** A 429 whose Retry-After asks for longer than this (default 60 s) is not retried: the caller learns at once. */
  maxRetryAfterMs?: number;
}

export interface BreakerOptions {
  /** Consecutive server-side failures (5xx, timeouts, connection failures) that open the circuit (default 5). */
  consecutiveFailures?: number;
  /** How long it stays open before one trial call is let through (default 10 s). */
  halfOpenAfterMs?: number;
}

export interface HealthOptions {
  /** A cheap GET on the API (default /v1/status, which self-hosted APIs answer without a key; hosted: e.g. /v1/projects). */
  path?: string;
  /** How long a result is reused (default 5 s), so frequent probes never multiply calls to Deepgram. */
  cacheTtlMs?: number;
  /** Timeout of the check (default 5 s, inside a typical 10 s probe timeout). */
  timeoutMs?: number;
}

export interface ClientOptions {
  /** API base URL (default DEEPGRAM_API_URL, else https://api.deepgram.com); self-hosted: http://HOST:8080. */
  baseUrl?: string;
  /** API key; prefer apiKeyFile or DEEPGRAM_API_KEY so it stays out of code. Optional for self-hosted APIs without auth. */
  apiKey?: string;
  /** File holding the API key (a mounted secret); read once at construction. */
  apiKeyFile?: string;
  /** Per-call timeout (default 30 s): batch until the response, streams until the handshake and between answers. */
  timeoutMs?: number;
  /** Batch requests sent at once (default 16); more wait in the queue. */
  maxConcurrentRequests?: number;
  /** Live streams open at once (default 16). */
  maxConcurrentStreams?: number;
  /** Calls waiting for a slot (default 1000); beyond it calls fail at once with reason queue_full. */
  maxQueued?: number;
  retry?: RetryOptions;
  breaker?: BreakerOptions;
  health?: HealthOptions;
  /** prom-client registry for the metrics (default prom-client's global one); false = no metrics. */
  registry?: Registry | false;
  /** The `source` label on every metric (default "client"), so rules can tell applications from dgmon's probe. */
  source?: string;
  /** A pino logger (a child is used); default a JSON logger on stdout with dgmon's redaction. */
  logger?: Logger;
}

export interface ResolvedOptions {
  baseUrl: string;
  apiKey?: string;
  timeoutMs: number;
  maxConcurrentRequests: number;
  maxConcurrentStreams: number;
  maxQueued: number;
  retry: Required<RetryOptions>;
  breaker: Required<BreakerOptions>;
  health: Required<HealthOptions>;
  source: string;
}

const HOSTED_API = 'https://api.deepgram.com';

export function resolveOptions(options: ClientOptions, env: NodeJS.ProcessEnv = process.env): ResolvedOptions {
  const problems: string[] = [];
  const count = (name: string, value: number | undefined, fallback: number, min: number): number => {
    const v = value ?? fallback;
    if (!Number.isInteger(v) || v < min) problems.push(`${name}: must be an integer >= ${min}, got ${String(value)}`);
    return v;
  };
  const ms = (name: string, value: number | undefined, fallback: number): number => {
    const v = value ?? fallback;
    if (!Number.isFinite(v) || v <= 0) problems.push(`${name}: must be a positive number of milliseconds (30 s = 30000), got ${String(value)}`);
    return v;
  };
  const baseUrl = (options.baseUrl ?? env.DEEPGRAM_API_URL ?? HOSTED_API).replace(/\/+$/, '');
  if (!/^(https?|wss?):\/\/[^/]+/.test(baseUrl)) problems.push(`baseUrl: must be an http(s) URL such as http://deepgram-api:8080, got "${baseUrl}"`);
  if (options.apiKey !== undefined && options.apiKeyFile !== undefined) problems.push('apiKey, apiKeyFile: set one of them, not both');
  let apiKey = options.apiKey;
  if (options.apiKeyFile !== undefined) {
    try {
      apiKey = readFileSync(options.apiKeyFile, 'utf8').trim();
      if (!apiKey) problems.push(`apiKeyFile: ${options.apiKeyFile} is empty; write the key into it`);
    } catch (err) {
      problems.push(`apiKeyFile: cannot read ${options.apiKeyFile} (${(err as NodeJS.ErrnoException).code ?? 'error'}); check the path and permissions`);
    }
  }
  apiKey ||= env.DEEPGRAM_API_KEY || undefined;
  const source = options.source ?? 'client';
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(source)) problems.push(`source: must be a short label value of letters, digits and _, got "${source}"`);
  const healthPath = options.health?.path ?? '/v1/status';
  if (!healthPath.startsWith('/')) problems.push(`health.path: must start with "/", got "${healthPath}"`);
  const resolved: ResolvedOptions = {
    baseUrl,
    apiKey,
    timeoutMs: ms('timeoutMs', options.timeoutMs, 30_000),
    maxConcurrentRequests: count('maxConcurrentRequests', options.maxConcurrentRequests, 16, 1),
    maxConcurrentStreams: count('maxConcurrentStreams', options.maxConcurrentStreams, 16, 1),
    maxQueued: count('maxQueued', options.maxQueued, 1000, 0),
    retry: {
      maxRetries: count('retry.maxRetries', options.retry?.maxRetries, 3, 0),
      initialDelayMs: ms('retry.initialDelayMs', options.retry?.initialDelayMs, 500),
      maxDelayMs: ms('retry.maxDelayMs', options.retry?.maxDelayMs, 10_000),
      maxRetryAfterMs: ms('retry.maxRetryAfterMs', options.retry?.maxRetryAfterMs, 60_000),
    },
    breaker: {
      consecutiveFailures: count('breaker.consecutiveFailures', options.breaker?.consecutiveFailures, 5, 1),
      halfOpenAfterMs: ms('breaker.halfOpenAfterMs', options.breaker?.halfOpenAfterMs, 10_000),
    },
    health: {
      path: healthPath,
      cacheTtlMs: ms('health.cacheTtlMs', options.health?.cacheTtlMs, 5_000),
      timeoutMs: ms('health.timeoutMs', options.health?.timeoutMs, 5_000),
    },
    source,
  };
  if (problems.length) throw new Error(`dgmon client: invalid options:\n  - ${problems.join('\n  - ')}`);
  return resolved;
}
