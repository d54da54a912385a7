// The generated inhibitions on a live Alertmanager (Debian's prometheus-alertmanager): alerts are posted as Prometheus
// would post them, silences as an operator would set them, and each alert's state is read back from /api/v2/alerts,
// which Alertmanager computes from its inhibitor and silencer at every request. Issue 23, item 5: only a down
// Engine mutes that Engine's symptoms; nothing mutes a critical error-rate page but its own higher severity; a
// silenced monitoring-only SourceDown (which Alertmanager still inhibits from) hides nothing. Item 9: an API without
// an Engine is one page, not also its Engine's DeepgramSourceDown. Issue 20: a full node is one ticket (the
// concurrency limit holds that node's stream-capacity warning).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../core/config.ts';
import { plainBundle, OUTPUT_PATHS } from '../outputs/plain.ts';
import { startAlertmanager, startWebhookRecorder, type AlertmanagerHandle, type WebhookRecorder } from './support/alertmanager.ts';

let am: AlertmanagerHandle;
let recorder: WebhookRecorder;

beforeAll(async () => {
  recorder = await startWebhookRecorder();
  const config = parseConfig({
    alertmanager: {
      receivers: {
        pager: { webhook_configs: [{ url: `${recorder.url}/pager` }] },
        ticket: { webhook_configs: [{ url: `${recorder.url}/ticket` }] },
        watchdog: { webhook_configs: [{ url: `${recorder.url}/watchdog` }] },
      },
    },
  });
  am = await startAlertmanager({ configYaml: plainBundle(config).get(OUTPUT_PATHS.alertmanager)! });
}, 60_000);
afterAll(async () => {
  await am?.close();
  await recorder?.close();
});

type Labels = Record<string, string>;
interface AmAlert {
  labels: Labels;
  status: { state: string; inhibitedBy: string[]; silencedBy: string[] };
}

/** Each test uses its own cluster, so the alerts of one never meet another's. */
let clusterNo = 0;
const newCluster = () => `c${++clusterNo}`;

