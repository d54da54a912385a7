// promtool unit tests for DeepgramSourceDown (issue 23, items 6 and 10): a source that stops the service or blinds
// every Engine alert pages (source="engine"), a monitoring-only source is a ticket, and a source that vanished is
// seen per source and per cluster, even where the Engine and DCGM selectors also match the exporter's job.
import { alertTest, links, promtoolTestRules, type ExpectedAlert, type PromtoolCase, type Series } from '../support/promtool.ts';
import { parseConfig } from '../../core/config.ts';
import { describe, expect, it } from 'vitest';

const ENGINE = 'job="deepgram-engine",instance="10.0.0.5:9991"';
const DCGM = 'job="dcgm-exporter",instance="10.0.0.5:9400"';
const EXPORTER = 'job="dgmon",instance="10.0.0.5:9898"';
const SUMMARY = 'A Deepgram monitoring source is down or missing.';
const LINKS = links('DeepgramSourceDown', 'deepgram-node', '10.0.0.5');

/** A target and the series that show it is there: up, and the start-up series the presence rules count. */
const engineTarget = (values: string, labels = ENGINE, present = values): Series[] => [
  { series: `up{${labels}}`, values },
  { series: `engine_estimated_stream_capacity{${labels}}`, values: present },
];
const dcgmTarget = (values: string, labels = DCGM, present = values): Series[] => [
  { series: `up{${labels}}`, values },
  { series: `DCGM_FI_DEV_GPU_TEMP{${labels},gpu="0",UUID="GPU-0",modelName="NVIDIA L4",Hostname="gpu-host-1"}`, values: present === values ? present.replace(/1/g, '60') : present },
];
const exporterTarget = (values: string, labels = EXPORTER): Series[] => [{ series: `up{${labels}}`, values }];
/** Kubernetes layout: Engine and dcgm-exporter scraped directly, the exporter reads the API only. */
const kubernetes = (): Series[] => [...engineTarget('1x30'), ...dcgmTarget('1x30'), ...exporterTarget('1x30'), { series: `dgmon_source_up{${EXPORTER},source="api"}`, values: '1x30' }];
/** Compose/systemd layout: everything through the exporter (job dgmon), which reads Engine and dcgm-exporter. */
const compose = (engine = '1x30', dcgm = '1x30'): Series[] => [
  ...exporterTarget('1x30'),
  { series: `engine_estimated_stream_capacity{${EXPORTER}}`, values: engine === '1x30' ? '1x30' : engine.replace(/0x/, 'stalex').replace(/stalex\d+/, 'stale') },
  { series: `DCGM_FI_DEV_GPU_TEMP{${EXPORTER},gpu="0",UUID="GPU-0",modelName="NVIDIA L4",Hostname="gpu-host-1"}`, values: dcgm === '1x30' ? '60x30' : '60x5 stale' },
  { series: `dgmon_source_up{${EXPORTER},source="engine"}`, values: engine },
  { series: `dgmon_source_up{${EXPORTER},source="dcgm"}`, values: dcgm },
];

const scrapeFailed = (severity: string, source: string, job: string, instance: string): ExpectedAlert => ({
  labels: { severity, reason: 'scrape_failed', source, node: '10.0.0.5', job, instance },
  annotations: { summary: SUMMARY, description: `Prometheus cannot scrape ${job} target ${instance} (node 10.0.0.5).`, ...LINKS },
});
const unreachable = (severity: string, source: string): ExpectedAlert => ({
  labels: { severity, reason: 'source_unreachable', source, node: '10.0.0.5', job: 'dgmon', instance: '10.0.0.5:9898' },
  annotations: { summary: SUMMARY, description: `The dgmon exporter 10.0.0.5:9898 (node 10.0.0.5) cannot read its ${source} source.`, ...LINKS },
});
const engineAbsent = (cluster?: string): ExpectedAlert => ({
  labels: { severity: 'critical', reason: 'target_absent', source: 'engine', ...(cluster ? { cluster } : {}) },
  annotations: {
    summary: SUMMARY,
    description: `Prometheus has no Deepgram Engine${cluster ? ` in cluster ${cluster}` : ''} any more: no engine_estimated_stream_capacity{job=~"deepgram-engine|dg_engine_metrics|dgmon"} series (the Engine registers it at start-up), directly scraped or passed through by the exporter.`,
    ...links('DeepgramSourceDown', 'deepgram-node', undefined, cluster),
  },
});
const monitoringAbsent = (source: 'dcgm' | 'exporter', cluster?: string): ExpectedAlert => ({
  labels: { severity: 'warning', reason: 'target_absent', source, ...(cluster ? { cluster } : {}) },
  annotations: {
    summary: SUMMARY,
    description:
      source === 'dcgm'
        ? `Prometheus has no dcgm-exporter target${cluster ? ` in cluster ${cluster}` : ''} any more: nothing matches DCGM_FI_DEV_GPU_TEMP{job=~"dcgm-exporter|dgmon"}.`
        : `Prometheus has no dgmon exporter target${cluster ? ` in cluster ${cluster}` : ''} any more: nothing matches up{job="dgmon"}.`,
    ...links('DeepgramSourceDown', 'deepgram-node', undefined, cluster),
  },
});
const at = (time: string, expect: ExpectedAlert[]) => [{ at: time, alert: 'DeepgramSourceDown', expect }];

