// Every generated Kubernetes object, in every mode, against the kubernetes-models schemas (including the
// prometheus-operator CRDs), as parsed back from the files `dgmon generate` writes; configured labels and annotations
// on every object; the dashboards and rule groups inside them equal to the plain files.
import { describe, it, expect } from 'vitest';
import { loadAll, load } from 'js-yaml';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PrometheusRule, ServiceMonitor, PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { parseConfig, type DgmonConfig } from '../../core/config.ts';
import { buildDashboards } from '../../dashboards/index.ts';
import { plainBundle, OUTPUT_PATHS } from '../../outputs/plain.ts';
import { generateBundle } from '../../outputs/write.ts';
import { KUBERNETES_PATHS } from '../../outputs/kubernetes.ts';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> } } & Record<string, unknown>;

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap as never,
  'v1/Service': Service as never,
  'apps/v1/Deployment': Deployment as never,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule as never,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor as never,
  'monitoring.coreos.com/v1/PodMonitor': PodMonitor as never,
};

function validate(object: Obj): void {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  new Model(object as never).validate();
}

/** The objects as a user's kubectl would read them: every document of every file directly under kubernetes/. */
function objectsInFiles(config: DgmonConfig): Obj[] {
  const files = generateBundle(config);
  return [...files]
    .filter(([path]) => /^kubernetes\/[^/]+\.yaml$/.test(path))
    .flatMap(([, text]) => loadAll(text) as Obj[]);
}

const CONFIGS: Record<string, unknown> = {
  defaults: {},
  'sidecar, licence proxy, no Engine monitor': { packaging: { kubernetes: { exporter: 'sidecar', licenseProxy: true, engineMonitor: false } } },
  'labels and annotations': {
    packaging: { namespace: 'speech', labels: { release: 'kube-prometheus-stack', team: 'speech' }, annotations: { 'argocd.argoproj.io/sync-wave': '5', owner: 'sre@example.com' } },
  },
  'exported pod labels, custom dcgm service': {
    node: { dcgm: { podLabels: ['exported_namespace', 'exported_pod'] } },
    packaging: { kubernetes: { dcgm: { namespace: 'monitoring', selector: { 'app.kubernetes.io/name': 'dcgm-exporter' }, port: 'metrics' } } },
  },
};

describe('Kubernetes objects validate against their schemas', () => {
  for (const [name, raw] of Object.entries(CONFIGS)) {
    it(name, () => {
      const objects = objectsInFiles(parseConfig(raw));
      expect(objects.length).toBeGreaterThan(5);
      for (const object of objects) expect(() => validate(object), `${object.kind} ${object.metadata.name}`).not.toThrow();
    });
  }

  it('the validation rejects a broken object (the check can fail)', () => {
    const [rule] = objectsInFiles(parseConfig({})).filter((o) => o.kind === 'PrometheusRule');
    const broken = structuredClone(rule!) as unknown as { spec: { groups: { rules: { for?: string }[] }[] } };
    broken.spec.groups[0]!.rules[0]!.for = '5 minutes';
    expect(() => validate(broken as unknown as Obj)).toThrow(/for/);
    const monitor = objectsInFiles(parseConfig({})).find((o) => o.kind === 'ServiceMonitor')!;
    const badAction = structuredClone(monitor) as unknown as { spec: { endpoints: { relabelings: { action: string }[] }[] } };
    badAction.spec.endpoints[0]!.relabelings[0]!.action = 'rename';
    expect(() => validate(badAction as unknown as Obj)).toThrow(/action/);
  });

  it('the sidecar patch holds a valid container for the API Deployment', () => {
    const config = parseConfig({ packaging: { kubernetes: { exporter: 'sidecar' } } });
    const files = generateBundle(config);
    const patch = load(files.get(KUBERNETES_PATHS.sidecarPatch)!) as { spec: { template: { spec: Record<string, unknown> } } };
    // Merged into a Deployment shaped like the chart's API Deployment, the result must validate.
    const merged = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'deepgram-api' },
      spec: { selector: { matchLabels: { app: 'deepgram-api' } }, template: { metadata: { labels: { app: 'deepgram-api' } }, spec: patch.spec.template.spec } },
    } as unknown as Obj;
    expect(() => validate(merged)).not.toThrow();
    const container = (patch.spec.template.spec.containers as { env: { name: string; value: string }[] }[])[0]!;
    expect(container.env).toContainEqual({ name: 'DGMON_API_URL', value: 'http://127.0.0.1:8080' });
    expect(objectsInFiles(config).some((o) => o.kind === 'Deployment'), 'no exporter Deployment in sidecar mode').toBe(false);
    expect(objectsInFiles(config).map((o) => o.kind)).toContain('PodMonitor');
  });
});

