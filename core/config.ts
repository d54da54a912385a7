// The one config object (dgmon.yaml). Every selector, threshold, duration and receiver the generators use comes from
// here; nothing else in the project hard-codes them. Each field's description is its comment: why the default is
// what it is and when to change it. The same text ends up in the JSON Schema (`dgmon schema`) for editors.
import { z } from 'zod';
import { isDuration, durationSeconds } from './duration.ts';
import { ENGINE } from './catalog/engine.ts';
import { VERSION } from './version.ts';

const duration = (fallback: string, why: string) =>
  z
    .string({ error: 'must be a Prometheus duration string such as "30s", "5m" or "1h"' })
    .refine(isDuration, { message: 'must be a Prometheus duration such as "30s", "5m" or "1h" (digits then ms|s|m|h|d|w|y, no spaces)' })
    .default(fallback)
    .describe(why);

const ratio = (fallback: number, why: string) =>
  z
    .number({ error: 'must be a number' })
    .min(0, { message: 'must be a ratio between 0 and 1 (write 5 % as 0.05)' })
    .max(1, { message: 'must be a ratio between 0 and 1 (write 5 % as 0.05)' })
    .default(fallback)
    .describe(why);

const positive = (fallback: number, why: string) =>
  z.number({ error: 'must be a number' }).positive({ message: 'must be greater than 0' }).default(fallback).describe(why);

/** A calendar date or a date-time with a zone, as Deepgram writes expiration_date; a bare date is midnight UTC. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/;
export function isIsoDate(text: string): boolean {
  return ISO_DATE.test(text) && Number.isFinite(Date.parse(text));
}

const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
const severity = (fallback: Severity, why: string) =>
  z.enum(SEVERITIES, { error: 'must be one of critical, warning, info' }).default(fallback).describe(why);

// A PromQL label matcher list without braces, e.g. job="deepgram-engine",namespace="dg". Checked loosely here
// (balanced quotes, each part a matcher); promtool checks the generated rules strictly.
const MATCHER = /^\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"(?:[^"\\]|\\.)*"\s*$/;
const selector = (fallback: string, why: string) =>
  z
    .string({ error: 'must be a string of label matchers' })
    .refine((s) => s.trim() === '' || splitMatchers(s).every((m) => MATCHER.test(m)), {
      message: 'must be PromQL label matchers without braces, e.g. job="deepgram-engine" or job=~"a|b",namespace="dg"',
    })
    .default(fallback)
    .describe(why);

/** Splits `a="x,y",b=~"z"` on the commas between matchers, not those inside quoted values. */
export function splitMatchers(s: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && quoted) {
      current += c + (s[++i] ?? '');
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ',' && !quoted) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  if (current.trim() !== '') parts.push(current);
  return parts;
}

const labelName = (fallback: string, why: string) =>
  z
    .string()
    .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { message: 'must be a Prometheus label name (letters, digits, underscore; not starting with a digit)' })
    .default(fallback)
    .describe(why);

/** How one source's series name their node: a pod pair on Kubernetes, else a host label. */
const nodeKey = (what: string, podWhy: string, hostWhy: string) =>
  z
    .strictObject({
      podLabels: z
        .array(labelName('pod', 'A label name.').unwrap())
        .length(2, { message: 'must name exactly two labels: the namespace label and the pod label' })
        .default(['namespace', 'pod'])
        .describe(podWhy),
      hostLabel: labelName('instance', hostWhy),
    })
    .prefault({})
    .describe(what);

/** An upstream the exporter reads: a URL (empty: not configured) and its own timeout. */
const upstream = (what: string) =>
  z
    .strictObject({
      url: z
        .string()
        .refine((u) => u === '' || /^https?:\/\/[^\s]+$/.test(u), { message: 'must be an http:// or https:// URL, or empty to leave this source out' })
        .default('')
        .describe(what),
      timeout: duration('5s', 'How long this source may take; the scrape budget caps it too.'),
    })
    .prefault({})
    .describe(what);

const enabled = z.boolean().default(true).describe('Set false to leave this alert out of the generated rules (and its runbook and routes).');

const alert = <T extends z.ZodRawShape>(what: string, shape: T) =>
  z.strictObject({ enabled, ...shape }).prefault({} as never).describe(what);

/** The two-severity "days before expiry" scheme shared by the certificate and API-key alerts. */
const expiryThresholds = (warningWhy: string, criticalWhy: string) => ({
  severity: severity('warning', warningWhy),
  criticalSeverity: severity('critical', criticalWhy),
  warningDays: positive(14, 'Days before expiry at which the warning fires. Must be more than criticalDays.'),
  criticalDays: positive(3, 'Days before expiry at which the critical fires (and silences the warning). Keep it above the time a renewal or rotation takes you.'),
});

const burnWindow = z.strictObject({
  severity: z.enum(SEVERITIES, { error: 'must be one of critical, warning, info' }).describe('critical for the fast-burn rows that need a human now, warning for the slow-burn rows that can wait for a ticket.'),
  long: duration('1h', 'The long window: the burn rate must be high over it, so a short blip does not page.'),
  short: duration('5m', 'The short window: the burn rate must still be high over it, so the alert resolves soon after the fault ends.'),
  factor: positive(14.4, 'Burn-rate factor: how many times faster than "exactly exhausts the budget at period end" the budget is being spent.'),
  for: duration('2m', 'How long both windows must stay over the factor before the alert fires.'),
});

const DEFAULT_BURN_WINDOWS = [
  { severity: 'critical', long: '1h', short: '5m', factor: 14.4, for: '2m' },
  { severity: 'critical', long: '6h', short: '30m', factor: 6, for: '15m' },
  { severity: 'warning', long: '1d', short: '2h', factor: 3, for: '1h' },
  { severity: 'warning', long: '3d', short: '6h', factor: 1, for: '3h' },
] as const;

const burnWindows = z
  .array(burnWindow)
  .min(1, { message: 'needs at least one window; the defaults are 1h/5m x14.4 and 6h/30m x6 critical, 1d/2h x3 and 3d/6h x1 warning' })
  // Each row is one rule per SLO, and a rule group holds at most 20 rules.
  .max(10, { message: 'holds at most 10 windows (each is a rule per SLO and a group keeps at most 20 rules); four cover fast and slow burn' })
  .default(DEFAULT_BURN_WINDOWS.map((w) => ({ ...w })))
  .describe(
    'Multi-window multi-burn-rate table (Google SRE workbook, chapter 5). The defaults page when 2 % of a 30-day budget burns in 1 h or 5 % in 6 h, and open a ticket for 10 % in 1 d or in 3 d. Change only together with slo.period.',
  );

const receiver = z
  .record(z.string(), z.unknown())
  .default({})
  .describe(
    'An Alertmanager receiver body without its name: webhook_configs, slack_configs, pagerduty_configs, email_configs, … exactly as in alertmanager.yml. Empty means notifications for this route are dropped; dgmon generate warns about it.',
  );

// ---- packaging: how the bundle is deployed (Kubernetes, Deepgram's Helm chart, Docker Compose, systemd) ----

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

const packaging = z
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

