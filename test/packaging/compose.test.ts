// The Compose stack, checked structurally (there is no Docker engine here): its services, published ports, volumes
// that point at files the bundle really holds, the external Deepgram network; and its Prometheus config, written
// with the whole bundle to disk, passes real `promtool check config` together with the rule files it loads.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { load } from 'js-yaml';
import { parseConfig } from '../../core/config.ts';
import { EXPORTER_ENV } from '../../cli/exporter-settings.ts';
import { generateBundle, writeBundle } from '../../outputs/write.ts';
import { OUTPUT_PATHS } from '../../outputs/plain.ts';
import { GRAFANA_PATHS } from '../../outputs/grafana.ts';
import { COMPOSE_PATHS, BUNDLE_MOUNT } from '../../outputs/compose.ts';
import { ensureTools, run } from '../support/tools.ts';

ensureTools(['promtool']);

interface ComposeService {
  image: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  networks?: string[];
  depends_on?: string[];
  read_only?: boolean;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  networks: Record<string, { external?: boolean; name?: string }>;
  volumes: Record<string, unknown>;
}

let dir: string;
const config = parseConfig({});
const files = generateBundle(config);
const compose = load(files.get(COMPOSE_PATHS.compose)!) as ComposeFile;
const composeDir = () => join(dir, dirname(COMPOSE_PATHS.compose));

