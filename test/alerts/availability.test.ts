// promtool unit tests for the availability alerts, on the default config (Engine scraped as job="deepgram-engine").
import { alertTest, links } from '../support/promtool.ts';

const ENGINE = 'job="deepgram-engine",instance="10.0.0.5:9991"';
const requests = (status: string, values: string, kind = 'batch') => ({
  series: `engine_requests_total{${ENGINE},kind="${kind}",response_status="${status}"}`,
  values,
});
// The Engine's start-up metrics: present before any request.
const engineIdle = [
  { series: `engine_estimated_stream_capacity{${ENGINE}}`, values: '0x30' },
  { series: `engine_active_requests{${ENGINE},kind="batch"}`, values: '0x30' },
  { series: `engine_max_active_requests{${ENGINE}}`, values: '0x30' },
  { series: `up{${ENGINE}}`, values: '1x30' },
];

/** The page DeepgramHighErrorRate sends for node 10.0.0.5's Engine, with the error share its description names. */
const engineErrorPage = (share: string) => ({
  labels: { severity: 'critical', node: '10.0.0.5', source: 'engine' },
  annotations: {
    summary: 'Deepgram Engine is answering too many requests with server errors.',
    description: `${share} of requests on node 10.0.0.5 ended in a server error (5xx) over the last 5m, above the 5 % limit.`,
    ...links('DeepgramHighErrorRate', 'deepgram-node', '10.0.0.5'),
  },
});

alertTest('DeepgramHighErrorRate', {
  input: [requests('2xx', '0+90x30'), requests('5xx', '0+10x30'), requests('4xx', '0+50x30')],
  fires: {
    at: '10m',
    expect: [engineErrorPage('6.667%')],
  },
  // Pending from 1-2m: not yet its 5 minutes.
  justBefore: { at: '5m' },
  // 4xx are the callers' errors: a storm of them spends no server-error budget.
  belowThreshold: { input: [requests('2xx', '0+96x30'), requests('5xx', '0+4x30'), requests('4xx', '0+500x30')], at: '10m' },
  noTraffic: { input: [...engineIdle, requests('2xx', '0x30'), requests('5xx', '0x30')], at: '10m' },
  more: [
    {
      name: 'DeepgramHighErrorRate silent under the minimum request count',
      // One request in five minutes, and it failed: 100 % errors, but not an incident.
      input: [requests('5xx', '0+0.2x30')],
      alerts: [{ at: '10m', alert: 'DeepgramHighErrorRate', expect: [] }],
    },
    {
      // 48 requests an hour (one every 75 s), one of them a 5xx (the series exists from earlier failures): 1 of the 4
      // requests of a 5m window is 25 %, but one failed request is not an incident (traffic.minErrors).
      name: 'DeepgramHighErrorRate silent for one 5xx among 48 requests an hour',
      interval: '75s',
      input: [requests('2xx', '0+1x100'), requests('5xx', '2x50 3x50')],
      alerts: ['65m', '66m', '67m', '68m', '70m', '72m'].map((at) => ({ at, alert: 'DeepgramHighErrorRate', expect: [] })),
    },
    {
      // 1 request/s, scraped every 15 s, and a 30-second burst at 5m in which every request fails: 30 failures keep the
      // 5m ratio at 10 % for 5 minutes, but the errors lasted 30 seconds. for: 5m with errors still coming in every
      // minute (recentWindow) needs 5 minutes of errors.
      name: 'DeepgramHighErrorRate silent for a 30-second burst of errors at 1 request/s',
      interval: '15s',
      input: [requests('2xx', '0+15x19 285 285+15x40'), requests('5xx', '0x19 15 30x40')],
      alerts: ['7m', '8m', '9m', '10m', '11m', '12m'].map((at) => ({ at, alert: 'DeepgramHighErrorRate', expect: [] })),
    },
    {
      // The same traffic with 10 % of requests failing from 5m on: the 5m ratio passes 5 % after about 2.5 minutes of
      // errors, then must stay there for 5 minutes.
      name: 'DeepgramHighErrorRate fires after 5 minutes of sustained errors at 1 request/s',
      interval: '15s',
      input: [requests('2xx', '0+15x19 285+13.5x60'), requests('5xx', '0x19 0+1.5x60')],
      alerts: [
        { at: '10m', alert: 'DeepgramHighErrorRate', expect: [] },
        {
          at: '16m',
          alert: 'DeepgramHighErrorRate',
          expect: [engineErrorPage('10%')],
        },
      ],
    },
    {
      // The Engine registers a 5xx series at its first server error, so the series' first sample already holds
      // failures rate() cannot see (it needs two samples). The bound: only that first scrape's errors go uncounted,
      // and errors that last the 5 minutes the page needs are counted from the second scrape on.
      name: 'DeepgramHighErrorRate fires for sustained errors whose 5xx series appears with failures in it',
      interval: '15s',
      input: [requests('2xx', '0+15x19 285+13.5x60'), requests('5xx', '_x20 15+1.5x59')],
      alerts: [
        { at: '10m', alert: 'DeepgramHighErrorRate', expect: [] },
        {
          at: '17m',
          alert: 'DeepgramHighErrorRate',
          expect: [engineErrorPage('10%')],
        },
      ],
    },
  ],
});