/** Whether a job name passes every `job` matcher of a selector (matchers on other labels are not judged here). */
export function jobMatches(selectorText: string, job: string): boolean {
  return splitMatchers(selectorText).every((raw) => {
    const m = /^\s*job\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(raw);
    if (!m) return true;
    const value = m[2]!.replace(/\\(.)/g, '$1');
    const test = (op: string) => {
      if (op === '=' || op === '!=') return value === job;
      try {
        return new RegExp(`^(?:${value})$`).test(job);
      } catch {
        return true; // RE2 syntax JavaScript cannot read: promtool judges it when the rules are checked
      }
    };
    return m[1]!.startsWith('!') ? !test(m[1]!) : test(m[1]!);
  });
}

/** Job names dgmon falls back to, per selector, when the selector does not name one of its own. */
const DEFAULT_JOBS = { engine: 'deepgram-engine', dcgm: 'dcgm-exporter', exporter: 'dgmon' } as const;
/** The Engine job of Deepgram's Helm chart (charts/deepgram-self-hosted/values.yaml, additionalScrapeConfigs). */
export const DEEPGRAM_CHART_ENGINE_JOB = 'dg_engine_metrics';

/** A job name the selector matches: its own (job="x", or the first literal of job=~"x|y"), else dgmon's default. */
function deriveJob(selectorText: string, fallback: string): string | undefined {
  const candidates = [fallback];
  for (const raw of splitMatchers(selectorText)) {
    const m = /^\s*job\s*(=~|=)\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(raw);
    if (m) candidates.unshift(...(m[1] === '=' ? [m[2]!] : m[2]!.split('|')));
  }
  return candidates.find((c) => /^[a-zA-Z_][a-zA-Z0-9_:-]*$/.test(c) && jobMatches(selectorText, c));
}

export interface ScrapeJobs {
  engine: string;
  dcgm: string;
  exporter: string;
  /** The Engine job in the Helm values for Deepgram's chart. */
  helmEngine: string;
}

/** The job names every generated scrape sets: configured, or derived from the selectors so the rules see them. */
export function scrapeJobs(c: Pick<DgmonConfig, 'selectors' | 'packaging'>): Partial<ScrapeJobs> {
  const jobs = c.packaging.jobs;
  const engine = jobs.engine || deriveJob(c.selectors.engine, DEFAULT_JOBS.engine);
  return {
    engine,
    dcgm: jobs.dcgm || deriveJob(c.selectors.dcgm, DEFAULT_JOBS.dcgm),
    exporter: jobs.exporter || deriveJob(c.selectors.exporter, DEFAULT_JOBS.exporter),
    helmEngine: c.packaging.helm.engineJob || (jobMatches(c.selectors.engine, DEEPGRAM_CHART_ENGINE_JOB) ? DEEPGRAM_CHART_ENGINE_JOB : engine),
  };
}

