// The values file for Deepgram's deepgram-self-hosted chart: it parses, turns the kube-prometheus-stack subchart on,
// carries the rule groups, dashboards and Alertmanager config exactly as the plain files hold them, and its scrape
// configs (as kube-prometheus-stack renders them through tpl) pass real `promtool check config` with those rules.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, dump } from 'js-yaml';
import { parseConfig } from '../../core/config.ts';
import { generateBundle } from '../../outputs/write.ts';
import { OUTPUT_PATHS } from '../../outputs/plain.ts';
import { HELM_PATHS, KUBE_PROMETHEUS_STACK } from '../../outputs/helm-values.ts';
import { ensureTools, run } from '../support/tools.ts';

ensureTools(['promtool']);

interface Stack {
  includeDependency: boolean;
  prometheus: { prometheusSpec: { additionalScrapeConfigs: { job_name: string; honor_labels?: boolean }[] } };
  additionalPrometheusRulesMap: Record<string, { groups: unknown[]; additionalLabels?: Record<string, string> }>;
  alertmanager: { enabled: boolean; config: unknown };
  grafana: { dashboardProviders: Record<string, { providers: { name: string; options: { path: string } }[] }>; dashboards: Record<string, Record<string, { json: string }>> };
}

function valuesFor(raw: unknown) {
  const files = generateBundle(parseConfig(raw));
  return { files, stack: (load(files.get(HELM_PATHS.values)!) as Record<string, Stack>)[KUBE_PROMETHEUS_STACK]! };
}

describe('Helm values for deepgram-self-hosted', () => {
  const { files, stack } = valuesFor({});

  it('installs the kube-prometheus-stack subchart and its Alertmanager', () => {
    expect(stack.includeDependency).toBe(true);
    expect(stack.alertmanager.enabled).toBe(true);
    expect(stack.alertmanager.config).toEqual(load(files.get(OUTPUT_PATHS.alertmanager)!));
  });

  it('carries the recording and alerting groups exactly as the rule files', () => {
    expect(stack.additionalPrometheusRulesMap['dgmon-recording']!.groups).toEqual((load(files.get(OUTPUT_PATHS.recordingRules)!) as { groups: unknown[] }).groups);
    expect(stack.additionalPrometheusRulesMap['dgmon-alerting']!.groups).toEqual((load(files.get(OUTPUT_PATHS.alertingRules)!) as { groups: unknown[] }).groups);
  });

  it('carries every dashboard file under a provider whose path follows the grafana chart rule', () => {
    const [providerFile] = Object.values(stack.grafana.dashboardProviders);
    const provider = providerFile!.providers[0]!;
    expect(provider.options.path).toBe(`/var/lib/grafana/dashboards/${provider.name}`);
    const dashboards = stack.grafana.dashboards[provider.name]!;
    const dashboardFiles = [...files].filter(([p]) => p.startsWith('grafana/dashboards/'));
    expect(Object.keys(dashboards)).toHaveLength(dashboardFiles.length);
    for (const [path, text] of dashboardFiles) expect(dashboards[path.split('/').pop()!.replace(/\.json$/, '')]!.json).toBe(text);
  });

  it('scrapes the Engine like the chart does, plus dcgm-exporter and the dgmon exporter', () => {
    expect(stack.prometheus.prometheusSpec.additionalScrapeConfigs.map((j) => j.job_name)).toEqual(['dg_engine_metrics', 'dcgm-exporter', 'dgmon']);
  });

  it('passes configured labels to the PrometheusRules (kube-prometheus-stack adds its release label itself)', () => {
    const labelled = valuesFor({ packaging: { labels: { team: 'speech' } } }).stack;
    for (const rule of Object.values(labelled.additionalPrometheusRulesMap)) expect(rule.additionalLabels).toEqual({ team: 'speech' });
    for (const rule of Object.values(stack.additionalPrometheusRulesMap)) expect(rule.additionalLabels).toBeUndefined();
  });

  it('scrape configs and rules, rendered as the chart would, pass promtool check config', () => {
    const dir = mkdtempSync(join(process.env.DGMON_TMP ?? tmpdir(), 'dgmon-helm-'));
    try {
      // kube-prometheus-stack passes additionalScrapeConfigs through tpl: the release namespace is filled in.
      const rendered = JSON.parse(JSON.stringify(stack.prometheus.prometheusSpec.additionalScrapeConfigs).replaceAll('{{ .Release.Namespace }}', 'deepgram')) as Record<string, unknown>[];
      // Debian's Prometheus is built without Kubernetes service discovery ("field kubernetes_sd_configs not found"), so
      // the discovery block is checked by the schema test of its namespaces below and swapped for a static target
      // here; everything else (job names, intervals, honor_labels, every relabel rule) is checked by promtool.
      const scrape = rendered.map(({ kubernetes_sd_configs: sd, ...job }) => {
        expect(sd).toEqual([{ role: expect.stringMatching(/^(endpoints|pod)$/), namespaces: { names: [expect.stringMatching(/^[a-z0-9-]+$/)] } }]);
        return { ...job, static_configs: [{ targets: ['discovered.invalid:1'] }] };
      });
      const ruleFiles = Object.entries(stack.additionalPrometheusRulesMap).map(([name, rule]) => {
        writeFileSync(join(dir, `${name}.yml`), dump({ groups: rule.groups }));
        return `${name}.yml`;
      });
      writeFileSync(join(dir, 'prometheus.yml'), dump({ rule_files: ruleFiles, scrape_configs: scrape }));
      const result = run('promtool', ['check', 'config', 'prometheus.yml'], { cwd: dir });
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toMatch(/SUCCESS: 2 rule files found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('contains no template braces but the namespace kube-prometheus-stack fills in', () => {
    const scrape = JSON.stringify(stack.prometheus.prometheusSpec.additionalScrapeConfigs);
    expect(scrape.replaceAll('{{ .Release.Namespace }}', '')).not.toContain('{{');
  });
});