const batchLatency = (perMinuteBelow5s: number, perMinute10to30s: number) => {
  const total = perMinuteBelow5s + perMinute10to30s;
  const bucket = (le: string, perMinute: number) => ({
    series: `engine_batch_response_time_seconds_bucket{${ENGINE},le="${le}"}`,
    values: `0+${perMinute}x30`,
  });
  return [
    bucket('1.0', 0),
    bucket('2.5', 0),
    bucket('5.0', perMinuteBelow5s),
    bucket('10.0', perMinuteBelow5s),
    bucket('30.0', total),
    bucket('60.0', total),
    bucket('+Inf', total),
    { series: `engine_batch_response_time_seconds_sum{${ENGINE}}`, values: `0+${perMinuteBelow5s * 3 + perMinute10to30s * 20}x30` },
    { series: `engine_batch_response_time_seconds_count{${ENGINE}}`, values: `0+${total}x30` },
    requests('2xx', `0+${total}x30`),
  ];
};

/** The batch histogram step by step: steps[i] = [requests under 5 s, requests of 10-30 s] finished in interval i. */
const batchSteps = (steps: [number, number][]) => {
  const cumulative = (count: (fast: number, slow: number) => number) => {
    let total = 0;
    return steps.map(([fast, slow]) => (total += count(fast, slow))).join(' ');
  };
  const bucket = (le: string, count: (fast: number, slow: number) => number) => ({
    series: `engine_batch_response_time_seconds_bucket{${ENGINE},le="${le}"}`,
    values: cumulative(count),
  });
  const all = (fast: number, slow: number) => fast + slow;
  return [
    bucket('1.0', () => 0),
    bucket('2.5', () => 0),
    bucket('5.0', (fast) => fast),
    bucket('10.0', (fast) => fast),
    ...['30.0', '60.0', '+Inf'].map((le) => bucket(le, all)),
    { series: `engine_batch_response_time_seconds_sum{${ENGINE}}`, values: cumulative((fast, slow) => fast * 3 + slow * 20) },
    { series: `engine_batch_response_time_seconds_count{${ENGINE}}`, values: cumulative(all) },
    requests('2xx', cumulative(all)),
  ];
};

alertTest('DeepgramHighLatencyP95', {
  // 90 of every 100 requests under 5 s, 10 between 10 and 30 s: P95 interpolates to 20 s.
  input: batchLatency(90, 10),
  fires: {
    at: '20m',
    expect: [
      {
        labels: { severity: 'warning', node: '10.0.0.5', quantile: '0.95', source: 'engine' },
        annotations: {
          summary: 'Deepgram batch transcription is slower than its latency target.',
          description: 'Batch P95 response time on node 10.0.0.5 is 20s, above the 10s target.',
          ...links('DeepgramHighLatencyP95', 'deepgram-node', '10.0.0.5'),
        },
      },
    ],
  },
  // Pending from 1-2m: not yet its 5 minutes.
  justBefore: { at: '5m' },
  belowThreshold: { input: batchLatency(96, 4), at: '20m' },
  noTraffic: { input: [...engineIdle, ...batchLatency(0, 0)], at: '20m' },
  more: [
    {
      // 20 requests a minute (scraped every 30 s), all under 5 s but for three minutes of long files from 10m, each
      // taking 10-30 s. The 5m P95 stays over 10 s until about 18m, which a 5m for: alone turns into a ticket at 15-17m
      // (checked against the rules without recentWindow); the P95 of the last minute is over the target for only three
      // or four minutes.
      name: 'DeepgramHighLatencyP95 silent for three minutes of long files',
      interval: '30s',
      input: batchSteps(Array.from({ length: 50 }, (_, i) => (i >= 20 && i < 26 ? [0, 10] : [10, 0]))),
      alerts: ['15m', '16m', '17m', '18m'].map((at) => ({ at, alert: 'DeepgramHighLatencyP95', expect: [] })),
    },
  ],
});