export const configSchema = z.strictObject({
  selectors: z
    .strictObject({
      engine: selector(
        'job=~"deepgram-engine|dg_engine_metrics|dgmon"',
        'Selects the Deepgram Engine metrics (port 9991). Matches a scrape job named deepgram-engine, the dg_engine_metrics job of Deepgram\'s Helm chart, and the dgmon exporter when it passes the Engine through, so it works unchanged in all three layouts. Narrow it (add namespace="…") when several Deepgram installs share one Prometheus. Never scrape the same Engine both directly and through dgmon: its requests would count twice.',
      ),
      dcgm: selector(
        'job=~"dcgm-exporter|dgmon"',
        'Selects NVIDIA dcgm-exporter metrics (port 9400): a job named dcgm-exporter, or the dgmon exporter passing DCGM through. Change it to your job name (the GPU Operator calls it nvidia-dcgm-exporter).',
      ),
      exporter: selector(
        'job="dgmon"',
        "Selects the dgmon exporter's own metrics (API status, License Proxy, health check, source up). Change it if you scrape the exporter under another job name.",
      ),
      clients: selector(
        '',
        'Selects applications instrumented with the dgmon client library (rate-limit hits, client-side errors). Empty means any job, because those applications are scraped under their own job names.',
      ),
    })
    .prefault({})
    .describe('Label matchers for each scrape job dgmon reads. Written without braces; dgmon adds them to every query.'),

  expectedTargets: z
    .strictObject({
      engine: z.boolean().default(true).describe('Page when no Engine target is scraped at all (DeepgramSourceDown). Leave on: Engine is the service.'),
      dcgm: z.boolean().default(true).describe('Page when no dcgm-exporter target is scraped at all. Turn off on nodes without dcgm-exporter (the exporter\'s nvidia-smi fallback then reports through the dgmon job).'),
      exporter: z.boolean().default(true).describe('Page when no dgmon exporter target is scraped at all: without it the health check and API status are blind.'),
    })
    .prefault({})
    .describe('Which scrape jobs must exist. A job that vanishes entirely (service discovery lost it) has no up{}=0 series, so dgmon alerts on its absence.'),

  cluster: z
    .strictObject({
      label: labelName('cluster', 'The label that names a cluster, usually set as an external label or by relabelling. Kept by every recording rule.'),
      multiCluster: z
        .boolean()
        .default(false)
        .describe('Set true when one Prometheus (or Thanos/Mimir) holds several Deepgram clusters: alert texts then name the cluster and dashboards show the cluster variable.'),
    })
    .prefault({})
    .describe('Which cluster a series belongs to, for fleets where one Prometheus watches several.'),

  node: z
    .strictObject({
      label: labelName('node', 'The label dgmon adds to join GPU series with the Engine on the same node. Rename it if your series already carry a different "node" label.'),
      engine: nodeKey(
        'The node key of Engine series.',
        'On Kubernetes the Engine pod is the node key: these labels (namespace, pod) are added by Deepgram\'s Helm scrape job and by ServiceMonitors.',
        'Off Kubernetes the node key is the host part of this label (the port is stripped), so "10.0.0.5:9991" and "10.0.0.5:9400" are one node.',
      ),
      dcgm: nodeKey(
        'The node key of dcgm-exporter series.',
        'dcgm-exporter with --kubernetes labels each GPU with the namespace and pod using it; that pod is the Engine. Behind a ServiceMonitor without honorLabels these arrive as exported_namespace and exported_pod: set that here.',
        'Off Kubernetes: the host part of this label is the node key. Use Hostname when dcgm-exporter is reached under another address than the Engine (dgmon copies the newer lowercase hostname label into Hostname, so Hostname covers both).',
      ),
    })
    .prefault({})
    .describe('How a node is identified across sources, so GPU alerts and Engine alerts about the same machine meet.'),

  extraLabels: z
    .record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { message: 'label names must match [a-zA-Z_][a-zA-Z0-9_]*' }), z.string())
    .default({})
    .describe('Labels added to every alert (e.g. team: speech). Use them for routing in a shared Alertmanager.'),

  intervals: z
    .strictObject({
      evaluation: duration('1m', 'How often Prometheus evaluates the dgmon rule groups. 1m matches most setups; tests scale it down.'),
      rate: duration('5m', 'Window of the rate() recording rules behind most alerts: long enough to hold several scrapes at a 15-60 s scrape interval, short enough to detect faults within minutes.'),
      scrape: duration('15s', 'The scrape interval you use for Deepgram and DCGM (dcgm-exporter\'s chart default). Used to compute detection bounds and in generated scrape configs.'),
    })
    .prefault({})
    .describe('Evaluation, rate-window and scrape intervals. Tests scale these down to run the same rules in seconds.'),

  traffic: z
    .strictObject({
      minRequestRate: z
        .number()
        .min(0, { message: 'must be 0 or more requests per second' })
        .default(0.01)
        .describe('DeepgramRealtimeFactorLow and DeepgramGPUIdleWhileServing stay silent below this rate of finished requests (per second, per node): a speed-up or an idle GPU means nothing without work. 0 means any traffic. Ratio and latency alerts gate on counts in their window instead (minRequests, minErrors).'),
      minRequests: z
        .number()
        .int({ message: 'must be a whole number of requests' })
        .min(0, { message: 'must be 0 or more requests' })
        .default(30)
        .describe('Every ratio alert (DeepgramHighErrorRate, DeepgramErrorBudgetBurn, DeepgramStreamingLatencyBudgetBurn) and the batch P95 of DeepgramHighLatencyP95 judge a window only when it holds at least this many requests (streaming latency observations for the latency SLO; both the long and the short window for burn rates): a ratio of a handful of requests is noise, "no traffic never pages", and with 20 or more requests one slow file cannot lift a P95. The SRE workbook\'s advice for low-traffic services. Lower it only for a service that is always this quiet; the synthetic probe (exporter.probe) watches such a service better.'),
      minErrors: z
        .number()
        .int({ message: 'must be a whole number of errors' })
        .min(0, { message: 'must be 0 or more errors' })
        .default(5)
        .describe('…and at least this many bad events in that window (server errors, streaming observations over the latency target): one or two failed requests at 3 a.m. never page, however large a share of a quiet window they are. 5 at the defaults: one 5xx among 24 requests an hour, or among 48, stays silent; a steady 5 % of 1 request/s reaches it in two minutes.'),
    })
    .prefault({})
    .describe('When there is too little traffic for a ratio or a quantile to mean anything.'),

  alerts: z
    .strictObject({
      DeepgramHighErrorRate: alert('Server-error share of Engine requests per node (source="engine"), of the calls of applications using the dgmon client (source = theirs), and of the synthetic probe\'s runs (source="probe").', {
        severity: severity('critical', 'Server errors reach users directly: page.'),
        threshold: ratio(0.05, 'Share of Engine requests answered 5xx, and of client calls failing server-side (5xx, timeout, connection), over intervals.rate; the same share of failed probe runs over probeWindow. 5 % is the production checklist\'s limit.'),
        for: duration('5m', 'The brief: over 5 % for 5 minutes. Together with recentWindow, server errors must go on for 5 minutes: a 30-second burst keeps the 5m ratio high for 5 minutes without being an outage, and never pages. An 8 % error burst pages within about 8-10 minutes.'),
        recentWindow: duration('1m', 'Errors must also have happened within this window at every evaluation of for: (still failing, the short window of the SRE workbook\'s multi-window alerts), so for: counts minutes of errors rather than minutes in which the 5m ratio still remembers a burst. Keep it at 2-4 scrape intervals.'),
        probeWindow: duration('15m', 'Window of the probe\'s failed-run share. The probe sends two runs a minute (batch and stream): 15 minutes hold about 30, enough for a share to mean something.'),
        probeMinFailures: positive(3, 'Failed probe runs (server error, timeout, connection, or refused by the open circuit) needed within probeWindow besides the share: one failed probe is a blip and must not page; three are a pattern. A dead API reaches three within about two minutes.'),
      }),
      DeepgramHighLatencyP95: alert('Batch P95 response time per node.', {
        severity: severity('warning', 'Batch callers are not waiting live; slow is a ticket, not a page.'),
        thresholdSeconds: positive(10, 'P95 of engine_batch_response_time_seconds (and of dgmon_transcription_duration_seconds{mode="batch"} for clients and the probe). 10 s is the production checklist\'s limit; set it to your batch SLA. Keep it on a bucket boundary (1, 2.5, 5, 10, 30, 60) for an exact comparison.'),
        for: duration('5m', 'The brief: over the target for 5 minutes. One large file does not open a ticket: it is one observation of many under the traffic gate (traffic.minRequests), not 5 % of them. Together with recentWindow, batch requests must be slow for 5 minutes, not for the 5 minutes in which the rate window still remembers a few slow ones.'),
        recentWindow: duration('1m', 'The P95 over this window must be over the target too at every evaluation of for: (still slow, as DeepgramHighErrorRate\'s recentWindow), so for: counts minutes of slow requests: two or three minutes of long files keep the 5m P95 up for 7-8 minutes but never open a ticket. Applies to the Engine (source="engine") and applications; the probe has its own window. Keep it at 2-4 scrape intervals.'),
        probeWindow: duration('30m', 'Window of the probe\'s batch P95: one batch probe a minute gives 30 observations, so one slow probe stays under the P95 and two do not (2 of 30 is over 5 %).'),
        probeMinRequests: positive(20, 'Successful batch probes needed within probeWindow: below 20 observations a P95 is simply the slowest one. A longer probe interval needs a longer probeWindow.'),
      }),
      DeepgramStreamingLatencyHigh: alert('Mean streaming latency per node against the 400 ms target.', {
        severity: severity('warning', 'Streams degrade before they fail.'),
        thresholdSeconds: positive(0.4, 'Mean of engine_stream_latency. Deepgram asks every simultaneous stream to keep an average response time of 400 ms or less.'),
        for: duration('5m', 'Sustained: short spikes happen when many streams open at once.'),
      }),
      DeepgramRateLimited: alert('HTTP 429 answers seen by dgmon and applications using its client library.', {
        severity: severity('warning', 'Throttling is a capacity or plan problem, fixed in hours, not minutes.'),
        maxHits: positive(10, 'Rate-limit (HTTP 429) hits allowed within `window` before alerting; the production checklist says more than 10 per hour.'),
        window: duration('1h', 'The window hits are counted over.'),
        for: duration('1m', 'Short: the window already smooths.'),
      }),
      DeepgramHealthCheckFailing: alert('The health check of the exporter (the same as its /health; source="health_check"), consecutive failed probe runs (source="probe"), and client circuit breakers held open (source = the application\'s).', {
        severity: severity('critical', 'The exporter cannot reach the API or the API has no Engine: users are affected.'),
        for: duration('2m', 'The production checklist: failing for more than 2 minutes.'),
        probeFailures: positive(3, 'Consecutive failed runs of one probe mode before its for: starts: one failed probe (a restart, a blip) never pages; at one probe a minute, three in a row plus the for: page within about 4 minutes.'),
      }),
      DeepgramSourceDown: alert('Scrape targets down or absent, and sources the exporter cannot read.', {
        severity: severity('critical', 'Severity when the Engine is what is down or blind (source="engine"): an Engine target, an exporter that carried the Engine, the Engine source of an exporter, or every Engine of a cluster gone. Either the service stops or every Engine alert of that node is blind.'),
        monitoringSeverity: severity('warning', 'Severity when only monitoring is blind and the service runs on: dcgm-exporter (GPU alerts blind), an exporter that does not carry the Engine, an exporter source other than the Engine (the API is paged by DeepgramHealthCheckFailing, the License Proxy by its own alert). Fix within the business day.'),
        for: duration('2m', 'Rides out one missed scrape and a rolling restart.'),
        lookback: duration('1d', 'How long dgmon remembers what it has seen: a cluster that had Engine, dcgm-exporter or exporter targets within it and has none now pages (reason target_absent), and an exporter that carried the Engine within it counts as the Engine when it goes down. The page resolves by itself once the lookback has passed; a cluster removed on purpose: silence it for this long.'),
      }),
      DeepgramEngineDisconnected: alert('The API reporting no connected Engine.', {
        severity: severity('critical', 'An API without an Engine fails every request.'),
        for: duration('1m', 'Engines reconnect within seconds after a restart; a minute means they are gone.'),
      }),
      DeepgramAPIDegraded: alert('The system_health judgement of the API itself (Degraded, Critical).', {
        severity: severity('warning', 'Severity while system_health is Degraded (40-90 % of recent requests succeed).'),
        criticalSeverity: severity('critical', 'Severity while system_health is Critical (under 40 % succeed).'),
        for: duration('5m', 'How long Degraded must last.'),
        criticalFor: duration('2m', 'How long Critical must last.'),
      }),
      DeepgramStreamCapacityHigh: alert('Open streams against the estimated stream capacity of each node.', {
        severity: severity('warning', 'A warning ahead of saturation, so nodes can be added in time.'),
        threshold: ratio(0.8, 'Active streams / engine_estimated_stream_capacity on a node. 0.8 leaves room for a burst; Deepgram\'s chart scales at the same ratio.'),
        for: duration('15m', 'Sustained load, not a burst.'),
      }),
      DeepgramConcurrencyLimitNear: alert('Active requests against engine.toml max_active_requests per node.', {
        severity: severity('warning', 'At the limit the API answers 429.'),
        threshold: ratio(0.9, 'Active requests / engine_max_active_requests. Only evaluated where max_active_requests is set (non-zero).'),
        for: duration('5m', 'Sustained.'),
      }),
      DeepgramNoHeadroomForNodeLoss: alert('N+1: whether current streams would fit if the largest node were lost.', {
        severity: severity('warning', 'Not an outage yet: losing one node would cause one.'),
        minNodes: positive(2, 'Only evaluated for clusters with at least this many Engine nodes: a single-node deployment has no N+1 by design.'),
        for: duration('15m', 'Sustained demand, not a burst.'),
      }),
      DeepgramRealtimeFactorLow: alert('Batch speed-up (audio seconds per wall second) per node.', {
        severity: severity('warning', 'Slow transcription is a capacity or GPU problem, not an outage.'),
        minSpeedup: positive(50, 'Batch audio seconds per wall second on a node. A healthy T4-class node runs about 100x; under 50x something is wrong (CPU fallback, contention).'),
        for: duration('15m', 'Sustained.'),
      }),
      DeepgramLicenseProxyTrustBased: alert('The License Proxy not connected to its licence server: running on trust (TrustBased), or in a state Deepgram\'s readiness probe does not accept (Other).', {
        severity: severity('warning', 'TrustBased while more than half the trust period is left: service continues, and a ticket is worked within that time.'),
        criticalSeverity: severity('critical', 'TrustBased once half the trust period has passed (a ticket may no longer be worked before service stops), and state Other at once: Deepgram\'s readiness probe accepts only Connected and TrustBased, so a proxy in any other state serves no licence and has no trust period to wait out.'),
        trustPeriod: duration('24h', 'The License Proxy\'s pre-configured trust period: how long it keeps serving without license.deepgram.com. Nothing exposes it (no field, no metric): ask Deepgram support for yours and set it here. The TrustBased page comes after half of it.'),
        for: duration('5m', 'Rides out a brief outage of license.deepgram.com (TrustBased ticket) and a proxy restart (state Other).'),
      }),
      DeepgramGPUSaturated: alert('GPU busy ratio per GPU.', {
        severity: severity('warning', 'Time to add a node, not to wake someone.'),
        threshold: ratio(0.9, 'GPU busy ratio (DCGM_FI_DEV_GPU_UTIL, or DCGM_FI_PROF_GR_ENGINE_ACTIVE under MIG).'),
        for: duration('15m', 'The issue brief: busy over 90 % for 15 minutes.'),
      }),
      DeepgramGPUIdleWhileServing: alert('An idle GPU under an Engine with active requests (CPU fallback).', {
        severity: severity('critical', 'Only real load on a node whose every GPU is idle fires it: the Engine serves that load on CPU, many times slower, and nothing else pages for it (the latency alerts it causes are warnings). Make it a warning if your latency alerts page.'),
        threshold: ratio(0.05, 'GPU busy ratio under which a GPU counts as idle. A CPU-fallback Engine leaves its GPU at 0-2 %; real streams and batch files keep it well above 5 %.'),
        minActiveRequests: positive(3, 'Open requests and streams the node must hold at every evaluation of for: before an idle GPU counts as CPU fallback. One or two long-lived streams carrying silence or KeepAlives keep a GPU at about 2 % and are not load; 3 or more, with requests finishing (traffic.minRequestRate), are.'),
        for: duration('10m', 'Long enough that idle gaps between requests do not count.'),
      }),
      DeepgramGPUXidErrors: alert('New Xid errors per GPU, classed by code.', {
        severity: severity('warning', 'Severity for Xid codes not listed in criticalXids.'),
        criticalSeverity: severity('critical', 'Severity for Xid codes listed in criticalXids.'),
        criticalXids: z
          .array(z.number().int().positive())
          .default([48, 64, 74, 79, 94, 95, 119, 120, 140])
          .describe('Xid codes that mean failing hardware or a GPU that needs a reset (NVIDIA Xid catalog: 48 DBE ECC, 64 row-remap failure, 74 NVLink, 79 fallen off the bus, 94/95 ECC contained/uncontained, 119/120 GSP, 140 unrecovered ECC).'),
        window: duration('10m', 'A new Xid is one seen within this window; the alert clears after it.'),
        for: duration('0s', 'Xid errors are events: alert at once.'),
        criticalKeepFiringFor: duration('24h', 'How long a critical Xid keeps paging after it was last seen (Prometheus keep_firing_for). A GPU that fell off the bus (79) takes its own series with it, so without this the page resolved by itself within the window while the GPU was still gone; held for a day, it stays until someone acts (silence it once the GPU is reset or replaced). 0s: resolve after the window.'),
      }),
      DeepgramGPUTemperatureHigh: alert('GPU temperature per GPU.', {
        severity: severity('warning', 'Hot GPUs throttle before they fail.'),
        thresholdCelsius: positive(85, 'DCGM_FI_DEV_GPU_TEMP. Data-centre GPUs throttle around 85-90 °C.'),
        for: duration('10m', 'Sustained.'),
      }),
      DeepgramGPUMemoryNearlyFull: alert('Framebuffer memory used per GPU.', {
        severity: severity('warning', 'The next model load or large batch may fail.'),
        threshold: ratio(0.95, 'Framebuffer used / total. The Engine preloads models, so 70-90 % is normal; raise this if your node runs steadily higher.'),
        for: duration('15m', 'Sustained.'),
      }),
      DeepgramGPUMemoryErrors: alert('Uncorrectable remapped rows and row-remap failures per GPU.', {
        severity: severity('critical', 'Uncorrectable memory errors corrupt results and precede GPU failure.'),
        window: duration('10m', 'An increase of uncorrectable remapped rows within this window fires.'),
        for: duration('0s', 'Hardware events: alert at once.'),
      }),
      DeepgramGPUDisappeared: alert('A node reporting fewer GPUs than it did within the lookback (a GPU fell off the bus, or its driver lost it).', {
        severity: severity('critical', 'A GPU vanished: hardware failed and the node\'s capacity is reduced; it needs a human (reset, reboot or replacement).'),
        lookback: duration('1d', 'The most GPUs a node reported within this window is what it should still have. The alert resolves by itself once the lower count has lasted this long; a GPU removed on purpose: silence it for this long.'),
        for: duration('5m', 'Rides out a partial scrape while dcgm-exporter restarts.'),
      }),
      DeepgramGPUMetricsMissing: alert('Nodes running an Engine without GPU metrics.', {
        severity: severity('warning', 'GPU alerts are blind on that node.'),
        for: duration('10m', 'Rides out a dcgm-exporter restart.'),
      }),
      DeepgramTLSCertificateExpiringSoon: alert('The certificate chain served by the TLS proxy in front of the Deepgram API (exporter.expiry.tls).', {
        ...expiryThresholds('Renewing a certificate takes a change window, not a night: two weeks ahead is a ticket.', 'Three days out the renewal has failed or was forgotten, and clients will refuse the proxy: page.'),
        for: duration('10m', 'Rides out the old certificate still being read for one check interval right after a renewal (the exporter re-checks every exporter.expiry.interval).'),
      }),
      DeepgramAPIKeyExpiringSoon: alert('Deepgram API keys with an expiry date (declared in exporter.expiry.apiKeys, or read from Deepgram\'s key listing).', {
        ...expiryThresholds('Production keys live 90 days: two weeks ahead leaves time to roll out the prepared fallback key as a ticket.', 'Three days out a key still in use will stop working: page.'),
        for: duration('10m', 'Rides out a key that was just rotated until the next listing (exporter.expiry.interval).'),
      }),
      DeepgramExpiryCheckFailing: alert('The expiry watch itself: a TLS endpoint that cannot be checked, or a key listing that fails.', {
        severity: severity('warning', 'Expiry alerts have weeks of lead time; a blind check is a ticket, not a page. The last known expiry keeps being served, so a failing check never hides an expiry already seen.'),
        for: duration('1h', 'Several failed checks in a row (one every exporter.expiry.interval): a proxy restart or a brief Deepgram API outage must not open a ticket.'),
      }),
      DeepgramWatchdog: z
        .strictObject({ enabled: z.boolean().default(true).describe('The always-firing dead man\'s switch. Keep it, and have the watchdog receiver alert when it stops arriving.') })
        .prefault({})
        .describe('The dead man switch.'),
    })
    .prefault({})
    .describe('One block per alert, named after it: thresholds, `for:` durations and severities.'),

  slo: z
    .strictObject({
      period: duration('30d', 'The SLO period the error budget is measured over.'),
      availability: z
        .strictObject({
          enabled,
          objective: ratio(0.999, 'Share of Engine requests not answered 5xx. 99.9 % allows 43 minutes of full outage in 30 days. 4xx are client errors and spend no budget.'),
        })
        .prefault({})
        .describe('The availability SLO: requests not answered with a server error.'),
      streamingLatency: z
        .strictObject({
          enabled,
          objective: ratio(0.99, 'Share of engine_stream_latency observations at or under thresholdSeconds.'),
          thresholdSeconds: positive(0.4, 'Deepgram\'s 400 ms streaming target. Must be one of engine_stream_latency\'s bucket bounds (0.1 to 2.0 in steps of 0.1, 5, 10).'),
        })
        .prefault({})
        .describe('The streaming latency SLO: observations within the 400 ms target.'),
      burnRateWindows: burnWindows,
    })
    .prefault({})
    .describe('Error-budget burn-rate alerts (DeepgramErrorBudgetBurn, DeepgramStreamingLatencyBudgetBurn).'),

  runbooks: z
    .strictObject({
      baseUrl: z
        .string()
        .url({ message: 'must be an absolute URL such as https://wiki.example.com/runbooks' })
        .default('https://runbooks.example.com/dgmon')
        .describe('Where you publish the generated runbooks (DIR/runbooks/*.md). Each alert links to <baseUrl>/<AlertName>.md. Change it: the default is a placeholder, and dgmon generate says so.'),
      escalation: z
        .strictObject({
          team: z.string().min(1).default('the Deepgram platform team').describe('Who owns Deepgram in your organisation: every runbook escalates to this name where it says "the Deepgram platform owner".'),
          contact: z.string().default('').describe('How to reach that team out of hours (a pager schedule, an on-call rota URL, a phone number). Empty: the runbooks say to set it.'),
          channel: z.string().default('').describe('Where an incident is run (a chat channel such as #deepgram-incidents, a bridge). Empty: the runbooks say to set it.'),
          deepgramSupport: z
            .strictObject({
              contact: z.string().min(1).default('Deepgram support (support portal or your Deepgram account team)').describe('How your organisation opens a case with Deepgram.'),
              attach: z
                .array(z.string().min(1))
                .default([
                  'the alert: name, labels and start time, and the dgmon version (dgmon_rules_info)',
                  'API and Engine logs from 15 minutes before the start (docker logs / kubectl logs; lines prefixed stem:: and impeller::, License Proxy hermes::)',
                  'request ids (dg-request-id header) of failed or slow requests',
                  'the Engine and API image tags, engine.toml and api.toml without secrets, and the GPU driver version (nvidia-smi)',
                  'for GPU faults: nvidia-smi -q, the kernel log (journalctl -k) and the GPU serial',
                ])
                .describe('What to attach to a Deepgram support case, listed in every runbook.'),
            })
            .prefault({})
            .describe('Deepgram support, the last step of every escalation.'),
        })
        .prefault({})
        .describe('Who the runbooks escalate to: your team, its channel, and Deepgram support with what to attach. Rendered into the "When to escalate" section of every runbook.'),
    })
    .prefault({})
    .describe('Where on-call finds the runbook linked from each alert.'),

  grafana: z
    .strictObject({
      url: z
        .string()
        .url({ message: 'must be an absolute URL such as https://grafana.example.com' })
        .default('http://localhost:3000')
        .describe('Your Grafana, for the dashboard_url annotation on every alert.'),
      folder: z.string().default('Deepgram').describe('Grafana folder the dashboards are provisioned into.'),
    })
    .prefault({})
    .describe('Your Grafana, for links from alerts to dashboards.'),

  alertmanager: z
    .strictObject({
      groupBy: z
        .array(z.string())
        .default(['alertname', 'cluster'])
        .describe('One notification per alert name and cluster: ten nodes with the same fault are one incident. Inhibitions remove the follow-on alerts of a node that is down.'),
      groupWait: duration('30s', 'Waits for alerts of the same incident to arrive before the first notification.'),
      groupInterval: duration('5m', 'Minimum time between notifications about changes in a group.'),
      repeatInterval: duration('4h', 'Re-notify about a still-firing alert this often.'),
      receivers: z
        .strictObject({
          pager: receiver.describe('Critical alerts: a paging integration (pagerduty_configs, opsgenie_configs, …).'),
          ticket: receiver.describe('Warning and info alerts: a ticket queue or chat channel.'),
          watchdog: receiver.describe('DeepgramWatchdog, every minute: a dead man\'s switch service that alerts when it stops.'),
        })
        .prefault({})
        .describe('Where notifications go, by route: pages, tickets and the watchdog heartbeat.'),
    })
    .prefault({})
    .describe('Routing, grouping and receivers for the generated alertmanager.yml.'),

  exporter: z
    .strictObject({
      listen: z
        .string()
        .regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s]*):\d{1,5}$/, { message: 'must be HOST:PORT, e.g. 0.0.0.0:9898 or 127.0.0.1:9898 (an empty host listens everywhere)' })
        .default('0.0.0.0:9898')
        .describe('Where the exporter serves /metrics, /health, /ready and its landing page. Flag --listen, env DGMON_LISTEN.'),
      scrapeBudget: duration('8s', 'Total time one scrape may spend fetching all sources in parallel. Keep it under Prometheus\' scrape_timeout (10s by default) so a hanging upstream never costs the whole scrape.'),
      maxBodyBytes: z
        .number()
        .int()
        .positive({ message: 'must be a positive number of bytes' })
        .default(16 * 1024 * 1024)
        .describe('Largest upstream body read, in bytes. An 8-GPU dcgm-exporter page is about 100 KiB; 16 MiB stops a broken upstream from exhausting memory.'),
      healthCacheTtl: duration('5s', 'How long a health-check result is reused, so a burst of /health probes (load balancers, Kubernetes) never hammers the API.'),
      apiKeyFile: z
        .string()
        .default('')
        .describe('File holding a Deepgram API key, sent as "Authorization: Token …" to the API if your proxy asks for one. Env DEEPGRAM_API_KEY also works. Never logged.'),
      sources: z
        .strictObject({
          engine: upstream('The Engine metrics endpoint, e.g. http://127.0.0.1:9991/metrics. Flag --engine-url, env DGMON_ENGINE_URL. Its metrics are passed through unchanged.'),
          dcgm: upstream('dcgm-exporter\'s endpoint, e.g. http://127.0.0.1:9400/metrics. Flag --dcgm-url, env DGMON_DCGM_URL. Passed through unchanged.'),
          api: upstream('The Deepgram API base URL, e.g. http://127.0.0.1:8080 (dgmon reads /v1/status, /v1/status/engine, /v1/models). Flag --api-url, env DGMON_API_URL.'),
          licenseProxy: upstream('The License Proxy status base URL, e.g. http://127.0.0.1:8089 (dgmon reads /v1/status). Flag --license-proxy-url, env DGMON_LICENSE_PROXY_URL.'),
          nvidiaSmi: z
            .strictObject({
              enabled: z.boolean().default(false).describe('Read GPU stats from nvidia-smi where no dcgm-exporter runs (bare metal). Emits the DCGM metric names for the fields nvidia-smi has.'),
              binary: z.string().default('nvidia-smi').describe('Path of nvidia-smi.'),
              timeout: duration('5s', 'How long nvidia-smi may take; it can hang when the driver is wedged.'),
            })
            .prefault({})
            .describe('The nvidia-smi fallback collector.'),
        })
        .prefault({})
        .describe('What the exporter reads. Each is optional: an empty url leaves the source out.'),
      expiry: z
        .strictObject({
          interval: duration('5m', 'How often each certificate and key listing is read again. Certificates and keys change on renewal only, so the exporter reuses the last reading in between (checked when scraped, never in the background) instead of dialling the proxy or Deepgram on every scrape.'),
          timeout: duration('5s', 'How long one TLS handshake or key listing may take. A check that outlives the scrape budget finishes for the next scrape.'),
          tls: z
            .array(
              z.strictObject({
                name: z.string().default('').describe('Label for this endpoint (the target label). Empty: the address.'),
                address: z
                  .string({ error: 'must be HOST:PORT of the TLS endpoint, e.g. api.example.com:443' })
                  .regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s/]+):\d{1,5}$/, { message: 'must be HOST:PORT of the TLS endpoint, e.g. api.example.com:443 or 10.0.0.5:443 (no scheme, no path)' })
                  .describe('HOST:PORT of the proxy terminating TLS in front of the Deepgram API (NGINX, HAProxy, Apache).'),
                serverName: z.string().default('').describe('Server name sent in SNI and checked against the certificate. Empty: the host of address (none is sent for an IP address). Set it when you dial an IP or a load balancer that serves several names.'),
                caFile: z.string().default('').describe('PEM file of the CA that signs an internal certificate, for dgmon_tls_cert_verified. Empty: the system trust store. The expiry is reported either way.'),
              }),
            )
            .default([])
            .describe('TLS endpoints whose certificates must not expire unseen (DeepgramTLSCertificateExpiringSoon), e.g. [{ name: api-proxy, address: api.example.com:443 }]; each entry also takes serverName and caFile. A certificate that does not verify (untrusted, expired, wrong name) is still read and reported, with dgmon_tls_cert_verified 0.'),
          apiKeys: z
            .strictObject({
              declared: z
                .array(
                  z.strictObject({
                    name: z
                      .string({ error: 'must be a name for the key, e.g. production or fallback' })
                      .min(1, { message: 'must be a name for the key, e.g. production or fallback' })
                      // A Deepgram API key is 40 hex characters: refuse one pasted here, since names end up as labels.
                      .refine((n) => !/^[0-9a-f]{32,}$/i.test(n), { message: 'looks like an API key itself; write a name for the key (production, fallback), never the key: names become metric labels' })
                      .describe('A name for the key (the key label), e.g. production or fallback. Never the key itself.'),
                    expires: z
                      .string({ error: 'must be an ISO 8601 date such as 2025-09-30 or 2025-09-30T12:00:00Z' })
                      .refine(isIsoDate, { message: 'must be an ISO 8601 date such as 2025-09-30 or 2025-09-30T12:00:00Z (a date alone means midnight UTC)' })
                      .describe('When the key expires, as shown in the Deepgram console or returned when the key was created (expiration_date).'),
                  }),
                )
                .default([])
                .describe('Keys whose expiry you know (self-hosted deployments, keys of other projects), e.g. [{ name: production, expires: 2025-12-01 }, { name: fallback, expires: 2026-01-15 }]: one entry per key, updated here when the key is rotated.'),
              listing: z
                .strictObject({
                  projectId: z.string().default('').describe('The Deepgram project whose keys are listed (GET /v1/projects/{projectId}/keys, active keys only). Empty: no listing.'),
                  baseUrl: z
                    .string()
                    .refine((u) => /^https?:\/\/[^\s]+$/.test(u), { message: 'must be an http:// or https:// URL, e.g. https://api.deepgram.com' })
                    .default('https://api.deepgram.com')
                    .describe('Deepgram\'s management API. Change it only for a proxy or a test double.'),
                  keyFile: z.string().default('').describe('File holding the management key (scope keys:read is enough). Env DEEPGRAM_MANAGEMENT_API_KEY also works. Never logged, never a label.'),
                  labelComments: z
                    .boolean()
                    .default(false)
                    .describe('Add each key\'s comment (its name in the console) as a label. Off by default: comments are free text someone may have pasted a secret into; the api_key_id identifies the key without it.'),
                })
                .prefault({})
                .describe('Read expiry dates of hosted keys from Deepgram\'s management API instead of declaring them.'),
            })
            .prefault({})
            .describe('Deepgram API keys whose expiry must be seen coming (DeepgramAPIKeyExpiringSoon). Production keys live 90 days.'),
        })
        .prefault({})
        .describe('The expiry watch: certificates of the TLS proxy in front of the API and Deepgram API keys, exported as expiry timestamps.'),
      probe: z
        .strictObject({
          enabled: z
            .boolean()
            .default(false)
            .describe('Send a short known clip to Deepgram on a schedule and export how it went (dgmon_probe_*, and dgmon_transcription_* with source="probe"). Off by default: every probe is a billed transcription on hosted Deepgram and a request on your self-hosted fleet.'),
          interval: duration('1m', 'Time between two probes of each mode (jittered by 10 % so a fleet of exporters does not probe in step). One a minute sees an outage within a minute or two and costs about 1.5 h of audio a month per mode.'),
          batch: z.boolean().default(true).describe('Probe pre-recorded transcription (POST /v1/listen).'),
          stream: z.boolean().default(true).describe('Probe live streaming (WebSocket /v1/listen, the clip paced in real time); runs half an interval after the batch probe, so the two never compete.'),
          chunkMs: z
            .number({ error: 'must be a number of milliseconds' })
            .int({ message: 'must be a whole number of milliseconds' })
            .min(20, { message: 'must be 20 to 1000 ms; Deepgram advises 20-100 ms chunks' })
            .max(1000, { message: 'must be 20 to 1000 ms; Deepgram advises 20-100 ms chunks' })
            .default(100)
            .describe('Audio per streamed chunk, in ms. 100 ms is what most live sources send and the upper end of Deepgram\'s advice; each chunk\'s response latency is measured against the 400 ms target.'),
          timeout: duration('30s', 'Per call: a batch request until its answer, a stream until its handshake and between answers. 30 s is the client library\'s default; a probe that takes longer has failed as far as a user is concerned.'),
          retries: z
            .number({ error: 'must be a number' })
            .int({ message: 'must be a whole number' })
            .min(0, { message: 'must be 0 or more' })
            .max(5, { message: 'must be at most 5: a probe that needs more retries has failed' })
            .default(2)
            .describe('Retries of a failed call (429, 5xx, timeout, connection), with exponential backoff and jitter. Two ride out a restart; a probe run fails only when every attempt fails.'),
          breaker: z
            .strictObject({
              consecutiveFailures: z
                .number({ error: 'must be a number' })
                .int({ message: 'must be a whole number' })
                .min(1, { message: 'must be 1 or more' })
                .default(3)
                .describe('Consecutive server-side failures (5xx, timeouts, connection failures) that open the circuit: with 2 retries, one fully failed probe run.'),
              halfOpenAfter: duration('5m', 'How long the open circuit refuses probes (counted as failed runs, result "not_sent") before one trial call: a dead API gets one probe call per 5 minutes instead of three a minute.'),
            })
            .prefault({})
            .describe('The circuit breaker in front of the probe\'s calls, so a dead API is not hammered.'),
          expectedWords: z
            .array(z.string().regex(/^[^\s]+$/, { message: 'must be single words without spaces, e.g. [alfa, bravo]' }))
            .default([])
            .describe('Words the transcript must contain (case and punctuation ignored). Empty: any non-empty transcript passes. The built-in clip is tones the simulator hears as "alfa bravo charlie" and a real Deepgram as silence: against a real API set audioFile to a recording of speech and list its words here.'),
          audioFile: z
            .string()
            .default('')
            .describe('A short WAV file (mono 16-bit PCM, a few seconds of speech) to send instead of the built-in synthesised clip. Read once at start-up.'),
          model: z.string().regex(/^[A-Za-z0-9._-]*$/, { message: 'must be a model name such as nova-3, or empty' }).default('').describe('The model parameter of the probe\'s requests. Empty: the API\'s default model.'),
          apiUrl: z
            .string()
            .refine((u) => u === '' || /^https?:\/\/[^\s]+$/.test(u), { message: 'must be an http:// or https:// URL, or empty to probe exporter.sources.api.url' })
            .default('')
            .describe('The Deepgram API to probe. Empty: the one the exporter reads (exporter.sources.api.url). Set https://api.deepgram.com to probe hosted Deepgram. The key is exporter.apiKeyFile or DEEPGRAM_API_KEY, never logged.'),
        })
        .prefault({})
        .describe('The synthetic probe: a known clip transcribed on a schedule in the background (never inside a scrape), batch and streaming, measured under catalogue names with source="probe".'),
      basicAuth: z
        .strictObject({
          username: z.string().default('').describe('Username required on every endpoint but /health and /ready. Empty: no authentication.'),
          passwordFile: z.string().default('').describe('File holding the password (env DGMON_BASIC_AUTH_PASSWORD also works).'),
        })
        .prefault({})
        .describe('Optional HTTP basic authentication on the exporter\'s own endpoints.'),
      tls: z
        .strictObject({
          certFile: z.string().default('').describe('PEM certificate for HTTPS on the exporter\'s endpoints. Empty: plain HTTP.'),
          keyFile: z.string().default('').describe('PEM private key matching certFile.'),
        })
        .prefault({})
        .describe('Optional TLS on the exporter\'s own endpoints.'),
    })
    .prefault({})
    .describe('The dgmon exporter sidecar (`dgmon exporter`). Flags and environment variables override these.'),

  packaging: packaging,
});

