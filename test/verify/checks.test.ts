// The pure parts of `dgmon verify` besides the rules comparison: which catalogue metrics the bundle needs, how the
// loaded Alertmanager config and its counters are read, what the test alerts carry, and how the report renders.
import { describe, it, expect } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { DCGM, DGMON, ENGINE } from '../../core/catalog/index.ts';
import { buildAlertmanagerConfig, RECEIVER_NAMES } from '../../alerts/alertmanager.ts';
import { yamlFile } from '../../outputs/yaml.ts';
import { neededMetrics, readsSeries } from '../../verify/needed-metrics.ts';
import { loadedRouting, notificationCounters, testAlerts, TEST_ALERTS, VERIFY_LABEL } from '../../verify/alertmanager.ts';
import { makeReport, pass, fail, warn, renderTable, renderJson } from '../../verify/report.ts';

describe('neededMetrics', () => {
  it('finds a series only as a whole name, not inside a longer or a recorded name', () => {
    expect(readsSeries('rate(engine_requests_total{job="x"}[5m])', 'engine_requests_total')).toBe(true);
    expect(readsSeries('node:engine_requests_total:rate5m', 'engine_requests_total')).toBe(false);
    expect(readsSeries('engine_stream_latency_bucket', 'engine_stream_latency')).toBe(false);
  });

  it('lists what the default bundle reads, each with its selector and presence from the catalogue', () => {
    const needed = new Map(neededMetrics(parseConfig({})).map((n) => [n.def.name, n]));
    expect(needed.get(ENGINE.requests.name)).toMatchObject({ source: 'engine', presence: 'traffic' });
    expect(needed.get(ENGINE.estimatedStreamCapacity.name)).toMatchObject({ source: 'engine', presence: 'always' });
    expect(needed.get(DCGM.gpuTemp.name)).toMatchObject({ source: 'dcgm', presence: 'always' });
    expect(needed.get(DCGM.gpuUtil.name)).toMatchObject({ source: 'dcgm', presence: 'optional' });
    expect(needed.get(DGMON.healthCheckSuccess.name)).toMatchObject({ source: 'exporter', presence: 'always' });
    expect(needed.get(DGMON.rateLimitHits.name)).toMatchObject({ source: 'clients', presence: 'traffic' });
    // Catalogued, but read by no rule and no panel.
    expect(needed.has(DCGM.memClock.name)).toBe(false);
    expect(needed.has(DGMON.rulesInfo.name)).toBe(false);
  });

  it('follows the config: a disabled alert no longer needs what only it read', () => {
    const on = neededMetrics(parseConfig({})).map((n) => n.def.name);
    expect(on).toContain(DCGM.xidErrorsCount.name);
    // The Xid alert is the only reader of DCGM_EXP_XID_ERRORS_COUNT (the GPU dashboard reads the last-Xid gauge).
    const off = neededMetrics(parseConfig({ alerts: { DeepgramGPUXidErrors: { enabled: false } } })).map((n) => n.def.name);
    expect(off).not.toContain(DCGM.xidErrorsCount.name);
  });
});

describe('loadedRouting', () => {
  it('reads receivers, their integrations and the routed receivers from the generated config', () => {
    const hook = { webhook_configs: [{ url: 'http://127.0.0.1:1/x' }] };
    const config = parseConfig({ alertmanager: { receivers: { pager: { pagerduty_configs: [{ routing_key: 'k' }] }, ticket: hook } } });
    const routing = loadedRouting(yamlFile(buildAlertmanagerConfig(config), 'test'));
    expect(routing.integrations.get(RECEIVER_NAMES.pager)).toEqual(['pagerduty']);
    expect(routing.integrations.get(RECEIVER_NAMES.ticket)).toEqual(['webhook']);
    expect(routing.integrations.get(RECEIVER_NAMES.watchdog)).toEqual([]);
    expect([...routing.routed].sort()).toEqual(Object.values(RECEIVER_NAMES).sort());
  });

  it('sees a receiver no route uses', () => {
    const routing = loadedRouting('route: {receiver: other}\nreceivers: [{name: other}, {name: deepgram-pager, webhook_configs: [{url: "http://x"}]}]\n');
    expect(routing.integrations.has(RECEIVER_NAMES.pager)).toBe(true);
    expect(routing.routed.has(RECEIVER_NAMES.pager)).toBe(false);
  });
});

describe('notificationCounters', () => {
  it('sums requests and failures per integration (Alertmanager 0.25)', () => {
    const text = [
      'alertmanager_notification_requests_total{integration="webhook"} 6',
      'alertmanager_notification_requests_failed_total{integration="webhook"} 5',
      'alertmanager_notifications_failed_total{integration="webhook"} 1',
      'alertmanager_notification_requests_total{integration="slack"} 2',
      '',
    ].join('\n');
    const c = notificationCounters(text);
    expect(c.perReceiver).toBe(false);
    expect(c.requests.get('webhook')).toBe(6);
    expect(c.failed.get('webhook')).toBe(6);
    expect(c.requests.get('slack')).toBe(2);
  });

  it('tells receivers apart where Alertmanager labels them', () => {
    const c = notificationCounters('alertmanager_notification_requests_total{integration="webhook",receiver_name="deepgram-pager"} 3\n');
    expect(c.perReceiver).toBe(true);
    expect(c.requests.get('webhook@deepgram-pager')).toBe(3);
  });
});

describe('testAlerts', () => {
  it('labels each alert with the run, routes it by severity or name, and puts it in a group of its own', () => {
    const config = parseConfig({ extraLabels: { team: 'speech' } });
    const start = new Date('2026-01-01T00:00:00Z');
    const alerts = testAlerts(config, 'abc', start, new Date('2026-01-01T00:05:00Z'));
    expect(alerts.pager.labels).toEqual({ team: 'speech', cluster: 'dgmon-verify-abc', alertname: 'DeepgramVerifyPager', severity: 'critical', [VERIFY_LABEL]: 'abc' });
    expect(alerts.ticket.labels.severity).toBe('warning');
    expect(alerts.watchdog.labels.alertname).toBe('DeepgramWatchdog');
    // Distinct names: the critical-silences-warning inhibition (equal alertname) cannot join them.
    expect(new Set(Object.values(TEST_ALERTS).map((t) => t.alertname)).size).toBe(3);
    expect(alerts.pager.endsAt).toBe('2026-01-01T00:05:00.000Z');
    expect(alerts.pager.annotations.summary).toMatch(/no action needed/);
  });
});

describe('report', () => {
  const report = makeReport('r1', [pass('prometheus', 'reachable'), warn('metrics: dcgm', 'one optional absent\nDCGM_EXP_XID_ERRORS_COUNT'), fail('targets: dcgm', 'down:\n10.0.0.1:9400')]);

  it('fails when any check failed, not for warnings', () => {
    expect(report.ok).toBe(false);
    expect(makeReport('r2', [pass('a', ''), warn('b', '')]).ok).toBe(true);
  });

  it('renders a table with symbols, continuation lines under the detail, and a summary', () => {
    const lines = renderTable(report).split('\n');
    expect(lines).toContain('prometheus     ✓  reachable');
    expect(lines).toContain('metrics: dcgm  !  one optional absent');
    expect(lines).toContain('                  DCGM_EXP_XID_ERRORS_COUNT');
    expect(lines).toContain('targets: dcgm  ✗  down:');
    expect(lines.at(-1)).toBe('FAILED: 1 passed, 1 failed, 1 warnings (run r1)');
  });

  it('renders JSON for machines', () => {
    expect(JSON.parse(renderJson(report))).toEqual(report);
  });
});
