// Every panel query of every dashboard, run against a real Prometheus that scrapes the exporter in front of the
// simulator and evaluates the generated rules (time scaled down through the config): each must return data.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { parseConfig } from '../../core/config.ts';
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

// The same generators with shorter windows: 1 s scrapes and evaluations, 10 s rate windows.
const config = parseConfig({ intervals: { evaluation: '1s', rate: '10s', scrape: '1s' } });

let simulator: Simulator;
let exporter: ExporterHandle;
let prometheus: PrometheusHandle;
let proxy: TlsEndpoint;

beforeAll(async () => {
  ensureTools(['prometheus']);
  // capacity-exhausted sets max_active_requests, so the concurrency-limit panels have a limit to divide by.
  simulator = await startSimulator({ scenario: 'capacity-exhausted', load: 20 });
  // The expiry panels need a certificate and keys to show.
  proxy = await startDemoProxy();
  exporter = await startExporter(
    watchSimulator(config, simulator.urls, { listen: '127.0.0.1:0', timeout: '2s', demoExpiry: { tlsAddress: proxy.address }, probeInterval: '1s' }),
    { log: createLogger({ destination: new Capture() }), secrets: {} },
  );
  const files = plainBundle(config);
  prometheus = await startPrometheus({
    scrape: [{ job: 'dgmon', targets: [exporter.url.replace(/^https?:\/\//, '')] }],
    ruleFiles: [
      { name: 'rules.yml', content: files.get(OUTPUT_PATHS.recordingRules)! },
      { name: 'alerts.yml', content: files.get(OUTPUT_PATHS.alertingRules)! },
    ],
  });
  await prometheus.waitForTargets(1, 30_000);
  // Enough evaluations for rate windows, recorded series built on recorded series, and predict_linear to have points.
  const rec = 'node:engine_requests:rate10s';
  await prometheus.waitFor(`count_over_time(${rec}[1m])`, (r) => r.length > 0 && r[0]!.value >= 15, 60_000);
}, 120_000);

afterAll(async () => {
  await prometheus?.close();
  await exporter?.close();
  await proxy?.close();
  await simulator?.close();
});

describe('every dashboard panel returns data from a live Prometheus', () => {
  for (const panel of panelQueries(config)) {
    it(panel.name, async () => {
      for (const q of panel.queries) {
        const result = await prometheus.query(q.expr);
        expect(result.length, `${q.refId}: ${q.expr}`).toBeGreaterThan(0);
      }
    });
  }
});