export type DgmonConfig = z.infer<typeof configSchema>;
export type BurnWindow = z.infer<typeof burnWindow>;

/** Checks that need more than one field at a time. */
const crossChecked = configSchema.superRefine((c, ctx) => {
  const bounds = ENGINE.streamLatency.buckets ?? [];
  if (!bounds.includes(c.slo.streamingLatency.thresholdSeconds)) {
    ctx.addIssue({
      code: 'custom',
      path: ['slo', 'streamingLatency', 'thresholdSeconds'],
      message: `must be one of engine_stream_latency's bucket bounds (${bounds.join(', ')}): the SLO counts observations in the bucket at that bound`,
    });
  }
  // Refinements run even when a field above failed its own check, so every duration is re-checked before use.
  const seconds = (d: string) => (isDuration(d) ? durationSeconds(d) : NaN);
  c.slo.burnRateWindows.forEach((w, i) => {
    if (seconds(w.short) >= seconds(w.long)) {
      ctx.addIssue({ code: 'custom', path: ['slo', 'burnRateWindows', i, 'short'], message: `must be shorter than long (${w.long}); the usual short window is long / 12` });
    }
  });
  for (const key of ['evaluation', 'scrape'] as const) {
    if (seconds(c.intervals[key]) >= seconds(c.intervals.rate)) {
      ctx.addIssue({ code: 'custom', path: ['intervals', 'rate'], message: `must be longer than intervals.${key} (${c.intervals[key]}), or rate() has too few samples; 4x the scrape interval is the usual minimum` });
    }
  }
  if (c.exporter.tls.certFile !== '' && c.exporter.tls.keyFile === '') {
    ctx.addIssue({ code: 'custom', path: ['exporter', 'tls', 'keyFile'], message: 'must be set when certFile is: the PEM private key of the certificate' });
  }
  if (c.exporter.basicAuth.username !== '' && c.exporter.basicAuth.passwordFile === '' && !process.env.DGMON_BASIC_AUTH_PASSWORD) {
    ctx.addIssue({ code: 'custom', path: ['exporter', 'basicAuth', 'passwordFile'], message: 'must name a file holding the password (or set DGMON_BASIC_AUTH_PASSWORD) when a username is set' });
  }
  for (const name of ['DeepgramTLSCertificateExpiringSoon', 'DeepgramAPIKeyExpiringSoon'] as const) {
    const t = c.alerts[name];
    if (t.warningDays <= t.criticalDays) {
      ctx.addIssue({ code: 'custom', path: ['alerts', name, 'warningDays'], message: `must be more than criticalDays (${t.criticalDays}): the warning comes first, e.g. warningDays: 14, criticalDays: 3` });
    }
  }
  const probe = c.exporter.probe;
  if (probe.enabled && probe.apiUrl === '' && c.exporter.sources.api.url === '') {
    ctx.addIssue({ code: 'custom', path: ['exporter', 'probe', 'apiUrl'], message: 'must be set when the probe is enabled and exporter.sources.api.url is empty: the API to probe, e.g. http://127.0.0.1:8080 (or pass --api-url)' });
  }
  if (probe.enabled && !probe.batch && !probe.stream) {
    ctx.addIssue({ code: 'custom', path: ['exporter', 'probe', 'batch'], message: 'batch and stream are both off: turn one on, or set exporter.probe.enabled: false' });
  }
  const expiry = c.exporter.expiry;
  const tlsNames = expiry.tls.map((t) => t.name || t.address);
  tlsNames.forEach((name, i) => {
    if (tlsNames.indexOf(name) !== i) ctx.addIssue({ code: 'custom', path: ['exporter', 'expiry', 'tls', i, 'name'], message: `"${name}" is used twice; give each endpoint its own name (the target label)` });
  });
  const keyNames = expiry.apiKeys.declared.map((k) => k.name);
  keyNames.forEach((name, i) => {
    if (keyNames.indexOf(name) !== i) ctx.addIssue({ code: 'custom', path: ['exporter', 'expiry', 'apiKeys', 'declared', i, 'name'], message: `"${name}" is declared twice; each key needs its own name` });
  });
  if (expiry.apiKeys.listing.projectId !== '' && expiry.apiKeys.listing.keyFile === '' && !process.env.DEEPGRAM_MANAGEMENT_API_KEY) {
    ctx.addIssue({ code: 'custom', path: ['exporter', 'expiry', 'apiKeys', 'listing', 'keyFile'], message: 'must name a file holding a management key with scope keys:read (or set DEEPGRAM_MANAGEMENT_API_KEY) when projectId is set' });
  }
  const jobs = scrapeJobs(c);
  const checks: [string[], keyof ScrapeJobs, 'engine' | 'dcgm' | 'exporter'][] = [
    [['packaging', 'jobs', 'engine'], 'engine', 'engine'],
    [['packaging', 'helm', 'engineJob'], 'helmEngine', 'engine'],
    [['packaging', 'jobs', 'dcgm'], 'dcgm', 'dcgm'],
    [['packaging', 'jobs', 'exporter'], 'exporter', 'exporter'],
  ];
  for (const [path, key, source] of checks) {
    const job = jobs[key];
    if (job === undefined) {
      ctx.addIssue({ code: 'custom', path, message: `no job name can be derived from selectors.${source} (${c.selectors[source]}); set ${path.join('.')} to a job name it matches` });
    } else if (!jobMatches(c.selectors[source], job)) {
      ctx.addIssue({ code: 'custom', path, message: `job "${job}" is not matched by selectors.${source} (${c.selectors[source]}): the generated scrape would be invisible to the rules; rename the job or widen the selector` });
    }
  }
  if (!c.cluster.multiCluster && c.alertmanager.groupBy.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['alertmanager', 'groupBy'], message: 'must name at least one label, e.g. [alertname, cluster]' });
  }
});

