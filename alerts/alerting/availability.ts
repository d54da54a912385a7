// Is Deepgram answering, correctly and in time? Errors, latency, throttling, health check, targets, API and licence.
// Three groups evaluated side by side: errors and throttling (dgmon.availability.alerts), latency (.latency) and the
// API, health-check and licence states (.status); as one group of 17 rules it took up to 512 ms at 1000 nodes, and
// at most 177 ms since the split (bench/results/fleet.json, fleet-1000.json).
import { CALLER_SERVER_ERROR_MATCHER, CLIENT, DGMON, ENGINE, PROBE, PROBE_SOURCE, SERVER_ERROR_MATCHER } from '../../core/catalog/index.ts';
import { num, sumBy, maxBy, without, increase, rate, quantile, selector } from '../../core/promql.ts';
import type { AlertDefinition, AlertModule } from '../types.ts';
import { percent, milliseconds } from '../../core/format.ts';
import { durationSeconds, formatDuration } from '../../core/duration.ts';
import { ALERT_LATENCY_QUANTILE } from '../recording/engine.ts';

export const availabilityAlerts: AlertModule = (ctx) => {
  const { config, q, rec, inCluster } = ctx;
  const a = config.alerts;
  const on = `on (${q.nodeBy.join(', ')})`;
  const node = `{{ $labels.${q.node} }}`;
  const w = config.intervals.rate;
  // Ratio and quantile alerts judge a window only with enough requests (and errors) in it: a rate over the window
  // times its length is the count (traffic.minRequests, traffic.minErrors).
  const inWindow = (rateExpr: string) => `${rateExpr} * ${num(durationSeconds(w))}`;
  const minRequests = num(config.traffic.minRequests);
  const minErrors = num(config.traffic.minErrors);
  const recent = a.DeepgramHighErrorRate.recentWindow;
  // Callers (applications using the dgmon client) are judged per scrape job and source, the probe per exporter.
  const callerBy = [q.cluster, 'job', 'source'];
  const onCaller = `on (${callerBy.join(', ')})`;
  const caller = `{{ $labels.job }}/{{ $labels.source }}${inCluster}`;
  const probeBy = [q.cluster, 'job', 'instance'];
  const probeOf = `exporter {{ $labels.instance }}${inCluster}`;
  const notProbe = `source!="${PROBE_SOURCE}"`;
  const probeRuns = (...matchers: string[]) => sumBy(probeBy, increase(q.exporter(PROBE.runs.name, ...matchers), a.DeepgramHighErrorRate.probeWindow));
  const probeFailedRuns = probeRuns('result=~"server_error|not_sent"');
  const probeBatch = (series: string) => q.exporter(`${CLIENT.transcriptionDuration.name}_${series}`, `source="${PROBE_SOURCE}"`, 'mode="batch"');
  const pw = a.DeepgramHighLatencyP95.probeWindow;
  // "Still slow": the P95 of the batch requests that finished within the recent window, as DeepgramHighErrorRate asks
  // for errors within its own, so for: counts minutes of slow requests, not minutes the rate window remembers them.
  const recentSlow = a.DeepgramHighLatencyP95.recentWindow;
  const latencyTarget = num(a.DeepgramHighLatencyP95.thresholdSeconds);
  const nodeRecentP95 = `histogram_quantile(${num(ALERT_LATENCY_QUANTILE)}, ${q.byNode('sum', [...q.nodeBy, 'le'], rate(q.engine(`${ENGINE.batchResponseTime.name}_bucket`), recentSlow), 'engine')})`;
  const callerRecentP95 = quantile(ALERT_LATENCY_QUANTILE, callerBy, rate(q.clients(`${CLIENT.transcriptionDuration.name}_bucket`, notProbe, 'mode="batch"'), recentSlow));
  // Rate-limit hits counted as they are, without increase()'s extrapolation (which reads exactly 10 hits in an hour
  // as 10.04 when scrapes do not line up with the window): the last value less the lowest in the window, i.e. the
  // hits between the window's first and last scrape. A series younger than the window starts at 0 (the exporter and
  // the client register the counter at 0), so all its hits count; a scrape gap never makes a lifetime count look
  // new. Only a series that reset within the window (a restarted client) falls back to increase(), rounded.
  const hits = q.clients(DGMON.rateLimitHits.name);
  const rw = a.DeepgramRateLimited.window;
  const hitsInWindow = sumBy(
    callerBy,
    `\n  (\n    (${hits} - min_over_time(${hits}[${rw}]))\n    unless\n    resets(${hits}[${rw}]) > 0\n  )\n  or\n  round(increase(${hits}[${rw}]))\n`,
  );
  const engineDisconnectedOn = a.DeepgramEngineDisconnected.enabled;
  const lp = a.DeepgramLicenseProxyTrustBased;
  // The TrustBased page: after half the trust period, never before the ticket's own for:.
  const trustPage = formatDuration(Math.max(durationSeconds(lp.trustPeriod) / 2, durationSeconds(lp.for)));

  const defs: AlertDefinition[] = [
    {
      name: 'DeepgramHighErrorRate',
      summary: 'Deepgram Engine is answering too many requests with server errors.',
      dashboard: 'node',
      perNode: true,
      rules: [
        {
          // Over the threshold with enough requests and errors in the window, and errors still happening within the
          // recent window: for: then counts minutes of errors.
          expr: [
            `${rec.nodeServerErrorRatio} > ${num(a.DeepgramHighErrorRate.threshold)}`,
            `and ${on} ${inWindow(rec.nodeRequests)} >= ${minRequests}`,
            `and ${on} ${inWindow(sumBy(q.nodeBy, `${rec.nodeRequestsByStatus}{${SERVER_ERROR_MATCHER}}`))} >= ${minErrors}`,
            `and ${on} ${q.byNode('sum', q.nodeBy, increase(q.engine(ENGINE.requests.name, SERVER_ERROR_MATCHER), recent), 'engine')} > 0`,
          ].join('\n'),
          for: a.DeepgramHighErrorRate.for,
          severity: a.DeepgramHighErrorRate.severity,
          labels: { source: 'engine' },
          description: `{{ $value | humanizePercentage }} of requests on node ${node}${inCluster} ended in a server error (5xx) over the last ${w}, above the ${percent(a.DeepgramHighErrorRate.threshold)} limit.`,
        },
        {
          expr: [
            `${rec.callerServerErrorRatio} > ${num(a.DeepgramHighErrorRate.threshold)}`,
            `and ${onCaller} ${inWindow(sumBy(callerBy, rec.callerRequestsByMode))} >= ${minRequests}`,
            `and ${onCaller} ${inWindow(`${rec.callerServerErrorRatio} * ${sumBy(callerBy, rec.callerRequestsByMode)}`)} >= ${minErrors}`,
            `and ${onCaller} ${sumBy(callerBy, increase(q.clients(CLIENT.transcriptionRequests.name, notProbe, CALLER_SERVER_ERROR_MATCHER), recent))} > 0`,
          ].join('\n'),
          for: a.DeepgramHighErrorRate.for,
          severity: a.DeepgramHighErrorRate.severity,
          description: `{{ $value | humanizePercentage }} of the Deepgram calls of ${caller} failed server-side (5xx, timeout, connection) over the last ${w}, above the ${percent(a.DeepgramHighErrorRate.threshold)} limit.`,
        },
        {
          // Runs, not calls: a failed run is one call and its retries. Runs the open circuit refused count as failed,
          // so the alert holds while the probe spares a dead API.
          expr: `${probeFailedRuns}\n/\n${probeRuns()}\n> ${num(a.DeepgramHighErrorRate.threshold)}\nand ${probeFailedRuns} >= ${num(a.DeepgramHighErrorRate.probeMinFailures)}`,
          for: a.DeepgramHighErrorRate.for,
          severity: a.DeepgramHighErrorRate.severity,
          labels: { source: PROBE_SOURCE },
          description: `{{ $value | humanizePercentage }} of the synthetic probe's runs from ${probeOf} failed over the last ${a.DeepgramHighErrorRate.probeWindow} (at least ${num(a.DeepgramHighErrorRate.probeMinFailures)} runs), above the ${percent(a.DeepgramHighErrorRate.threshold)} limit.`,
        },
      ],
      runbook: {
        meaning: `Deepgram is failing requests, seen from one of three places; the source label says which. source="engine": more than ${percent(a.DeepgramHighErrorRate.threshold)} of the inference requests this Engine finished over the last ${w} ended with a 5xx status class (engine_requests_total{response_status="5xx"}), for ${a.DeepgramHighErrorRate.for} with errors still coming in every ${recent}; silent with fewer than ${minRequests} requests or ${minErrors} server errors in the window, so one failed request of a quiet night never pages, and a burst of a few seconds never lasts the ${a.DeepgramHighErrorRate.for}. The Engine registers its 5xx series at the first server error, and rate() needs two samples: the errors in that series' first scrape are not counted, those of every later scrape are. source="probe": the exporter's synthetic probe (a known clip sent on a schedule) failed more than ${percent(a.DeepgramHighErrorRate.threshold)} of its runs over the last ${a.DeepgramHighErrorRate.probeWindow}, and at least ${num(a.DeepgramHighErrorRate.probeMinFailures)} runs: one failed probe is a blip and never pages, a dead API reaches ${num(a.DeepgramHighErrorRate.probeMinFailures)} failed runs within minutes (runs refused by the probe's open circuit breaker count as failed). Any other source: an application using the dgmon client (its configured source, "client" by default) saw more than ${percent(a.DeepgramHighErrorRate.threshold)} of its calls fail with 5xx, a timeout or no connection over the last ${w}, with at least ${minRequests} calls and ${minErrors} failures in the window and failures still coming in every ${recent}. Client errors (4xx) and 429s never count.`,
        impact: 'Callers get failed transcriptions. The API retries other Engines, so users may see slow successes before they see failures; batch jobs and live streams on this node fail.',
        confirm: [
          { what: 'Server-error share per node (source="engine")', promql: rec.nodeServerErrorRatio },
          { what: 'Server-error share per application (other sources)', promql: rec.callerServerErrorRatio },
          { what: 'Probe runs by result (source="probe")', promql: sumBy([...probeBy, 'mode', 'result'], increase(q.exporter(PROBE.runs.name), a.DeepgramHighErrorRate.probeWindow)) },
          { what: 'Requests by kind and status class on the node', promql: `${rec.nodeRequestsByStatus}{${q.node}="<node>"}` },
          { what: 'Whether the GPU is still busy and healthy', promql: `${rec.gpuBusy}{${q.node}="<node>"}` },
        ],
        causes: [
          'The GPU failed or fell off the bus (look for DeepgramGPUXidErrors or DeepgramGPUMemoryErrors on the same node; they inhibit this alert when they fire).',
          'A model failed to load or was removed from the models directory (Engine log: "Failed to load model").',
          'GPU memory exhausted by a burst of large batch files or too many streams (DeepgramGPUMemoryNearlyFull, DeepgramStreamCapacityHigh).',
          'The License Proxy or license server is unreachable and the grace period ended (Engine log: "Aegis request to … failed").',
          'A bad release: errors started right after an Engine image or engine.toml change.',
        ],
        actions: [
          'source="probe" or an application without source="engine" firing too: Deepgram fails end to end (API, proxy, network) while no Engine node counts errors. Check the API (DeepgramHealthCheckFailing, DeepgramEngineDisconnected, `curl <api>/v1/status`), the proxy or load balancer in front of it, and for the probe the exporter log lines "probe failed" (status and request id). An application alone failing: its network path or its timeouts (timeout/connection statuses) rather than Deepgram.',
          'Find the kind that fails: the requests-by-kind query above, grouped by kind (batch, stream, tts).',
          'Read the Engine log on that node around the start time (`kubectl logs` or `docker logs`, look for ERROR lines from impeller).',
          'If one node is bad and others are healthy, drain it: take it out of the proxy or scale the Engine pod away, then restart it.',
          'If errors started with a deployment, roll it back.',
          'If every node fails, check the License Proxy (DeepgramLicenseProxyTrustBased) and the models volume.',
        ],
        escalate: 'Page the Deepgram platform owner if more than one node is affected or the error share stays above the limit 15 minutes after a restart; open a Deepgram support ticket with the Engine logs and the request ids (dg-request-id) of failed requests.',
      },
    },
    {
      name: 'DeepgramHighLatencyP95',
      group: 'latency',
      summary: 'Deepgram batch transcription is slower than its latency target.',
      dashboard: 'node',
      perNode: true,
      rules: [
        {
          expr: [
            `${rec.nodeBatchLatencyQuantile}{quantile="${ALERT_LATENCY_QUANTILE}"} > ${latencyTarget}`,
            `and ${on} ${inWindow(sumBy(q.nodeBy, `${rec.nodeRequestsByStatus}{kind="batch"}`))} >= ${minRequests}`,
            `and ${on} ${nodeRecentP95} > ${latencyTarget}`,
          ].join('\n'),
          for: a.DeepgramHighLatencyP95.for,
          severity: a.DeepgramHighLatencyP95.severity,
          labels: { source: 'engine' },
          description: `Batch P95 response time on node ${node}${inCluster} is {{ $value | humanizeDuration }}, above the ${num(a.DeepgramHighLatencyP95.thresholdSeconds)}s target.`,
        },
        {
          expr: [
            `${rec.callerBatchLatencyQuantile}{quantile="${ALERT_LATENCY_QUANTILE}"} > ${latencyTarget}`,
            `and ${onCaller} ${inWindow(`${rec.callerRequestsByMode}{mode="batch"}`)} >= ${minRequests}`,
            `and ${onCaller} ${callerRecentP95} > ${latencyTarget}`,
          ].join('\n'),
          for: a.DeepgramHighLatencyP95.for,
          severity: a.DeepgramHighLatencyP95.severity,
          description: `Batch P95 response time of the Deepgram calls of ${caller} is {{ $value | humanizeDuration }}, above the ${num(a.DeepgramHighLatencyP95.thresholdSeconds)}s target.`,
        },
        {
          expr: `${quantile(ALERT_LATENCY_QUANTILE, probeBy, rate(probeBatch('bucket'), pw))} > ${num(a.DeepgramHighLatencyP95.thresholdSeconds)}\nand on (${probeBy.join(', ')}) ${sumBy(probeBy, increase(probeBatch('count'), pw))} >= ${num(a.DeepgramHighLatencyP95.probeMinRequests)}`,
          for: a.DeepgramHighLatencyP95.for,
          severity: a.DeepgramHighLatencyP95.severity,
          labels: { source: PROBE_SOURCE },
          description: `Batch P95 response time of the synthetic probe from ${probeOf} is {{ $value | humanizeDuration }} over the last ${pw}, above the ${num(a.DeepgramHighLatencyP95.thresholdSeconds)}s target.`,
        },
      ],
      runbook: {
        meaning: `Batch transcription is slow, seen from the place the source label names. source="engine": the 95th percentile of engine_batch_response_time_seconds on this node, over the last ${w}, is above ${num(a.DeepgramHighLatencyP95.thresholdSeconds)} s, for ${a.DeepgramHighLatencyP95.for}, with at least ${minRequests} batch requests in the window (so one slow file among them cannot lift the P95), and so is the P95 of the requests finished within the last ${recentSlow} at every evaluation of the ${a.DeepgramHighLatencyP95.for}: a few minutes of long files, which keep the ${w} P95 up for minutes after, never open a ticket. source="probe": the P95 of the exporter's synthetic batch probe over the last ${pw} is above the target, with at least ${num(a.DeepgramHighLatencyP95.probeMinRequests)} successful probes in the window, so one slow probe stays under the P95 and never opens a ticket; the probe's time includes the network and the API in front of the Engine. Any other source: the P95 of an application's successful batch calls (dgmon client) over ${w}, with at least ${minRequests} batch calls in the window and the P95 over the last ${recentSlow} above the target too. Quantiles are interpolated inside histogram buckets, so values between bounds are estimates.`,
        impact: 'Pre-recorded (batch) jobs finish late. Callers with a 30 s client timeout start to time out and retry, which adds load.',
        confirm: [
          { what: 'P50/P95/P99 on the node (source="engine")', promql: `${rec.nodeBatchLatencyQuantile}{${q.node}="<node>"}` },
          { what: 'P50/P95/P99 per application (other sources)', promql: rec.callerBatchLatencyQuantile },
          { what: 'The probe\'s batch P95 (source="probe")', promql: quantile(ALERT_LATENCY_QUANTILE, probeBy, rate(probeBatch('bucket'), pw)) },
          { what: 'Active requests by kind on the node', promql: `${rec.nodeActiveRequestsByKind}{${q.node}="<node>"}` },
          { what: 'Batch speed-up (audio seconds per wall second)', promql: rec.nodeBatchSpeedup },
        ],
        causes: [
          'Longer files than usual: latency grows with file length. Compare engine_asr_per_file_audio_duration_seconds.',
          'Too many concurrent requests for one GPU: the node is saturated (DeepgramGPUSaturated, DeepgramConcurrencyLimitNear).',
          'Streams and batch share the GPU and a streaming peak is taking it.',
          'The Engine fell back to CPU (DeepgramGPUIdleWhileServing) or the GPU is throttling (temperature, power).',
        ],
        actions: [
          'source="probe" or an application slow while source="engine" is not: the time goes outside the Engine (API queueing, proxy, network, the caller\'s retries: their waits count). Compare the probe with the Engine P95 on the node dashboard, and check the API\'s active requests.',
          'Check whether audio length changed (per-file audio duration) before touching capacity.',
          'If the node is saturated, add an Engine node or lower max_active_requests so the API spreads load.',
          'If the GPU is idle while requests are active, restart the Engine and check that it sees the GPU (log line "Using devices").',
        ],
        escalate: 'If P95 stays above the target for an hour with normal file lengths and free GPU capacity, escalate to the Deepgram platform owner and Deepgram support.',
      },
    },
    {
      name: 'DeepgramStreamingLatencyHigh',
      group: 'latency',
      summary: 'Deepgram streaming responses are slower than the 400 ms target.',
      dashboard: 'streaming',
      perNode: true,
      rules: [
        {
          // With no streaming observations the mean is NaN and the comparison drops it: no traffic, no alert.
          expr: `${rec.nodeStreamLatencyMean} > ${num(a.DeepgramStreamingLatencyHigh.thresholdSeconds)}`,
          for: a.DeepgramStreamingLatencyHigh.for,
          severity: a.DeepgramStreamingLatencyHigh.severity,
          description: `Mean streaming latency on node ${node}${inCluster} is {{ $value | humanizeDuration }}, above the ${milliseconds(a.DeepgramStreamingLatencyHigh.thresholdSeconds)} target every stream must keep.`,
        },
      ],
      runbook: {
        meaning: `The mean of engine_stream_latency on this node over the last ${w} is above ${milliseconds(a.DeepgramStreamingLatencyHigh.thresholdSeconds)}. Deepgram's sizing rule is that every simultaneous stream keeps an average response time of 400 ms or less; latency climbs with the number of open streams, the features used and the audio chunk size.`,
        impact: 'Live captions and voice agents lag behind the speaker; clients with tight timeouts drop their streams.',
        confirm: [
          { what: 'Mean streaming latency per node', promql: rec.nodeStreamLatencyMean },
          { what: 'Open streams against the node\'s estimated capacity', promql: rec.nodeStreamCapacityUsed },
          { what: 'Share of observations within the target, fleet-wide', promql: `1 - ${rec.streamLatencySlowRatio(w)}` },
        ],
        causes: [
          'More open streams than the GPU can serve with acceptable latency (DeepgramStreamCapacityHigh).',
          'Batch jobs competing for the same GPU.',
          'Clients sending very large audio chunks, or features that cost more per second (diarization, smart formatting on long utterances).',
          'GPU throttling or CPU fallback on the node.',
        ],
        actions: [
          'Compare open streams with engine_estimated_stream_capacity; if the node is near capacity, add a node or steer new streams elsewhere.',
          'Move batch traffic to other nodes if streams and batch share this one.',
          'Ask the client team for their chunk size; 20-100 ms chunks keep latency low.',
        ],
        escalate: 'If latency stays high with streams well below capacity, escalate to the Deepgram platform owner with the node, the time range and the features in use.',
      },
    },
    {
      name: 'DeepgramRateLimited',
      summary: 'Requests to Deepgram are being rate-limited (HTTP 429).',
      dashboard: 'fleet',
      rules: [
        {
          // Per source: the exporter's health check, its probe and each application are throttled (and fixed) apart.
          expr: `${hitsInWindow} > ${num(a.DeepgramRateLimited.maxHits)}`,
          for: a.DeepgramRateLimited.for,
          severity: a.DeepgramRateLimited.severity,
          description: `{{ $value | humanize }} requests from ${caller} were answered 429 Too Many Requests within the last ${a.DeepgramRateLimited.window}; the limit is ${num(a.DeepgramRateLimited.maxHits)}.`,
        },
      ],
      runbook: {
        meaning: `One caller instrumented with dgmon received more than ${num(a.DeepgramRateLimited.maxHits)} HTTP 429 answers within ${a.DeepgramRateLimited.window}. The source label names it: health_check (the exporter's GET /v1/status), probe (the exporter's synthetic probe: one clip a minute, so its 429s mean the API refuses almost anything) or an application using the dgmon client library (its configured source, "client" by default); every retried 429 counts. The hits are counted exactly (the counter's last value less its lowest within the window), not extrapolated, so exactly ${num(a.DeepgramRateLimited.maxHits)} hits never fire. Self-hosted Deepgram answers 429 when the API's [concurrency_limit] active_requests is reached or no Engine accepts the request below its max_active_requests; the hosted API answers 429 over the project's concurrency limit.`,
        impact: 'Requests are refused until load drops. Clients that retry without backoff make it worse.',
        confirm: [
          { what: 'Rate-limit hits by job and source over the window (the alert\'s own count)', promql: hitsInWindow },
          { what: 'Calls by status of applications and the probe, 429 apart', promql: sumBy([...callerBy, 'status'], rate(q.clients(CLIENT.transcriptionRequests.name), w)) },
          { what: 'Active requests against the Engine limit', promql: rec.nodeConcurrencyLimitUsed },
        ],
        causes: [
          'Traffic above the configured concurrency limits (api.toml [concurrency_limit], engine.toml max_active_requests).',
          'Too few Engine nodes for the load: the limits are doing their job.',
          'A client retrying without backoff, multiplying its own load.',
          'Hosted API: the project\'s plan concurrency is lower than the traffic.',
        ],
        actions: [
          'Find the caller (job label) and confirm it retries with exponential backoff and honours Retry-After.',
          'If the fleet is at its limits, add Engine nodes, then raise the limits to match.',
          'For the hosted API, ask Deepgram for a higher concurrency tier.',
        ],
        escalate: 'If 429s continue after capacity is added, escalate to the Deepgram platform owner; for the hosted API, to Deepgram support with the project id.',
      },
    },
    {
      name: 'DeepgramHealthCheckFailing',
      group: 'status',
      summary: 'The Deepgram health check is failing.',
      dashboard: 'node',
      perNode: true,
      rules: [
        {
          // engine_connection reads the same answer (GET /v1/status/engine) as DeepgramEngineDisconnected: while that
          // alert is enabled it pages for it alone, so one lost Engine is one page, not two.
          expr: q.withNode(`${q.exporter(DGMON.healthCheckSuccess.name, ...(engineDisconnectedOn ? ['check!="engine_connection"'] : []))} == 0`, 'exporter'),
          for: a.DeepgramHealthCheckFailing.for,
          severity: a.DeepgramHealthCheckFailing.severity,
          labels: { source: 'health_check' },
          description: `The {{ $labels.check }} health check from exporter {{ $labels.instance }} (node ${node}${inCluster}) is failing.`,
        },
        {
          expr: `${maxBy([...probeBy, 'mode'], q.exporter(PROBE.consecutiveFailures.name))} >= ${num(a.DeepgramHealthCheckFailing.probeFailures)}`,
          for: a.DeepgramHealthCheckFailing.for,
          severity: a.DeepgramHealthCheckFailing.severity,
          labels: { source: PROBE_SOURCE },
          description: `The synthetic {{ $labels.mode }} probe from ${probeOf} has failed {{ $value }} times in a row.`,
        },
        {
          expr: `${without('sum', ['state'], q.clients(CLIENT.circuitState.name, notProbe, 'state!="closed"'))} > 0`,
          for: a.DeepgramHealthCheckFailing.for,
          severity: a.DeepgramHealthCheckFailing.severity,
          description: `The circuit breaker in front of Deepgram of ${caller} (instance {{ $labels.instance }}) is not closed: its recent calls failed server-side and it refuses or trials new ones.`,
        },
      ],
      runbook: {
        meaning: `Deepgram does not answer a check, for longer than the alert's for:. The source label says which. source="health_check": the dgmon exporter's health check (the one its /health answers) fails; the check label says which part: api_status (GET /v1/status on the API did not answer, or answered an error) or engine_connection (GET /v1/status/engine did not report a connected Engine${engineDisconnectedOn ? '; that check pages as DeepgramEngineDisconnected, which reads the same answer, so one lost Engine is one page' : ''}). source="probe": the exporter's synthetic probe (a known clip, batch or live streaming: the mode label) failed ${num(a.DeepgramHealthCheckFailing.probeFailures)} or more runs in a row, so transcription itself fails even if the status endpoints answer; one failed probe never pages. Any other source: the circuit breaker of an application using the dgmon client is open or trialling: its calls failed server-side in a row and it stopped sending. Once its half-open delay has passed the client trials Deepgram's health endpoint through the breaker by itself (no audio), so an application that sends nothing still closes its breaker when Deepgram answers again; a 5xx, timeout or refused trial keeps it open.`,
        impact: 'Requests through this API instance fail or will fail. A load balancer using /health takes the instance out.',
        confirm: [
          { what: 'Each check\'s last result (1 passed, 0 failed)', promql: q.exporter(DGMON.healthCheckSuccess.name) },
          { what: 'Probe failures in a row and when each mode last succeeded (source="probe")', promql: `${q.exporter(PROBE.consecutiveFailures.name)}\nor ${q.exporter(PROBE.lastSuccess.name)}` },
          { what: 'Circuit breakers not closed (other sources)', promql: `${q.clients(CLIENT.circuitState.name, 'state!="closed"')} == 1` },
          { what: 'Each check\'s latency', promql: q.exporter(DGMON.healthCheckDuration.name) },
          { what: 'The exporter\'s view of its sources', promql: q.exporter(DGMON.sourceUp.name) },
          { what: 'Ask the exporter directly', shell: 'curl -s http://<exporter>/health' },
        ],
        causes: [
          'The API container is down or restarting (port 8080 closed).',
          'The API is up but no Engine is connected (DeepgramEngineDisconnected).',
          'Network or TLS proxy between the exporter and the API broken.',
          'The API is overloaded and the check times out.',
        ],
        actions: [
          'curl http://<api>:8080/v1/status and /v1/status/engine from the exporter\'s host.',
          'source="probe" alone: read the exporter log lines "probe failed" (result, status, request id). 401/403 (result client_error) means the probe\'s key (exporter.apiKeyFile) is wrong or expired, not an outage; streaming alone failing points at WebSocket upgrades blocked by a proxy.',
          'An application\'s breaker: check that application\'s network path to the API and its timeouts; if the probe and the health check pass, the fault is on its side.',
          'Restart the API container if it does not answer; check its log for the last lines before it stopped.',
          'If engine_connection fails (the /health answer names it), follow the DeepgramEngineDisconnected runbook.',
        ],
        escalate: 'Page the Deepgram platform owner if the API does not answer within 10 minutes of a restart.',
      },
    },
    {
      name: 'DeepgramEngineDisconnected',
      group: 'status',
      summary: 'The Deepgram API has no connected Engine.',
      dashboard: 'node',
      perNode: true,
      rules: [
        {
          expr: q.withNode(`${q.exporter(DGMON.apiEngineConnected.name)} == 0`, 'exporter'),
          for: a.DeepgramEngineDisconnected.for,
          severity: a.DeepgramEngineDisconnected.severity,
          description: `The Deepgram API watched by exporter {{ $labels.instance }} (node ${node}${inCluster}) reports no connected Engine.`,
        },
      ],
      runbook: {
        meaning: 'GET /v1/status/engine on the API did not report engine_connection_status "Connected": the API has no Engine to send inference to. Deepgram\'s own readiness probe checks exactly this.',
        impact: 'Every transcription request through this API fails.',
        confirm: [
          { what: 'Engine connection as the exporter sees it', promql: q.exporter(DGMON.apiEngineConnected.name) },
          { what: 'Engine targets up', promql: `up{${config.selectors.engine}}` },
          { what: 'Ask the API directly', shell: 'curl -s http://<api>:8080/v1/status/engine' },
        ],
        causes: [
          'All Engines are down, restarting or still loading models after a restart.',
          'The API\'s driver_pool points at the wrong Engine URL (api.toml [[driver_pool.standard]] url, default https://engine:8080/v2).',
          'Network between API and Engine broken (port 8080 on the Engine).',
          'The Engine failed at start-up: no GPU with [health] gpu_required = true, or no licence.',
        ],
        actions: [
          'Check the Engine containers and their logs for "Listening on http" (ready) or start-up errors.',
          'From the API container, reach the Engine on port 8080.',
          'Restart the Engine; if it does not come up, check the GPU (nvidia-smi) and the License Proxy.',
        ],
        escalate: 'Page the Deepgram platform owner at once if no Engine reconnects within 10 minutes.',
      },
    },
    {
      name: 'DeepgramAPIDegraded',
      group: 'status',
      summary: 'The Deepgram API reports degraded system health.',
      dashboard: 'node',
      perNode: true,
      rules: [
        {
          expr: q.withNode(`${q.exporter(DGMON.apiSystemHealth.name, 'state="Degraded"')} == 1`, 'exporter'),
          for: a.DeepgramAPIDegraded.for,
          severity: a.DeepgramAPIDegraded.severity,
          description: `The Deepgram API watched by exporter {{ $labels.instance }} (node ${node}${inCluster}) reports system_health {{ $labels.state }}: 40-90 % of its recent requests succeed.`,
        },
        {
          expr: q.withNode(`${q.exporter(DGMON.apiSystemHealth.name, 'state="Critical"')} == 1`, 'exporter'),
          for: a.DeepgramAPIDegraded.criticalFor,
          severity: a.DeepgramAPIDegraded.criticalSeverity,
          description: `The Deepgram API watched by exporter {{ $labels.instance }} (node ${node}${inCluster}) reports system_health {{ $labels.state }}: under 40 % of its recent requests succeed.`,
        },
      ],
      runbook: {
        meaning: 'The API\'s own /v1/status judges its recent inference requests: Healthy above 90 % success, Degraded between 40 and 90 %, Critical under 40 %. This alert relays that judgement; the warning fires on Degraded, the critical on Critical (and inhibits the warning).',
        impact: 'A share of requests is failing right now; at Critical most are.',
        confirm: [
          { what: 'Current system_health state', promql: `${q.exporter(DGMON.apiSystemHealth.name)} == 1` },
          { what: 'Engine server-error share', promql: rec.nodeServerErrorRatio },
          { what: 'Requests by status class', promql: sumBy([q.cluster, 'kind', 'response_status'], rate(q.engine(ENGINE.requests.name), w)) },
        ],
        causes: [
          'Engines returning server errors (see DeepgramHighErrorRate for the node).',
          'Requests timing out between API and Engine under overload.',
          'Requests for a model the Engines have not loaded.',
        ],
        actions: [
          'Find which Engine fails (DeepgramHighErrorRate, the node dashboard) and follow its runbook.',
          'Check /v1/models on the API: the model callers ask for must be listed.',
          'If overload, add capacity or shed batch traffic first.',
        ],
        escalate: 'At Critical, page the Deepgram platform owner at once and open a Deepgram support ticket with API and Engine logs.',
      },
    },
    {
      name: 'DeepgramLicenseProxyTrustBased',
      group: 'status',
      summary: 'The Deepgram License Proxy is not connected to its licence server.',
      dashboard: 'node',
      perNode: true,
      rules: [
        {
          expr: q.withNode(`${q.exporter(DGMON.licenseProxyState.name, 'state="TrustBased"')} == 1`, 'exporter'),
          for: lp.for,
          severity: lp.severity,
          description: `The License Proxy watched by exporter {{ $labels.instance }} (node ${node}${inCluster}) is in state {{ $labels.state }}: it cannot reach license.deepgram.com and serves on trust for its trust period (${lp.trustPeriod} configured).`,
        },
        {
          // Half the trust period gone: a ticket may not be worked before the rest runs out, so it pages.
          expr: q.withNode(`${q.exporter(DGMON.licenseProxyState.name, 'state="TrustBased"')} == 1`, 'exporter'),
          for: trustPage,
          severity: lp.criticalSeverity,
          // Tells this page apart from state Other's (same alert and severity; promtool refuses duplicate rules).
          labels: { trust_period: 'half_gone' },
          description: `The License Proxy watched by exporter {{ $labels.instance }} (node ${node}${inCluster}) has been in state {{ $labels.state }} for ${trustPage}, half its ${lp.trustPeriod} trust period: API and Engine stop serving when the rest runs out.`,
        },
        {
          // Neither Connected nor TrustBased: Deepgram's readiness probe does not accept it, and no trust period runs.
          expr: q.withNode(`${q.exporter(DGMON.licenseProxyState.name, 'state="Other"')} == 1`, 'exporter'),
          for: lp.for,
          severity: lp.criticalSeverity,
          description: `The License Proxy watched by exporter {{ $labels.instance }} (node ${node}${inCluster}) reports a state other than Connected or TrustBased: it is not ready and serves no licence.`,
        },
      ],
      runbook: {
        meaning: `The License Proxy's /v1/status does not report Connected. The state label says which. TrustBased: it cannot reach Deepgram's licence server (license.deepgram.com:443) and keeps serving on trust for a pre-configured time (the trust period; nothing exposes it or what is left of it, so dgmon.yaml states it: ${lp.trustPeriod}). The severity follows from that length: a ${lp.severity} after ${lp.for}, because more than half the trust period is left and a ticket is worked within it; a ${lp.criticalSeverity} page after ${trustPage} in TrustBased, half the period, because the half that is left may be less than a ticket waits (a night, a weekend). Other: any state besides Connected and TrustBased (dgmon reports unknown states as Other); Deepgram's own readiness probe accepts only those two, so the proxy is not ready and no trust period runs: a ${lp.criticalSeverity} page after ${lp.for}.`,
        impact: 'TrustBased: none yet; when the trust period ends, API and Engine lose their licence and stop serving. Other: the proxy is taken out of its Service and API and Engine cannot renew their licence.',
        confirm: [
          { what: 'License Proxy state', promql: `${q.exporter(DGMON.licenseProxyState.name)} == 1` },
          { what: 'How long it has not been Connected (minutes in the last day)', promql: `sum_over_time((${q.exporter(DGMON.licenseProxyState.name, 'state="Connected"')} == bool 0)[1d:1m])` },
          { what: 'Ask the proxy directly: its status port is 8080 in the container and on Kubernetes (Service <prefix>-status, port name status); Deepgram\'s Compose files publish it on the host as 8089', shell: `curl -s http://<license-proxy>:8089/v1/status   # Compose, from the host\nkubectl -n ${config.packaging.namespace} port-forward svc/${config.packaging.kubernetes.licenseProxyPrefix}-status 8080:8080 & curl -s http://127.0.0.1:8080/v1/status   # Kubernetes` },
        ],
        causes: [
          'Outbound HTTPS to license.deepgram.com:443 blocked (firewall, proxy, DNS change).',
          'An outage on Deepgram\'s side.',
          'The proxy\'s licence key was revoked or expired.',
          'State Other: the proxy is starting, misconfigured (license-proxy.toml, its key) or reports a state this dgmon does not know; its log says which.',
        ],
        actions: [
          'From the proxy host: curl -v https://license.deepgram.com to separate DNS, TLS and firewall problems.',
          'Read the proxy log (hermes::) for "Aegis request to … failed" and its reason.',
          'Check Deepgram\'s status page for an incident.',
          `Know your deadline: TrustBased since the alert's start plus the trust period (${lp.trustPeriod} configured; confirm it with Deepgram support).`,
        ],
        escalate: 'Escalate to the network team for blocked egress, and to Deepgram support if the licence server is unreachable from a working network; do it within hours, before the trust period runs out.',
      },
    },
  ];
  return defs;
};