alertTest('DeepgramSourceDown', {
  // Kubernetes: the Engine target stops answering (its series go with it).
  input: [...engineTarget('1 1 0x28', ENGINE, '1 1 stale'), ...dcgmTarget('1x30'), ...exporterTarget('1x30')],
  fires: { at: '10m', expect: [scrapeFailed('critical', 'engine', 'deepgram-engine', '10.0.0.5:9991'), engineAbsent()] },
  justBefore: { at: '3m' },
  belowThreshold: { input: kubernetes(), at: '10m' },
  noTraffic: { input: compose(), at: '10m' },
  more: [
    {
      name: 'DeepgramSourceDown: an Engine job that vanished while the exporter is up pages (absent() over job=~"…|dgmon" did not)',
      input: [...engineTarget('1x5', ENGINE, '1x5 stale'), ...dcgmTarget('1x30'), ...exporterTarget('1x30'), { series: `dgmon_source_up{${EXPORTER},source="api"}`, values: '1x30' }],
      alerts: [...at('9m', [engineAbsent()])],
    },
    {
      name: 'DeepgramSourceDown: dcgm-exporter down is a ticket, not a page',
      input: [...engineTarget('1x30'), ...dcgmTarget('1 1 0x28', DCGM, '60 60 stale'), ...exporterTarget('1x30')],
      alerts: at('10m', [scrapeFailed('warning', 'dcgm', 'dcgm-exporter', '10.0.0.5:9400'), monitoringAbsent('dcgm')]),
    },
    {
      name: 'DeepgramSourceDown: an exporter that does not carry the Engine down is a ticket',
      input: [...engineTarget('1x30'), ...dcgmTarget('1x30'), ...exporterTarget('1 1 0x28')],
      alerts: at('10m', [scrapeFailed('warning', 'exporter', 'dgmon', '10.0.0.5:9898')]),
    },
    {
      name: 'DeepgramSourceDown: an exporter that carried the Engine down pages as the Engine',
      input: [
        { series: `up{${EXPORTER}}`, values: '1 1 0x28' },
        { series: `engine_estimated_stream_capacity{${EXPORTER}}`, values: '1 1 stale' },
        { series: `dgmon_source_up{${EXPORTER},source="engine"}`, values: '1 1 stale' },
        ...dcgmTarget('1x30'),
      ],
      alerts: at('10m', [scrapeFailed('critical', 'engine', 'dgmon', '10.0.0.5:9898'), engineAbsent()]),
    },
    {
      name: 'DeepgramSourceDown: the exporter cannot read its Engine (page) or its dcgm source (ticket)',
      input: compose('1 1 0x28', '1 1 0x28'),
      alerts: at('10m', [unreachable('critical', 'engine'), engineAbsent(), unreachable('warning', 'dcgm'), monitoringAbsent('dcgm')]),
    },
    {
      name: 'DeepgramSourceDown: the exporter cannot read the API: a ticket (DeepgramHealthCheckFailing pages for the API)',
      input: [...kubernetes().filter((s) => !s.series.startsWith('dgmon_source_up')), { series: `dgmon_source_up{${EXPORTER},source="api"}`, values: '1 0x29' }],
      alerts: at('10m', [unreachable('warning', 'api')]),
    },
    {
      name: 'DeepgramSourceDown: jobs never seen at all page once, with their source',
      input: engineTarget('1x30'),
      alerts: at('10m', [monitoringAbsent('dcgm'), monitoringAbsent('exporter')]),
    },
    {
      name: 'DeepgramSourceDown: everything through the exporter is complete',
      input: compose(),
      alerts: at('10m', []),
    },
  ],
});

