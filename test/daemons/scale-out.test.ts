// The scale-out runners against the real daemons: a Prometheus agent scraping a stand-in target and remote-writing,
// with its external label, to a Prometheus with the remote-write receiver and to VictoriaMetrics; vmalert evaluating a
// recording rule against VictoriaMetrics and writing the result back. Then every handle closes and removes its
// directory, and a daemon refusing its flags is reported with its own words.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync } from 'node:fs';
import { startPrometheus, startPrometheusAgent, agentConfig, type PrometheusHandle, type AgentHandle } from '../../daemons/prometheus.ts';
import { startVictoriaMetrics, startVmalert, type VictoriaMetricsHandle, type VmalertHandle } from '../../daemons/victoria-metrics.ts';
import { ensureTools } from '../support/tools.ts';
import { serve, type TestServer } from '../support/net.ts';

const GAUGE = 7.25;
const RULES = `groups:
  - name: demo
    interval: 1s
    rules:
      - record: cluster:demo_gauge:max
        expr: max by (cluster) (demo_gauge)
`;

let target: TestServer;
let receiver: PrometheusHandle;
let victoria: VictoriaMetricsHandle;
let vmalert: VmalertHandle;
let agent: AgentHandle;

beforeAll(async () => {
  ensureTools(['prometheus', 'victoria-metrics', 'vmalert']);
  target = await serve((req, res) => {
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(`# TYPE demo_gauge gauge\ndemo_gauge{sensor="a"} ${GAUGE}\n`);
  });
  receiver = await startPrometheus({ scrape: [], remoteWriteReceiver: true });
  victoria = await startVictoriaMetrics({ latencyOffset: '1s' });
  vmalert = await startVmalert({
    ruleFiles: [{ name: 'demo.yml', content: RULES }],
    datasourceUrl: victoria.url,
    remoteWriteUrl: victoria.url,
    notifierUrls: ['http://127.0.0.1:9'],
    remoteWriteFlushInterval: '250ms',
  });
  agent = await startPrometheusAgent({
    scrape: [{ job: 'demo', targets: [target.url.replace(/^http:\/\//, '')] }],
    externalLabels: { cluster: 'east' },
    remoteWrite: [
      { url: `${receiver.url}/api/v1/write`, batchSendDeadline: '250ms' },
      { url: victoria.writeUrl, batchSendDeadline: '250ms' },
    ],
  });
  await agent.waitForTargets(1, 30_000);
}, 90_000);

afterAll(async () => {
  await Promise.allSettled([agent?.close(), vmalert?.close(), victoria?.close(), receiver?.close(), target?.close()]);
});

describe('scale-out runners', () => {
  it('the agent config has scrape configs, external labels and remote write, and no rules', () => {
    const yml = agentConfig({ scrape: [{ job: 'j', targets: ['h:1'] }], externalLabels: { cluster: 'c' }, remoteWrite: [{ url: 'http://r/api/v1/write', batchSendDeadline: '1s' }] });
    expect(yml).toMatch(/external_labels:\s+cluster: c/);
    expect(yml).toContain('batch_send_deadline: 1s');
    expect(yml).not.toContain('rule_files');
  });

  it('the agent forwards what it scrapes, with its cluster, to both stores', async () => {
    for (const store of [receiver, victoria]) {
      const [sample] = await store.waitFor('demo_gauge', (r) => r.length === 1, 30_000);
      expect(sample!.metric).toMatchObject({ cluster: 'east', job: 'demo', sensor: 'a' });
      expect(sample!.value).toBe(GAUGE);
      const [up] = await store.waitFor('up', (r) => r.length === 1, 30_000);
      expect(up!.metric.cluster).toBe('east');
    }
  });

  it('vmalert records into VictoriaMetrics and reports its rules', async () => {
    const [recorded] = await victoria.waitFor('cluster:demo_gauge:max', (r) => r.length === 1, 30_000);
    expect(recorded!.metric).toEqual({ __name__: 'cluster:demo_gauge:max', cluster: 'east' });
    expect(recorded!.value).toBe(GAUGE);
    const rules = await vmalert.rules();
    expect(rules.map((r) => `${r.group}/${r.rule.name}/${r.rule.type}/${r.rule.lastError}`)).toEqual(['demo/cluster:demo_gauge:max/recording/']);
    expect(await vmalert.metrics()).toMatch(/^vmalert_iteration_total\{group="demo"/m);
  });

  it('a daemon refusing its flags fails at start with its own message', async () => {
    await expect(startVictoriaMetrics({ extraArgs: ['-no.such.flag'] })).rejects.toThrow(/exited early[\s\S]*flag provided but not defined: -no\.such\.flag/);
    // vmalert will not start with recording rules and nowhere to write them.
    await expect(startVmalert({ ruleFiles: [{ name: 'r.yml', content: RULES }], datasourceUrl: victoria.url, notifierUrls: ['http://127.0.0.1:9'] })).rejects.toThrow(/remoteWrite\.url/);
  });

  it('close() stops each daemon and removes its directory', async () => {
    const dirs = [agent.dir, vmalert.dir, victoria.dir, receiver.dir];
    await Promise.all([agent.close(), vmalert.close(), victoria.close(), receiver.close()]);
    for (const dir of dirs) expect(existsSync(dir), dir).toBe(false);
    await expect(fetch(`${victoria.url}/-/ready`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
  });
});
