// The alerts: one block per alert with its thresholds, `for:` durations and severities, and the SLOs behind the
// burn-rate alerts.
import { z } from 'zod';
import { duration, ratio, positive, severity, SEVERITIES } from './fields.ts';

const enabled = z.boolean().default(true).describe('Set false to leave this alert out of the generated rules (and its runbook and routes).');

const alert = <T extends z.ZodRawShape>(what: string, shape: T) =>
  z.strictObject({ enabled, ...shape }).prefault({} as never).describe(what);

/** The two-severity "days before expiry" scheme shared by the certificate and API-key alerts. */
const expiryThresholds = (warningWhy: string, criticalWhy: string) => ({
  severity: severity('warning', warningWhy),
  criticalSeverity: severity('critical', criticalWhy),
  warningDays: positive(14, 'Days before expiry at which the warning fires. Must be more than criticalDays.'),
  criticalDays: positive(3, 'Days before expiry at which the critical fires (and silences the warning). Keep it above the time a renewal or rotation takes you.'),
});

export const burnWindow = z.strictObject({
  severity: z.enum(SEVERITIES, { error: 'must be one of critical, warning, info' }).describe('critical for the fast-burn rows that need a human now, warning for the slow-burn rows that can wait for a ticket.'),
  long: duration('1h', 'The long window: the burn rate must be high over it, so a short blip does not page.'),
  short: duration('5m', 'The short window: the burn rate must still be high over it, so the alert resolves soon after the fault ends.'),
  factor: positive(14.4, 'Burn-rate factor: how many times faster than "exactly exhausts the budget at period end" the budget is being spent.'),
  for: duration('2m', 'How long both windows must stay over the factor before the alert fires.'),
});

const DEFAULT_BURN_WINDOWS = [
  { severity: 'critical', long: '1h', short: '5m', factor: 14.4, for: '2m' },
  { severity: 'critical', long: '6h', short: '30m', factor: 6, for: '15m' },
  { severity: 'warning', long: '1d', short: '2h', factor: 3, for: '1h' },
  { severity: 'warning', long: '3d', short: '6h', factor: 1, for: '3h' },
] as const;

const burnWindows = z
  .array(burnWindow)
  .min(1, { message: 'needs at least one window; the defaults are 1h/5m x14.4 and 6h/30m x6 critical, 1d/2h x3 and 3d/6h x1 warning' })
  // Each row is one rule per SLO, and a rule group holds at most 20 rules.
  .max(10, { message: 'holds at most 10 windows (each is a rule per SLO and a group keeps at most 20 rules); four cover fast and slow burn' })
  .default(DEFAULT_BURN_WINDOWS.map((w) => ({ ...w })))
  .describe(
    'Multi-window multi-burn-rate table (Google SRE workbook, chapter 5). The defaults page when 2 % of a 30-day budget burns in 1 h or 5 % in 6 h, and open a ticket for 10 % in 1 d or in 3 d. Change only together with slo.period.',
  );

