// The scale-out views (outputs/scale-out.ts), written to disk and checked by the real tools: vmalert -dryRun loads
// the plain rule files through the generated flags (and refuses a rule it cannot run, so the check can fail), the
// agent snippet completes a prometheus.yml that `promtool check config --agent` accepts and a real agent runs (its
// cluster from the environment), and the Mimir namespace file holds exactly the plain files' groups.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { parseConfig, ConfigError } from '../../core/config.ts';
import { generateBundle, writeBundle } from '../../outputs/write.ts';
import { OUTPUT_PATHS } from '../../outputs/plain.ts';
import { SCALE_OUT_PATHS, vmalertArgs } from '../../outputs/scale-out.ts';
import { ensureTools, run } from '../support/tools.ts';
import { serve } from '../support/net.ts';
import { startPrometheus, startPrometheusAgent, type AgentHandle } from '../../daemons/prometheus.ts';

ensureTools(['promtool', 'prometheus', 'vmalert']);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(process.env.DGMON_TMP ?? tmpdir(), 'dgmon-scale-out-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A bundle with the scale-out views, written under dir/<name>, its ruler reading the rules from there. */
function bundle(name: string, extra: Record<string, unknown> = {}) {
  const out = join(dir, name);
  const config = parseConfig({ cluster: { multiCluster: true }, packaging: { scaleOut: { enabled: true, ruleDir: join(out, 'prometheus') } }, ...extra });
  const files = generateBundle(config);
  writeBundle(out, files);
  return { out, config, files };
}

/** The flags of vmalert.args (comment lines left out). */
const argsOf = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));

describe('dgmon generate: scale-out views', () => {
  it('are written only when packaging.scaleOut.enabled', () => {
    const paths = [...generateBundle(parseConfig({})).keys()];
    for (const p of Object.values(SCALE_OUT_PATHS)) expect(paths).not.toContain(p);
    const { files } = bundle('listed');
    for (const p of Object.values(SCALE_OUT_PATHS)) expect([...files.keys()]).toContain(p);
  });

  it('vmalert -dryRun loads the plain rule files through the generated flags (keep_firing_for off, as vmalert 1.79 needs)', () => {
    const { out, files, config } = bundle('vmalert', { alerts: { DeepgramGPUXidErrors: { criticalKeepFiringFor: '0s' } } });
    const args = argsOf(files.get(SCALE_OUT_PATHS.vmalertArgs)!);
    expect(args).toEqual(vmalertArgs(config));
    expect(args).toContain(`-rule=${join(out, OUTPUT_PATHS.recordingRules)}`);
    expect(args).toContain(`-rule=${join(out, OUTPUT_PATHS.alertingRules)}`);
    expect(args).toContain('-disableAlertgroupLabel');
    expect(files.get(SCALE_OUT_PATHS.vmalertArgs)).not.toMatch(/keep_firing_for/);
    const result = run('vmalert', ['-dryRun', ...args]);
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
  });

  it("vmalert -dryRun is a real check: this vmalert refuses the defaults' keep_firing_for, and vmalert.args says which setting to change", () => {
    const { files } = bundle('vmalert-refused');
    const text = files.get(SCALE_OUT_PATHS.vmalertArgs)!;
    expect(text).toMatch(/^# alerts\.yml holds keep_firing_for .*criticalKeepFiringFor: 0s/m);
    const result = run('vmalert', ['-dryRun', ...argsOf(text)]);
    expect(result.code).not.toBe(0);
    expect(result.stderr + result.stdout).toMatch(/keep_firing_for/);
  });

  it('the agent snippet names the cluster label and the store, and completes an agent config promtool accepts', () => {
    const { out, files, config } = bundle('agent', { cluster: { multiCluster: true, label: 'k8s_cluster' }, packaging: { scaleOut: { enabled: true, remoteWriteUrl: 'http://mimir:8080/api/v1/push' } } });
    const snippet = load(files.get(SCALE_OUT_PATHS.agent)!) as { global: { external_labels: Record<string, string> }; remote_write: { url: string }[] };
    expect(config.cluster.label).toBe('k8s_cluster');
    expect(snippet.global.external_labels).toEqual({ k8s_cluster: '${CLUSTER}' });
    expect(snippet.remote_write).toEqual([{ url: 'http://mimir:8080/api/v1/push' }]);
    const agentYml = join(out, 'agent.yml');
    writeFileSync(agentYml, dump({ ...snippet, scrape_configs: [{ job_name: 'dgmon', static_configs: [{ targets: ['engine-1:9898'] }] }] }));
    const ok = run('promtool', ['check', 'config', '--agent', agentYml]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    // And the check can fail: agent mode refuses rule files.
    writeFileSync(agentYml, dump({ ...snippet, rule_files: [join(out, OUTPUT_PATHS.alertingRules)] }));
    expect(run('promtool', ['check', 'config', '--agent', agentYml]).code).not.toBe(0);
  });

  it('the agent snippet runs: a real agent with CLUSTER in its environment forwards its series under that cluster', async () => {
    const receiver = await startPrometheus({ scrape: [], remoteWriteReceiver: true });
    const target = await serve((req, res) => res.end('# TYPE demo_gauge gauge\ndemo_gauge 1\n'));
    let agent: AgentHandle | undefined;
    try {
      const { files } = bundle('agent-run', { packaging: { scaleOut: { enabled: true, remoteWriteUrl: `${receiver.url}/api/v1/write` } } });
      const snippet = load(files.get(SCALE_OUT_PATHS.agent)!) as Record<string, unknown>;
      const configYaml = dump({
        ...snippet,
        global: { ...(snippet.global as object), scrape_interval: '1s' },
        scrape_configs: [{ job_name: 'dgmon', static_configs: [{ targets: [target.url.replace(/^http:\/\//, '')] }] }],
      });
      agent = await startPrometheusAgent({
        scrape: [{ job: 'dgmon', targets: ['counted-only:1'] }],
        remoteWrite: [],
        configYaml,
        env: { CLUSTER: 'west' },
        extraArgs: ['--enable-feature=expand-external-labels'],
      });
      const [sample] = await receiver.waitFor('demo_gauge', (r) => r.length === 1, 30_000);
      expect(sample!.metric).toMatchObject({ cluster: 'west', job: 'dgmon' });
    } finally {
      await Promise.allSettled([agent?.close(), receiver.close(), target.close()]);
    }
  }, 60_000);

  it('the Mimir namespace file holds exactly the groups of the plain rule files', () => {
    const { files } = bundle('mimir', { packaging: { scaleOut: { enabled: true, mimirNamespace: 'deepgram-prod' } } });
    const mimir = load(files.get(SCALE_OUT_PATHS.mimirRules)!) as { namespace: string; groups: { name: string }[] };
    const groups = (path: string) => (load(files.get(path)!) as { groups: { name: string }[] }).groups;
    expect(mimir.namespace).toBe('deepgram-prod');
    expect(mimir.groups).toEqual([...groups(OUTPUT_PATHS.recordingRules), ...groups(OUTPUT_PATHS.alertingRules)]);
    expect(new Set(mimir.groups.map((g) => g.name)).size).toBe(mimir.groups.length);
  });

  it('refuses a relative rule directory and a namespace with a slash', () => {
    expect(() => parseConfig({ packaging: { scaleOut: { ruleDir: 'rules' } } })).toThrow(ConfigError);
    expect(() => parseConfig({ packaging: { scaleOut: { mimirNamespace: 'a/b' } } })).toThrow(ConfigError);
  });
});
