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

alertTest('DeepgramHighErrorRate', {
  input: [requests('2xx', '0+90x30'), requests('5xx', '0+10x30'), requests('4xx', '0+50x30')],
  fires: {
    at: '10m',
    expect: [
      {
        labels: { severity: 'critical', node: '10.0.0.5' },
        annotations: {
          summary: 'Deepgram Engine is answering too many requests with server errors.',
          description: '6.667% of requests on node 10.0.0.5 ended in a server error (5xx) over the last 5m, above the 5 % limit.',
          ...links('DeepgramHighErrorRate', 'deepgram-node', '10.0.0.5'),
        },
      },
    ],
  },
  justBefore: { at: '2m' },
  // 4xx are the callers' errors: a storm of them spends no server-error budget.
  belowThreshold: { input: [requests('2xx', '0+96x30'), requests('5xx', '0+4x30'), requests('4xx', '0+500x30')], at: '10m' },
  noTraffic: { input: [...engineIdle, requests('2xx', '0x30'), requests('5xx', '0x30')], at: '10m' },
  more: [
    {
      name: 'DeepgramHighErrorRate silent under the minimum request rate',
      // One request in five minutes, and it failed: 100 % errors, but not an incident.
      input: [requests('5xx', '0+0.2x30')],
      alerts: [{ at: '10m', alert: 'DeepgramHighErrorRate', expect: [] }],
    },
  ],
});