export class ConfigError extends Error {
  constructor(readonly problems: string[], source: string) {
    super(`invalid dgmon config (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses raw YAML-loaded data; throws ConfigError listing every problem as "field.path: message". */
export function parseConfig(raw: unknown, source = 'dgmon.yaml'): DgmonConfig {
  const result = crossChecked.safeParse(raw ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const at = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys
        .map((key) => {
          const field = at ? `${at}.${key}` : key;
          const known = knownKeys(issue.path.map(String));
          const near = closest(key, known);
          return `${field}: unknown field; ${near ? `did you mean "${near}"? ` : ''}known fields here: ${known.join(', ')}`;
        })
        .join('\n  - ');
    }
    // A bad record key (extraLabels) carries the real message one level down.
    const message = issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
    return `${at || '(top level)'}: ${message}`;
  });
  throw new ConfigError(problems, source);
}

function knownKeys(path: string[]): string[] {
  let node: z.ZodType = configSchema;
  for (const key of path) {
    const shape = objectShape(node);
    if (!shape || !(key in shape)) return [];
    node = shape[key]!;
  }
  return Object.keys(objectShape(node) ?? {});
}

function objectShape(node: z.ZodType): Record<string, z.ZodType> | undefined {
  // Unwrap .default()/.prefault()/.describe() layers down to the object.
  let current: any = node;
  for (let i = 0; i < 5 && current; i++) {
    if (current.shape) return current.shape;
    current = current._zod?.def?.innerType;
  }
  return undefined;
}

function closest(word: string, candidates: string[]): string | undefined {
  const distance = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0]![j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++)
        d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
    return d[a.length]![b.length]!;
  };
  const best = candidates.map((c) => [c, distance(word, c)] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= Math.max(2, Math.floor(word.length / 3)) ? best[0] : undefined;
}

/** JSON Schema of dgmon.yaml for editors (yaml-language-server, VS Code). */
export function configJsonSchema(): object {
  return { ...z.toJSONSchema(configSchema, { io: 'input' }), title: 'dgmon.yaml' };
}