beforeAll(() => {
  dir = mkdtempSync(join(process.env.DGMON_TMP ?? tmpdir(), 'dgmon-compose-'));
  writeBundle(dir, files);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Bind mounts of a service as [host path resolved from compose/, container path]; named volumes left out. */
function binds(service: ComposeService): [string, string][] {
  return (service.volumes ?? [])
    .map((v) => v.split(':'))
    .filter(([source]) => source!.startsWith('.') || source!.startsWith('/'))
    .map(([source, target]) => [resolve(composeDir(), source!), target!]);
}

/** Where a container path comes from on the host, through the service's bind mounts. */
function hostPathOf(service: ComposeService, containerPath: string): string | undefined {
  for (const [host, target] of binds(service)) {
    if (containerPath === target) return host;
    if (containerPath.startsWith(`${target}/`)) return join(host, containerPath.slice(target.length + 1));
  }
  return undefined;
}

describe('docker-compose.yml', () => {
  it('runs the exporter, Prometheus, Alertmanager and Grafana', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['alertmanager', 'dgmon-exporter', 'grafana', 'prometheus']);
    expect(compose.services['dgmon-exporter']!.image).toBe(`dgmon:${config.packaging.image.tag}`);
    expect(compose.services.prometheus!.image).toBe(config.packaging.compose.images.prometheus);
  });

  it('publishes the UIs on loopback only by default', () => {
    expect(compose.services.prometheus!.ports).toEqual(['127.0.0.1:9090:9090']);
    expect(compose.services.alertmanager!.ports).toEqual(['127.0.0.1:9093:9093']);
    expect(compose.services.grafana!.ports).toEqual(['127.0.0.1:3000:3000']);
    expect(compose.services['dgmon-exporter']!.ports).toBeUndefined();
    const open = load(generateBundle(parseConfig({ packaging: { compose: { bindAddress: '0.0.0.0' } } })).get(COMPOSE_PATHS.compose)!) as ComposeFile;
    expect(open.services.grafana!.ports).toEqual(['0.0.0.0:3000:3000']);
  });

  it('mounts only paths that exist in the written bundle', () => {
    let count = 0;
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [host] of binds(service)) {
        expect(existsSync(host), `${name}: ${host}`).toBe(true);
        count++;
      }
    }
    expect(count).toBeGreaterThanOrEqual(5);
  });

  it('points each daemon at its config file through those mounts', () => {
    const configFile = (s: ComposeService) => s.command!.find((a) => a.startsWith('--config.file='))!.split('=')[1]!;
    expect(hostPathOf(compose.services.prometheus!, configFile(compose.services.prometheus!))).toBe(join(dir, COMPOSE_PATHS.prometheus));
    expect(hostPathOf(compose.services.alertmanager!, configFile(compose.services.alertmanager!))).toBe(join(dir, OUTPUT_PATHS.alertmanager));
    expect(configFile(compose.services.prometheus!).startsWith(BUNDLE_MOUNT)).toBe(true);
  });

  it('gives Grafana its provisioning, the dashboards where the provider looks, and a datasource that reaches Prometheus', () => {
    const grafana = compose.services.grafana!;
    const provider = load(files.get(GRAFANA_PATHS.dashboardProvider)!) as { providers: { options: { path: string } }[] };
    const dashboards = hostPathOf(grafana, provider.providers[0]!.options.path)!;
    expect(statSync(dashboards).isDirectory()).toBe(true);
    for (const uid of ['deepgram-fleet', 'deepgram-gpu']) expect(existsSync(join(dashboards, `${uid}.json`))).toBe(true);
    expect(hostPathOf(grafana, '/etc/grafana/provisioning/dashboards/dgmon.yml')).toBe(join(dir, GRAFANA_PATHS.dashboardProvider));
    expect(hostPathOf(grafana, '/etc/grafana/provisioning/datasources/prometheus.yml')).toBe(join(dir, GRAFANA_PATHS.datasource));
    const datasource = load(files.get(GRAFANA_PATHS.datasource)!) as { datasources: { url: string }[] };
    expect(new URL(datasource.datasources[0]!.url).hostname).toBe('prometheus');
  });

  it('joins Deepgram\'s compose network (configurable) with the exporter only', () => {
    expect(compose.networks.deepgram).toEqual({ external: true, name: 'docker_default' });
    expect(compose.services['dgmon-exporter']!.networks).toContain('deepgram');
    for (const name of ['prometheus', 'alertmanager', 'grafana']) expect(compose.services[name]!.networks).not.toContain('deepgram');
    for (const service of Object.values(compose.services)) for (const n of service.networks ?? []) expect(compose.networks[n], n).toBeDefined();
    const renamed = load(generateBundle(parseConfig({ packaging: { compose: { network: 'deepgram_default' } } })).get(COMPOSE_PATHS.compose)!) as ComposeFile;
    expect(renamed.networks.deepgram!.name).toBe('deepgram_default');
  });

  it('has the exporter read Deepgram\'s services by their compose names, through variables the exporter knows', () => {
    const env = compose.services['dgmon-exporter']!.environment!;
    expect(env).toMatchObject({ DGMON_ENGINE_URL: 'http://engine:9991/metrics', DGMON_API_URL: 'http://api:8080', DGMON_DCGM_URL: 'http://host.docker.internal:9400/metrics' });
    expect(env.DGMON_LICENSE_PROXY_URL).toBeUndefined();
    for (const name of Object.keys(env)) expect(Object.keys(EXPORTER_ENV), name).toContain(name);
    const withProxy = load(generateBundle(parseConfig({ packaging: { compose: { sources: { licenseProxy: 'http://license-proxy:8080' } } } })).get(COMPOSE_PATHS.compose)!) as ComposeFile;
    expect(withProxy.services['dgmon-exporter']!.environment!.DGMON_LICENSE_PROXY_URL).toBe('http://license-proxy:8080');
  });

  it('declares every named volume it uses', () => {
    for (const service of Object.values(compose.services)) {
      for (const v of service.volumes ?? []) {
        const source = v.split(':')[0]!;
        if (!source.startsWith('.') && !source.startsWith('/')) expect(compose.volumes, source).toHaveProperty(source);
      }
    }
  });
});

describe('the Compose Prometheus config', () => {
  it('passes promtool check config with the rule files it loads', () => {
    const result = run('promtool', ['check', 'config', COMPOSE_PATHS.prometheus], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/SUCCESS: 2 rule files found/);
    expect(result.stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('and fails it when a rule file is broken (the check can fail)', () => {
    const broken = mkdtempSync(join(process.env.DGMON_TMP ?? tmpdir(), 'dgmon-compose-broken-'));
    try {
      writeBundle(broken, new Map([...files, [OUTPUT_PATHS.alertingRules, 'groups:\n  - name: x\n    rules:\n      - alert: X\n        expr: rate(\n']]));
      expect(run('promtool', ['check', 'config', COMPOSE_PATHS.prometheus], { cwd: broken }).code).not.toBe(0);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });
});
