// Checks that need more than one field at a time, run after every field has passed (or failed) its own.
import type { z } from 'zod';
import { isDuration, durationSeconds } from '../duration.ts';
import { ENGINE } from '../catalog/engine.ts';
import { jobMatches } from '../matchers.ts';
import { scrapeJobs, type ScrapeJobs } from './scrape-jobs.ts';
import type { DgmonConfig } from './schema.ts';

export function crossFieldChecks(c: DgmonConfig, ctx: z.RefinementCtx<DgmonConfig>): void {
  const bounds = ENGINE.streamLatency.buckets ?? [];
  if (!bounds.includes(c.slo.streamingLatency.thresholdSeconds)) {
    ctx.addIssue({
      code: 'custom',
      path: ['slo', 'streamingLatency', 'thresholdSeconds'],
      message: `must be one of engine_stream_latency's bucket bounds (${bounds.join(', ')}): the SLO counts observations in the bucket at that bound`,
    });
  }
  // Refinements run even when a field above failed its own check, so every duration is re-checked before use.
  const seconds = (d: string) => (isDuration(d) ? durationSeconds(d) : NaN);
  c.slo.burnRateWindows.forEach((w, i) => {
    if (seconds(w.short) >= seconds(w.long)) {
      ctx.addIssue({ code: 'custom', path: ['slo', 'burnRateWindows', i, 'short'], message: `must be shorter than long (${w.long}); the usual short window is long / 12` });
    }
  });
  for (const key of ['evaluation', 'scrape'] as const) {
    if (seconds(c.intervals[key]) >= seconds(c.intervals.rate)) {
      ctx.addIssue({ code: 'custom', path: ['intervals', 'rate'], message: `must be longer than intervals.${key} (${c.intervals[key]}), or rate() has too few samples; 4x the scrape interval is the usual minimum` });
    }
  }
  if (c.exporter.tls.certFile !== '' && c.exporter.tls.keyFile === '') {
    ctx.addIssue({ code: 'custom', path: ['exporter', 'tls', 'keyFile'], message: 'must be set when certFile is: the PEM private key of the certificate' });
  }
  if (c.exporter.basicAuth.username !== '' && c.exporter.basicAuth.passwordFile === '' && !process.env.DGMON_BASIC_AUTH_PASSWORD) {
    ctx.addIssue({ code: 'custom', path: ['exporter', 'basicAuth', 'passwordFile'], message: 'must name a file holding the password (or set DGMON_BASIC_AUTH_PASSWORD) when a username is set' });
  }
  for (const name of ['DeepgramTLSCertificateExpiringSoon', 'DeepgramAPIKeyExpiringSoon'] as const) {
    const t = c.alerts[name];
    if (t.warningDays <= t.criticalDays) {
      ctx.addIssue({ code: 'custom', path: ['alerts', name, 'warningDays'], message: `must be more than criticalDays (${t.criticalDays}): the warning comes first, e.g. warningDays: 14, criticalDays: 3` });
    }
  }
  const probe = c.exporter.probe;
  if (probe.enabled && probe.apiUrl === '' && c.exporter.sources.api.url === '') {
    ctx.addIssue({ code: 'custom', path: ['exporter', 'probe', 'apiUrl'], message: 'must be set when the probe is enabled and exporter.sources.api.url is empty: the API to probe, e.g. http://127.0.0.1:8080 (or pass --api-url)' });
  }
  if (probe.enabled && !probe.batch && !probe.stream) {
    ctx.addIssue({ code: 'custom', path: ['exporter', 'probe', 'batch'], message: 'batch and stream are both off: turn one on, or set exporter.probe.enabled: false' });
  }
  const expiry = c.exporter.expiry;
  const tlsNames = expiry.tls.map((t) => t.name || t.address);
  tlsNames.forEach((name, i) => {
    if (tlsNames.indexOf(name) !== i) ctx.addIssue({ code: 'custom', path: ['exporter', 'expiry', 'tls', i, 'name'], message: `"${name}" is used twice; give each endpoint its own name (the target label)` });
  });
  const keyNames = expiry.apiKeys.declared.map((k) => k.name);
  keyNames.forEach((name, i) => {
    if (keyNames.indexOf(name) !== i) ctx.addIssue({ code: 'custom', path: ['exporter', 'expiry', 'apiKeys', 'declared', i, 'name'], message: `"${name}" is declared twice; each key needs its own name` });
  });
  if (expiry.apiKeys.listing.projectId !== '' && expiry.apiKeys.listing.keyFile === '' && !process.env.DEEPGRAM_MANAGEMENT_API_KEY) {
    ctx.addIssue({ code: 'custom', path: ['exporter', 'expiry', 'apiKeys', 'listing', 'keyFile'], message: 'must name a file holding a management key with scope keys:read (or set DEEPGRAM_MANAGEMENT_API_KEY) when projectId is set' });
  }
  const jobs = scrapeJobs(c);
  const checks: [string[], keyof ScrapeJobs, 'engine' | 'dcgm' | 'exporter'][] = [
    [['packaging', 'jobs', 'engine'], 'engine', 'engine'],
    [['packaging', 'helm', 'engineJob'], 'helmEngine', 'engine'],
    [['packaging', 'jobs', 'dcgm'], 'dcgm', 'dcgm'],
    [['packaging', 'jobs', 'exporter'], 'exporter', 'exporter'],
  ];
  for (const [path, key, source] of checks) {
    const job = jobs[key];
    if (job === undefined) {
      ctx.addIssue({ code: 'custom', path, message: `no job name can be derived from selectors.${source} (${c.selectors[source]}); set ${path.join('.')} to a job name it matches` });
    } else if (!jobMatches(c.selectors[source], job)) {
      ctx.addIssue({ code: 'custom', path, message: `job "${job}" is not matched by selectors.${source} (${c.selectors[source]}): the generated scrape would be invisible to the rules; rename the job or widen the selector` });
    }
  }
  if (!c.cluster.multiCluster && c.alertmanager.groupBy.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['alertmanager', 'groupBy'], message: 'must name at least one label, e.g. [alertname, cluster]' });
  }
}
