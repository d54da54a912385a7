// The generated Alertmanager config, checked and routed by the real amtool.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { parseConfig } from '../core/config.ts';
import { plainBundle, OUTPUT_PATHS } from '../outputs/plain.ts';
import { run } from './support/tools.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(process.env.DGMON_TMP ?? tmpdir(), 'dgmon-am-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeAlertmanager(raw: unknown, name: string): string {
  const path = join(dir, name);
  writeFileSync(path, plainBundle(parseConfig(raw)).get(OUTPUT_PATHS.alertmanager)!);
  return path;
}

const withReceivers = {
  alertmanager: {
    receivers: {
      pager: { pagerduty_configs: [{ routing_key: 'example-key' }] },
      ticket: { webhook_configs: [{ url: 'http://127.0.0.1:9/ticket' }] },
      watchdog: { webhook_configs: [{ url: 'http://127.0.0.1:9/watchdog', send_resolved: false }] },
    },
  },
};

describe('alertmanager.yml', () => {
  it('passes amtool check-config with the default (empty) receivers', () => {
    const result = run('amtool', ['check-config', writeAlertmanager({}, 'defaults.yml')]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('SUCCESS');
  });

  it('passes amtool check-config with receivers from dgmon.yaml, and carries them verbatim', () => {
    const path = writeAlertmanager(withReceivers, 'receivers.yml');
    const result = run('amtool', ['check-config', path]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const config = load(plainBundle(parseConfig(withReceivers)).get(OUTPUT_PATHS.alertmanager)!) as { receivers: { name: string }[] };
    expect(config.receivers).toContainEqual({ name: 'deepgram-ticket', webhook_configs: [{ url: 'http://127.0.0.1:9/ticket' }] });
  });

  it('fails amtool check-config on a broken receiver, so the check itself can fail', () => {
    const path = writeAlertmanager({ alertmanager: { receivers: { pager: { webhook_configs: [{ url: 'not a url' }] } } } }, 'broken.yml');
    expect(run('amtool', ['check-config', path]).code).not.toBe(0);
  });

  const routes: [string[], string][] = [
    [['alertname=DeepgramHighErrorRate', 'severity=critical'], 'deepgram-pager'],
    [['alertname=DeepgramGPUXidErrors', 'severity=critical', 'node=10.0.0.5'], 'deepgram-pager'],
    [['alertname=DeepgramHighLatencyP95', 'severity=warning'], 'deepgram-ticket'],
    [['alertname=DeepgramAPIDegraded', 'severity=info'], 'deepgram-ticket'],
    [['alertname=DeepgramWatchdog', 'severity=none'], 'deepgram-watchdog'],
    [['alertname=DeepgramTLSCertificateExpiringSoon', 'severity=critical', 'target=api-proxy'], 'deepgram-pager'],
    [['alertname=DeepgramAPIKeyExpiringSoon', 'severity=warning', 'key=production'], 'deepgram-ticket'],
    [['alertname=DeepgramExpiryCheckFailing', 'severity=warning'], 'deepgram-ticket'],
  ];
  for (const [labels, receiver] of routes) {
    it(`routes ${labels.join(' ')} to ${receiver}`, () => {
      const path = writeAlertmanager(withReceivers, 'routes.yml');
      const result = run('amtool', ['config', 'routes', 'test', `--config.file=${path}`, `--verify.receivers=${receiver}`, ...labels]);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout.trim()).toBe(receiver);
    });
  }

  it('a wrong expectation fails amtool routes test (the assertion can fail)', () => {
    const path = writeAlertmanager(withReceivers, 'wrong.yml');
    const result = run('amtool', ['config', 'routes', 'test', `--config.file=${path}`, '--verify.receivers=deepgram-pager', 'alertname=DeepgramHighLatencyP95', 'severity=warning']);
    expect(result.code).not.toBe(0);
  });

  it('groups one incident into one notification and inhibits follow-on alerts', () => {
    const config = load(plainBundle(parseConfig({})).get(OUTPUT_PATHS.alertmanager)!) as {
      route: { group_by: string[] };
      inhibit_rules: { source_matchers: string[]; target_matchers: string[]; equal: string[] }[];
    };
    expect(config.route.group_by).toEqual(['alertname', 'cluster']);
    const [criticalOverWarning, downEngine, engineDisconnected, fullNode, oneXid] = config.inhibit_rules;
    expect(criticalOverWarning).toEqual({ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname', 'cluster', 'node', 'gpu', 'target', 'key', 'source'] });
    // Only a down Engine mutes symptoms, and never the error-rate page (the live test shows each case).
    expect(downEngine!.source_matchers).toEqual(['alertname="DeepgramSourceDown"', 'source="engine"']);
    expect(downEngine!.target_matchers[0]).toBe('alertname=~"DeepgramHighLatencyP95|DeepgramStreamingLatencyHigh|DeepgramRealtimeFactorLow|DeepgramStreamCapacityHigh|DeepgramConcurrencyLimitNear|DeepgramGPUIdleWhileServing"');
    // Probe and application alerts carry no node: a vanished job (no node either) must not silence them.
    expect(downEngine!.target_matchers[1]).toBe('node=~".+"');
    expect(downEngine!.equal).toEqual(['cluster', 'node']);
    expect(engineDisconnected).toEqual({
      source_matchers: ['alertname="DeepgramEngineDisconnected"'],
      target_matchers: ['alertname="DeepgramSourceDown"', 'source="engine"'],
      equal: ['cluster'],
    });
    // One full node, one ticket: the concurrency limit holds the stream-capacity warning of the same node only.
    expect(fullNode).toEqual({
      source_matchers: ['alertname="DeepgramConcurrencyLimitNear"'],
      target_matchers: ['alertname="DeepgramStreamCapacityHigh"'],
      equal: ['cluster', 'node'],
    });
    // One Xid, one page: the counter's alert holds the last-code alert of the same GPU and severity.
    expect(oneXid).toEqual({
      source_matchers: ['alertname="DeepgramGPUXidErrors"', 'signal="xid_count"'],
      target_matchers: ['alertname="DeepgramGPUXidErrors"', 'signal="last_xid"'],
      equal: ['cluster', 'node', 'gpu', 'severity'],
    });
    expect(config.inhibit_rules).toHaveLength(5);
  });

  it('leaves out the route and inhibitions of disabled alerts, and passes amtool without them', () => {
    const off = (...names: string[]) => ({ alerts: Object.fromEntries(names.map((n) => [n, { enabled: false }])) });
    type Routing = { route: { routes: { routes: { matchers: string[] }[] }[] }; inhibit_rules: { source_matchers: string[]; target_matchers: string[] }[] };
    const routing = (raw: unknown) => load(plainBundle(parseConfig(raw)).get(OUTPUT_PATHS.alertmanager)!) as Routing;
    const sources = (r: Routing) => r.inhibit_rules.map((i) => i.source_matchers[0]);
    const watchdogRoute = (r: Routing) => r.route.routes[0]!.routes.some((x) => x.matchers.includes('alertname="DeepgramWatchdog"'));

    expect(watchdogRoute(routing({}))).toBe(true);
    const quiet = routing(off('DeepgramWatchdog', 'DeepgramGPUXidErrors', 'DeepgramStreamCapacityHigh', 'DeepgramHighLatencyP95'));
    expect(watchdogRoute(quiet)).toBe(false);
    // The Xid rule and the full-node rule (its target is off) are gone; the symptoms list loses the disabled one.
    expect(sources(quiet)).toEqual(['severity="critical"', 'alertname="DeepgramSourceDown"', 'alertname="DeepgramEngineDisconnected"']);
    expect(quiet.inhibit_rules[1]!.target_matchers[0]).toBe('alertname=~"DeepgramStreamingLatencyHigh|DeepgramRealtimeFactorLow|DeepgramConcurrencyLimitNear|DeepgramGPUIdleWhileServing"');
    // Without DeepgramSourceDown, neither rule that names it is left.
    expect(sources(routing(off('DeepgramSourceDown')))).toEqual(['severity="critical"', 'alertname="DeepgramConcurrencyLimitNear"', 'alertname="DeepgramGPUXidErrors"']);
    const path = writeAlertmanager(off('DeepgramWatchdog', 'DeepgramSourceDown', 'DeepgramGPUXidErrors'), 'alertmanager-some-off.yml');
    expect(run('amtool', ['check-config', path]).code).toBe(0);
  });
});