const streamLatency = (sumPerMinute: number, countPerMinute: number) => [
  { series: `engine_stream_latency_sum{${ENGINE}}`, values: `0+${sumPerMinute}x30` },
  { series: `engine_stream_latency_count{${ENGINE}}`, values: `0+${countPerMinute}x30` },
];

alertTest('DeepgramStreamingLatencyHigh', {
  input: streamLatency(30, 50),
  fires: {
    at: '10m',
    expect: [
      {
        labels: { severity: 'warning', node: '10.0.0.5' },
        annotations: {
          summary: 'Deepgram streaming responses are slower than the 400 ms target.',
          description: 'Mean streaming latency on node 10.0.0.5 is 600ms, above the 400 ms target every stream must keep.',
          ...links('DeepgramStreamingLatencyHigh', 'deepgram-streaming-capacity', '10.0.0.5'),
        },
      },
    ],
  },
  justBefore: { at: '5m' },
  belowThreshold: { input: streamLatency(19.5, 50), at: '10m' },
  noTraffic: { input: [...engineIdle, ...streamLatency(0, 0)], at: '10m' },
});

const EXPORTER = 'job="dgmon",instance="10.0.0.5:9898"';
const rateLimitHits = (values: string) => ({ series: `dgmon_rate_limit_hits_total{${EXPORTER},source="health_check"}`, values });

alertTest('DeepgramRateLimited', {
  input: [rateLimitHits('0+2x60')],
  fires: {
    at: '30m',
    expect: [
      {
        labels: { severity: 'warning', job: 'dgmon', source: 'health_check' },
        annotations: {
          summary: 'Requests to Deepgram are being rate-limited (HTTP 429).',
          description: '60 requests from dgmon/health_check were answered 429 Too Many Requests within the last 1h; the limit is 10.',
          ...links('DeepgramRateLimited', 'deepgram-fleet'),
        },
      },
    ],
  },
  // 12 hits by 6m: over the limit, but not yet for 1m.
  justBefore: { at: '6m' },
  // 9 hits in the hour.
  belowThreshold: { input: [rateLimitHits('0+0.15x60')], at: '60m' },
  noTraffic: { input: [rateLimitHits('0x60')], at: '60m' },
  more: [
    // Scraped every 25 s, so no sample lines up with the window's edges: increase() would extrapolate exactly 10 hits
    // to 10.04 and fire. The hits are counted as they are.
    {
      name: 'DeepgramRateLimited silent for exactly 10 hits within an hour, scraped every 25 s',
      interval: '25s',
      input: [rateLimitHits('0x99 1+1x9 10x180')],
      // Checked off the 5-minute marks, where no sample falls on the window's end.
      alerts: ['44m', '47m', '49m', '53m', '61m', '77m', '98m'].map((at) => ({ at, alert: 'DeepgramRateLimited', expect: [] })),
    },
    {
      name: 'DeepgramRateLimited fires for 11 hits within an hour, scraped every 25 s',
      interval: '25s',
      input: [rateLimitHits('0x99 1+1x10 11x180')],
      alerts: [
        {
          at: '51m',
          alert: 'DeepgramRateLimited',
          expect: [
            {
              labels: { severity: 'warning', job: 'dgmon', source: 'health_check' },
              annotations: {
                summary: 'Requests to Deepgram are being rate-limited (HTTP 429).',
                description: '11 requests from dgmon/health_check were answered 429 Too Many Requests within the last 1h; the limit is 10.',
                ...links('DeepgramRateLimited', 'deepgram-fleet'),
              },
            },
          ],
        },
      ],
    },
    {
      // One hit every 16.25 minutes (39 scrapes): 11 within 3 hours, never more than 4 within one.
      name: 'DeepgramRateLimited silent for 11 hits spread over 3 hours, scraped every 25 s',
      interval: '25s',
      input: [rateLimitHits(Array.from({ length: 440 }, (_, i) => Math.min(11, Math.floor(i / 39))).join(' '))],
      alerts: ['30m', '60m', '90m', '120m', '150m', '180m'].map((at) => ({ at, alert: 'DeepgramRateLimited', expect: [] })),
    },
    {
      // A client with 100 hits since it started, none lately, and a 12-minute scrape gap: when the gap is an hour back,
      // its lifetime count must not read as new hits.
      name: 'DeepgramRateLimited silent for an old count after a scrape gap, scraped every 25 s',
      interval: '25s',
      input: [rateLimitHits('100x100 _x30 100x200')],
      alerts: ['100m', '105m', '110m', '115m'].map((at) => ({ at, alert: 'DeepgramRateLimited', expect: [] })),
    },
    {
      // A client restarted within the hour: its counter reset. The hits before and after the restart are both counted
      // (increase(), rounded, for a series that reset).
      name: 'DeepgramRateLimited counts the hits on both sides of a counter reset',
      interval: '25s',
      input: [rateLimitHits('0x20 1+1x5 6x20 0x5 1+1x5 6x100')],
      alerts: [
        {
          at: '30m',
          alert: 'DeepgramRateLimited',
          expect: [
            {
              labels: { severity: 'warning', job: 'dgmon', source: 'health_check' },
              annotations: {
                summary: 'Requests to Deepgram are being rate-limited (HTTP 429).',
                description: '12 requests from dgmon/health_check were answered 429 Too Many Requests within the last 1h; the limit is 10.',
                ...links('DeepgramRateLimited', 'deepgram-fleet'),
              },
            },
          ],
        },
      ],
    },
  ],
});

