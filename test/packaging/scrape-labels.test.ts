// The generated scrapes must produce series the rules can see: a job label each selector matches, and the node key
// labels (node.*.podLabels / hostLabel) that join an Engine with its GPU. For every layout (Kubernetes monitors in
// both exporter modes, the Helm values' scrape configs, the Compose Prometheus) the labels a series ends up with are
// derived from the generated objects (scrape-model.ts), and then real promtool evaluates the rules' own selectors
// and node-key expressions on them.
import { describe, it, expect } from 'vitest';
import { load } from 'js-yaml';
import { parseConfig, jobMatches, scrapeJobs, type DgmonConfig } from '../../core/config.ts';
import { Promql } from '../../core/promql.ts';
import { ENGINE, DCGM, DGMON } from '../../core/catalog/index.ts';
import { buildBundle } from '../../outputs/bundle.ts';
import { kubernetesObjects, KUBERNETES_PATHS } from '../../outputs/kubernetes.ts';
import { helmScrapeConfigs } from '../../outputs/helm-values.ts';
import { composeFiles, COMPOSE_PATHS } from '../../outputs/compose.ts';
import { promtoolTestRules } from '../support/promtool.ts';
import { ensureTools } from '../support/tools.ts';
import { relabel, scrapedSeries, operatorTarget, rawTarget, type KubeTarget, type Relabel } from './scrape-model.ts';

ensureTools(['promtool']);

const NS = 'deepgram';
const ENGINE_POD = 'deepgram-engine-7d9f5-abcde';
const engineTarget: KubeTarget = { namespace: NS, service: 'deepgram-engine-metrics', pod: ENGINE_POD, container: 'deepgram-engine', port: 'metrics', address: '10.1.2.3:9991' };
const dcgmTarget: KubeTarget = {
  namespace: 'gpu-operator',
  service: 'nvidia-dcgm-exporter',
  serviceLabels: { app: 'nvidia-dcgm-exporter' },
  pod: 'nvidia-dcgm-exporter-x7k2p',
  container: 'nvidia-dcgm-exporter',
  port: 'gpu-metrics',
  address: '10.9.9.9:9400',
};
const exporterTarget: KubeTarget = { namespace: NS, service: 'dgmon-exporter', pod: 'dgmon-exporter-5c6d7-fghij', container: 'dgmon', port: 'dgmon', address: '10.1.2.9:9898' };
const sidecarTarget: KubeTarget = { namespace: NS, pod: 'deepgram-api-6f7g8-klmno', podLabels: { app: 'deepgram-api' }, container: 'dgmon', port: 'dgmon', address: '10.1.2.7:9898' };

/** What the series expose themselves: dcgm-exporter with --kubernetes names the Engine pod using the GPU. */
const EXPOSED = {
  engine: { kind: 'stream' },
  dcgm: { gpu: '0', UUID: 'GPU-0a1b', modelName: 'NVIDIA L4', Hostname: 'gpu-node-1', namespace: NS, pod: ENGINE_POD, container: 'deepgram-engine' },
  exporter: { source: 'api' },
};

interface Derived {
  engine: Record<string, string>;
  dcgm: Record<string, string>;
  exporter: Record<string, string>;
}

const toSeries = (metric: string, labels: Record<string, string>) =>
  `${metric}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`;

/** promtool: each selector finds its series, and the Engine and its GPU land on the same node. */
function provesJoin(config: DgmonConfig, series: Derived, expectedNode: string): void {
  const q = new Promql(config);
  const engineByNode = `count by (${q.node}) (${q.withNode(q.engine(ENGINE.activeRequests.name), 'engine')})`;
  const dcgmByNode = `count by (${q.node}) (${q.withNode(q.dcgm(DCGM.gpuUtil.name), 'dcgm')})`;
  const exporterByNode = `count by (${q.node}) (${q.withNode(q.exporter(DGMON.sourceUp.name), 'exporter')})`;
  const one = [{ labels: '{}', value: 1 }];
  const result = promtoolTestRules(config, [
    {
      name: 'generated scrapes meet the rules',
      input: [
        { series: toSeries(ENGINE.activeRequests.name, series.engine), values: '1x10' },
        { series: toSeries(DCGM.gpuUtil.name, series.dcgm), values: '50x10' },
        { series: toSeries(DGMON.sourceUp.name, series.exporter), values: '1x10' },
      ],
      exprs: [
        { at: '5m', expr: `count(${q.engine(ENGINE.activeRequests.name)})`, expect: one },
        { at: '5m', expr: `count(${q.dcgm(DCGM.gpuUtil.name)})`, expect: one },
        { at: '5m', expr: `count(${q.exporter(DGMON.sourceUp.name)})`, expect: one },
        { at: '5m', expr: `${engineByNode} and on (${q.node}) ${dcgmByNode}`, expect: [{ labels: `{${q.node}="${expectedNode}"}`, value: 1 }] },
        { at: '5m', expr: `count(${exporterByNode})`, expect: one },
      ],
    },
  ]);
  expect(result.code, result.output).toBe(0);
}

