// Deepgram / Fleet overview: is the fleet meeting its objectives, and where to look if not. Every threshold line is
// the same config value its alert uses. Its panels read the per-cluster recorded series, narrowed by the cluster
// variable: summing a thousand nodes' series at every step of a 6 h range took seconds (bench/results/fleet.json).
// The other dashboards pick nodes.
import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { CLIENT, DGMON, ENGINE, PROBE, PROBE_SOURCE, SERVER_ERROR_MATCHER } from '../core/catalog/index.ts';
import { num, increase, rate, selector } from '../core/promql.ts';
import { errorBudget } from '../core/format.ts';
import { dashboardShell, filtered, stat, target, timeseries, instantTarget, type DashboardContext } from './common.ts';

export function fleetDashboard(ctx: DashboardContext) {
  const { config, q, rec, clusterFilter } = ctx;
  const a = config.alerts;
  const slo = config.slo;
  const byCluster = (series: string, ...m: string[]) => filtered(series, clusterFilter, ...m);
  const requests = (...m: string[]) => `sum(${byCluster(rec.clusterRequestsByStatus, ...m)})`;
  const budget = errorBudget(slo.availability.objective);
  // The probe (through the exporter's job) and every application using the dgmon client, told apart by source.
  // `over` wraps each side (rate, increase), since a range cannot follow the `or`.
  const callers = (metric: string, matchers: string[] = [], over = (s: string) => s) =>
    `(${over(q.clients(metric, `source!="${PROBE_SOURCE}"`, clusterFilter, ...matchers))} or ${over(q.exporter(metric, `source="${PROBE_SOURCE}"`, clusterFilter, ...matchers))})`;
  const perInterval = (fn: typeof rate) => (s: string) => fn(s, '$__rate_interval');
  // Over the SLO period from the recorded per-cluster rates, as the burn-rate rules do (alerts/recording/slo.ts).
  const periodRequests = (...m: string[]) => `sum(sum_over_time(${byCluster(rec.clusterRequestsByStatus, ...m)}[${slo.period}]))`;

  // Days until each certificate or key expires, coloured by its alert's two thresholds.
  const daysLeft = (title: string, metric: string, label: string, alert: 'DeepgramTLSCertificateExpiringSoon' | 'DeepgramAPIKeyExpiringSoon', what: string) =>
    stat(ctx, {
      title,
      description: `${what} Orange under ${num(a[alert].warningDays)} days (ticket), red under ${num(a[alert].criticalDays)} (page).`,
      unit: 'd',
      targets: [instantTarget(`(min by (${label}) (${selector(metric, config.selectors.exporter, ctx.clusterFilter)}) - time()) / 86400`, `{{${label}}}`)],
      baseColor: 'red',
      thresholds: [
        { value: a[alert].criticalDays, color: 'orange' },
        { value: a[alert].warningDays, color: 'green' },
      ],
      alert,
      span: 8,
    });

  return dashboardShell(ctx, 'fleet', 'Fleet overview', 'Service levels, traffic, errors and latency of the whole Deepgram fleet (the selected clusters; the other dashboards pick nodes), with the alert thresholds drawn in.')
    .withPanel(
      stat(ctx, {
        title: `Availability (last ${slo.burnRateWindows.at(-1)?.long ?? '3d'})`,
        description: `Share of Engine requests not answered with a server error, against the ${num(slo.availability.objective * 100)} % objective.`,
        unit: 'percentunit',
        targets: [instantTarget(`1 - max(${filtered(rec.availabilityErrorRatio(slo.burnRateWindows.at(-1)?.long ?? '3d'), ctx.clusterFilter)})`, 'availability')],
        baseColor: 'red',
        thresholds: [{ value: slo.availability.objective, color: 'green' }],
        alert: 'DeepgramErrorBudgetBurn',
      }),
    )
    .withPanel(
      stat(ctx, {
        title: `Error budget left (${slo.period})`,
        description: 'Share of the availability error budget not yet spent over the SLO period: 1 untouched, 0 spent, below 0 the objective is missed.',
        unit: 'percentunit',
        targets: [instantTarget(`1 - (${periodRequests(SERVER_ERROR_MATCHER)} / ${periodRequests()}) / ${num(budget)}`, 'budget left')],
        baseColor: 'red',
        thresholds: [{ value: 0, color: 'green' }],
        alert: 'DeepgramErrorBudgetBurn',
      }),
    )
    .withPanel(
      stat(ctx, {
        title: 'Health check',
        description: 'The exporter\'s Deepgram health check (API answers, an Engine connected): 1 passing, 0 failing, per check.',
        unit: 'bool_on_off',
        targets: [instantTarget(`min by (check) (${q.exporter(DGMON.healthCheckSuccess.name, clusterFilter)})`, '{{check}}')],
        alert: 'DeepgramHealthCheckFailing',
      }),
    )
    .withPanel(
      stat(ctx, {
        title: 'Firing alerts',
        description: 'Deepgram alerts firing now, by severity (the watchdog always fires: it proves the pipeline works).',
        unit: 'short',
        targets: [instantTarget(`count by (severity) (${selector('ALERTS', 'alertname=~"Deepgram.+"', 'alertstate="firing"', clusterFilter)})`, '{{severity}}')],
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'Requests by kind',
        description: `Completed Engine requests per second by kind (batch, stream, tts), averaged over ${config.intervals.rate}.`,
        unit: 'reqps',
        targets: [target(`sum by (kind) (${byCluster(rec.clusterRequestsByStatus)})`, '{{kind}}')],
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'Server and client errors',
        description: 'Share of Engine requests answered 5xx (server: spends the error budget, pages above the line) and 4xx (client errors, shown apart).',
        unit: 'percentunit',
        min: 0,
        targets: [
          target(`${requests(SERVER_ERROR_MATCHER)} / ${requests()}`, 'server errors (5xx)', 'A'),
          target(`${requests('response_status=~"4.."')} / ${requests()}`, 'client errors (4xx)', 'B'),
        ],
        thresholds: [{ value: a.DeepgramHighErrorRate.threshold, color: 'red' }],
        alert: 'DeepgramHighErrorRate',
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'Batch response time',
        description: 'P50, P95 and P99 of engine_batch_response_time_seconds; the line is the P95 alert threshold.',
        unit: 's',
        min: 0,
        targets: [0.5, 0.95, 0.99].map((qu, i) =>
          target(`histogram_quantile(${qu}, sum by (le) (${byCluster(rec.clusterBatchLatencyBuckets)}))`, `P${num(qu * 100)}`, String.fromCharCode(65 + i)),
        ),
        thresholds: [{ value: a.DeepgramHighLatencyP95.thresholdSeconds, color: 'orange' }],
        alert: 'DeepgramHighLatencyP95',
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'Streaming latency',
        description: 'Mean and P95 of engine_stream_latency; every stream must keep its mean at or under the line.',
        unit: 's',
        min: 0,
        targets: [
          target(`sum(${byCluster(rec.clusterStreamLatencySum)}) / sum(${byCluster(rec.clusterStreamLatencyCount)})`, 'mean', 'A'),
          target(`histogram_quantile(0.95, sum by (le) (${byCluster(rec.clusterStreamLatencyBuckets)}))`, 'P95', 'B'),
        ],
        thresholds: [{ value: a.DeepgramStreamingLatencyHigh.thresholdSeconds, color: 'orange' }],
        alert: 'DeepgramStreamingLatencyHigh',
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'Real-time speed-up',
        description: 'Batch audio seconds transcribed per wall-clock second; a healthy GPU node runs about 100x, the line is the alert floor.',
        unit: 'x',
        min: 0,
        targets: [target(`sum(${byCluster(rec.clusterBatchAudioSeconds)}) / sum(${byCluster(rec.clusterBatchWallSeconds)})`, 'speed-up')],
        thresholds: [{ value: a.DeepgramRealtimeFactorLow.minSpeedup, color: 'orange' }],
        alert: 'DeepgramRealtimeFactorLow',
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'Rate-limit hits',
        description: 'HTTP 429 answers seen by the dgmon exporter and applications using the dgmon client library, per job.',
        unit: 'short',
        targets: [target(`sum by (job) (increase(${q.clients(DGMON.rateLimitHits.name, clusterFilter)}[$__rate_interval]))`, '{{job}}')],
        alert: 'DeepgramRateLimited',
      }),
    )
    .withPanel(
      stat(ctx, {
        title: 'Audio processed',
        description: 'Batch audio hours transcribed in the selected time range (engine_asr_per_file_audio_duration_seconds_sum; the Engine does not count streaming audio).',
        unit: 'h',
        targets: [instantTarget(`sum(increase(${q.engine(`${ENGINE.asrPerFileAudioDuration.name}_sum`, clusterFilter)}[$__range])) / 3600`, 'audio hours')],
        span: 8,
      }),
    )
    .withPanel(daysLeft('TLS certificates: days left', DGMON.tlsChainExpiry.name, 'target', 'DeepgramTLSCertificateExpiringSoon', 'Days until the first certificate of the chain each watched TLS endpoint serves expires (exporter.expiry.tls).'))
    .withPanel(daysLeft('API keys: days left', DGMON.apiKeyExpiry.name, 'key', 'DeepgramAPIKeyExpiringSoon', 'Days until each watched Deepgram API key expires (declared in dgmon.yaml or listed from the project).'))
    .withPanel(
      timeseries(ctx, {
        title: 'Health-check latency',
        description: 'How long each of the exporter\'s Deepgram health checks took.',
        unit: 's',
        targets: [target(`max by (check) (${q.exporter(DGMON.healthCheckDuration.name, clusterFilter)})`, '{{check}}')],
        alert: 'DeepgramHealthCheckFailing',
        span: 24,
      }),
    )
    .withRow(new RowBuilder('Synthetic probe and applications (source label)'))
    .withPanel(
      timeseries(ctx, {
        title: 'Batch P95 seen by callers',
        description: 'P95 of successful batch transcriptions as the exporter\'s synthetic probe (source="probe") and applications using the dgmon client see them, network and API included; the line is the P95 alert threshold.',
        unit: 's',
        min: 0,
        targets: [target(`histogram_quantile(0.95, sum by (source, le) (${callers(`${CLIENT.transcriptionDuration.name}_bucket`, ['mode="batch"'], perInterval(rate))}))`, '{{source}}')],
        thresholds: [{ value: a.DeepgramHighLatencyP95.thresholdSeconds, color: 'orange' }],
        alert: 'DeepgramHighLatencyP95',
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'Live streaming: first transcript and per-chunk latency',
        description: 'The probe\'s time from its first audio chunk to the first transcript (it includes the clip\'s first word, about 0.75 s), and the P95 time from sending a chunk to the result covering it, per caller; the line is Deepgram\'s 400 ms target.',
        unit: 's',
        min: 0,
        targets: [
          target(`histogram_quantile(0.95, sum by (le) (${rate(q.exporter(`${PROBE.firstTranscript.name}_bucket`, clusterFilter), '$__rate_interval')}))`, 'probe: first transcript (P95)', 'A'),
          target(`histogram_quantile(0.95, sum by (source, le) (${callers(`${CLIENT.streamLatency.name}_bucket`, [], perInterval(rate))}))`, '{{source}}: per chunk (P95)', 'B'),
        ],
        thresholds: [{ value: a.DeepgramStreamingLatencyHigh.thresholdSeconds, color: 'orange' }],
        alert: 'DeepgramStreamingLatencyHigh',
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'Calls by outcome',
        description: 'Calls to /v1/listen by caller and status: 2xx, 4xx, 429 (throttled, apart), and the server-side failures 5xx, timeout and connection; every retry counts. Failed probe runs (a call and its retries) beside them.',
        unit: 'short',
        targets: [
          target(`sum by (source, status) (${callers(CLIENT.transcriptionRequests.name, [], perInterval(increase))})`, '{{source}} {{status}}', 'A'),
          target(`sum by (result) (${increase(q.exporter(PROBE.runs.name, 'result!="success"', clusterFilter), '$__rate_interval')})`, 'probe runs: {{result}}', 'B'),
        ],
        alert: 'DeepgramHighErrorRate',
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'Probe speed-up',
        description: 'Audio seconds per wall second of the last batch probe, per exporter: the clip is short, so network and API time weigh more than in the Engine\'s own speed-up.',
        unit: 'x',
        min: 0,
        targets: [target(`max by (instance) (${q.exporter(PROBE.realtimeSpeedup.name, clusterFilter)})`, '{{instance}}')],
      }),
    )
    .withPanel(
      stat(ctx, {
        title: 'Circuit breakers closed',
        description: 'Whether each caller\'s circuit breaker in front of Deepgram is closed (1); 0 means recent calls failed server-side and it refuses or trials new ones.',
        unit: 'bool_on_off',
        targets: [instantTarget(`min by (source) (${callers(CLIENT.circuitState.name, ['state="closed"'])})`, '{{source}}')],
        alert: 'DeepgramHealthCheckFailing',
      }),
    )
    .withPanel(
      stat(ctx, {
        title: 'Probe transcript check',
        description: 'Whether the probe\'s last transcript passed its check (non-empty, holding exporter.probe.expectedWords), per mode.',
        unit: 'bool_on_off',
        targets: [instantTarget(`min by (mode) (${q.exporter(PROBE.transcriptOk.name, clusterFilter)})`, '{{mode}}')],
      }),
    );
}
