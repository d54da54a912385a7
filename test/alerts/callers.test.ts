// promtool unit tests for the probe's and the client library's side of the availability alerts: the same alert names
// as the Engine's, told apart by `source`. Each expression fires, and stays silent before its for:, below its
// threshold, with no series at all and on too little traffic (one failed or slow probe never alerts).
import { CLIENT } from '../../core/catalog/index.ts';
import { alertTest, links, type Series } from '../support/promtool.ts';

const APP = 'job="checkout",instance="10.0.0.9:8000",source="checkout_api"';
const EXPORTER = 'job="dgmon",instance="10.0.0.5:9898"';
const appLabels = { job: 'checkout', source: 'checkout_api' };
const probeLabels = { job: 'dgmon', instance: '10.0.0.5:9898', source: 'probe' };

/** Explicit per-minute values: f(minute) for minutes 0..n. */
const perMinute = (n: number, f: (minute: number) => number) => Array.from({ length: n + 1 }, (_, m) => f(m)).join(' ');

const calls = (labels: string, mode: string, status: string, values: string): Series => ({
  series: `dgmon_transcription_requests_total{${labels},mode="${mode}",status="${status}"}`,
  values,
});

// ---- DeepgramHighErrorRate ----

alertTest('DeepgramHighErrorRate', {
  // 5 % 5xx and 5 % timeouts: 10 % failing server-side.
  input: [calls(APP, 'batch', '2xx', '0+90x30'), calls(APP, 'batch', '5xx', '0+5x30'), calls(APP, 'stream', 'timeout', '0+5x30')],
  fires: {
    at: '10m',
    expect: [
      {
        labels: { severity: 'critical', ...appLabels },
        annotations: {
          summary: 'Deepgram Engine is answering too many requests with server errors.',
          description: '10% of the Deepgram calls of checkout/checkout_api failed server-side (5xx, timeout, connection) over the last 5m, above the 5 % limit.',
          ...links('DeepgramHighErrorRate', 'deepgram-node'),
        },
      },
    ],
  },
  justBefore: { at: '2m' },
  // 4 % failing; 429s and 4xx are not Deepgram's failures (they would make it 52 %).
  belowThreshold: {
    input: [calls(APP, 'batch', '2xx', '0+96x30'), calls(APP, 'batch', '5xx', '0+4x30'), calls(APP, 'batch', '429', '0+50x30'), calls(APP, 'batch', '4xx', '0+50x30')],
    at: '10m',
  },
  more: [
    {
      name: 'client error rate silent under the minimum call count',
      // One call in five minutes, and it failed.
      input: [calls(APP, 'batch', '5xx', '0+0.2x30')],
      alerts: [{ at: '10m', alert: 'DeepgramHighErrorRate', expect: [] }],
    },
    {
      name: 'the probe\'s calls are not judged as an application\'s',
      input: [calls(`${EXPORTER},source="probe"`, 'batch', '5xx', '0+10x30')],
      alerts: [{ at: '10m', alert: 'DeepgramHighErrorRate', expect: [] }],
    },
  ],
});

const runs = (result: string, values: string, mode = 'batch'): Series => ({ series: `dgmon_probe_runs_total{${EXPORTER},mode="${mode}",result="${result}"}`, values });

alertTest('DeepgramHighErrorRate', {
  // The API dies after 5 minutes: one run fails, then the open circuit refuses the next ones.
  input: [runs('success', '0+1x5 5x25'), runs('server_error', '0x5 1x25'), runs('not_sent', '0x6 1+1x24'), runs('client_error', '0x30')],
  fires: {
    at: '14m',
    expect: [
      {
        labels: { severity: 'critical', ...probeLabels },
        annotations: {
          summary: 'Deepgram Engine is answering too many requests with server errors.',
          description: '64.29% of the synthetic probe\'s runs from exporter 10.0.0.5:9898 failed over the last 15m (at least 3 runs), above the 5 % limit.',
          ...links('DeepgramHighErrorRate', 'deepgram-node'),
        },
      },
    ],
  },
  // Three failed runs at 8m: pending until 13m.
  justBefore: { at: '12m' },
  // A fast probe (40 runs a minute) with 3 failures in 15 minutes: 0.5 %.
  belowThreshold: { input: [runs('success', '0+40x30'), runs('server_error', '0x10 1 2 3x18')], at: '15m' },
  more: [
    {
      name: 'one failed probe never pages',
      input: [runs('success', '0+1x30'), runs('server_error', '0x10 1x20')],
      alerts: [{ at: '15m', alert: 'DeepgramHighErrorRate', expect: [] }],
    },
    {
      name: 'a probe refused by client errors (a wrong key) is not a Deepgram outage',
      input: [runs('success', '0+1x5 5x25'), runs('client_error', '0x5 1+1x25')],
      alerts: [{ at: '15m', alert: 'DeepgramHighErrorRate', expect: [] }],
    },
  ],
});