export const alerts = z
  .strictObject({
    DeepgramHighErrorRate: alert('Server-error share of Engine requests per node (source="engine"), of the calls of applications using the dgmon client (source = theirs), and of the synthetic probe\'s runs (source="probe").', {
      severity: severity('critical', 'Server errors reach users directly: page.'),
      threshold: ratio(0.05, 'Share of Engine requests answered 5xx, and of client calls failing server-side (5xx, timeout, connection), over intervals.rate; the same share of failed probe runs over probeWindow. 5 %: one request in twenty failing is an outage for the callers it hits, far above the stray errors of a healthy node.'),
      for: duration('5m', 'Over the threshold for 5 minutes, so a restart or a short burst does not page. Together with recentWindow, server errors must go on for 5 minutes: a 30-second burst keeps the 5m ratio high for 5 minutes without being an outage, and never pages. An 8 % error burst pages within about 8-10 minutes.'),
      recentWindow: duration('1m', 'Errors must also have happened within this window at every evaluation of for: (still failing, the short window of the SRE workbook\'s multi-window alerts), so for: counts minutes of errors rather than minutes in which the 5m ratio still remembers a burst. Keep it at 2-4 scrape intervals.'),
      probeWindow: duration('15m', 'Window of the probe\'s failed-run share. The probe sends two runs a minute (batch and stream): 15 minutes hold about 30, enough for a share to mean something.'),
      probeMinFailures: positive(3, 'Failed probe runs (server error, timeout, connection, or refused by the open circuit) needed within probeWindow besides the share: one failed probe is a blip and must not page; three are a pattern. A dead API reaches three within about two minutes.'),
    }),
    DeepgramHighLatencyP95: alert('Batch P95 response time per node.', {
      severity: severity('warning', 'Batch callers are not waiting live; slow is a ticket, not a page.'),
      thresholdSeconds: positive(10, 'P95 of engine_batch_response_time_seconds (and of dgmon_transcription_duration_seconds{mode="batch"} for clients and the probe). 10 s is a generous bound for a batch request (a healthy node transcribes minutes of audio in seconds), so a P95 over it means callers are waiting; set it to your batch SLA. Keep it on a bucket boundary (1, 2.5, 5, 10, 30, 60) for an exact comparison.'),
      for: duration('5m', 'Over the target for 5 minutes, so a slow minute or two (a burst of long files) does not open a ticket. One large file does not either: it is one observation of many under the traffic gate (traffic.minRequests), not 5 % of them. Together with recentWindow, batch requests must be slow for 5 minutes, not for the 5 minutes in which the rate window still remembers a few slow ones.'),
      recentWindow: duration('1m', 'The P95 over this window must be over the target too at every evaluation of for: (still slow, as DeepgramHighErrorRate\'s recentWindow), so for: counts minutes of slow requests: two or three minutes of long files keep the 5m P95 up for 7-8 minutes but never open a ticket. Applies to the Engine (source="engine") and applications; the probe has its own window. Keep it at 2-4 scrape intervals.'),
      probeWindow: duration('30m', 'Window of the probe\'s batch P95: one batch probe a minute gives 30 observations, so one slow probe stays under the P95 and two do not (2 of 30 is over 5 %).'),
      probeMinRequests: positive(20, 'Successful batch probes needed within probeWindow: below 20 observations a P95 is simply the slowest one. A longer probe interval needs a longer probeWindow.'),
    }),
    DeepgramStreamingLatencyHigh: alert('Mean streaming latency per node against the 400 ms target.', {
      severity: severity('warning', 'Streams degrade before they fail.'),
      thresholdSeconds: positive(0.4, 'Mean of engine_stream_latency. Deepgram asks every simultaneous stream to keep an average response time of 400 ms or less.'),
      for: duration('5m', 'Sustained: short spikes happen when many streams open at once.'),
    }),
    DeepgramRateLimited: alert('HTTP 429 answers seen by dgmon and applications using its client library.', {
      severity: severity('warning', 'Throttling is a capacity or plan problem, fixed in hours, not minutes.'),
      maxHits: positive(10, 'Rate-limit (HTTP 429) hits allowed within `window` before alerting: more than 10 in an hour is no longer a burst that retries absorb but a limit hit again and again.'),
      window: duration('1h', 'The window hits are counted over.'),
      for: duration('1m', 'Short: the window already smooths.'),
    }),
    DeepgramHealthCheckFailing: alert('The health check of the exporter (the same as its /health; source="health_check"), consecutive failed probe runs (source="probe"), and client circuit breakers held open (source = the application\'s).', {
      severity: severity('critical', 'The exporter cannot reach the API or the API has no Engine: users are affected.'),
      for: duration('2m', 'Failing for more than 2 minutes: rides out an API or Engine restart, and still pages while users are affected.'),
      probeFailures: positive(3, 'Consecutive failed runs of one probe mode before its for: starts: one failed probe (a restart, a blip) never pages; at one probe a minute, three in a row plus the for: page within about 4 minutes.'),
    }),
    DeepgramSourceDown: alert('Scrape targets down or absent, and sources the exporter cannot read.', {
      severity: severity('critical', 'Severity when the Engine is what is down or blind (source="engine"): an Engine target, an exporter that carried the Engine, the Engine source of an exporter, or every Engine of a cluster gone. Either the service stops or every Engine alert of that node is blind.'),
      monitoringSeverity: severity('warning', 'Severity when only monitoring is blind and the service runs on: dcgm-exporter (GPU alerts blind), an exporter that does not carry the Engine, an exporter source other than the Engine (the API is paged by DeepgramHealthCheckFailing, the License Proxy by its own alert). Fix within the business day.'),
      for: duration('2m', 'Rides out one missed scrape and a rolling restart.'),
      lookback: duration('1d', 'How long dgmon remembers what it has seen: a cluster that had Engine, dcgm-exporter or exporter targets within it and has none now pages (reason target_absent), and an exporter that carried the Engine within it counts as the Engine when it goes down. The page resolves by itself once the lookback has passed; a cluster removed on purpose: silence it for this long.'),
    }),
    DeepgramEngineDisconnected: alert('The API reporting no connected Engine.', {
      severity: severity('critical', 'An API without an Engine fails every request.'),
      for: duration('1m', 'Engines reconnect within seconds after a restart; a minute means they are gone.'),
    }),
    DeepgramAPIDegraded: alert('The system_health judgement of the API itself (Degraded, Critical).', {
      severity: severity('warning', 'Severity while system_health is Degraded (40-90 % of recent requests succeed).'),
      criticalSeverity: severity('critical', 'Severity while system_health is Critical (under 40 % succeed).'),
      for: duration('5m', 'How long Degraded must last.'),
      criticalFor: duration('2m', 'How long Critical must last.'),
    }),
    DeepgramStreamCapacityHigh: alert('Open streams against the estimated stream capacity of each node.', {
      severity: severity('warning', 'A warning ahead of saturation, so nodes can be added in time.'),
      threshold: ratio(0.8, 'Active streams / engine_estimated_stream_capacity on a node. 0.8 leaves room for a burst; Deepgram\'s chart scales at the same ratio.'),
      for: duration('15m', 'Sustained load, not a burst.'),
    }),
    DeepgramConcurrencyLimitNear: alert('Active requests against engine.toml max_active_requests per node.', {
      severity: severity('warning', 'At the limit the API answers 429.'),
      threshold: ratio(0.9, 'Active requests / engine_max_active_requests. Only evaluated where max_active_requests is set (non-zero).'),
      for: duration('5m', 'Sustained.'),
    }),
    DeepgramNoHeadroomForNodeLoss: alert('N+1: whether current streams would fit if the largest node were lost.', {
      severity: severity('warning', 'Not an outage yet: losing one node would cause one.'),
      minNodes: positive(2, 'Only evaluated for clusters with at least this many Engine nodes: a single-node deployment has no N+1 by design.'),
      for: duration('15m', 'Sustained demand, not a burst.'),
    }),
    DeepgramRealtimeFactorLow: alert('Batch speed-up (audio seconds per wall second) per node.', {
      severity: severity('warning', 'Slow transcription is a capacity or GPU problem, not an outage.'),
      minSpeedup: positive(50, 'Batch audio seconds per wall second on a node. A healthy T4-class node runs about 100x; under 50x something is wrong (CPU fallback, contention).'),
      for: duration('15m', 'Sustained.'),
    }),
    DeepgramLicenseProxyTrustBased: alert('The License Proxy not connected to its licence server: running on trust (TrustBased), or in a state Deepgram\'s readiness probe does not accept (Other).', {
      severity: severity('warning', 'TrustBased while more than half the trust period is left: service continues, and a ticket is worked within that time.'),
      criticalSeverity: severity('critical', 'TrustBased once half the trust period has passed (a ticket may no longer be worked before service stops), and state Other at once: Deepgram\'s readiness probe accepts only Connected and TrustBased, so a proxy in any other state serves no licence and has no trust period to wait out.'),
      trustPeriod: duration('24h', 'The License Proxy\'s pre-configured trust period: how long it keeps serving without license.deepgram.com. Nothing exposes it (no field, no metric): ask Deepgram support for yours and set it here. The TrustBased page comes after half of it.'),
      for: duration('5m', 'Rides out a brief outage of license.deepgram.com (TrustBased ticket) and a proxy restart (state Other).'),
    }),
    DeepgramGPUSaturated: alert('GPU busy ratio per GPU.', {
      severity: severity('warning', 'Time to add a node, not to wake someone.'),
      threshold: ratio(0.9, 'GPU busy ratio (DCGM_FI_DEV_GPU_UTIL, or DCGM_FI_PROF_GR_ENGINE_ACTIVE under MIG).'),
      for: duration('15m', 'Busy over the threshold for 15 minutes: sustained load that calls for another node, not a burst the queue absorbs.'),
    }),
    DeepgramGPUIdleWhileServing: alert('An idle GPU under an Engine with active requests (CPU fallback).', {
      severity: severity('critical', 'Only real load on a node whose every GPU is idle fires it: the Engine serves that load on CPU, many times slower, and nothing else pages for it (the latency alerts it causes are warnings). Make it a warning if your latency alerts page.'),
      threshold: ratio(0.05, 'GPU busy ratio under which a GPU counts as idle. A CPU-fallback Engine leaves its GPU at 0-2 %; real streams and batch files keep it well above 5 %.'),
      minActiveRequests: positive(3, 'Open requests and streams the node must hold at every evaluation of for: before an idle GPU counts as CPU fallback. One or two long-lived streams carrying silence or KeepAlives keep a GPU at about 2 % and are not load; 3 or more, with requests finishing (traffic.minRequestRate), are.'),
      for: duration('10m', 'Long enough that idle gaps between requests do not count.'),
    }),
    DeepgramGPUXidErrors: alert('New Xid errors per GPU, classed by code.', {
      severity: severity('warning', 'Severity for Xid codes not listed in criticalXids.'),
      criticalSeverity: severity('critical', 'Severity for Xid codes listed in criticalXids.'),
      criticalXids: z
        .array(z.number().int().positive())
        .default([48, 64, 74, 79, 94, 95, 119, 120, 140])
        .describe('Xid codes that mean failing hardware or a GPU that needs a reset (NVIDIA Xid catalog: 48 DBE ECC, 64 row-remap failure, 74 NVLink, 79 fallen off the bus, 94/95 ECC contained/uncontained, 119/120 GSP, 140 unrecovered ECC).'),
      window: duration('10m', 'A new Xid is one seen within this window; the alert clears after it.'),
      for: duration('0s', 'Xid errors are events: alert at once.'),
      criticalKeepFiringFor: duration('24h', 'How long a critical Xid keeps paging after it was last seen (Prometheus keep_firing_for). A GPU that fell off the bus (79) takes its own series with it, so without this the page resolved by itself within the window while the GPU was still gone; held for a day, it stays until someone acts (silence it once the GPU is reset or replaced). 0s: resolve after the window.'),
    }),
    DeepgramGPUTemperatureHigh: alert('GPU temperature per GPU.', {
      severity: severity('warning', 'Hot GPUs throttle before they fail.'),
      thresholdCelsius: positive(85, 'DCGM_FI_DEV_GPU_TEMP. Data-centre GPUs throttle around 85-90 °C.'),
      for: duration('10m', 'Sustained.'),
    }),
    DeepgramGPUMemoryNearlyFull: alert('Framebuffer memory used per GPU.', {
      severity: severity('warning', 'The next model load or large batch may fail.'),
      threshold: ratio(0.95, 'Framebuffer used / total. The Engine preloads models, so 70-90 % is normal; raise this if your node runs steadily higher.'),
      for: duration('15m', 'Sustained.'),
    }),
    DeepgramGPUMemoryErrors: alert('Uncorrectable remapped rows and row-remap failures per GPU.', {
      severity: severity('critical', 'Uncorrectable memory errors corrupt results and precede GPU failure.'),
      window: duration('10m', 'An increase of uncorrectable remapped rows within this window fires.'),
      for: duration('0s', 'Hardware events: alert at once.'),
    }),
    DeepgramGPUDisappeared: alert('A node reporting fewer GPUs than it did within the lookback (a GPU fell off the bus, or its driver lost it).', {
      severity: severity('critical', 'A GPU vanished: hardware failed and the node\'s capacity is reduced; it needs a human (reset, reboot or replacement).'),
      lookback: duration('1d', 'The most GPUs a node reported within this window is what it should still have. The alert resolves by itself once the lower count has lasted this long; a GPU removed on purpose: silence it for this long.'),
      for: duration('5m', 'Rides out a partial scrape while dcgm-exporter restarts.'),
    }),
    DeepgramGPUMetricsMissing: alert('Nodes running an Engine without GPU metrics.', {
      severity: severity('warning', 'GPU alerts are blind on that node.'),
      for: duration('10m', 'Rides out a dcgm-exporter restart.'),
    }),
    DeepgramTLSCertificateExpiringSoon: alert('The certificate chain served by the TLS proxy in front of the Deepgram API (exporter.expiry.tls).', {
      ...expiryThresholds('Renewing a certificate takes a change window, not a night: two weeks ahead is a ticket.', 'Three days out the renewal has failed or was forgotten, and clients will refuse the proxy: page.'),
      for: duration('10m', 'Rides out the old certificate still being read for one check interval right after a renewal (the exporter re-checks every exporter.expiry.interval).'),
    }),
    DeepgramAPIKeyExpiringSoon: alert('Deepgram API keys with an expiry date (declared in exporter.expiry.apiKeys, or read from Deepgram\'s key listing).', {
      ...expiryThresholds('Production keys live 90 days: two weeks ahead leaves time to roll out the prepared fallback key as a ticket.', 'Three days out a key still in use will stop working: page.'),
      for: duration('10m', 'Rides out a key that was just rotated until the next listing (exporter.expiry.interval).'),
    }),
    DeepgramExpiryCheckFailing: alert('The expiry watch itself: a TLS endpoint that cannot be checked, or a key listing that fails.', {
      severity: severity('warning', 'Expiry alerts have weeks of lead time; a blind check is a ticket, not a page. The last known expiry keeps being served, so a failing check never hides an expiry already seen.'),
      for: duration('1h', 'Several failed checks in a row (one every exporter.expiry.interval): a proxy restart or a brief Deepgram API outage must not open a ticket.'),
    }),
    DeepgramWatchdog: z
      .strictObject({ enabled: z.boolean().default(true).describe('The always-firing dead man\'s switch. Keep it, and have the watchdog receiver alert when it stops arriving.') })
      .prefault({})
      .describe('The dead man switch.'),
  })
  .prefault({})
  .describe('One block per alert, named after it: thresholds, `for:` durations and severities.');

export const slo = z
  .strictObject({
    period: duration('30d', 'The SLO period the error budget is measured over.'),
    availability: z
      .strictObject({
        enabled,
        objective: ratio(0.999, 'Share of Engine requests not answered 5xx. 99.9 % allows 43 minutes of full outage in 30 days. 4xx are client errors and spend no budget.'),
      })
      .prefault({})
      .describe('The availability SLO: requests not answered with a server error.'),
    streamingLatency: z
      .strictObject({
        enabled,
        objective: ratio(0.99, 'Share of engine_stream_latency observations at or under thresholdSeconds.'),
        thresholdSeconds: positive(0.4, 'Deepgram\'s 400 ms streaming target. Must be one of engine_stream_latency\'s bucket bounds (0.1 to 2.0 in steps of 0.1, 5, 10).'),
      })
      .prefault({})
      .describe('The streaming latency SLO: observations within the 400 ms target.'),
    burnRateWindows: burnWindows,
  })
  .prefault({})
  .describe('Error-budget burn-rate alerts (DeepgramErrorBudgetBurn, DeepgramStreamingLatencyBudgetBurn).');
