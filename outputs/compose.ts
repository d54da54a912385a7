// DIR/compose/: a monitoring stack (the exporter, Prometheus, Alertmanager, Grafana) that joins a Deepgram Docker
// Compose deployment through its network. The whole bundle directory is mounted read-only at one path in the
// containers, so every relative path (compose/prometheus.yml → ../prometheus/rules.yml) resolves the same inside a
// container as on the host, where `promtool check config` can check it.
//
// Prometheus scrapes only the exporter, which reads the Engine, dcgm-exporter, the API and the License Proxy: Engine
// and GPU series then share one instance, which is what joins them into one node off Kubernetes (node.*.hostLabel).
// Deepgram's compose files (deepgram/self-hosted-resources docker/docker-compose.*.yml) name the services api
// (8080), engine (metrics 9991) and license-proxy (status 8080 in the network, 8089 on the host), and no network.
import type { DgmonConfig } from '../core/config.ts';
import type { Bundle } from './bundle.ts';
import { OUTPUT_PATHS } from './plain.ts';
import { yamlFile } from './yaml.ts';
import { GRAFANA_PATHS, dashboardDir } from './grafana.ts';
import { DGMON_NAME, exporterPort, jobsOf } from './deploy-common.ts';

export const COMPOSE_PATHS = {
  compose: 'compose/docker-compose.yml',
  prometheus: 'compose/prometheus.yml',
} as const;

/** Where the bundle directory (the parent of compose/) is mounted in every container. */
export const BUNDLE_MOUNT = '/etc/dgmon';
const EXPORTER_SERVICE = 'dgmon-exporter';

/** A bundle file as Prometheus (in the container) and promtool (on the host, from compose/) both reach it. */
const fromCompose = (bundlePath: string) => `../${bundlePath}`;
const inContainer = (bundlePath: string) => `${BUNDLE_MOUNT}/${bundlePath}`;

export function composePrometheusConfig(config: DgmonConfig): Record<string, unknown> {
  return {
    global: { scrape_interval: config.intervals.scrape, evaluation_interval: config.intervals.evaluation },
    rule_files: [fromCompose(OUTPUT_PATHS.recordingRules), fromCompose(OUTPUT_PATHS.alertingRules)],
    alerting: { alertmanagers: [{ static_configs: [{ targets: ['alertmanager:9093'] }] }] },
    scrape_configs: [{ job_name: jobsOf(config).exporter, static_configs: [{ targets: [`${EXPORTER_SERVICE}:${exporterPort(config)}`] }] }],
  };
}

export function composeFile(bundle: Bundle): Record<string, unknown> {
  const { config } = bundle;
  const c = config.packaging.compose;
  const published = (port: number) => `${c.bindAddress}:${port}:${port}`;
  const bundleVolume = `..:${BUNDLE_MOUNT}:ro`;
  // Grafana reads dashboards from the path its provisioning file names.
  const dashboardsPath = bundle.grafana.dashboardProvider.providers[0]!.options.path;
  const provisioning = (path: string) => `${fromCompose(path)}:/etc/grafana/${path.slice('grafana/'.length)}:ro`;
  const sources = {
    DGMON_ENGINE_URL: c.sources.engine,
    DGMON_API_URL: c.sources.api,
    DGMON_DCGM_URL: c.sources.dcgm,
    ...(c.sources.licenseProxy ? { DGMON_LICENSE_PROXY_URL: c.sources.licenseProxy } : {}),
  };
  const hardened = { read_only: true, cap_drop: ['ALL'], security_opt: ['no-new-privileges:true'], restart: 'unless-stopped' };
  return {
    name: DGMON_NAME,
    services: {
      [EXPORTER_SERVICE]: {
        image: `${config.packaging.image.repository}:${config.packaging.image.tag}`,
        command: ['exporter'],
        environment: { DGMON_LISTEN: `0.0.0.0:${exporterPort(config)}`, ...sources },
        // dcgm-exporter runs on the host, outside Deepgram's compose project.
        extra_hosts: ['host.docker.internal:host-gateway'],
        networks: ['deepgram', DGMON_NAME],
        tmpfs: ['/tmp'],
        ...hardened,
      },
      prometheus: {
        image: c.images.prometheus,
        command: [`--config.file=${inContainer(COMPOSE_PATHS.prometheus)}`, '--storage.tsdb.path=/prometheus', '--web.enable-lifecycle'],
        volumes: [bundleVolume, 'prometheus-data:/prometheus'],
        ports: [published(9090)],
        networks: [DGMON_NAME],
        depends_on: [EXPORTER_SERVICE, 'alertmanager'],
        ...hardened,
      },
      alertmanager: {
        image: c.images.alertmanager,
        command: [`--config.file=${inContainer(OUTPUT_PATHS.alertmanager)}`, '--storage.path=/alertmanager'],
        volumes: [bundleVolume, 'alertmanager-data:/alertmanager'],
        ports: [published(9093)],
        networks: [DGMON_NAME],
        ...hardened,
      },
      grafana: {
        image: c.images.grafana,
        volumes: [
          provisioning(GRAFANA_PATHS.dashboardProvider),
          provisioning(GRAFANA_PATHS.datasource),
          `${fromCompose(dashboardDir())}:${dashboardsPath}:ro`,
          'grafana-data:/var/lib/grafana',
        ],
        ports: [published(3000)],
        networks: [DGMON_NAME],
        depends_on: ['prometheus'],
        // Not read-only: Grafana writes outside its data volume (logs, plugins).
        restart: 'unless-stopped',
        security_opt: ['no-new-privileges:true'],
      },
    },
    networks: {
      deepgram: { external: true, name: c.network },
      [DGMON_NAME]: {},
    },
    volumes: { 'prometheus-data': {}, 'alertmanager-data': {}, 'grafana-data': {} },
  };
}

export function composeFiles(bundle: Bundle): Map<string, string> {
  const { config } = bundle;
  return new Map([
    [COMPOSE_PATHS.compose, yamlFile(composeFile(bundle), 'Docker Compose monitoring stack joining a Deepgram compose deployment (docker compose -f compose/docker-compose.yml up -d)')],
    [COMPOSE_PATHS.prometheus, yamlFile(composePrometheusConfig(config), 'Prometheus configuration of the Compose stack (paths relative to this file, the bundle mounted at /etc/dgmon)')],
  ]);
}