// ---- DeepgramHighLatencyP95 ----

/** A dgmon_transcription_duration_seconds histogram: per minute, `fast` calls of 0.8 s and `slow` of 15 s. */
function durations(labels: string, minutes: number, fast: (m: number) => number, slow: (m: number) => number): Series[] {
  let f = 0;
  let s = 0;
  const cumulative = Array.from({ length: minutes + 1 }, (_, m) => {
    if (m > 0) {
      f += fast(m);
      s += slow(m);
    }
    return [f, s] as const;
  });
  const values = (pick: (fs: readonly [number, number]) => number) => cumulative.map(pick).join(' ');
  const buckets = [...(CLIENT.transcriptionDuration.buckets ?? []), '+Inf'];
  return [
    ...buckets.map((le) => ({
      series: `${CLIENT.transcriptionDuration.name}_bucket{${labels},mode="batch",le="${le}"}`,
      values: values(([fa, sl]) => (le === '+Inf' || Number(le) >= 20 ? fa + sl : Number(le) >= 1 ? fa : 0)),
    })),
    { series: `${CLIENT.transcriptionDuration.name}_count{${labels},mode="batch"}`, values: values(([fa, sl]) => fa + sl) },
  ];
}

alertTest('DeepgramHighLatencyP95', {
  // 90 calls a minute at 0.8 s, 10 at 15 s: P95 interpolates to 15 s in the 10-20 s bucket.
  input: [...durations(APP, 30, () => 90, () => 10), calls(APP, 'batch', '2xx', '0+100x30')],
  fires: {
    at: '20m',
    expect: [
      {
        labels: { severity: 'warning', quantile: '0.95', ...appLabels },
        annotations: {
          summary: 'Deepgram batch transcription is slower than its latency target.',
          description: 'Batch P95 response time of the Deepgram calls of checkout/checkout_api is 15s, above the 10s target.',
          ...links('DeepgramHighLatencyP95', 'deepgram-node'),
        },
      },
    ],
  },
  // Pending from 1-2m: not yet its 5 minutes.
  justBefore: { at: '5m' },
  belowThreshold: { input: [...durations(APP, 30, () => 96, () => 4), calls(APP, 'batch', '2xx', '0+100x30')], at: '20m' },
  more: [
    {
      name: 'client latency silent under the minimum call rate',
      input: [...durations(APP, 30, () => 0, (m) => (m % 5 === 0 ? 1 : 0)), calls(APP, 'batch', '2xx', perMinute(30, (m) => Math.floor(m / 5)))],
      alerts: [{ at: '20m', alert: 'DeepgramHighLatencyP95', expect: [] }],
    },
  ],
});

const PROBE_SERIES = `${EXPORTER},source="probe"`;

alertTest('DeepgramHighLatencyP95', {
  // Every batch probe (one a minute) takes 15 s: 20 observations by 20m, firing 5m later.
  input: durations(PROBE_SERIES, 60, () => 0, () => 1),
  fires: {
    at: '35m',
    expect: [
      {
        labels: { severity: 'warning', ...probeLabels },
        annotations: {
          summary: 'Deepgram batch transcription is slower than its latency target.',
          description: 'Batch P95 response time of the synthetic probe from exporter 10.0.0.5:9898 is 19.5s over the last 30m, above the 10s target.',
          ...links('DeepgramHighLatencyP95', 'deepgram-node'),
        },
      },
    ],
  },
  // 23 observations, slow since the 20th: pending.
  justBefore: { at: '23m' },
  // One slow probe among 30 stays under the P95.
  belowThreshold: { input: durations(PROBE_SERIES, 60, (m) => (m === 10 ? 0 : 1), (m) => (m === 10 ? 1 : 0)), at: '35m' },
  more: [
    {
      name: 'too few probes for a P95 (one every 5 minutes, all slow): silent',
      input: durations(PROBE_SERIES, 60, () => 0, (m) => (m % 5 === 0 ? 1 : 0)),
      alerts: [{ at: '45m', alert: 'DeepgramHighLatencyP95', expect: [] }],
    },
  ],
});

// ---- DeepgramRateLimited ----

const hits = (labels: string, values: string): Series => ({ series: `dgmon_rate_limit_hits_total{${labels}}`, values });