alertTest('DeepgramHealthCheckFailing', {
  // The API stops answering: both checks fail (engine_connection because its GET failed too).
  input: [
    { series: `dgmon_health_check_success{${EXPORTER},check="api_status"}`, values: '1 1 0x20' },
    { series: `dgmon_health_check_success{${EXPORTER},check="engine_connection"}`, values: '1 1 0x20' },
  ],
  fires: {
    at: '10m',
    expect: [
      {
        labels: { severity: 'critical', node: '10.0.0.5', job: 'dgmon', instance: '10.0.0.5:9898', check: 'api_status', source: 'health_check' },
        annotations: {
          summary: 'The Deepgram health check is failing.',
          description: 'The api_status health check from exporter 10.0.0.5:9898 (node 10.0.0.5) is failing.',
          ...links('DeepgramHealthCheckFailing', 'deepgram-node', '10.0.0.5'),
        },
      },
    ],
  },
  // Failing since 2m: at 3m not yet the 2 minutes.
  justBefore: { at: '3m' },
  belowThreshold: {
    input: [
      // One failed check, then passing again: a blip, not an outage.
      { series: `dgmon_health_check_success{${EXPORTER},check="api_status"}`, values: '1 1 0 1x20' },
      { series: `dgmon_health_check_success{${EXPORTER},check="engine_connection"}`, values: '1 1 0 1x20' },
    ],
    at: '10m',
  },
  more: [
    {
      // Issue 23, item 9: the API answers but has no Engine. engine_connection reads the same answer as
      // DeepgramEngineDisconnected, which pages for it: one lost Engine, one page.
      name: 'DeepgramHealthCheckFailing leaves a lost Engine to DeepgramEngineDisconnected',
      input: [
        { series: `dgmon_health_check_success{${EXPORTER},check="api_status"}`, values: '1x20' },
        { series: `dgmon_health_check_success{${EXPORTER},check="engine_connection"}`, values: '1 1 0x20' },
        { series: `dgmon_api_engine_connected{${EXPORTER}}`, values: '1 1 0x20' },
      ],
      alerts: [
        { at: '10m', alert: 'DeepgramHealthCheckFailing', expect: [] },
        {
          at: '10m',
          alert: 'DeepgramEngineDisconnected',
          expect: [
            {
              labels: { severity: 'critical', node: '10.0.0.5', job: 'dgmon', instance: '10.0.0.5:9898' },
              annotations: {
                summary: 'The Deepgram API has no connected Engine.',
                description: 'The Deepgram API watched by exporter 10.0.0.5:9898 (node 10.0.0.5) reports no connected Engine.',
                ...links('DeepgramEngineDisconnected', 'deepgram-node', '10.0.0.5'),
              },
            },
          ],
        },
      ],
    },
  ],
});

// DeepgramSourceDown: test/alerts/sources.test.ts.

const engineConnected = (values: string) => ({ series: `dgmon_api_engine_connected{${EXPORTER}}`, values });

alertTest('DeepgramEngineDisconnected', {
  input: [engineConnected('1 1 0x20')],
  fires: {
    at: '5m',
    expect: [
      {
        labels: { severity: 'critical', node: '10.0.0.5', job: 'dgmon', instance: '10.0.0.5:9898' },
        annotations: {
          summary: 'The Deepgram API has no connected Engine.',
          description: 'The Deepgram API watched by exporter 10.0.0.5:9898 (node 10.0.0.5) reports no connected Engine.',
          ...links('DeepgramEngineDisconnected', 'deepgram-node', '10.0.0.5'),
        },
      },
    ],
  },
  justBefore: { at: '2m' },
  belowThreshold: { input: [engineConnected('1x20')], at: '5m' },
});