async function post(alerts: Labels[]): Promise<void> {
  const now = Date.now();
  const body = alerts.map((labels) => ({
    labels,
    annotations: { summary: 'test' },
    startsAt: new Date(now - 60_000).toISOString(),
    endsAt: new Date(now + 600_000).toISOString(),
  }));
  const response = await fetch(`${am.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  expect(response.status, await response.text()).toBe(200);
}

async function silence(matchers: Labels): Promise<void> {
  const now = Date.now();
  const body = {
    matchers: Object.entries(matchers).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true })),
    startsAt: new Date(now - 1000).toISOString(),
    endsAt: new Date(now + 3_600_000).toISOString(),
    createdBy: 'dgmon test',
    comment: 'planned dcgm-exporter maintenance',
  };
  const response = await fetch(`${am.url}/api/v2/silences`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  expect(response.status, await response.text()).toBe(200);
}

const key = (labels: Labels) => JSON.stringify(Object.entries(labels).sort());

/**
 * Waits (bounded) until Alertmanager holds every alert of `expected` and reports each in the expected state
 * (active or suppressed); returns what it last reported. The inhibitor sees a new alert shortly after the POST.
 */
async function states(expected: [Labels, 'active' | 'suppressed'][]): Promise<Record<string, string>> {
  let seen: Record<string, string> = {};
  const want = Object.fromEntries(expected.map(([labels, state]) => [key(labels), state]));
  for (let i = 0; i < 50; i++) {
    const alerts = (await am.alerts()) as AmAlert[];
    seen = Object.fromEntries(alerts.filter((a) => key(a.labels) in want).map((a) => [key(a.labels), a.status.state]));
    if (Object.keys(want).every((k) => seen[k] === want[k])) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return seen;
}

async function expectStates(expected: [Labels, 'active' | 'suppressed'][]): Promise<void> {
  const seen = await states(expected);
  expect(Object.fromEntries(expected.map(([labels]) => [`${labels.alertname} ${key(labels)}`, seen[key(labels)]]))).toEqual(
    Object.fromEntries(expected.map(([labels, state]) => [`${labels.alertname} ${key(labels)}`, state])),
  );
}

const errorPage = (cluster: string, node: string): Labels => ({ alertname: 'DeepgramHighErrorRate', severity: 'critical', source: 'engine', cluster, node });
const latency = (cluster: string, node: string): Labels => ({ alertname: 'DeepgramHighLatencyP95', severity: 'warning', source: 'engine', cluster, node });
const sourceDown = (cluster: string, node: string, source: string, severity: string, reason = 'scrape_failed'): Labels => ({
  alertname: 'DeepgramSourceDown',
  severity,
  reason,
  source,
  cluster,
  node,
});

describe('inhibitions on a live Alertmanager', () => {
  it('a monitoring-only source down (dcgm-exporter, same node key as the Engine) mutes nothing', async () => {
    const c = newCluster();
    const dcgm = sourceDown(c, '10.0.0.5', 'dcgm', 'warning', 'source_unreachable');
    await post([dcgm, errorPage(c, '10.0.0.5'), latency(c, '10.0.0.5')]);
    await expectStates([
      [dcgm, 'active'],
      [errorPage(c, '10.0.0.5'), 'active'],
      [latency(c, '10.0.0.5'), 'active'],
    ]);
  });

  it('a silenced monitoring-only SourceDown hides no outage', async () => {
    const c = newCluster();
    const dcgm = sourceDown(c, '10.0.0.5', 'dcgm', 'warning');
    await silence({ alertname: 'DeepgramSourceDown', cluster: c });
    await post([dcgm, errorPage(c, '10.0.0.5'), latency(c, '10.0.0.5')]);
    await expectStates([
      [dcgm, 'suppressed'],
      [errorPage(c, '10.0.0.5'), 'active'],
      [latency(c, '10.0.0.5'), 'active'],
    ]);
  });

  it('a down Engine mutes its own node\'s symptoms, never the critical error-rate page, never another node\'s', async () => {
    const c = newCluster();
    const engine = sourceDown(c, '10.0.0.5', 'engine', 'critical');
    await post([engine, errorPage(c, '10.0.0.5'), latency(c, '10.0.0.5'), latency(c, '10.0.0.6')]);
    await expectStates([
      [engine, 'active'],
      [errorPage(c, '10.0.0.5'), 'active'],
      [latency(c, '10.0.0.5'), 'suppressed'],
      [latency(c, '10.0.0.6'), 'active'],
    ]);
  });

  it('neither CPU fallback nor a GPU hardware fault mutes the critical error-rate page', async () => {
    const c = newCluster();
    const idle = { alertname: 'DeepgramGPUIdleWhileServing', severity: 'critical', cluster: c, node: '10.0.0.5', gpu: '0' };
    const xid = { alertname: 'DeepgramGPUXidErrors', severity: 'critical', signal: 'last_xid', cluster: c, node: '10.0.0.5', gpu: '1' };
    await post([idle, xid, errorPage(c, '10.0.0.5')]);
    await expectStates([
      [idle, 'active'],
      [xid, 'active'],
      [errorPage(c, '10.0.0.5'), 'active'],
    ]);
  });

  it('the critical error-rate page is muted by nothing but its own higher severity', async () => {
    const c = newCluster();
    const warning = { ...errorPage(c, '10.0.0.5'), severity: 'warning' };
    await post([errorPage(c, '10.0.0.5'), warning]);
    await expectStates([
      [errorPage(c, '10.0.0.5'), 'active'],
      [warning, 'suppressed'],
    ]);
  });

  it('a full node is one ticket: the concurrency limit holds its own node\'s stream-capacity warning, not another node\'s', async () => {
    const c = newCluster();
    const limit = { alertname: 'DeepgramConcurrencyLimitNear', severity: 'warning', cluster: c, node: '10.0.0.5' };
    const streams = { alertname: 'DeepgramStreamCapacityHigh', severity: 'warning', cluster: c, node: '10.0.0.5' };
    const otherNode = { ...streams, node: '10.0.0.6' };
    await post([limit, streams, otherNode]);
    await expectStates([
      [limit, 'active'],
      [streams, 'suppressed'],
      [otherNode, 'active'],
    ]);
  });

  it('one Xid is one page: the counter\'s alert holds the last-code alert of the same GPU and severity only', async () => {
    const c = newCluster();
    const xid = { alertname: 'DeepgramGPUXidErrors', severity: 'critical', cluster: c, node: '10.0.0.5', gpu: '0' };
    const count = { ...xid, signal: 'xid_count', xid: '79' };
    const last = { ...xid, signal: 'last_xid' };
    const otherGpu = { ...last, gpu: '1' };
    // A warning Xid counted on the GPU never hides a critical last code there (the critical holds the warning instead,
    // by the critical-over-warning rule).
    const warningCount = { ...count, gpu: '2', severity: 'warning', xid: '13' };
    const criticalLast = { ...last, gpu: '2' };
    await post([count, last, otherGpu, warningCount, criticalLast]);
    await expectStates([
      [count, 'active'],
      [last, 'suppressed'],
      [otherGpu, 'active'],
      [warningCount, 'suppressed'],
      [criticalLast, 'active'],
    ]);
  });

  it('an API without an Engine is one page: the lost Engine\'s SourceDown in that cluster is held back, another cluster\'s is not', async () => {
    const c = newCluster();
    const other = newCluster();
    const disconnected = { alertname: 'DeepgramEngineDisconnected', severity: 'critical', cluster: c, node: '10.0.0.9', instance: '10.0.0.9:9898' };
    const engine = sourceDown(c, '10.0.0.5', 'engine', 'critical', 'source_unreachable');
    const absent = { alertname: 'DeepgramSourceDown', severity: 'critical', reason: 'target_absent', source: 'engine', cluster: c };
    const elsewhere = sourceDown(other, '10.0.1.5', 'engine', 'critical');
    const dcgm = sourceDown(c, '10.0.0.5', 'dcgm', 'warning');
    await post([disconnected, engine, absent, elsewhere, dcgm]);
    await expectStates([
      [disconnected, 'active'],
      [engine, 'suppressed'],
      [absent, 'suppressed'],
      [elsewhere, 'active'],
      [dcgm, 'active'],
    ]);
  });
});
