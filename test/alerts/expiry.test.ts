// promtool unit tests for the expiry alerts. promtool's clock starts at 0, so time() at eval time "20m" is 1200: the
// expiry timestamps below are written as "days left at 20m" plus those 1200 s, which makes the texts exact.
import { alertTest, links } from '../support/promtool.ts';

const DAY = 86400;
const AT = 1200; // seconds: the "20m" evaluation below
const EXPORTER = 'job="dgmon",instance="10.0.0.5:9898"';
const OTHER_EXPORTER = 'job="dgmon",instance="10.0.0.6:9898"';
/** A constant expiry timestamp that leaves `daysLeft` days at 20m. */
const expiring = (daysLeft: number) => `${daysLeft * DAY + AT}x40`;

const tlsChain = (daysLeft: number, exporter = EXPORTER) => ({
  series: `dgmon_tls_chain_expiry_timestamp_seconds{${exporter},target="api-proxy",server_name="api.example.com"}`,
  values: expiring(daysLeft),
});
const tlsLabels = { target: 'api-proxy', server_name: 'api.example.com' };
const tlsAlert = (severity: string, days: number, left: string) => ({
  labels: { ...tlsLabels, severity },
  annotations: {
    summary: 'The TLS certificate in front of the Deepgram API expires soon.',
    description: `The TLS certificate chain served by api-proxy (server name api.example.com) ${left}: less than ${days} days left.`,
    ...links('DeepgramTLSCertificateExpiringSoon', 'deepgram-fleet'),
  },
});

alertTest('DeepgramTLSCertificateExpiringSoon', {
  input: [tlsChain(13)],
  fires: { at: '20m', expect: [tlsAlert('warning', 14, 'expires in 13d 0h 0m 0s')] },
  justBefore: { at: '5m' },
  belowThreshold: { input: [tlsChain(15)], at: '20m' },
  more: [
    {
      name: 'DeepgramTLSCertificateExpiringSoon names an endpoint dialled without SNI by its target alone',
      input: [{ series: `dgmon_tls_chain_expiry_timestamp_seconds{${EXPORTER},target="10.0.0.9:443",server_name=""}`, values: expiring(13) }],
      alerts: [
        {
          at: '20m',
          alert: 'DeepgramTLSCertificateExpiringSoon',
          expect: [
            {
              labels: { target: '10.0.0.9:443', severity: 'warning' },
              annotations: { ...tlsAlert('warning', 14, '').annotations, description: 'The TLS certificate chain served by 10.0.0.9:443 expires in 13d 0h 0m 0s: less than 14 days left.' },
            },
          ],
        },
      ],
    },
    {
      name: 'DeepgramTLSCertificateExpiringSoon critical under 3 days, with the warning (routing silences it)',
      input: [tlsChain(2)],
      alerts: [{ at: '20m', alert: 'DeepgramTLSCertificateExpiringSoon', expect: [tlsAlert('warning', 14, 'expires in 2d 0h 0m 0s'), tlsAlert('critical', 3, 'expires in 2d 0h 0m 0s')] }],
    },
    {
      name: 'DeepgramTLSCertificateExpiringSoon says so once the certificate has expired',
      input: [{ series: tlsChain(0).series, values: `${AT - DAY}x40` }],
      alerts: [{ at: '20m', alert: 'DeepgramTLSCertificateExpiringSoon', expect: [tlsAlert('warning', 14, 'has expired'), tlsAlert('critical', 3, 'has expired')] }],
    },
    {
      name: 'DeepgramTLSCertificateExpiringSoon is one alert for two exporters watching the same proxy, on the earliest reading',
      // One exporter still reads the old certificate, the other already the renewed one: the old one counts.
      input: [tlsChain(10), tlsChain(80, OTHER_EXPORTER)],
      alerts: [{ at: '20m', alert: 'DeepgramTLSCertificateExpiringSoon', expect: [tlsAlert('warning', 14, 'expires in 10d 0h 0m 0s')] }],
    },
  ],
});

const apiKey = (daysLeft: number, key = 'production', origin = 'config') => ({
  series: `dgmon_api_key_expiry_timestamp_seconds{${EXPORTER},key="${key}",origin="${origin}"}`,
  values: expiring(daysLeft),
});
const keyAlert = (severity: string, days: number, left: string, key = 'production', origin = 'config') => ({
  labels: { key, origin, severity },
  annotations: {
    summary: 'A Deepgram API key expires soon.',
    description: `Deepgram API key ${key} (${origin}) ${left}: less than ${days} days left.`,
    ...links('DeepgramAPIKeyExpiringSoon', 'deepgram-fleet'),
  },
});

alertTest('DeepgramAPIKeyExpiringSoon', {
  // The fallback key, valid for 80 more days, does not fire.
  input: [apiKey(12), apiKey(80, 'fallback')],
  fires: { at: '20m', expect: [keyAlert('warning', 14, 'expires in 12d 0h 0m 0s')] },
  justBefore: { at: '5m' },
  belowThreshold: { input: [apiKey(15), apiKey(80, 'fallback')], at: '20m' },
  more: [
    {
      name: 'DeepgramAPIKeyExpiringSoon critical under 3 days, for a listed key too',
      input: [apiKey(1, '6f0c3a52-8f1e-4a5e-9d0b-2b7c1e0f9a11', 'listing')],
      alerts: [
        {
          at: '20m',
          alert: 'DeepgramAPIKeyExpiringSoon',
          expect: [
            keyAlert('warning', 14, 'expires in 1d 0h 0m 0s', '6f0c3a52-8f1e-4a5e-9d0b-2b7c1e0f9a11', 'listing'),
            keyAlert('critical', 3, 'expires in 1d 0h 0m 0s', '6f0c3a52-8f1e-4a5e-9d0b-2b7c1e0f9a11', 'listing'),
          ],
        },
      ],
    },
    {
      name: 'DeepgramAPIKeyExpiringSoon silent just above the critical threshold',
      input: [apiKey(3.5)],
      alerts: [{ at: '20m', alert: 'DeepgramAPIKeyExpiringSoon', expect: [keyAlert('warning', 14, 'expires in 3d 12h 0m 0s')] }],
    },
  ],
});

const checkSuccess = (value: 0 | 1, exporter = EXPORTER) => ({
  series: `dgmon_expiry_check_success{${exporter},check="api_key_listing",target="project-1"}`,
  values: `${value}x100`,
});

alertTest('DeepgramExpiryCheckFailing', {
  input: [checkSuccess(0)],
  fires: {
    at: '70m',
    expect: [
      {
        labels: { check: 'api_key_listing', target: 'project-1', severity: 'warning' },
        annotations: {
          summary: 'A certificate or API key expiry check is failing.',
          description: 'The api_key_listing expiry check of project-1 has failed on every exporter for 1h.',
          ...links('DeepgramExpiryCheckFailing', 'deepgram-fleet'),
        },
      },
    ],
  },
  justBefore: { at: '50m' },
  belowThreshold: { input: [checkSuccess(1)], at: '70m' },
  more: [
    {
      name: 'DeepgramExpiryCheckFailing silent while another exporter still reads the target',
      input: [checkSuccess(0), checkSuccess(1, OTHER_EXPORTER)],
      alerts: [{ at: '70m', alert: 'DeepgramExpiryCheckFailing', expect: [] }],
    },
  ],
});
