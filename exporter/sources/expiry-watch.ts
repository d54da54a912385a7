// The expiry watch: certificates and API keys change on renewal only, so each check (one TLS endpoint, one key
// listing) is run at most once per interval, when a scrape finds its reading older than that, and its last reading
// is served in between. A check that fails keeps serving the last expiry it saw (an expiry already seen must not
// vanish because the proxy or Deepgram's API is briefly unreachable) and reports the failure per target.
import { DGMON, SOURCE_FAILURE_REASONS, type EXPIRY_CHECKS } from '../../core/catalog/index.ts';
import type { MetricFamily, Sample } from '../../core/exposition/types.ts';
import { SourceError, raceSignal, type FailureReason } from '../fetch.ts';
import type { Logger } from '../log.ts';

export type ExpiryCheckName = (typeof EXPIRY_CHECKS)[number];

/** One thing whose expiry is read: a TLS endpoint, or one project's key listing. */
export interface ExpiryCheck {
  check: ExpiryCheckName;
  /** The target label: the TLS target name, or the project id. */
  target: string;
  /** Reads once; resolves with expiry samples (catalogue names) or throws SourceError. Never outlives `signal`. */
  run(signal: AbortSignal): Promise<Sample[]>;
}

interface CheckState {
  lastAttempt?: number;
  samples: Sample[];
  success?: boolean;
  durationSeconds?: number;
  failures: Record<FailureReason, number>;
  running?: Promise<void>;
}

export interface ExpiryWatchOptions {
  checks: ExpiryCheck[];
  /** Samples known without asking anyone (API keys declared in dgmon.yaml). */
  fixed: Sample[];
  intervalMs: number;
  timeoutMs: number;
  log: Logger;
}

/** The expiry families served on every scrape, in catalogue order. */
const FAMILIES = [DGMON.tlsCertExpiry, DGMON.tlsChainExpiry, DGMON.tlsCertVerified, DGMON.apiKeyExpiry] as const;

export class ExpiryWatch {
  private readonly states = new Map<ExpiryCheck, CheckState>();

  constructor(private readonly options: ExpiryWatchOptions) {
    for (const check of options.checks) {
      this.states.set(check, { samples: [], failures: Object.fromEntries(SOURCE_FAILURE_REASONS.map((r) => [r, 0])) as Record<FailureReason, number> });
    }
  }

  /** What is watched, for the start-up log: "tls api-proxy", "api_key_listing <project>", declared key names. */
  get targets(): string[] {
    return [...this.options.checks.map((c) => `${c.check} ${c.target}`), ...this.options.fixed.map((s) => `declared key ${s.labels.key}`)];
  }

  get empty(): boolean {
    return this.options.checks.length === 0 && this.options.fixed.length === 0;
  }

  /** Refreshes stale readings (waiting at most until `signal`), then renders every family. Never throws. */
  async collect(signal: AbortSignal): Promise<MetricFamily[]> {
    const stale = [...this.states].filter(([, s]) => s.running || s.lastAttempt === undefined || Date.now() - s.lastAttempt >= this.options.intervalMs);
    // A check still running when the scrape budget ends finishes for the next scrape.
    await Promise.all(stale.map(([check, state]) => raceSignal((state.running ??= this.refresh(check, state)), signal).catch(() => undefined)));
    return this.render();
  }

  private async refresh(check: ExpiryCheck, state: CheckState): Promise<void> {
    state.lastAttempt = Date.now();
    const started = performance.now();
    try {
      state.samples = await check.run(AbortSignal.timeout(this.options.timeoutMs));
      state.success = true;
    } catch (err) {
      const e = err instanceof SourceError ? err : new SourceError('parse', 'failed unexpectedly');
      state.success = false;
      state.failures[e.reason]++;
      this.options.log.warn({ check: check.check, target: check.target, reason: e.reason, error: e.message }, 'expiry check failed');
    } finally {
      state.durationSeconds = (performance.now() - started) / 1000;
      state.running = undefined;
    }
  }

  private render(): MetricFamily[] {
    const expiry = [...this.options.fixed, ...[...this.states.values()].flatMap((s) => s.samples)];
    const families: MetricFamily[] = FAMILIES.map((def) => ({ name: def.name, type: 'gauge', help: def.help, samples: expiry.filter((s) => s.name === def.name) }));
    const per = (name: string, value: (s: CheckState) => number | undefined, extra: Record<string, string> = {}) =>
      [...this.states].flatMap(([check, state]): Sample[] => {
        const v = value(state);
        return v === undefined ? [] : [{ name, labels: { check: check.check, target: check.target, ...extra }, value: v }];
      });
    families.push(
      { name: DGMON.expiryCheckSuccess.name, type: 'gauge', help: DGMON.expiryCheckSuccess.help, samples: per(DGMON.expiryCheckSuccess.name, (s) => (s.success === undefined ? undefined : s.success ? 1 : 0)) },
      { name: DGMON.expiryCheckDuration.name, type: 'gauge', help: DGMON.expiryCheckDuration.help, samples: per(DGMON.expiryCheckDuration.name, (s) => s.durationSeconds) },
      {
        name: DGMON.expiryCheckFailures.name,
        type: 'counter',
        help: DGMON.expiryCheckFailures.help,
        // Every reason starts at 0, so increase() sees the first failure.
        samples: SOURCE_FAILURE_REASONS.flatMap((reason) => per(DGMON.expiryCheckFailures.name, (s) => s.failures[reason], { reason })),
      },
    );
    return families.filter((f) => f.samples.length > 0);
  }
}
