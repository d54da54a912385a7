// The job names the generated scrapes set: configured under packaging.jobs, or derived from the selectors so the
// rules' selectors find them. Here rather than in outputs/ because validation needs them too: a job the selectors
// would not match is refused when the config is read, before anything is generated.
import { splitMatchers, jobMatches } from '../matchers.ts';
import type { DgmonConfig } from './schema.ts';

/** Job names dgmon falls back to, per selector, when the selector does not name one of its own. */
const DEFAULT_JOBS = { engine: 'deepgram-engine', dcgm: 'dcgm-exporter', exporter: 'dgmon' } as const;
/** The Engine job of Deepgram's Helm chart (charts/deepgram-self-hosted/values.yaml, additionalScrapeConfigs). */
export const DEEPGRAM_CHART_ENGINE_JOB = 'dg_engine_metrics';

/** A job name the selector matches: its own (job="x", or the first literal of job=~"x|y"), else dgmon's default. */
function deriveJob(selectorText: string, fallback: string): string | undefined {
  const candidates = [fallback];
  for (const raw of splitMatchers(selectorText)) {
    const m = /^\s*job\s*(=~|=)\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(raw);
    if (m) candidates.unshift(...(m[1] === '=' ? [m[2]!] : m[2]!.split('|')));
  }
  return candidates.find((c) => /^[a-zA-Z_][a-zA-Z0-9_:-]*$/.test(c) && jobMatches(selectorText, c));
}

export interface ScrapeJobs {
  engine: string;
  dcgm: string;
  exporter: string;
  /** The Engine job in the Helm values for Deepgram's chart. */
  helmEngine: string;
}

/** The job names every generated scrape sets: configured, or derived from the selectors so the rules see them. */
export function scrapeJobs(c: Pick<DgmonConfig, 'selectors' | 'packaging'>): Partial<ScrapeJobs> {
  const jobs = c.packaging.jobs;
  const engine = jobs.engine || deriveJob(c.selectors.engine, DEFAULT_JOBS.engine);
  return {
    engine,
    dcgm: jobs.dcgm || deriveJob(c.selectors.dcgm, DEFAULT_JOBS.dcgm),
    exporter: jobs.exporter || deriveJob(c.selectors.exporter, DEFAULT_JOBS.exporter),
    helmEngine: c.packaging.helm.engineJob || (jobMatches(c.selectors.engine, DEEPGRAM_CHART_ENGINE_JOB) ? DEEPGRAM_CHART_ENGINE_JOB : engine),
  };
}