describe('labels and annotations from config', () => {
  it('are on every object, with the namespace', () => {
    const raw = CONFIGS['labels and annotations'] as { packaging: { labels: Record<string, string>; annotations: Record<string, string> } };
    for (const object of objectsInFiles(parseConfig(raw))) {
      expect(object.metadata.labels, object.metadata.name).toMatchObject(raw.packaging.labels);
      expect(object.metadata.annotations, object.metadata.name).toMatchObject(raw.packaging.annotations);
      expect(object.metadata.namespace).toBe('speech');
    }
  });

  it('are absent when none are configured', () => {
    for (const object of objectsInFiles(parseConfig({}))) expect(object.metadata.labels?.release).toBeUndefined();
  });

  it('refuse keys Kubernetes would refuse', () => {
    expect(() => parseConfig({ packaging: { labels: { 'bad key!': 'x' } } })).toThrow(/packaging\.labels/);
    expect(() => parseConfig({ packaging: { labels: { release: 'has spaces' } } })).toThrow(/packaging\.labels\.release/);
  });
});

describe('contents come from the plain files', () => {
  const config = parseConfig({});
  const plain = plainBundle(config);
  const objects = objectsInFiles(config);

  it('one sidecar-labelled ConfigMap per dashboard, holding exactly the dashboard JSON', () => {
    const maps = objects.filter((o) => o.kind === 'ConfigMap') as (Obj & { data: Record<string, string> })[];
    const dashboards = buildDashboards(config);
    expect(maps).toHaveLength(dashboards.length);
    for (const d of dashboards) {
      const map = maps.find((m) => m.metadata.name === `dgmon-dashboard-${d.uid}`)!;
      expect(map.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
      expect(map.metadata.annotations).toMatchObject({ grafana_folder: config.grafana.folder });
      expect(JSON.parse(map.data[`${d.uid}.json`]!)).toEqual(JSON.parse(JSON.stringify(d.json)));
      expect(map.data[`${d.uid}.json`]).toBe(plain.get(`grafana/dashboards/${d.uid}.json`));
    }
  });

  it('the PrometheusRule groups equal the rule files', () => {
    const rule = objects.find((o) => o.kind === 'PrometheusRule') as Obj & { spec: { groups: unknown[] } };
    const fromFiles = [OUTPUT_PATHS.recordingRules, OUTPUT_PATHS.alertingRules].flatMap((p) => (load(plain.get(p)!) as { groups: unknown[] }).groups);
    expect(rule.spec.groups).toEqual(fromFiles);
  });

  it('switching an alert off removes it from the PrometheusRule too', () => {
    const off = objectsInFiles(parseConfig({ alerts: { DeepgramGPUTemperatureHigh: { enabled: false } } })).find((o) => o.kind === 'PrometheusRule')!;
    expect(JSON.stringify(off)).not.toContain('DeepgramGPUTemperatureHigh');
    expect(JSON.stringify(objects.find((o) => o.kind === 'PrometheusRule'))).toContain('DeepgramGPUTemperatureHigh');
  });

  it('the exporter reads only the API (and the License Proxy when it runs): the monitors scrape Engine and GPU', () => {
    const env = (o: Obj[]) => ((o.find((x) => x.kind === 'Deployment') as unknown as { spec: { template: { spec: { containers: { env: { name: string; value: string }[] }[] } } } }).spec.template.spec.containers[0]!.env);
    expect(env(objects).map((e) => e.name)).toEqual(['DGMON_LISTEN', 'DGMON_API_URL']);
    expect(env(objects)).toContainEqual({ name: 'DGMON_API_URL', value: 'http://deepgram-api-external.deepgram.svc:8080' });
    const withProxy = env(objectsInFiles(parseConfig({ packaging: { kubernetes: { licenseProxy: true } } })));
    expect(withProxy).toContainEqual({ name: 'DGMON_LICENSE_PROXY_URL', value: 'http://deepgram-license-proxy-status.deepgram.svc:8080' });
  });

  it('the Engine monitor keeps only the <prefix>-metrics Services (and the agent mode\'s stt/tts/eot ones), port metrics', () => {
    const engine = objectsInFiles(parseConfig({ packaging: { kubernetes: { enginePrefix: 'dg-engine' } } })).find((o) => o.metadata.name === 'dgmon-deepgram-engine') as Obj & {
      spec: { endpoints: { port: string; relabelings: { action: string; regex?: string }[] }[] };
    };
    expect(engine.spec.endpoints[0]!.port).toBe('metrics');
    expect(engine.spec.endpoints[0]!.relabelings[0]).toMatchObject({ action: 'keep', regex: 'dg-engine(-(stt|tts|eot))?-metrics' });
  });
});