interface Monitor {
  kind: 'ServiceMonitor' | 'PodMonitor';
  metadata: { name: string };
  spec: { endpoints?: { honorLabels?: boolean; relabelings?: Relabel[] }[]; podMetricsEndpoints?: { honorLabels?: boolean; relabelings?: Relabel[] }[] };
}

function monitorsOf(config: DgmonConfig): Monitor[] {
  return kubernetesObjects(buildBundle(config)).get(KUBERNETES_PATHS.monitors)! as unknown as Monitor[];
}

function viaMonitor(monitor: Monitor, target: KubeTarget, exposed: Record<string, string>): Record<string, string> {
  const endpoint = (monitor.spec.endpoints ?? monitor.spec.podMetricsEndpoints)![0]!;
  const labels = relabel(operatorTarget(monitor.kind, monitor.metadata.name, target), endpoint.relabelings ?? []);
  expect(labels, `${monitor.metadata.name} keeps the target`).not.toBeNull();
  return scrapedSeries(labels!, exposed, endpoint.honorLabels ?? false);
}

function kubernetesSeries(config: DgmonConfig): Derived {
  const [engine, dcgm, exporter] = monitorsOf(config);
  return {
    engine: viaMonitor(engine!, engineTarget, EXPOSED.engine),
    dcgm: viaMonitor(dcgm!, dcgmTarget, EXPOSED.dcgm),
    exporter: viaMonitor(exporter!, exporter!.kind === 'PodMonitor' ? sidecarTarget : exporterTarget, EXPOSED.exporter),
  };
}

describe('Kubernetes monitors', () => {
  it('yield the job labels the default selectors match, and join Engine and GPU on the Engine pod', () => {
    const config = parseConfig({});
    const series = kubernetesSeries(config);
    expect(series.engine.job).toBe('deepgram-engine');
    expect(series.dcgm).toMatchObject({ job: 'dcgm-exporter', namespace: NS, pod: ENGINE_POD });
    provesJoin(config, series, `${NS}/${ENGINE_POD}`);
  });

  it('do the same with the exporter as an API sidecar (PodMonitor)', () => {
    const config = parseConfig({ packaging: { kubernetes: { exporter: 'sidecar' } } });
    const series = kubernetesSeries(config);
    expect(series.exporter).toMatchObject({ job: 'dgmon', pod: sidecarTarget.pod });
    provesJoin(config, series, `${NS}/${ENGINE_POD}`);
  });

  it('follow renamed selectors, jobs and node-key labels', () => {
    const config = parseConfig({
      selectors: { engine: 'job="speech-engine"', dcgm: 'job="gpus"', exporter: 'job="dgmon-sidecar"' },
      packaging: { jobs: { engine: 'speech-engine', dcgm: 'gpus', exporter: 'dgmon-sidecar' }, helm: { engineJob: 'speech-engine' } },
      node: { engine: { podLabels: ['k8s_namespace', 'k8s_pod'] }, dcgm: { podLabels: ['exported_namespace', 'exported_pod'] } },
    });
    const series = kubernetesSeries(config);
    // Without honorLabels, dcgm-exporter's pod mapping arrives as exported_*: what node.dcgm.podLabels now names.
    expect(series.dcgm).toMatchObject({ exported_namespace: NS, exported_pod: ENGINE_POD, pod: dcgmTarget.pod });
    expect(series.engine).toMatchObject({ k8s_namespace: NS, k8s_pod: ENGINE_POD });
    provesJoin(config, series, `${NS}/${ENGINE_POD}`);
  });

  it('keep the Engine Services of the chart\'s voice-agent mode (<prefix>-stt/-tts/-eot-metrics), not the internal ones', () => {
    const [engine] = monitorsOf(parseConfig({}));
    const relabelings = engine!.spec.endpoints![0]!.relabelings!;
    for (const type of ['stt', 'tts', 'eot']) {
      const labels = relabel(operatorTarget('ServiceMonitor', engine!.metadata.name, { ...engineTarget, service: `deepgram-engine-${type}-metrics` }), relabelings);
      expect(labels, type).toMatchObject({ job: 'deepgram-engine', namespace: NS, pod: ENGINE_POD });
    }
    expect(relabel(operatorTarget('ServiceMonitor', engine!.metadata.name, { ...engineTarget, service: 'deepgram-engine-stt-internal' }), relabelings)).toBeNull();
  });

  it('would be invisible without the job relabelling (the check can fail)', () => {
    const config = parseConfig({});
    const bare = relabel(operatorTarget('ServiceMonitor', 'x', engineTarget), []);
    expect(bare!.job).toBe('deepgram-engine-metrics');
    expect(jobMatches(config.selectors.engine, bare!.job!)).toBe(false);
  });
});

