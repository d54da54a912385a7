// One scrape of the exporter: every configured source read in parallel inside the scrape budget, the results merged
// into one exposition, and each source's up, duration and failures recorded. Concurrent scrapes share one
// collection, so 100 scrapers cost one upstream fetch, and one encoding of the answer: they are all sent its bytes.
import { Counter, Gauge, Registry } from 'prom-client';
import { DGMON, SOURCE_FAILURE_REASONS } from '../core/catalog/index.ts';
import { renderText } from '../core/exposition/render.ts';
import type { MetricFamily } from '../core/exposition/types.ts';
import { VERSION } from '../core/version.ts';
import { SourceError, deadline, raceSignal } from './fetch.ts';
import type { DeepgramApi } from './deepgram-api.ts';
import type { Source, SourceName } from './sources/types.ts';
import type { Logger } from './log.ts';
import type { ExpiryWatch } from './sources/expiry-watch.ts';

export interface CollectorOptions {
  sources: Source[];
  /** Per-source timeouts in ms; the budget caps them all. */
  timeouts: Partial<Record<SourceName, number>>;
  budgetMs: number;
  api?: DeepgramApi;
  /** Certificates and API keys, checked per target on their own interval and served from the last reading. */
  expiry?: ExpiryWatch;
  log: Logger;
}

export class Collector {
  readonly registry = new Registry();
  private inFlight?: Promise<Buffer>;
  private readonly up: Gauge;
  private readonly duration: Gauge;
  private readonly failures: Counter;
  private readonly healthSuccess: Gauge;
  private readonly healthDuration: Gauge;
  readonly rateLimitHits: Counter;

  constructor(private readonly options: CollectorOptions) {
    const r = [this.registry];
    this.up = new Gauge({ name: DGMON.sourceUp.name, help: DGMON.sourceUp.help, labelNames: ['source'], registers: r });
    this.duration = new Gauge({ name: DGMON.sourceScrapeDuration.name, help: DGMON.sourceScrapeDuration.help, labelNames: ['source'], registers: r });
    this.failures = new Counter({ name: DGMON.sourceFailures.name, help: DGMON.sourceFailures.help, labelNames: ['source', 'reason'], registers: r });
    this.healthSuccess = new Gauge({ name: DGMON.healthCheckSuccess.name, help: DGMON.healthCheckSuccess.help, labelNames: ['check'], registers: r });
    this.healthDuration = new Gauge({ name: DGMON.healthCheckDuration.name, help: DGMON.healthCheckDuration.help, labelNames: ['check'], registers: r });
    this.rateLimitHits = new Counter({ name: DGMON.rateLimitHits.name, help: DGMON.rateLimitHits.help, labelNames: ['source'], registers: r });
    new Gauge({ name: DGMON.buildInfo.name, help: DGMON.buildInfo.help, labelNames: ['version'], registers: r }).set({ version: VERSION }, 1);
    // Every failure reason starts at 0 for every source, so rate() and increase() work from the first failure.
    for (const source of options.sources) for (const reason of SOURCE_FAILURE_REASONS) this.failures.inc({ source: source.name, reason }, 0);
    if (options.api) this.rateLimitHits.inc({ source: 'health_check' }, 0);
  }

  /** The exposition text of one collection, UTF-8 encoded; concurrent callers share it. */
  scrape(): Promise<Buffer> {
    this.inFlight ??= this.collect().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async collect(): Promise<Buffer> {
    const budget = deadline(this.options.budgetMs);
    try {
      const [results, expiry] = await Promise.all([
        Promise.all(this.options.sources.map((source) => this.read(source))),
        this.options.expiry?.collect(budget.signal) ?? [],
      ]);
      await this.recordHealth(budget.signal);
      const own = await this.registry.metrics();
      return Buffer.from(own + renderText(mergeFamilies([...results.flat(), ...expiry])));
    } finally {
      budget.clear();
    }
  }

  private async read(source: Source): Promise<MetricFamily[]> {
    // Sources start with the collection, so the budget caps a source's timeout by being the shorter of the two.
    const timeout = Math.min(this.options.timeouts[source.name] ?? this.options.budgetMs, this.options.budgetMs);
    const limit = deadline(timeout);
    const started = performance.now();
    try {
      const families = await source.collect(limit.signal);
      this.up.set({ source: source.name }, 1);
      return families;
    } catch (err) {
      const e = err instanceof SourceError ? err : new SourceError('parse', 'failed unexpectedly');
      this.up.set({ source: source.name }, 0);
      this.failures.inc({ source: source.name, reason: e.reason });
      this.options.log.warn({ source: source.name, target: source.target, reason: e.reason, error: e.message }, 'source failed');
      return [];
    } finally {
      limit.clear();
      this.duration.set({ source: source.name }, (performance.now() - started) / 1000);
    }
  }

  private async recordHealth(budget: AbortSignal): Promise<void> {
    const api = this.options.api;
    if (!api) return;
    // Past the budget the scrape answers without fresh health gauges; the shared check keeps running.
    const report = await raceSignal(api.health(), budget).catch(() => undefined);
    if (!report) return;
    for (const check of report.checks) {
      this.healthSuccess.set({ check: check.name }, check.ok ? 1 : 0);
      this.healthDuration.set({ check: check.name }, check.latencySeconds);
    }
  }
}

/**
 * Joins the families of all sources into one list with each name once: two upstreams exposing the same family
 * (process metrics, say) would otherwise produce a second TYPE line, and Prometheus rejects such a scrape whole.
 */
export function mergeFamilies(families: MetricFamily[]): MetricFamily[] {
  const byName = new Map<string, MetricFamily>();
  for (const family of families) {
    const existing = byName.get(family.name);
    if (!existing) byName.set(family.name, { ...family, samples: [...family.samples] });
    else if (existing.type === family.type) existing.samples.push(...family.samples);
    // A same-named family of another type cannot be served next to the first: it is left out.
  }
  return [...byName.values()];
}
