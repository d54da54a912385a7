// The scale-out topology end to end (test/e2e/topology-stack.ts): per-cluster Prometheus agents remote-writing to a
// central store that evaluates the generated rules, on two engines at once: (a) Prometheus with its remote-write
// receiver, (b) VictoriaMetrics with vmalert. On both: every rule evaluates, the same recorded series exist for the
// same clusters and nodes, the query differences docs/scale-out.md lists hold, the dashboards' cluster variable lists
// every cluster and narrows the panels to the one chosen, three simulator scenarios on nodes of both clusters page as
// the single-Prometheus suite expects, and while one cluster loses every target and a node of the other fails 8 % of
// its requests, each engine
// pages for each cluster with the right cluster in labels and texts, no inhibition crossing from one cluster to the
// other (node names repeat across the clusters), and everything resolves once the clusters are back. Last, one
// cluster's agent stops (nothing of that cluster arrives any more: no up == 0, no stale marker) and each engine pages
// for that cluster alone once its last samples go stale, and resolves when a new agent writes again.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { buildRules } from '../../alerts/index.ts';
import { buildDashboards } from '../../dashboards/index.ts';
import type { PanelTargetsJson } from '../../dashboards/queries.ts';
import { RECEIVER_NAMES } from '../../alerts/alertmanager.ts';
import { recordNames } from '../../core/names.ts';
import { sleep } from '../../daemons/daemon.ts';
import type { InstantSample } from '../../daemons/prometheus.ts';
import type { Notification, WebhookAlert } from '../support/alertmanager.ts';
import { ensureTools } from '../support/tools.ts';
import type { ScenarioName } from '../../simulator/index.ts';
import { CASES } from './scenarios.ts';
import { startTopology, TOPOLOGY, ENGINES, type Topology, type CentralEngine, type EngineName, type ClusterName } from './topology-stack.ts';

const FIRING_TIMEOUT_MS = 60_000;
const RESOLVED_TIMEOUT_MS = 60_000;
/** After the faults, how long to keep watching for alerts that should not come. */
const SETTLE_MS = 25_000;
/** Recorded series appear on VictoriaMetrics a little later (vmalert's remote-write flush, the store's index). */
const CONVERGE_MS = 20_000;

let topology: Topology;

beforeAll(async () => {
  ensureTools(['prometheus', 'prometheus-alertmanager', 'victoria-metrics', 'vmalert']);
  topology = await startTopology();
}, 180_000);

afterAll(async () => {
  await topology?.close();
}, 60_000);

/** What one engine's Alertmanager notified as firing since `since`, among `keep`, each as `key` gives it. */
function firingNotified(engine: EngineName, since: number, keep: (a: WebhookAlert) => boolean, key: (a: WebhookAlert) => string): Set<string> {
  return new Set(
    topology.recorder
      .notifications()
      .filter((n) => n.at >= since && n.path.startsWith(`/${engine}/`))
      .flatMap((n) => (n.body?.alerts ?? []).filter((a) => a.status === 'firing' && keep(a)))
      .map(key),
  );
}

const labelSets = (r: InstantSample[]) => r.map((s) => `${s.metric.cluster ?? '-'}/${s.metric.node ?? '-'}`).sort();