describe('Helm values scrape configs', () => {
  function helmSeries(config: DgmonConfig): Derived {
    const jobs = helmScrapeConfigs(config) as { job_name: string; honor_labels?: boolean; relabel_configs: Relabel[] }[];
    const via = (i: number, target: KubeTarget, exposed: Record<string, string>) => {
      const labels = relabel(rawTarget(jobs[i]!.job_name, target), jobs[i]!.relabel_configs);
      expect(labels, jobs[i]!.job_name).not.toBeNull();
      return scrapedSeries(labels!, exposed, jobs[i]!.honor_labels ?? false);
    };
    return { engine: via(0, engineTarget, EXPOSED.engine), dcgm: via(1, dcgmTarget, EXPOSED.dcgm), exporter: via(2, exporterTarget, EXPOSED.exporter) };
  }

  it('keep the chart job dg_engine_metrics, add dcgm-exporter and dgmon, and join on the Engine pod', () => {
    const config = parseConfig({});
    const series = helmSeries(config);
    expect([series.engine.job, series.dcgm.job, series.exporter.job]).toEqual(['dg_engine_metrics', 'dcgm-exporter', 'dgmon']);
    provesJoin(config, series, `${NS}/${ENGINE_POD}`);
  });

  it('drop targets that are not the Engine metrics Service, and keep the voice-agent mode\'s', () => {
    const [engineJob] = helmScrapeConfigs(parseConfig({})) as { job_name: string; relabel_configs: Relabel[] }[];
    expect(relabel(rawTarget(engineJob!.job_name, { ...engineTarget, service: 'deepgram-engine-tts-metrics' }), engineJob!.relabel_configs)).toMatchObject({ job: 'dg_engine_metrics' });
    expect(relabel(rawTarget(engineJob!.job_name, { ...engineTarget, service: 'deepgram-engine-internal', port: 'primary' }), engineJob!.relabel_configs)).toBeNull();
  });
});

describe('Compose Prometheus', () => {
  it('scrapes the exporter under a job every selector matches, and Engine and GPU share its instance', () => {
    const config = parseConfig({});
    const prom = load(composeFiles(buildBundle(config)).get(COMPOSE_PATHS.prometheus)!) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    expect(prom.scrape_configs).toHaveLength(1);
    const [job] = prom.scrape_configs;
    const target = { job: job!.job_name, instance: job!.static_configs[0]!.targets[0]! };
    // The exporter passes Engine and DCGM series through without pod labels: the node is the exporter's host.
    const { namespace: _ns, pod: _pod, container: _c, ...dcgmOffKubernetes } = EXPOSED.dcgm;
    const series = {
      engine: scrapedSeries(target, EXPOSED.engine, false),
      dcgm: scrapedSeries(target, dcgmOffKubernetes, false),
      exporter: scrapedSeries(target, EXPOSED.exporter, false),
    };
    provesJoin(config, series, target.instance.split(':')[0]!);
  });
});

describe('config check of job names against selectors', () => {
  it('derives job names from narrowed selectors, so older configs keep working', () => {
    const config = parseConfig({ selectors: { engine: 'job="speech-engine",namespace="dg"', dcgm: 'job=~"gpus|dcgm"' } });
    expect(scrapeJobs(config)).toEqual({ engine: 'speech-engine', dcgm: 'gpus', exporter: 'dgmon', helmEngine: 'speech-engine' });
    expect(scrapeJobs(parseConfig({}))).toEqual({ engine: 'deepgram-engine', dcgm: 'dcgm-exporter', exporter: 'dgmon', helmEngine: 'dg_engine_metrics' });
  });

  it('refuses a configured job the selector would not see, naming the field', () => {
    expect(() => parseConfig({ packaging: { jobs: { engine: 'engine' } } })).toThrow(/packaging\.jobs\.engine: job "engine" is not matched by selectors\.engine/);
    expect(() => parseConfig({ packaging: { helm: { engineJob: 'engine' } } })).toThrow(/packaging\.helm\.engineJob: job "engine"/);
    expect(() => parseConfig({ packaging: { jobs: { exporter: 'exporter' } } })).toThrow(/packaging\.jobs\.exporter/);
  });

  it('asks for a job name when none can be derived', () => {
    expect(() => parseConfig({ selectors: { engine: 'job=~"engine-.*"' } })).toThrow(/packaging\.jobs\.engine: no job name can be derived from selectors\.engine/);
    expect(() => parseConfig({ selectors: { engine: 'job=~"engine-.*"' }, packaging: { jobs: { engine: 'engine-a' } } })).not.toThrow();
  });

  it('judges =, !=, =~ and !~ matchers', () => {
    expect(jobMatches('job="a"', 'a')).toBe(true);
    expect(jobMatches('job!="a"', 'a')).toBe(false);
    expect(jobMatches('job=~"a|b",namespace="x"', 'b')).toBe(true);
    expect(jobMatches('job=~"a|b"', 'ab')).toBe(false);
    expect(jobMatches('job!~"dg.*"', 'dgmon')).toBe(false);
  });
});