alertTest('DeepgramRateLimited', {
  input: [hits(PROBE_SERIES, '0+2x60'), hits(APP, '0+1x60'), hits(`${EXPORTER},source="health_check"`, '0x60')],
  fires: {
    at: '30m',
    expect: [
      {
        labels: { severity: 'warning', job: 'dgmon', source: 'probe' },
        annotations: {
          summary: 'Requests to Deepgram are being rate-limited (HTTP 429).',
          description: '60 requests from dgmon/probe were answered 429 Too Many Requests within the last 1h; the limit is 10.',
          ...links('DeepgramRateLimited', 'deepgram-fleet'),
        },
      },
      {
        labels: { severity: 'warning', ...appLabels },
        annotations: {
          summary: 'Requests to Deepgram are being rate-limited (HTTP 429).',
          description: '30 requests from checkout/checkout_api were answered 429 Too Many Requests within the last 1h; the limit is 10.',
          ...links('DeepgramRateLimited', 'deepgram-fleet'),
        },
      },
    ],
  },
  // 12 probe hits by 6m: over the limit, but not yet for 1m.
  justBefore: { at: '6m' },
  belowThreshold: { input: [hits(PROBE_SERIES, '0+0.15x60'), hits(APP, '0+0.15x60')], at: '60m' },
  more: [
    {
      name: 'each caller has its own budget: 6 probe hits and 6 health-check hits in an hour are not 12',
      input: [hits(PROBE_SERIES, '0+0.1x60'), hits(`${EXPORTER},source="health_check"`, '0+0.1x60')],
      alerts: [{ at: '60m', alert: 'DeepgramRateLimited', expect: [] }],
    },
  ],
});

// ---- DeepgramHealthCheckFailing ----

const inRow = (values: string, mode = 'stream'): Series => ({ series: `dgmon_probe_consecutive_failures{${EXPORTER},mode="${mode}"}`, values });

alertTest('DeepgramHealthCheckFailing', {
  input: [inRow('0 0 1 2 3 4 5 6 7 8 9 10'), inRow('0x11', 'batch')],
  fires: {
    at: '6m',
    expect: [
      {
        labels: { severity: 'critical', mode: 'stream', ...probeLabels },
        annotations: {
          summary: 'The Deepgram health check is failing.',
          description: 'The synthetic stream probe from exporter 10.0.0.5:9898 has failed 5 times in a row.',
          ...links('DeepgramHealthCheckFailing', 'deepgram-node'),
        },
      },
    ],
  },
  // Three in a row at 4m: pending.
  justBefore: { at: '5m' },
  // Two failures in a row, then a success.
  belowThreshold: { input: [inRow('0 0 1 2 0x8')], at: '6m' },
  more: [
    {
      name: 'one failed probe never pages',
      input: [inRow('0 0 1 0x9'), inRow('0 1 0x10', 'batch')],
      alerts: [{ at: '6m', alert: 'DeepgramHealthCheckFailing', expect: [] }],
    },
  ],
});

const circuit = (labels: string, open: string): Series[] =>
  ['closed', 'open', 'half_open', 'isolated'].map((state) => ({
    series: `dgmon_circuit_breaker_state{${labels},state="${state}"}`,
    values: state === 'open' ? open : state === 'closed' ? open.replace(/\b([01])\b/g, (d) => String(1 - Number(d))) : '0x20',
  }));

alertTest('DeepgramHealthCheckFailing', {
  // The application's breaker opens at 2m and stays open.
  input: circuit(APP, '0 0 1 1 1 1 1 1 1 1 1'),
  fires: {
    at: '5m',
    expect: [
      {
        labels: { severity: 'critical', instance: '10.0.0.9:8000', ...appLabels },
        annotations: {
          summary: 'The Deepgram health check is failing.',
          description: 'The circuit breaker in front of Deepgram of checkout/checkout_api (instance 10.0.0.9:8000) is not closed: its recent calls failed server-side and it refuses or trials new ones.',
          ...links('DeepgramHealthCheckFailing', 'deepgram-node'),
        },
      },
    ],
  },
  justBefore: { at: '3m' },
  // Open for a minute, then closed again after a successful trial.
  belowThreshold: { input: circuit(APP, '0 0 1 0 0 0 0 0 0 0 0'), at: '5m' },
  more: [
    {
      name: 'the probe\'s open breaker is judged by its failed runs, not as an application\'s',
      input: circuit(PROBE_SERIES, '0 0 1 1 1 1 1 1 1 1 1'),
      alerts: [{ at: '5m', alert: 'DeepgramHealthCheckFailing', expect: [] }],
    },
  ],
});
