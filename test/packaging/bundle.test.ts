// Every deployment target is a view of the one in-memory bundle: it takes the bundle's rule groups, Alertmanager
// config and dashboards as they are, rather than parsing the text of a plain file back. Identity (toBe), not
// equality, is what shows it: a group that went through YAML and back would be an equal copy, not the same object.
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseConfig } from '../../core/config.ts';
import { buildBundle } from '../../outputs/bundle.ts';
import { plainFiles } from '../../outputs/plain.ts';
import { packagingFiles } from '../../outputs/packaging.ts';
import { generateBundle } from '../../outputs/write.ts';
import { kubernetesObjects, KUBERNETES_PATHS } from '../../outputs/kubernetes.ts';
import { helmValues, KUBE_PROMETHEUS_STACK } from '../../outputs/helm-values.ts';
import { composeFile } from '../../outputs/compose.ts';
import { dashboardText } from '../../outputs/grafana.ts';

const config = parseConfig({ packaging: { scaleOut: { enabled: true } } });
const bundle = buildBundle(config);

describe('the deployment targets as views of one bundle', () => {
  it('the PrometheusRule holds the bundle\'s rule groups themselves', () => {
    const [rule] = kubernetesObjects(bundle).get(KUBERNETES_PATHS.rules)! as { spec: { groups: unknown[] } }[];
    const groups = [...bundle.rules.recording, ...bundle.rules.alerting];
    expect(rule!.spec.groups).toHaveLength(groups.length);
    rule!.spec.groups.forEach((group, i) => expect(group).toBe(groups[i]));
  });

  it('the Helm values hold the bundle\'s rule groups, its Alertmanager config, and each dashboard as its file\'s text', () => {
    const stack = helmValues(bundle)[KUBE_PROMETHEUS_STACK] as {
      additionalPrometheusRulesMap: Record<string, { groups: unknown[] }>;
      alertmanager: { config: unknown };
      grafana: { dashboards: { dgmon: Record<string, { json: string }> } };
    };
    expect(stack.additionalPrometheusRulesMap['dgmon-recording']!.groups).toBe(bundle.rules.recording);
    expect(stack.additionalPrometheusRulesMap['dgmon-alerting']!.groups).toBe(bundle.rules.alerting);
    expect(stack.alertmanager.config).toBe(bundle.alertmanager);
    const files = plainFiles(bundle);
    for (const d of bundle.dashboards) {
      expect(stack.grafana.dashboards.dgmon[d.uid]!.json).toBe(dashboardText(d));
      expect(files.get(`grafana/dashboards/${d.uid}.json`)).toBe(dashboardText(d));
    }
  });

  it('Compose mounts the dashboards where the bundle\'s provisioning says Grafana reads them', () => {
    const grafana = (composeFile(bundle).services as Record<string, { volumes: string[] }>).grafana!;
    const path = bundle.grafana.dashboardProvider.providers[0]!.options.path;
    expect(grafana.volumes.some((v) => v.endsWith(`:${path}:ro`))).toBe(true);
  });

  it('generateBundle is the plain files and the targets of one bundle, and every path once', () => {
    const plain = plainFiles(bundle);
    const targets = packagingFiles(bundle);
    expect([...plain.keys()].filter((path) => targets.has(path))).toEqual([]);
    expect(generateBundle(config)).toEqual(new Map([...plain, ...targets]));
  });

  it('no output parses YAML: only outputs/yaml.ts loads js-yaml, to write', () => {
    const dir = resolve(import.meta.dirname, '../../outputs');
    const readers = readdirSync(dir)
      .filter((name) => name.endsWith('.ts'))
      .filter((name) => /from 'js-yaml'/.test(readFileSync(join(dir, name), 'utf8')));
    expect(readers).toEqual(['yaml.ts']);
    expect(readFileSync(join(dir, 'yaml.ts'), 'utf8')).toMatch(/import \{ dump \} from 'js-yaml'/);
  });
});
