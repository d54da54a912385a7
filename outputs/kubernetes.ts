// DIR/kubernetes/: the bundle as Kubernetes objects for prometheus-operator and the Grafana sidecar. Rule groups and
// dashboards are the bundle's own objects, so the objects carry exactly what the plain files hold.
// Types come from kubernetes-models (type-only imports: nothing of it is loaded at run time); the tests validate
// every object against the same package's schemas.
import type { IConfigMap, IService } from 'kubernetes-models/v1';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IIoK8sApiCoreV1Container as Container } from 'kubernetes-models/v1';
import type { IPrometheusRule, IServiceMonitor, IPodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import type { DgmonConfig } from '../core/config.ts';
import { VERSION } from '../core/version.ts';
import type { Bundle } from './bundle.ts';
import { dashboardText } from './grafana.ts';
import { yamlDocuments } from './yaml.ts';
import { exporterPort, DGMON_NAME, deepgramServices, dcgmHonorsLabels, jobsOf } from './deploy-common.ts';

export const KUBERNETES_PATHS = {
  rules: 'kubernetes/prometheus-rule.yaml',
  dashboards: 'kubernetes/grafana-dashboards.yaml',
  monitors: 'kubernetes/monitors.yaml',
  exporter: 'kubernetes/exporter.yaml',
  /** Not an object: a strategic-merge patch, kept in a subfolder so `kubectl apply -f kubernetes/` skips it. */
  sidecarPatch: 'kubernetes/patches/api-exporter-sidecar.yaml',
} as const;

export type KubernetesObject = IConfigMap | IService | IDeployment | IPrometheusRule | IServiceMonitor | IPodMonitor;

type Relabeling = NonNullable<NonNullable<IServiceMonitor['spec']['endpoints']>[number]['relabelings']>[number];

/** Every object's metadata: its name, the namespace, dgmon's labels plus the configured ones, the annotations. */
function metadata(config: DgmonConfig, name: string, labels: Record<string, string> = {}) {
  const { annotations } = config.packaging;
  return {
    name,
    namespace: config.packaging.namespace,
    labels: { 'app.kubernetes.io/name': DGMON_NAME, 'app.kubernetes.io/part-of': DGMON_NAME, 'app.kubernetes.io/version': VERSION, ...labels, ...config.packaging.labels },
    ...(Object.keys(annotations).length ? { annotations: { ...annotations } } : {}),
  };
}

/** Sets the job label to the configured name, whatever the Service or monitor is called. */
const jobLabel = (job: string): Relabeling => ({ action: 'replace', targetLabel: 'job', replacement: job });

/**
 * The pod labels the rules key nodes by (node.<source>.podLabels). prometheus-operator already sets namespace and pod;
 * copying them explicitly also serves configs that name the labels differently.
 */
const podKey = (labels: readonly string[]): Relabeling[] => [
  { action: 'replace', sourceLabels: ['__meta_kubernetes_namespace'], targetLabel: labels[0]! },
  { action: 'replace', sourceLabels: ['__meta_kubernetes_pod_name'], targetLabel: labels[1]! },
];

export function prometheusRule(bundle: Bundle): IPrometheusRule {
  const { config, rules } = bundle;
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: metadata(config, 'dgmon-rules', { 'app.kubernetes.io/component': 'rules' }),
    spec: {
      groups: [...rules.recording, ...rules.alerting],
    },
  };
}

/** One ConfigMap per dashboard, labelled for the Grafana sidecar, its folder in the annotation the sidecar reads. */
export function dashboardConfigMaps(bundle: Bundle): IConfigMap[] {
  const { config } = bundle;
  return bundle.dashboards.map((dashboard) => {
      const { uid } = dashboard;
      const meta = metadata(config, `dgmon-dashboard-${uid}`, { 'app.kubernetes.io/component': 'dashboards', grafana_dashboard: '1' });
      return {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        // Read by the sidecar when its folderAnnotation is grafana_folder (docs/install.md says how to set it).
        metadata: { ...meta, annotations: { ...meta.annotations, grafana_folder: config.grafana.folder } },
        data: { [`${uid}.json`]: dashboardText(dashboard) },
      };
    });
}

