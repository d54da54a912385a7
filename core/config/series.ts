// What dgmon reads from your Prometheus and how: the scrape jobs' selectors, which jobs must exist, the cluster and
// node labels that join series, the labels added to every alert, the intervals, and the traffic below which ratios
// and quantiles mean nothing.
import { z } from 'zod';
import { splitMatchers } from '../matchers.ts';
import { duration, labelName } from './fields.ts';

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

export const selectors = z
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
  .describe('Label matchers for each scrape job dgmon reads. Written without braces; dgmon adds them to every query.');

export const expectedTargets = z
  .strictObject({
    engine: z.boolean().default(true).describe('Page when no Engine target is scraped at all (DeepgramSourceDown). Leave on: Engine is the service.'),
    dcgm: z.boolean().default(true).describe('Page when no dcgm-exporter target is scraped at all. Turn off on nodes without dcgm-exporter (the exporter\'s nvidia-smi fallback then reports through the dgmon job).'),
    exporter: z.boolean().default(true).describe('Page when no dgmon exporter target is scraped at all: without it the health check and API status are blind.'),
  })
  .prefault({})
  .describe('Which scrape jobs must exist. A job that vanishes entirely (service discovery lost it) has no up{}=0 series, so dgmon alerts on its absence.');

export const cluster = z
  .strictObject({
    label: labelName('cluster', 'The label that names a cluster, usually set as an external label or by relabelling. Kept by every recording rule.'),
    multiCluster: z
      .boolean()
      .default(false)
      .describe('Set true when one Prometheus (or Thanos/Mimir) holds several Deepgram clusters: alert texts then name the cluster and dashboards show the cluster variable.'),
  })
  .prefault({})
  .describe('Which cluster a series belongs to, for fleets where one Prometheus watches several.');

export const node = z
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
  .describe('How a node is identified across sources, so GPU alerts and Engine alerts about the same machine meet.');

export const extraLabels = z
  .record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { message: 'label names must match [a-zA-Z_][a-zA-Z0-9_]*' }), z.string())
  .default({})
  .describe('Labels added to every alert (e.g. team: speech). Use them for routing in a shared Alertmanager.');

export const intervals = z
  .strictObject({
    evaluation: duration('1m', 'How often Prometheus evaluates the dgmon rule groups. 1m matches most setups; tests scale it down.'),
    rate: duration('5m', 'Window of the rate() recording rules behind most alerts: long enough to hold several scrapes at a 15-60 s scrape interval, short enough to detect faults within minutes.'),
    scrape: duration('15s', 'The scrape interval you use for Deepgram and DCGM (dcgm-exporter\'s chart default). Used to compute detection bounds and in generated scrape configs.'),
  })
  .prefault({})
  .describe('Evaluation, rate-window and scrape intervals. Tests scale these down to run the same rules in seconds.');

export const traffic = z
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
  .describe('When there is too little traffic for a ratio or a quantile to mean anything.');
