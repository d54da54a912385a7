// How the bundle is deployed: Kubernetes objects, values for Deepgram's Helm chart, a Docker Compose stack, a systemd
// unit and the scale-out views, with the names and images each needs.
import { z } from 'zod';
import { VERSION } from '../version.ts';

// Kubernetes label keys: an optional DNS-subdomain prefix and a name of at most 63 alphanumerics, '-', '_', '.'.
const K8S_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const K8S_LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
const K8S_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const k8sKey = z.string().regex(K8S_KEY, { message: 'must be a Kubernetes label/annotation key: [prefix/]name, name up to 63 of [A-Za-z0-9-_.]' });
const k8sName = (fallback: string, why: string) =>
  z.string().regex(K8S_NAME, { message: 'must be a Kubernetes name: lower-case letters, digits and "-", at most 63' }).default(fallback).describe(why);
const jobName = (why: string) =>
  z
    .string()
    .regex(/^([a-zA-Z_][a-zA-Z0-9_:-]*)?$/, { message: 'must be a scrape job name (letters, digits, "_", "-", ":"), or empty to derive it from the selector' })
    .default('')
    .describe(why);
const url = (fallback: string, why: string) =>
  z.string().regex(/^https?:\/\/[^\s]+$/, { message: 'must be an http:// or https:// URL' }).default(fallback).describe(why);
const image = (fallback: string, why: string) =>
  z.string().regex(/^[a-z0-9][^\s]*$/, { message: 'must be an image reference such as prom/prometheus:v2.55.1' }).default(fallback).describe(why);