export function engineServiceMonitor(config: DgmonConfig): IServiceMonitor {
  const { engine } = deepgramServices(config);
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: metadata(config, 'dgmon-deepgram-engine', { 'app.kubernetes.io/component': 'engine-monitor' }),
    spec: {
      // Deepgram's chart labels no Service by role, so the Engine metrics Service is picked by its name.
      selector: {},
      namespaceSelector: { matchNames: [config.packaging.namespace] },
      endpoints: [
        {
          port: engine.port,
          path: '/metrics',
          interval: config.intervals.scrape,
          relabelings: [
            { action: 'keep', sourceLabels: ['__meta_kubernetes_service_name'], regex: engine.serviceRegex },
            jobLabel(jobsOf(config).engine),
            ...podKey(config.node.engine.podLabels),
          ],
        },
      ],
    },
  };
}

/** dcgm-exporter's Service; see dcgmHonorsLabels for why honorLabels depends on node.dcgm.podLabels. */
export function dcgmServiceMonitor(config: DgmonConfig): IServiceMonitor {
  const dcgm = config.packaging.kubernetes.dcgm;
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: metadata(config, 'dgmon-dcgm-exporter', { 'app.kubernetes.io/component': 'dcgm-monitor' }),
    spec: {
      selector: { matchLabels: { ...dcgm.selector } },
      namespaceSelector: { matchNames: [dcgm.namespace] },
      endpoints: [
        {
          port: dcgm.port,
          path: '/metrics',
          interval: config.intervals.scrape,
          honorLabels: dcgmHonorsLabels(config),
          relabelings: [jobLabel(jobsOf(config).dcgm)],
        },
      ],
    },
  };
}

function exporterEnv(config: DgmonConfig, apiUrl: string): { name: string; value: string }[] {
  const { licenseProxy } = deepgramServices(config);
  return [
    { name: 'DGMON_LISTEN', value: `0.0.0.0:${exporterPort(config)}` },
    { name: 'DGMON_API_URL', value: apiUrl },
    ...(config.packaging.kubernetes.licenseProxy ? [{ name: 'DGMON_LICENSE_PROXY_URL', value: licenseProxy.url }] : []),
  ];
}

/** The exporter container. On Kubernetes it reads only the API and License Proxy: the monitors scrape Engine and GPU. */
export function exporterContainer(config: DgmonConfig, apiUrl: string): Container {
  const port = exporterPort(config);
  const probe = { httpGet: { path: '/ready', port: 'dgmon' }, periodSeconds: 10 };
  return {
    name: DGMON_NAME,
    image: `${config.packaging.image.repository}:${config.packaging.image.tag}`,
    args: ['exporter'],
    env: exporterEnv(config, apiUrl),
    ports: [{ name: 'dgmon', containerPort: port, protocol: 'TCP' }],
    // /ready, not /health: a failing Deepgram API must page (DeepgramHealthCheckFailing), not restart the exporter.
    readinessProbe: probe,
    livenessProbe: { ...probe, failureThreshold: 6 },
    resources: { requests: { cpu: '20m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 1000,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    // The root filesystem is read-only: /tmp is the one writable place, for whatever Node or a library writes there.
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
}

const tmpVolume = { name: 'tmp', emptyDir: {} };

/** The labels that tie the exporter's Deployment, Service and monitor together. */
const EXPORTER_SELECTOR = { 'app.kubernetes.io/name': DGMON_NAME, 'app.kubernetes.io/component': 'exporter' };

function exporterDeployment(config: DgmonConfig): IDeployment {
  const selector = EXPORTER_SELECTOR;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(config, 'dgmon-exporter', selector),
    spec: {
      replicas: 1,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: { ...selector, ...config.packaging.labels } },
        spec: {
          automountServiceAccountToken: false,
          containers: [exporterContainer(config, deepgramServices(config).api.url)],
          volumes: [tmpVolume],
        },
      },
    },
  };
}

