// DIR/helm/deepgram-self-hosted-values.yaml: a values file for Deepgram's deepgram-self-hosted chart that turns on
// its kube-prometheus-stack subchart and loads dgmon into it: the rule groups, the dashboards, Alertmanager with
// dgmon's routing, and the dcgm-exporter and exporter scrapes the chart leaves out.
//
// Keys verified against the public sources (search tool, code corpus):
// - deepgram/self-hosted-resources charts/deepgram-self-hosted/values.yaml: the subchart key `kube-prometheus-stack`,
//   `includeDependency`, `fullnameOverride: dg-prometheus-stack`, its `prometheus.prometheusSpec.additionalScrapeConfigs`
//   (job dg_engine_metrics, endpoints in the release namespace, services `(.*)-metrics`, port `metrics`),
//   `alertmanager.enabled: false`, `grafana.enabled: true`; Chart.yaml: the subchart's condition is
//   `kube-prometheus-stack.includeDependency,scaling.auto.enabled`.
// - prometheus-community/helm-charts charts/kube-prometheus-stack/templates/prometheus/additionalPrometheusRules.yaml
//   (`additionalPrometheusRulesMap.<name>.{groups, additionalLabels}`, written with toYaml, so `{{ $labels }}` in our
//   annotations pass through) and additionalScrapeConfigs.yaml (passed through `tpl`, hence `{{ .Release.Namespace }}`).
// - grafana/helm-charts charts/grafana: `dashboardProviders` and `dashboards.<provider>.<name>.json` (not templated);
//   a provider's path must be /var/lib/grafana/dashboards/<provider>.
import type { DgmonConfig } from '../core/config.ts';
import type { Bundle } from './bundle.ts';
import { yamlFile } from './yaml.ts';
import { dashboardText } from './grafana.ts';
import { dcgmHonorsLabels, deepgramServices, DGMON_NAME, jobsOf } from './deploy-common.ts';

export const HELM_PATHS = { values: 'helm/deepgram-self-hosted-values.yaml' } as const;

/** The subchart's key in deepgram-self-hosted's values. */
export const KUBE_PROMETHEUS_STACK = 'kube-prometheus-stack';
const RELEASE_NAMESPACE = '{{ .Release.Namespace }}';

interface Relabel {
  source_labels?: string[];
  regex?: string;
  target_label?: string;
  replacement?: string;
  action?: string;
}

/** Kubernetes label names as service discovery spells them in __meta_* labels. */
const metaLabel = (kind: 'service' | 'pod', label: string) => `__meta_kubernetes_${kind}_label_${label.replace(/[^a-zA-Z0-9_]/g, '_')}`;
const keep = (source: string, regex: string): Relabel => ({ source_labels: [source], regex, action: 'keep' });
const copy = (source: string, target: string): Relabel => ({ source_labels: [source], target_label: target });

/** The node key the rules expect (node.engine.podLabels) from the target's namespace and pod. */
const podKey = (labels: readonly string[]): Relabel[] => [copy('__meta_kubernetes_namespace', labels[0]!), copy('__meta_kubernetes_pod_name', labels[1]!)];

