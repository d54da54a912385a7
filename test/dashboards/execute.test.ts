// Every panel query of every dashboard, run against a real Prometheus that scrapes the exporter in front of the
// simulator and evaluates the generated rules (time scaled down through the config), at All and with the node picked:
// each panel must return data both ways, and every label its legend names (`{{host}}`) must be on every series.
// Twice: with the defaults, and with the cluster and node labels renamed, each with its own Prometheus and rules.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { parseConfig, type DgmonConfig } from '../../core/config.ts';
import { recordNames } from '../../core/names.ts';
import { plainBundle, OUTPUT_PATHS } from '../../outputs/plain.ts';
import { watchSimulator } from '../../simulator/watch-simulator.ts';
import { startExporter, type ExporterHandle } from '../../exporter/index.ts';
import { createLogger } from '../../exporter/log.ts';
import { startSimulator, type Simulator } from '../../simulator/index.ts';
import { startDemoProxy, type TlsEndpoint } from '../../simulator/tls-endpoint.ts';
import { startPrometheus, type PrometheusHandle } from '../../daemons/prometheus.ts';
import { panelQueries } from '../../dashboards/queries.ts';
import { ensureTools } from '../support/tools.ts';
import { Capture } from '../support/net.ts';
import { expectPanelAnswers, someNode } from '../support/panels.ts';

// The same generators with shorter windows: 1 s scrapes and evaluations, 10 s rate windows.
const SCALED = { intervals: { evaluation: '1s', rate: '10s', scrape: '1s' } };
const CONFIGS: Record<string, DgmonConfig> = {
  defaults: parseConfig(SCALED),
  'renamed labels': parseConfig({ ...SCALED, cluster: { label: 'region', multiCluster: true }, node: { label: 'host' } }),
};

let simulator: Simulator;
let exporter: ExporterHandle;
let proxy: TlsEndpoint;

beforeAll(async () => {
  ensureTools(['prometheus']);
  // capacity-exhausted sets max_active_requests, so the concurrency-limit panels have a limit to divide by.
  simulator = await startSimulator({ scenario: 'capacity-exhausted', load: 20 });
  // The expiry panels need a certificate and keys to show.
  proxy = await startDemoProxy();
  // The exporter reads no label names from the config: one serves both Prometheus servers.
  exporter = await startExporter(
    watchSimulator(CONFIGS.defaults!, simulator.urls, { listen: '127.0.0.1:0', timeout: '2s', demoExpiry: { tlsAddress: proxy.address }, probeInterval: '1s' }),
    { log: createLogger({ destination: new Capture() }), secrets: {} },
  );
}, 60_000);

afterAll(async () => {
  await exporter?.close();
  await proxy?.close();
  await simulator?.close();
});

for (const [name, config] of Object.entries(CONFIGS)) {
  describe(`every dashboard panel returns data from a live Prometheus, its legend's labels on every series (${name})`, () => {
    let prometheus: PrometheusHandle;
    // The simulator's one node, picked as a person drilling down would.
    let node: string | undefined;

    beforeAll(async () => {
      const files = plainBundle(config);
      prometheus = await startPrometheus({
        // The cluster comes from a target label, as relabelling or an external label would give it.
        scrape: [{ job: 'dgmon', targets: [exporter.url.replace(/^https?:\/\//, '')], labels: { [config.cluster.label]: 'test-cluster' } }],
        ruleFiles: [
          { name: 'rules.yml', content: files.get(OUTPUT_PATHS.recordingRules)! },
          { name: 'alerts.yml', content: files.get(OUTPUT_PATHS.alertingRules)! },
        ],
      });
      await prometheus.waitForTargets(1, 30_000);
      // Enough evaluations for rate windows, recorded series built on recorded series, and predict_linear to have points.
      await prometheus.waitFor(`count_over_time(${recordNames(config).nodeRequests}[1m])`, (r) => r.length > 0 && r[0]!.value >= 15, 60_000);
    }, 120_000);

    afterAll(async () => {
      await prometheus?.close();
    });

    panelQueries(config).forEach((panel, index) => {
      it(panel.name, async () => {
        node ??= await someNode(prometheus, config);
        const answers = await expectPanelAnswers(prometheus, config, index, node);
        // With one node, a panel that switches to the per-cluster sums at All draws the same lines either way.
        const lines = (results: { metric: Record<string, string> }[][]) => results.flat().map((s) => JSON.stringify(Object.entries(s.metric).sort())).sort();
        if (answers.all.some((r, i) => r.length === 0 || answers.picked[i]!.length === 0)) expect(lines(answers.all)).toEqual(lines(answers.picked));
      });
    });
  });
}