function exporterService(config: DgmonConfig): IService {
  const selector = EXPORTER_SELECTOR;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(config, 'dgmon-exporter', selector),
    spec: { selector, ports: [{ name: 'dgmon', port: exporterPort(config), targetPort: 'dgmon' }] },
  };
}

function exporterServiceMonitor(config: DgmonConfig): IServiceMonitor {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: metadata(config, 'dgmon-exporter', { 'app.kubernetes.io/component': 'exporter-monitor' }),
    spec: {
      selector: { matchLabels: EXPORTER_SELECTOR },
      namespaceSelector: { matchNames: [config.packaging.namespace] },
      endpoints: [{ port: 'dgmon', path: '/metrics', interval: config.intervals.scrape, relabelings: [jobLabel(jobsOf(config).exporter), ...podKey(config.node.engine.podLabels)] }],
    },
  };
}

/** In sidecar mode the exporter lives in every API pod; this PodMonitor finds those pods by the chart's app label. */
function exporterPodMonitor(config: DgmonConfig): IPodMonitor {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PodMonitor',
    metadata: metadata(config, 'dgmon-exporter', { 'app.kubernetes.io/component': 'exporter-monitor' }),
    spec: {
      selector: { matchLabels: { app: deepgramServices(config).api.podApp } },
      namespaceSelector: { matchNames: [config.packaging.namespace] },
      podMetricsEndpoints: [{ port: 'dgmon', path: '/metrics', interval: config.intervals.scrape, relabelings: [jobLabel(jobsOf(config).exporter), ...podKey(config.node.engine.podLabels)] }],
    },
  };
}

/** A strategic-merge patch adding the exporter to the API Deployment (kubectl patch --patch-file). */
export function sidecarPatch(config: DgmonConfig): { spec: { template: { spec: { containers: Container[]; volumes: (typeof tmpVolume)[] } } } } {
  return { spec: { template: { spec: { containers: [exporterContainer(config, `http://127.0.0.1:${deepgramServices(config).api.port}`)], volumes: [tmpVolume] } } } };
}

/** Every object, by the file it goes to. */
export function kubernetesObjects(bundle: Bundle): Map<string, KubernetesObject[]> {
  const { config } = bundle;
  const k = config.packaging.kubernetes;
  const sidecar = k.exporter === 'sidecar';
  return new Map<string, KubernetesObject[]>([
    [KUBERNETES_PATHS.rules, [prometheusRule(bundle)]],
    [KUBERNETES_PATHS.dashboards, dashboardConfigMaps(bundle)],
    [
      KUBERNETES_PATHS.monitors,
      [
        ...(k.engineMonitor ? [engineServiceMonitor(config)] : []),
        ...(k.dcgm.enabled ? [dcgmServiceMonitor(config)] : []),
        sidecar ? exporterPodMonitor(config) : exporterServiceMonitor(config),
      ],
    ],
    [KUBERNETES_PATHS.exporter, sidecar ? [] : [exporterDeployment(config), exporterService(config)]],
  ]);
}

export function kubernetesFiles(bundle: Bundle): Map<string, string> {
  const { config } = bundle;
  const files = new Map<string, string>();
  for (const [path, objects] of kubernetesObjects(bundle)) {
    if (objects.length) files.set(path, yamlDocuments(objects, `Kubernetes objects for dgmon (${path.split('/').pop()})`));
  }
  if (config.packaging.kubernetes.exporter === 'sidecar') {
    const api = deepgramServices(config).api.deployment;
    files.set(KUBERNETES_PATHS.sidecarPatch, yamlDocuments([sidecarPatch(config)], `patch adding the dgmon exporter to ${api}: kubectl -n ${config.packaging.namespace} patch deployment ${api} --patch-file <this file>`));
  }
  return files;
}