describe('DeepgramSourceDown per cluster', () => {
  const config = parseConfig({ cluster: { multiCluster: true } });
  const inCluster = (cluster: string, labels: string) => `${labels},cluster="${cluster}"`;
  const twoClusters = (b: { up: string; present: string }): Series[] => [
    ...engineTarget('1x40', inCluster('a', ENGINE)),
    ...dcgmTarget('1x40', inCluster('a', DCGM)),
    ...exporterTarget('1x40', inCluster('a', EXPORTER)),
    ...engineTarget(b.up, inCluster('b', ENGINE.replace('10.0.0.5', '10.0.1.5')), b.present),
    ...dcgmTarget('1x40', inCluster('b', DCGM.replace('10.0.0.5', '10.0.1.5'))),
    ...exporterTarget('1x40', inCluster('b', EXPORTER.replace('10.0.0.5', '10.0.1.5'))),
  ];
  /** Cluster a reporting throughout; every series of cluster b follows `b` (its agent's samples), without stale markers. */
  const agentOfB = (b: string, a = '1x40'): Series[] => {
    const ofB = (labels: string) => inCluster('b', labels.replace('10.0.0.5', '10.0.1.5'));
    return [
      ...engineTarget(a, inCluster('a', ENGINE)),
      ...dcgmTarget(a, inCluster('a', DCGM), a.replace(/^1x/, '60x')),
      ...exporterTarget(a, inCluster('a', EXPORTER)),
      ...engineTarget(b, ofB(ENGINE), b),
      ...dcgmTarget(b, ofB(DCGM), b.replace(/^1x/, '60x')),
      ...exporterTarget(b, ofB(EXPORTER)),
    ];
  };
  const clusterLost = (cluster: string) => [engineAbsent(cluster), monitoringAbsent('dcgm', cluster), monitoringAbsent('exporter', cluster)];
  const cases: PromtoolCase[] = [
    {
      // An agent that stops sends neither up == 0 nor stale markers: b's last samples are answered for the lookback
      // delta (5m), its counts with them; then b, seen within the lookback, has no target of any source and pages
      // once the for: (2m) has passed, the Engine count critical, the monitoring sources a ticket.
      name: "one cluster's agent lost (its samples stop, no stale marker) pages for that cluster once its last samples go stale",
      input: agentOfB('1x10 _x30'),
      alerts: [...at('14m', []), ...at('16m', []), ...at('20m', clusterLost('b')), ...at('40m', clusterLost('b'))],
    },
    {
      // Nothing from any cluster: no cluster was ever seen, so no per-cluster page; only the store-wide "never seen"
      // alerts (no cluster label), one per source.
      name: 'no data at all: no per-cluster page, only the store-wide never-seen alerts',
      input: [],
      alerts: at('10m', [engineAbsent(), monitoringAbsent('dcgm'), monitoringAbsent('exporter')]),
    },
    {
      // Cluster b's Engine Service is gone (no up series at all) while cluster a reports: absent() saw a and stayed empty.
      name: 'one cluster losing every Engine pages for that cluster while another reports',
      input: twoClusters({ up: '1x10', present: '1x10 stale' }),
      alerts: at('15m', [engineAbsent('b')]),
    },
    { name: 'both clusters complete: silent', input: twoClusters({ up: '1x40', present: '1x40' }), alerts: at('15m', []) },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = promtoolTestRules(config, [c]);
      expect(result.code, result.output).toBe(0);
    });
  }
  it('a cluster removed longer ago than the lookback: silent again', () => {
    // Seen within the lookback and gone: the page lasts until the lookback has passed, then stops by itself. A 3h
    // lookback instead of the default 1d keeps promtool's minute-by-minute evaluation short; the rule is the same.
    const shortLookback = parseConfig({ cluster: { multiCluster: true }, alerts: { DeepgramSourceDown: { lookback: '3h' } } });
    const result = promtoolTestRules(shortLookback, [
      {
        name: 'a cluster removed longer ago than the lookback',
        input: agentOfB('1x10', '1x240'),
        alerts: [...at('1h', clusterLost('b')), ...at('2h50m', clusterLost('b')), ...at('3h30m', [])],
      },
    ]);
    expect(result.code, result.output).toBe(0);
  });
});