export const packaging = z
  .strictObject({
    labels: z
      .record(k8sKey, z.string().regex(K8S_LABEL_VALUE, { message: 'must be a Kubernetes label value: up to 63 of [A-Za-z0-9-_.], starting and ending alphanumeric' }))
      .default({})
      .describe('Labels added to every generated Kubernetes object. kube-prometheus-stack only picks up PrometheusRules, ServiceMonitors and PodMonitors that carry its release label, so set `release: <your kube-prometheus-stack release name>` here.'),
    annotations: z.record(k8sKey, z.string()).default({}).describe('Annotations added to every generated Kubernetes object (e.g. for Argo CD or Flux).'),
    namespace: k8sName('deepgram', 'The namespace Deepgram runs in: the Engine metrics Service and the API are found there, and the dgmon objects are created there.'),
    image: z
      .strictObject({
        repository: image('dgmon', 'The exporter image. dgmon publishes no image: build it from deploy/Dockerfile (docs/install.md shows how) and push it where your nodes pull from, then name it here.'),
        tag: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, { message: 'must be an image tag' }).default(VERSION).describe('The exporter image tag; the default is the dgmon version, which is what the build command in docs/install.md tags.'),
      })
      .prefault({})
      .describe('The exporter container image, used by the Kubernetes manifests and the Compose stack.'),
    jobs: z
      .strictObject({
        engine: jobName('The job label of the Engine scrape made by the generated ServiceMonitor. Empty: the first job name selectors.engine matches (deepgram-engine by default). Must match selectors.engine (checked).'),
        dcgm: jobName('The job label of the dcgm-exporter scrape made by the generated ServiceMonitor and the Helm values. Empty: derived from selectors.dcgm (dcgm-exporter by default). Must match it (checked).'),
        exporter: jobName('The job label of the dgmon exporter scrape in every target. Empty: derived from selectors.exporter (dgmon by default). Must match it (checked).'),
      })
      .prefault({})
      .describe('Job labels the generated scrapes set explicitly (prometheus-operator would otherwise name the job after the Service), so the rules\' selectors find them.'),
    kubernetes: z
      .strictObject({
        enginePrefix: k8sName('deepgram-engine', 'engine.namePrefix of Deepgram\'s chart: its Engine metrics Service is <enginePrefix>-metrics, port name metrics.'),
        apiPrefix: k8sName('deepgram-api', 'api.namePrefix of Deepgram\'s chart: the API Service is <apiPrefix>-external (port 8080) and API pods are labelled app=deepgram-api.'),
        licenseProxy: z.boolean().default(false).describe('Whether Deepgram\'s License Proxy runs (licenseProxy.enabled in the chart; off by default there). When on, the exporter reads its status Service on port 8080.'),
        licenseProxyPrefix: k8sName('deepgram-license-proxy', 'licenseProxy.namePrefix of Deepgram\'s chart: its status Service is <licenseProxyPrefix>-status, port name status (8080).'),
        exporter: z
          .enum(['deployment', 'sidecar'], { error: 'must be deployment or sidecar' })
          .default('deployment')
          .describe('deployment: one exporter Deployment and Service next to the API, reading the API Service. sidecar: a container patched into every API pod, reading its own API on 127.0.0.1; use it to health-check each API pod.'),
        engineMonitor: z
          .boolean()
          .default(true)
          .describe('Generate the Engine ServiceMonitor. Turn off when the Deepgram chart\'s own dg_engine_metrics scrape (autoscaling) already runs in the same Prometheus: the Engine would be counted twice.'),
        dcgm: z
          .strictObject({
            enabled: z.boolean().default(true).describe('Generate a ServiceMonitor for dcgm-exporter. Turn off when dcgm-exporter\'s own chart already installs one (its default) and set selectors.dcgm to its job.'),
            namespace: k8sName('gpu-operator', 'Where dcgm-exporter runs: the GPU Operator (which Deepgram\'s chart installs) puts it in gpu-operator.'),
            selector: z.record(k8sKey, z.string()).default({ app: 'nvidia-dcgm-exporter' }).describe('Labels of the dcgm-exporter Service (the GPU Operator labels it app=nvidia-dcgm-exporter).'),
            port: z.string().default('gpu-metrics').describe('Port name on the dcgm-exporter Service (gpu-metrics under the GPU Operator, metrics in dcgm-exporter\'s own chart).'),
          })
          .prefault({})
          .describe('The dcgm-exporter Service to scrape. Run it with --kubernetes (DCGM_EXPORTER_KUBERNETES=true) so each GPU names the Engine pod using it.'),
      })
      .prefault({})
      .describe('DIR/kubernetes/: PrometheusRule, dashboard ConfigMaps for the Grafana sidecar, ServiceMonitors/PodMonitors and the exporter.'),
    helm: z
      .strictObject({
        engineJob: jobName('Job name of the Engine scrape in the Helm values. Empty: dg_engine_metrics, the name in Deepgram\'s chart (whose additionalScrapeConfigs list the values must repeat, as Helm replaces lists), when selectors.engine matches it, else packaging.jobs.engine. Must match selectors.engine (checked).'),
      })
      .prefault({})
      .describe('DIR/helm/deepgram-self-hosted-values.yaml, for Deepgram\'s deepgram-self-hosted chart.'),
    compose: z
      .strictObject({
        network: z
          .string()
          .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, { message: 'must be a Docker network name' })
          .default('docker_default')
          .describe('The network of Deepgram\'s compose deployment, joined as an external network: Compose names it <project>_default, and the project is the folder name (docker_default when run from self-hosted-resources/docker). `docker network ls` shows it.'),
        bindAddress: z
          .string()
          .default('127.0.0.1')
          .describe('Host address Prometheus, Alertmanager and Grafana are published on. Loopback by default: they have no authentication of their own; use 0.0.0.0 only behind a proxy that adds it.'),
        sources: z
          .strictObject({
            engine: url('http://engine:9991/metrics', 'The Engine metrics endpoint on Deepgram\'s compose network (service engine, port 9991).'),
            api: url('http://api:8080', 'The Deepgram API on that network (service api, port 8080).'),
            licenseProxy: z.string().default('').describe('The License Proxy status endpoint, http://license-proxy:8080 on that network (8089 is only its host port). Empty when your compose file has no License Proxy.'),
            dcgm: url('http://host.docker.internal:9400/metrics', 'dcgm-exporter, which Deepgram\'s compose files do not run: on the host (docker run -p 9400:9400), reached through host.docker.internal.'),
          })
          .prefault({})
          .describe('What the exporter in the stack reads. Prometheus scrapes only the exporter, so Engine and GPU series share one instance and the node key joins them.'),
        images: z
          .strictObject({
            prometheus: image('prom/prometheus:v2.55.1', 'Prometheus image. Our rules are checked with promtool 2.42 and use nothing newer.'),
            alertmanager: image('prom/alertmanager:v0.27.0', 'Alertmanager image.'),
            grafana: image('grafana/grafana:12.1.0', 'Grafana image; the dashboards use schemaVersion 42 (Grafana 12).'),
          })
          .prefault({})
          .describe('Images of the monitoring stack. Pin what you run.'),
      })
      .prefault({})
      .describe('DIR/compose/: a monitoring stack that joins a Deepgram Docker Compose deployment.'),
    systemd: z
      .strictObject({
        installDir: z.string().regex(/^\/[^\s]*$/, { message: 'must be an absolute path' }).default('/opt/dgmon').describe('Where dgmon is installed on the host (git clone, then npm ci, which builds dist/, and npm prune --omit=dev).'),
        node: z.string().regex(/^\/[^\s]*$/, { message: 'must be an absolute path' }).default('/usr/bin/node').describe('Node.js 20+ binary.'),
        sources: z
          .strictObject({
            engine: url('http://127.0.0.1:9991/metrics', 'The Engine metrics endpoint on the host (published 9991).'),
            api: url('http://127.0.0.1:8080', 'The Deepgram API on the host.'),
            licenseProxy: z.string().default('').describe('The License Proxy status endpoint (http://127.0.0.1:8089 in Deepgram\'s compose layout). Empty when none runs on this host.'),
            dcgm: z.string().default('http://127.0.0.1:9400/metrics').describe('dcgm-exporter on the host. Empty to use the nvidia-smi fallback instead (exporter.sources.nvidiaSmi.enabled).'),
          })
          .prefault({})
          .describe('What the exporter reads, written into its environment file.'),
      })
      .prefault({})
      .describe('DIR/systemd/: a hardened unit running the exporter on bare metal, and its environment file.'),
    scaleOut: z
      .strictObject({
        enabled: z.boolean().default(false).describe('Write DIR/scale-out/: the agents\' remote-write snippet, vmalert\'s flags and a Mimir ruler namespace file, for per-cluster agents writing to a central store with a ruler. The rules themselves are the plain files.'),
        remoteWriteUrl: url('http://victoria-metrics:8428/api/v1/write', 'Where every per-cluster agent writes: VictoriaMetrics and a Prometheus with --web.enable-remote-write-receiver take /api/v1/write, Mimir /api/v1/push, Thanos Receive /api/v1/receive.'),
        queryUrl: url('http://victoria-metrics:8428', 'The central store\'s query API, which vmalert evaluates the rules against and writes recorded series back to.'),
        alertmanagerUrl: url('http://alertmanager:9093', 'The Alertmanager vmalert sends to.'),
        ruleDir: z.string().regex(/^\/[^\s]*$/, { message: 'must be an absolute path' }).default('/etc/dgmon/prometheus').describe('Where the ruler finds prometheus/rules.yml and alerts.yml (vmalert\'s -rule flags).'),
        mimirNamespace: z.string().regex(/^[A-Za-z0-9_.-]+$/, { message: 'must be a Mimir rule namespace: letters, digits, "_", ".", "-"' }).default('dgmon').describe('The Mimir ruler namespace the rule groups are loaded into (mimirtool rules load).'),
      })
      .prefault({})
      .describe('DIR/scale-out/: thin views of the same rules for per-cluster agents and a central store with a ruler (VictoriaMetrics with vmalert, Thanos Ruler, Mimir).'),
  })
  .prefault({})
  .describe('Deployment targets written next to the plain files: Kubernetes objects, values for Deepgram\'s Helm chart, a Docker Compose stack, a systemd unit and the scale-out views.');