/** Scrape jobs in Prometheus' own format, for prometheusSpec.additionalScrapeConfigs. */
export function helmScrapeConfigs(config: DgmonConfig): Record<string, unknown>[] {
  const p = config.packaging;
  const dcgm = p.kubernetes.dcgm;
  const { engine, api } = deepgramServices(config);
  const inNamespace = (role: string, names: string[]) => [{ role, namespaces: { names } }];
  const exporter =
    p.kubernetes.exporter === 'sidecar'
      ? {
          kubernetes_sd_configs: inNamespace('pod', [RELEASE_NAMESPACE]),
          relabel_configs: [keep(metaLabel('pod', 'app'), api.podApp), keep('__meta_kubernetes_pod_container_port_name', 'dgmon'), ...podKey(config.node.engine.podLabels)],
        }
      : {
          kubernetes_sd_configs: inNamespace('endpoints', [RELEASE_NAMESPACE]),
          relabel_configs: [keep('__meta_kubernetes_service_name', 'dgmon-exporter'), keep('__meta_kubernetes_endpoint_port_name', 'dgmon'), ...podKey(config.node.engine.podLabels)],
        };
  return [
    {
      // The chart's own Engine job, repeated because Helm replaces a list rather than merging it; its 2s interval
      // feeds the chart's autoscaling.
      job_name: jobsOf(config).helmEngine,
      scrape_interval: '2s',
      kubernetes_sd_configs: inNamespace('endpoints', [RELEASE_NAMESPACE]),
      relabel_configs: [
        keep('__meta_kubernetes_service_name', engine.serviceRegex),
        keep('__meta_kubernetes_endpoint_port_name', engine.port),
        ...podKey(config.node.engine.podLabels),
        copy('__meta_kubernetes_service_name', 'service'),
      ],
    },
    {
      job_name: jobsOf(config).dcgm,
      scrape_interval: config.intervals.scrape,
      honor_labels: dcgmHonorsLabels(config),
      kubernetes_sd_configs: inNamespace('endpoints', [dcgm.namespace]),
      relabel_configs: [
        ...Object.entries(dcgm.selector).map(([k, v]) => keep(metaLabel('service', k), v)),
        keep('__meta_kubernetes_endpoint_port_name', dcgm.port),
        // As prometheus-operator would: the scrape's own namespace and pod, which dcgm-exporter's pod mapping
        // overrides (honor_labels) or pushes aside into exported_* (without).
        copy('__meta_kubernetes_namespace', 'namespace'),
        copy('__meta_kubernetes_pod_name', 'pod'),
      ],
    },
    { job_name: jobsOf(config).exporter, scrape_interval: config.intervals.scrape, ...exporter },
  ];
}

export function helmValues(bundle: Bundle): Record<string, unknown> {
  const { config, rules } = bundle;
  const labels = config.packaging.labels;
  const additionalLabels = Object.keys(labels).length ? { additionalLabels: { ...labels } } : {};
  const provider = bundle.grafana.dashboardProvider.providers[0]!;
  const dashboards = Object.fromEntries(bundle.dashboards.map((d) => [d.uid, { json: dashboardText(d) }]));
  return {
    [KUBE_PROMETHEUS_STACK]: {
      // Installs the subchart without turning on the chart's autoscaling.
      includeDependency: true,
      prometheus: { prometheusSpec: { additionalScrapeConfigs: helmScrapeConfigs(config) } },
      additionalPrometheusRulesMap: {
        'dgmon-recording': { ...additionalLabels, groups: rules.recording },
        'dgmon-alerting': { ...additionalLabels, groups: rules.alerting },
      },
      // Deepgram's chart ships Alertmanager off; dgmon's alerts need it, with dgmon's routing.
      alertmanager: { enabled: true, config: bundle.alertmanager },
      grafana: {
        dashboardProviders: {
          'dgmon-dashboardproviders.yaml': {
            apiVersion: 1,
            providers: [{ name: DGMON_NAME, folder: provider.folder, type: 'file', disableDeletion: false, allowUiUpdates: false, options: { path: `/var/lib/grafana/dashboards/${DGMON_NAME}` } }],
          },
        },
        dashboards: { [DGMON_NAME]: dashboards },
      },
    },
  };
}

export function helmFiles(bundle: Bundle): Map<string, string> {
  const { config } = bundle;
  return new Map([
    [
      HELM_PATHS.values,
      yamlFile(
        helmValues(bundle),
        `values for Deepgram's deepgram-self-hosted chart: helm upgrade --install <release> deepgram/deepgram-self-hosted -n ${config.packaging.namespace} -f <your values> -f this file`,
      ),
    ],
  ]);
}