describe('scale-out topology: per-cluster agents -> central store + ruler -> Alertmanager, on Prometheus and on VictoriaMetrics', () => {
  it('every rule group evaluates on both engines without a failed evaluation, and only the watchdog is notified', async () => {
    for (const engine of topology.engines) expect(await engine.ruleFailures(), `${engine.name}: failing rules`).toEqual([]);
    const notified = topology.recorder.notifications();
    for (const engine of ENGINES) expect(notified.some((n) => n.path === `/${engine}/watchdog`), `${engine}: watchdog`).toBe(true);
    expect(
      notified
        .filter((n) => !n.path.endsWith('/watchdog') || (n.body?.alerts ?? []).some((a) => a.labels.alertname !== 'DeepgramWatchdog'))
        .map((n) => `${n.path}: ${(n.body?.alerts ?? []).map((a) => `${a.labels.alertname}{${Object.entries(a.labels).filter(([k]) => k !== 'alertname').map(([k, v]) => `${k}=${v}`).join(',')}}`).join(' ')}`),
      'notifications other than the watchdog while healthy',
    ).toEqual([]);
  });

  it('both engines record the same series for the same clusters and nodes, and the request rate each node serves', async () => {
    const records = [...new Set(buildRules(topology.config).recording.flatMap((g) => g.rules).map((r) => r.record!))];
    const [prometheus, victoria] = topology.engines as [CentralEngine, CentralEngine];
    const differing: string[] = [];
    let present = 0;
    for (const record of records) {
      const query = `count by (cluster, node) ({__name__="${record}"})`;
      const expected = labelSets(await prometheus.store.query(query));
      if (expected.length > 0) present++;
      // vmalert writes its results back through remote write, and a new series takes a moment to be searchable.
      const seen = await victoria.store.waitFor(query, (r) => labelSets(r).join() === expected.join(), CONVERGE_MS).catch(() => undefined);
      if (!seen) differing.push(`${record}: prometheus [${expected.join(', ')}], victoriametrics [${labelSets(await victoria.store.query(query)).join(', ')}]`);
    }
    expect(differing, 'recorded series that differ between the engines').toEqual([]);
    // Not a vacuous comparison: most recorded series exist, and per cluster for both clusters.
    expect(present).toBeGreaterThan(records.length / 2);
    for (const engine of topology.engines) {
      const nodes = await engine.store.query('cluster:engine_nodes:count');
      expect(nodes.map((n) => `${n.metric.cluster}=${n.value}`).sort(), `${engine.name}: nodes per cluster`).toEqual(['east=2', 'west=1']);
      // The simulator serves about 40 requests/s per node. Prometheus extrapolates rate() to the window's edges, and
      // VictoriaMetrics does not (it reads the sample before the window instead): the two agree within a few percent.
      for (const s of await engine.store.query('node:engine_requests:rate10s')) expect(s.value, `${engine.name} ${JSON.stringify(s.metric)}`).toBeGreaterThan(25);
    }
  });

  it('the query differences docs/scale-out.md lists hold on these engines, and none reaches the alerts', async () => {
    const [prometheus, victoria] = topology.engines as [CentralEngine, CentralEngine];
    // absent(): the same labels, from the selector's equality matchers.
    for (const engine of [prometheus, victoria]) {
      expect((await engine.store.query('absent(up{job="nope", cluster="east"})')).map((s) => s.metric), engine.name).toEqual([{ cluster: 'east', job: 'nope' }]);
    }
    // label_replace() without a match: Prometheus leaves the series as it is, VictoriaMetrics 1.79 adds the
    // destination label empty.
    const noMatch = 'count by (x) (label_replace(up, "x", "$1", "instance", "nomatch(.*)"))';
    expect((await prometheus.store.query(noMatch)).map((s) => s.metric)).toEqual([{}]);
    expect((await victoria.store.query(noMatch)).map((s) => s.metric)).toEqual([{ x: '' }]);
    // vmalert runs with -disableAlertgroupLabel: its alerts carry the labels Prometheus gives them.
    const watchdogs = await Promise.all(
      topology.engines.map(async (e) => ((await e.alertmanager.alerts()) as { labels: Record<string, string> }[]).find((a) => a.labels.alertname === 'DeepgramWatchdog')?.labels),
    );
    expect(watchdogs[1]).toEqual(watchdogs[0]);
    expect(watchdogs[0]).toEqual({ alertname: 'DeepgramWatchdog', severity: 'none' });
  });

  it("the dashboards' cluster variable lists every cluster from the central store and narrows the panels to the clusters chosen", async () => {
    const fleet = buildDashboards(topology.config).find((d) => d.uid === 'deepgram-fleet')!;
    const variables = (fleet.json.templating as { list: { name: string; query?: string }[] }).list;
    const clusterQuery = variables.find((v) => v.name === 'cluster')!.query!;
    const nodeQuery = variables.find((v) => v.name === 'node')!.query!;
    const [, metric, label] = /^label_values\((.+), (\w+)\)$/.exec(clusterQuery)!;
    const [, nodeMetric] = /^label_values\((.+), \w+\)$/.exec(nodeQuery)!;
    const panels = (fleet.json.panels as PanelTargetsJson[]).filter((p) => p.type !== 'row');
    for (const engine of topology.engines) {
      // Grafana answers label_values(metric, label) from /api/v1/label/<label>/values?match[]=metric (or /api/v1/series).
      const now = Math.floor(Date.now() / 1000);
      const values = async (l: string, match: string) => {
        const url = `${engine.store.url}/api/v1/label/${l}/values?${new URLSearchParams({ 'match[]': match, start: String(now - 300), end: String(now) })}`;
        return ((await (await fetch(url, { signal: AbortSignal.timeout(10_000) })).json()) as { data: string[] }).data.filter((v) => v !== '').sort();
      };
      expect(await values(label!, metric!), `${engine.name}: ${clusterQuery}`).toEqual(Object.keys(TOPOLOGY).sort());
      // The node variable follows the clusters chosen: Grafana writes a multi-value selection as a regex alternation.
      const node = (clusters: string) => values('node', nodeMetric!.replaceAll('$cluster', clusters));
      expect(await node('west'), `${engine.name}: nodes of west`).toEqual([...TOPOLOGY.west]);
      expect(await node('(east|west)'), `${engine.name}: nodes of both`).toEqual([...new Set([...TOPOLOGY.east, ...TOPOLOGY.west])].sort());

      // Every fleet panel, as Grafana sends it: a cluster nobody has empties every panel (each query is narrowed by
      // the variable); one cluster, both, or All fill the same panels; and what both clusters show adds up.
      const at = now - 2;
      const query = (expr: string, selection: string) =>
        engine.store.query(
          expr
            .replaceAll('$cluster', selection)
            .replaceAll('$node', '.+')
            .replaceAll('$__rate_interval', topology.config.intervals.rate)
            .replaceAll('$__range', '5m'),
          at,
        );
      const targets = panels.flatMap((p) => (p.targets ?? []).filter((t) => !t.hide).map((t) => ({ name: `${p.title} ${t.refId}`, expr: t.expr })));
      const withData = async (selection: string) => {
        const names: string[] = [];
        for (const t of targets) if ((await query(t.expr, selection)).length > 0) names.push(t.name);
        return names;
      };
      expect(await withData('nowhere'), `${engine.name}: fleet panels with data for a cluster that does not exist`).toEqual([]);
      const both = await withData('(east|west)');
      expect(both.length, `${engine.name}: fleet panels with data`).toBeGreaterThan(8);
      expect(await withData('west'), `${engine.name}: fleet panels with data, cluster=west`).toEqual(both);
      // At All the watchdog, which belongs to no cluster, joins the firing alerts.
      const all = await withData('.*');
      expect(all.filter((n) => !both.includes(n)), `${engine.name}: fleet panels with data at All only`).toEqual(['Firing alerts A']);
      expect(both.filter((n) => !all.includes(n)), `${engine.name}: fleet panels empty at All`).toEqual([]);
      const requests = targets.find((t) => t.name.startsWith('Requests by kind'))!;
      const total = async (selection: string) => (await query(requests.expr, selection)).reduce((sum, s) => sum + s.value, 0);
      const [east, west, together] = [await total('east'), await total('west'), await total('(east|west)')];
      expect(east).toBeGreaterThan(0);
      expect(west).toBeGreaterThan(0);
      expect(together, `${engine.name}: requests of both clusters = east + west`).toBeCloseTo(east + west, 6);
    }
  });

  describe('simulator scenarios on nodes of both clusters at once page on both engines as on one Prometheus', () => {
    // Expectations from the single-Prometheus suite (scenarios.ts), one scenario per node. Together they read a GPU
    // event through changes() (gpu-xid), a vanished source next to a present Engine (dcgm-down) and streaming
    // histograms with their burn rates (slow-streaming).
    const PLAN: { cluster: ClusterName; node: string; scenario: ScenarioName }[] = [
      { cluster: 'east', node: 'node-1', scenario: 'gpu-xid' },
      { cluster: 'east', node: 'node-2', scenario: 'dcgm-down' },
      { cluster: 'west', node: 'node-1', scenario: 'slow-streaming' },
    ];
    const caseOf = (scenario: ScenarioName) => CASES.find((c) => c.scenario === scenario)!;
    const firingAt = new Map<string, number>();
    let start = 0;

    afterAll(() => {
      for (const p of PLAN) topology?.nodes.find((n) => n.cluster === p.cluster && n.node === p.node)?.simulator.setScenario('healthy');
    });

    it('the expected alerts, for the right cluster and node, and nothing else; the inhibited ones held back', async () => {
      start = Date.now();
      for (const p of PLAN) topology.nodes.find((n) => n.cluster === p.cluster && n.node === p.node)!.simulator.setScenario(p.scenario);
      let last = start;
      const lines: string[] = [];
      for (const engine of ENGINES) {
        for (const p of PLAN) {
          for (const e of caseOf(p.scenario).expected) {
            const perNode = e.labels.includes('node');
            const match = (a: WebhookAlert) =>
              a.status === 'firing' && a.labels.cluster === p.cluster && a.labels.alertname === e.alertname && a.labels.severity === e.severity && (!perNode || a.labels.node === p.node);
            const n = await topology.recorder
              .waitFor((n) => n.path === `/${engine}${e.path}` && (n.body?.alerts ?? []).some(match), FIRING_TIMEOUT_MS, start)
              .catch((err: Error) => {
                throw new Error(`${engine}: ${p.scenario}: ${e.alertname}/${e.severity} for ${p.cluster}/${p.node} never reached ${e.path}: ${err.message}`);
              });
            last = Math.max(last, n.at);
            firingAt.set(`${engine}/${p.cluster}/${e.alertname}/${e.severity}`, n.at);
            lines.push(`  ${engine.padEnd(15)} ${p.scenario.padEnd(15)} ${p.cluster}/${p.node} ${`${e.alertname}/${e.severity}`.padEnd(44)} ${((n.at - start) / 1000).toFixed(1)} s`);
            expect(n.body?.receiver).toBe(e.receiver);
            for (const a of (n.body?.alerts ?? []).filter(match)) {
              for (const label of e.labels) expect(a.labels[label], `${engine}: ${e.alertname}: ${label} in ${JSON.stringify(a.labels)}`).toBeTruthy();
              expect(a.annotations.description, `${engine}: ${e.alertname} names its cluster`).toContain(`cluster ${p.cluster}`);
            }
          }
        }
      }
      console.log(`\nScale-out topology, scenario switch -> notification:\n${lines.join('\n')}\n`);
      await sleep(Math.max(start + SETTLE_MS, last + 3_000) - Date.now());
      for (const engine of topology.engines) {
        for (const cluster of Object.keys(TOPOLOGY) as ClusterName[]) {
          const expected = [...new Set(PLAN.filter((p) => p.cluster === cluster).flatMap((p) => caseOf(p.scenario).expected.map((e) => `${e.alertname}/${e.severity}`)))].sort();
          const notified = [
            ...firingNotified(engine.name, start, (a) => a.labels.cluster === cluster, (a) => `${a.labels.alertname}/${a.labels.severity}`),
          ].sort();
          expect(notified, `${engine.name}: alerts notified for ${cluster}`).toEqual(expected);
        }
        // Inhibited: held back by this engine's Alertmanager, within their own cluster.
        const held = (await engine.alertmanager.alerts()) as { labels: Record<string, string>; status: { state: string } }[];
        for (const p of PLAN) {
          for (const i of caseOf(p.scenario).inhibited) {
            const states = held.filter((a) => a.labels.cluster === p.cluster && a.labels.alertname === i.alertname && a.labels.severity === i.severity).map((a) => a.status.state);
            expect(states.length, `${engine.name}: ${i.alertname}/${i.severity} in ${p.cluster} reached Alertmanager`).toBeGreaterThan(0);
            expect(new Set(states), `${engine.name}: ${i.alertname}/${i.severity} in ${p.cluster}, held by ${i.by}`).toEqual(new Set(['suppressed']));
          }
        }
      }
    }, 3 * 60_000);

    it('back to healthy: every one of them resolved at its receiver on both engines', async () => {
      const back = Date.now();
      for (const p of PLAN) topology.nodes.find((n) => n.cluster === p.cluster && n.node === p.node)!.simulator.setScenario('healthy');
      for (const engine of ENGINES) {
        for (const p of PLAN) {
          for (const e of caseOf(p.scenario).expected) {
            const of = (n: Notification, status: string) =>
              (n.body?.alerts ?? []).filter((a) => a.status === status && a.labels.cluster === p.cluster && a.labels.alertname === e.alertname && a.labels.severity === e.severity);
            // An Xid is an event: it may resolve by itself before the node is healthy again.
            const since = Math.min(back, firingAt.get(`${engine}/${p.cluster}/${e.alertname}/${e.severity}`) ?? back);
            await topology.recorder
              .waitFor((n) => n.path === `/${engine}${e.path}` && of(n, 'resolved').length > 0 && of(n, 'firing').length === 0, RESOLVED_TIMEOUT_MS, since)
              .catch((err: Error) => {
                throw new Error(`${engine}: ${p.scenario}: ${e.alertname}/${e.severity} in ${p.cluster} never resolved: ${err.message}`);
              });
          }
        }
      }
      // Quiet again before the next faults: nothing of either cluster left in either Alertmanager but the watchdog.
      for (const engine of topology.engines) {
        const quiet = async () => ((await engine.alertmanager.alerts()) as { labels: Record<string, string> }[]).filter((a) => a.labels.alertname !== 'DeepgramWatchdog');
        for (let tries = 0; tries < 60 && (await quiet()).length > 0; tries++) await sleep(500);
        expect((await quiet()).map((a) => `${a.labels.cluster}/${a.labels.alertname}/${a.labels.severity}`), `${engine.name}: alerts left`).toEqual([]);
      }
    }, 3 * 60_000);
  });

  describe('one cluster loses every target while a node of the other fails 8 % of its requests', () => {
    interface Expected {
      cluster: ClusterName;
      alertname: string;
      severity: 'critical' | 'warning';
      /** The nodes it fires for; empty for a per-cluster alert; 'any' where node and cluster alerts may both come. */
      nodes: string[] | 'any';
    }
    const EXPECTED: Expected[] = [
      { cluster: 'east', alertname: 'DeepgramSourceDown', severity: 'critical', nodes: [...TOPOLOGY.east] },
      // The monitoring-only sources the lost exporters also carried (dcgm-exporter's GPUs, the exporter itself): tickets.
      { cluster: 'east', alertname: 'DeepgramSourceDown', severity: 'warning', nodes: 'any' },
      { cluster: 'west', alertname: 'DeepgramHighErrorRate', severity: 'critical', nodes: ['node-1'] },
      { cluster: 'west', alertname: 'DeepgramErrorBudgetBurn', severity: 'critical', nodes: [] },
    ];
    const firingOf = (n: Notification, e: Expected): WebhookAlert[] =>
      (n.body?.alerts ?? []).filter((a) => a.status === 'firing' && a.labels.cluster === e.cluster && a.labels.alertname === e.alertname && a.labels.severity === e.severity);
    const resolvedOf = (n: Notification, e: Expected): WebhookAlert[] =>
      (n.body?.alerts ?? []).filter((a) => a.status === 'resolved' && a.labels.cluster === e.cluster && a.labels.alertname === e.alertname && a.labels.severity === e.severity);
    const detection: string[] = [];
    let start = 0;

    afterAll(async () => {
      if (detection.length > 0) console.log(`\nScale-out topology, fault switch -> notification:\n${detection.join('\n')}\n`);
      const west = topology?.nodes.find((n) => n.cluster === 'west');
      west?.simulator.setScenario('healthy');
      await topology?.bringUp(topology.nodes.filter((n) => n.cluster === 'east'));
    });

    it('each engine pages for each cluster, with the cluster in labels and texts, and nothing else', async () => {
      start = Date.now();
      await topology.takeDown(topology.nodes.filter((n) => n.cluster === 'east'));
      topology.nodes.find((n) => n.cluster === 'west')!.simulator.setScenario('error-burst');
      let last = start;
      for (const engine of ENGINES) {
        for (const e of EXPECTED) {
          const receiver = e.severity === 'critical' ? 'pager' : 'ticket';
          const path = `/${engine}/${receiver}`;
          for (const node of e.nodes !== 'any' && e.nodes.length > 0 ? e.nodes : [undefined]) {
            const n = await topology.recorder
              .waitFor((n) => n.path === path && firingOf(n, e).some((a) => node === undefined || a.labels.node === node), FIRING_TIMEOUT_MS, start)
              .catch((err: Error) => {
                throw new Error(`${engine}: ${e.alertname}/${e.severity} for ${e.cluster}/${node ?? '-'} never reached ${path}: ${err.message}`);
              });
            last = Math.max(last, n.at);
            detection.push(`  ${engine.padEnd(15)} ${e.cluster}/${(node ?? '-').padEnd(6)} ${`${e.alertname}/${e.severity}`.padEnd(40)} ${((n.at - start) / 1000).toFixed(1)} s`);
            expect(n.body?.receiver).toBe(RECEIVER_NAMES[receiver]);
            for (const a of firingOf(n, e)) {
              expect(a.annotations.description, `${engine}: ${e.alertname} description names its cluster`).toContain(`cluster ${e.cluster}`);
              if (e.nodes === 'any') continue;
              // With every target of a cluster gone, the per-cluster count of Engines pages too (no node label).
              if (a.labels.reason === 'target_absent') expect(a.labels.node).toBeUndefined();
              else if (e.nodes.length > 0) expect(e.nodes).toContain(a.labels.node);
              else expect(a.labels.node, `${engine}: ${e.alertname} is per cluster`).toBeUndefined();
            }
          }
        }
      }
      // Keep watching: no other alert, of either cluster, on either engine.
      await sleep(Math.max(start + SETTLE_MS, last + 3_000) - Date.now());
      for (const engine of ENGINES) {
        const notified = firingNotified(engine, start, (a) => a.labels.alertname !== 'DeepgramWatchdog', (a) => `${a.labels.cluster}/${a.labels.alertname}/${a.labels.severity}`);
        expect([...notified].sort(), `${engine}: alerts notified`).toEqual(EXPECTED.map((e) => `${e.cluster}/${e.alertname}/${e.severity}`).sort());
      }
    }, 3 * 60_000);

    it("no inhibition crosses clusters: the down cluster's pages and the other cluster's symptom stay active, only the fast burn's own warning is held", async () => {
      for (const engine of topology.engines) {
        const held = async () => (await engine.alertmanager.alerts()) as { labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } }[];
        // The slow-burn warning of west (fired after its longer window) is suppressed by west's fast-burn critical.
        let alerts = await held();
        for (let tries = 0; tries < 40 && !alerts.some((a) => a.labels.alertname === 'DeepgramErrorBudgetBurn' && a.labels.severity === 'warning'); tries++) {
          await sleep(500);
          alerts = await held();
        }
        const state = (cluster: string, alertname: string, severity: string, node?: string) =>
          alerts
            .filter((a) => a.labels.cluster === cluster && a.labels.alertname === alertname && a.labels.severity === severity && (node === undefined || a.labels.node === node))
            .map((a) => a.status.state);
        for (const node of TOPOLOGY.east) expect(state('east', 'DeepgramSourceDown', 'critical', node), `${engine.name}: east/${node} SourceDown`).toEqual(['active']);
        // west/node-1 shares its node name with east/node-1, whose target is down: the SourceDown inhibition is per
        // cluster and node, so west's error page stays active.
        expect(state('west', 'DeepgramHighErrorRate', 'critical', 'node-1'), `${engine.name}: west/node-1 HighErrorRate`).toEqual(['active']);
        expect(state('west', 'DeepgramErrorBudgetBurn', 'critical'), `${engine.name}: west fast burn`).toEqual(['active']);
        expect(state('west', 'DeepgramErrorBudgetBurn', 'warning'), `${engine.name}: west slow burn, under its critical`).toEqual(['suppressed']);
      }
    }, 60_000);

    it('once both clusters are back, every page is resolved at the same receiver on both engines', async () => {
      const back = Date.now();
      await topology.bringUp(topology.nodes.filter((n) => n.cluster === 'east'));
      topology.nodes.find((n) => n.cluster === 'west')!.simulator.setScenario('healthy');
      for (const engine of ENGINES as readonly EngineName[]) {
        for (const e of EXPECTED) {
          const receiver = e.severity === 'critical' ? 'pager' : 'ticket';
          const n = await topology.recorder
            .waitFor((n) => n.path === `/${engine}/${receiver}` && resolvedOf(n, e).length > 0 && firingOf(n, e).length === 0, RESOLVED_TIMEOUT_MS, back)
            .catch((err: Error) => {
              throw new Error(`${engine}: ${e.alertname}/${e.severity} in ${e.cluster} never resolved: ${err.message}`);
            });
          expect(n.body?.receiver).toBe(RECEIVER_NAMES[receiver]);
        }
      }
    }, 2 * 60_000);
  });
  describe('one cluster loses its agent: no up == 0, no stale marker, the other cluster healthy', () => {
    // east's agent stops as a crash or a cut network would stop it: its targets keep running, but nothing of east
    // reaches either store any more. What is left to see is that east, seen within the lookback, has no targets now
    // (DeepgramSourceDown, reason target_absent, per cluster and source): the Engine count pages, dcgm-exporter's and
    // the exporter's are tickets. west goes on as before and must stay silent.
    interface Expected {
      severity: 'critical' | 'warning';
      receiver: 'pager' | 'ticket';
      /** The sources it fires for. */
      sources: string[];
    }
    const EXPECTED: Expected[] = [
      { severity: 'critical', receiver: 'pager', sources: ['engine'] },
      { severity: 'warning', receiver: 'ticket', sources: ['dcgm', 'exporter'] },
    ];
    /**
     * The agent's last samples stay visible until the store's staleness ends (the central Prometheus' lookback delta,
     * VictoriaMetrics' own, from the series' sample interval), then the recorded count goes the same way, then for:.
     */
    const AGENT_FIRING_TIMEOUT_MS = 120_000;
    const lost = (a: WebhookAlert, e: Expected, status: string) =>
      a.status === status && a.labels.cluster === 'east' && a.labels.alertname === 'DeepgramSourceDown' && a.labels.severity === e.severity;
    const detection: string[] = [];

    afterAll(async () => {
      if (detection.length > 0) console.log(`\nScale-out topology, agent stopped -> notification:\n${detection.join('\n')}\n`);
      if (topology && !(await fetch(`${topology.agents.east.url}/-/ready`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.ok).catch(() => false))) await topology.startAgent('east');
    });

    it('each engine pages for east alone: its Engine count critical, the monitoring sources a ticket, the cluster named', async () => {
      // Quiet first: nothing of the last faults left in either Alertmanager (a slow-burn warning may outlive its page).
      for (const engine of topology.engines) {
        const quiet = async () => ((await engine.alertmanager.alerts()) as { labels: Record<string, string> }[]).filter((a) => a.labels.alertname !== 'DeepgramWatchdog');
        for (let tries = 0; tries < 120 && (await quiet()).length > 0; tries++) await sleep(500);
        expect((await quiet()).map((a) => `${a.labels.cluster}/${a.labels.alertname}/${a.labels.severity}`), `${engine.name}: alerts left before the agent stops`).toEqual([]);
      }
      const start = Date.now();
      await topology.stopAgent('east');
      // When each store stops answering with east's samples, then with its recorded Engine count: the staleness the
      // detection waits for, before the alert's for: starts.
      const gone = topology.engines.flatMap((engine) =>
        ['up{cluster="east"}', `${recordNames(topology.config).clusterSourceTargets}{cluster="east",source="engine"}`].map(async (expr) => {
          await engine.store.waitFor(expr, (r) => r.length === 0, AGENT_FIRING_TIMEOUT_MS);
          detection.push(`  ${engine.name.padEnd(15)} ${expr} gone from the store ${((Date.now() - start) / 1000).toFixed(1)} s`);
        }),
      );
      let last = start;
      for (const engine of ENGINES) {
        for (const e of EXPECTED) {
          const path = `/${engine}/${e.receiver}`;
          for (const source of e.sources) {
            const n = await topology.recorder
              .waitFor((n) => n.path === path && (n.body?.alerts ?? []).some((a) => lost(a, e, 'firing') && a.labels.source === source), AGENT_FIRING_TIMEOUT_MS, start)
              .catch((err: Error) => {
                throw new Error(`${engine}: DeepgramSourceDown/${e.severity} source=${source} for east never reached ${path}: ${err.message}`);
              });
            last = Math.max(last, n.at);
            detection.push(`  ${engine.padEnd(15)} east   DeepgramSourceDown/${e.severity} source=${source.padEnd(8)} ${((n.at - start) / 1000).toFixed(1)} s`);
            expect(n.body?.receiver).toBe(RECEIVER_NAMES[e.receiver]);
            for (const a of (n.body?.alerts ?? []).filter((a) => lost(a, e, 'firing'))) {
              expect(a.labels.reason, `${engine}: ${JSON.stringify(a.labels)}`).toBe('target_absent');
              expect(a.labels.node, `${engine}: the page is for the cluster, not a node`).toBeUndefined();
              expect(e.sources).toContain(a.labels.source);
              expect(a.annotations.description, `${engine}: the description names the cluster`).toContain('in cluster east');
            }
          }
        }
      }
      await Promise.all(gone);
      // Keep watching: nothing else, and nothing at all for west, on either engine.
      await sleep(Math.max(start + SETTLE_MS, last + 3_000) - Date.now());
      for (const engine of ENGINES) {
        const notified = firingNotified(engine, start, (a) => a.labels.alertname !== 'DeepgramWatchdog', (a) => `${a.labels.cluster}/${a.labels.alertname}/${a.labels.severity}/${a.labels.source}`);
        expect([...notified].sort(), `${engine}: alerts notified`).toEqual(EXPECTED.flatMap((e) => e.sources.map((s) => `east/DeepgramSourceDown/${e.severity}/${s}`)).sort());
      }
    }, 5 * 60_000);

    it('once the agent is back, every page is resolved at the same receiver on both engines', async () => {
      const back = Date.now();
      await topology.startAgent('east');
      for (const engine of ENGINES as readonly EngineName[]) {
        for (const e of EXPECTED) {
          const n = await topology.recorder
            .waitFor(
              (n) => n.path === `/${engine}/${e.receiver}` && (n.body?.alerts ?? []).some((a) => lost(a, e, 'resolved')) && !(n.body?.alerts ?? []).some((a) => lost(a, e, 'firing')),
              RESOLVED_TIMEOUT_MS,
              back,
            )
            .catch((err: Error) => {
              throw new Error(`${engine}: DeepgramSourceDown/${e.severity} in east never resolved: ${err.message}`);
            });
          expect(n.body?.receiver).toBe(RECEIVER_NAMES[e.receiver]);
          detection.push(`  ${engine.padEnd(15)} east   DeepgramSourceDown/${e.severity} resolved ${((n.at - back) / 1000).toFixed(1)} s after the agent's restart`);
        }
      }
    }, 2 * 60_000);
  });
});