const systemHealth = (current: Record<string, string>) =>
  ['Initializing', 'Ready', 'Healthy', 'Degraded', 'Critical'].map((state) => ({
    series: `dgmon_api_system_health{${EXPORTER},state="${state}"}`,
    values: current[state] ?? '0x30',
  }));
const apiDegradedAlert = (severity: string, state: string, share: string) => ({
  labels: { severity, node: '10.0.0.5', job: 'dgmon', instance: '10.0.0.5:9898', state },
  annotations: {
    summary: 'The Deepgram API reports degraded system health.',
    description: `The Deepgram API watched by exporter 10.0.0.5:9898 (node 10.0.0.5) reports system_health ${state}: ${share} of its recent requests succeed.`,
    ...links('DeepgramAPIDegraded', 'deepgram-node', '10.0.0.5'),
  },
});

alertTest('DeepgramAPIDegraded', {
  input: systemHealth({ Healthy: '1 1 0x30', Degraded: '0 0 1x30' }),
  fires: { at: '10m', expect: [apiDegradedAlert('warning', 'Degraded', '40-90 %')] },
  justBefore: { at: '6m' },
  belowThreshold: { input: systemHealth({ Healthy: '1x30' }), at: '10m' },
  noTraffic: { input: systemHealth({ Ready: '1x30' }), at: '10m' },
  more: [
    {
      name: 'DeepgramAPIDegraded fires critical on Critical, after its shorter for',
      input: systemHealth({ Healthy: '1 1 0x30', Critical: '0 0 1x30' }),
      alerts: [
        { at: '3m', alert: 'DeepgramAPIDegraded', expect: [] },
        { at: '5m', alert: 'DeepgramAPIDegraded', expect: [apiDegradedAlert('critical', 'Critical', 'under 40 %')] },
      ],
    },
  ],
});

const licenseState = (current: string, since = 2) =>
  ['Connected', 'TrustBased', 'Other'].map((state) => ({
    series: `dgmon_license_proxy_state{${EXPORTER},state="${state}"}`,
    values: state === current ? `0x${since - 1} 1x30` : state === 'Connected' ? `1x${since - 1} 0x30` : '0x30',
  }));

const license = (severity: string, state: string, description: string) => ({
  labels: { severity, node: '10.0.0.5', job: 'dgmon', instance: '10.0.0.5:9898', state },
  annotations: {
    summary: 'The Deepgram License Proxy is not connected to its licence server.',
    description: `The License Proxy watched by exporter 10.0.0.5:9898 (node 10.0.0.5) ${description}`,
    ...links('DeepgramLicenseProxyTrustBased', 'deepgram-node', '10.0.0.5'),
  },
});
const TRUST_TICKET = 'is in state TrustBased: it cannot reach license.deepgram.com and serves on trust for its trust period (24h configured).';

alertTest('DeepgramLicenseProxyTrustBased', {
  input: licenseState('TrustBased'),
  fires: { at: '10m', expect: [license('warning', 'TrustBased', TRUST_TICKET)] },
  justBefore: { at: '6m' },
  belowThreshold: { input: licenseState('Connected'), at: '10m' },
  more: [
    {
      // Issue 23, item 11: a state Deepgram's readiness probe does not accept raised nothing.
      name: 'DeepgramLicenseProxyTrustBased pages at once for state Other',
      input: licenseState('Other'),
      alerts: [{ at: '10m', alert: 'DeepgramLicenseProxyTrustBased', expect: [license('critical', 'Other', 'reports a state other than Connected or TrustBased: it is not ready and serves no licence.')] }],
    },
    {
      // Half of the 24h trust period gone: the ticket becomes a page (Alertmanager holds the warning back).
      name: 'DeepgramLicenseProxyTrustBased pages after half the trust period',
      input: licenseState('TrustBased').map((x) => ({ ...x, values: x.values.replace('x30', 'x800') })),
      alerts: [
        { at: '11h', alert: 'DeepgramLicenseProxyTrustBased', expect: [license('warning', 'TrustBased', TRUST_TICKET)] },
        {
          at: '12h10m',
          alert: 'DeepgramLicenseProxyTrustBased',
          expect: [
            license('warning', 'TrustBased', TRUST_TICKET),
            {
              ...license('critical', 'TrustBased', 'has been in state TrustBased for 12h, half its 24h trust period: API and Engine stop serving when the rest runs out.'),
              labels: { severity: 'critical', node: '10.0.0.5', job: 'dgmon', instance: '10.0.0.5:9898', state: 'TrustBased', trust_period: 'half_gone' },
            },
          ],
        },
      ],
    },
  ],
});
