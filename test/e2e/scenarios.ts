// What each simulator scenario must page or ticket end to end, written by hand from the alert definitions and the
// routing (not recomputed from the generators): exactly these alerts reach these receivers; the inhibited ones fire in
// Prometheus and are held back by Alertmanager. Every scenario of the simulator has a row (a test checks it).
import { RECEIVER_NAMES } from '../../alerts/alertmanager.ts';
import type { ScenarioName } from '../../simulator/index.ts';

export interface ExpectedAlert {
  alertname: string;
  severity: 'critical' | 'warning';
  receiver: (typeof RECEIVER_NAMES)[keyof typeof RECEIVER_NAMES];
  /** Webhook path of the receiver in the e2e config. */
  path: string;
  /** Labels (besides cluster, always checked) every firing alert of this name must carry. */
  labels: string[];
}

export interface InhibitedAlert {
  alertname: string;
  severity: 'critical' | 'warning';
  /** The alert that inhibits it, for the report. */
  by: string;
}

export interface ScenarioCase {
  scenario: ScenarioName;
  /** The fault in an SRE's words, for the "What happens when X breaks" table in docs/alerts.md. */
  fault: string;
  expected: ExpectedAlert[];
  inhibited: InhibitedAlert[];
}

const pager = (alertname: string, labels: string[] = ['node']): ExpectedAlert => ({ alertname, severity: 'critical', receiver: RECEIVER_NAMES.pager, path: '/pager', labels });
const ticket = (alertname: string, labels: string[] = ['node']): ExpectedAlert => ({ alertname, severity: 'warning', receiver: RECEIVER_NAMES.ticket, path: '/ticket', labels });
/** A warning held back by the critical of the same alert. */
const underCritical = (alertname: string): InhibitedAlert => ({ alertname, severity: 'warning', by: `${alertname} (critical)` });
/** Held back while the API has no Engine: one lost Engine, one page (issue 23, item 9). */
const byEngineDisconnected = (alertname: string): InhibitedAlert => ({ alertname, severity: 'critical', by: 'DeepgramEngineDisconnected' });

export const CASES: ScenarioCase[] = [
  { scenario: 'idle', fault: 'no traffic at all', expected: [], inhibited: [] },
  {
    scenario: 'error-burst',
    fault: '8 % of requests fail with 5xx',
    expected: [pager('DeepgramHighErrorRate'), pager('DeepgramErrorBudgetBurn', [])],
    inhibited: [underCritical('DeepgramErrorBudgetBurn')],
  },
  { scenario: 'slow-batch', fault: 'batch requests queue: P95 20-60 s', expected: [ticket('DeepgramHighLatencyP95')], inhibited: [] },
  {
    scenario: 'slow-streaming',
    fault: 'streaming latency ~0.7 s (target 0.4 s)',
    expected: [ticket('DeepgramStreamingLatencyHigh'), pager('DeepgramStreamingLatencyBudgetBurn', [])],
    inhibited: [underCritical('DeepgramStreamingLatencyBudgetBurn')],
  },
  { scenario: 'rate-limited', fault: 'traffic above max_active_requests', expected: [ticket('DeepgramConcurrencyLimitNear')], inhibited: [] },
  {
    scenario: 'capacity-exhausted',
    fault: 'streams at ~94 % of capacity',
    // One full node, one ticket: the concurrency limit (the nearer wall, the shorter for:) holds the node's
    // stream-capacity warning.
    expected: [ticket('DeepgramConcurrencyLimitNear'), ticket('DeepgramStreamingLatencyBudgetBurn', [])],
    inhibited: [{ alertname: 'DeepgramStreamCapacityHigh', severity: 'warning', by: 'DeepgramConcurrencyLimitNear' }],
  },
  {
    scenario: 'gpu-saturated',
    fault: 'GPU ~98 % busy',
    expected: [ticket('DeepgramGPUSaturated', ['node', 'gpu']), ticket('DeepgramStreamingLatencyBudgetBurn', [])],
    inhibited: [],
  },
  {
    scenario: 'gpu-idle-cpu-fallback',
    fault: 'Engine fell back to the CPU (GPU idle while serving)',
    // Only a down Engine mutes its symptoms (issue 23, item 5): a CPU fallback explains them, it does not blind them,
    // so they arrive as tickets beside the page.
    expected: [
      pager('DeepgramGPUIdleWhileServing'),
      pager('DeepgramStreamingLatencyBudgetBurn', []),
      ticket('DeepgramHighLatencyP95'),
      ticket('DeepgramStreamingLatencyHigh'),
      ticket('DeepgramRealtimeFactorLow'),
    ],
    inhibited: [underCritical('DeepgramStreamingLatencyBudgetBurn')],
  },
  { scenario: 'gpu-xid', fault: 'GPU Xid 79 (fallen off the bus)', expected: [pager('DeepgramGPUXidErrors', ['node', 'gpu', 'signal'])], inhibited: [] },
  { scenario: 'gpu-hot', fault: 'GPU at 92 °C, throttled', expected: [ticket('DeepgramGPUTemperatureHigh', ['node', 'gpu'])], inhibited: [] },
  { scenario: 'gpu-memory-full', fault: 'GPU framebuffer 97 % used', expected: [ticket('DeepgramGPUMemoryNearlyFull', ['node', 'gpu'])], inhibited: [] },
  { scenario: 'gpu-memory-errors', fault: 'uncorrectable GPU memory errors, row remap failed', expected: [pager('DeepgramGPUMemoryErrors', ['node', 'gpu'])], inhibited: [] },
  {
    scenario: 'engine-disconnected',
    fault: 'API lost its Engine (Disconnected)',
    // DeepgramHealthCheckFailing's engine_connection check reads the same answer: left to DeepgramEngineDisconnected.
    expected: [pager('DeepgramEngineDisconnected')],
    inhibited: [],
  },
  {
    scenario: 'api-degraded',
    fault: '35 % of requests fail: API Degraded',
    expected: [ticket('DeepgramAPIDegraded'), pager('DeepgramHighErrorRate'), pager('DeepgramErrorBudgetBurn', [])],
    inhibited: [underCritical('DeepgramErrorBudgetBurn')],
  },
  {
    scenario: 'api-critical',
    fault: '75 % of requests fail: API Critical',
    expected: [pager('DeepgramAPIDegraded'), pager('DeepgramHighErrorRate'), pager('DeepgramErrorBudgetBurn', [])],
    inhibited: [underCritical('DeepgramErrorBudgetBurn')],
  },
  { scenario: 'license-trust-based', fault: 'License Proxy in TrustBased mode', expected: [ticket('DeepgramLicenseProxyTrustBased', ['node', 'state'])], inhibited: [] },
  {
    scenario: 'engine-down',
    fault: 'Engine metrics port refuses connections, API has no Engine',
    // One incident, one page: the Engine's DeepgramSourceDown (its exporter source, and the cluster's Engine gone) is
    // held back by DeepgramEngineDisconnected, which fires first.
    expected: [pager('DeepgramEngineDisconnected')],
    inhibited: [byEngineDisconnected('DeepgramSourceDown')],
  },
  {
    scenario: 'dcgm-down',
    fault: 'dcgm-exporter down',
    // Monitoring only: GPU alerts are blind, the service runs on. A ticket (issue 23, item 10).
    expected: [ticket('DeepgramSourceDown', ['source']), ticket('DeepgramGPUMetricsMissing')],
    inhibited: [],
  },
  { scenario: 'garbage-metrics', fault: 'Engine /metrics answers garbage', expected: [pager('DeepgramSourceDown', ['source'])], inhibited: [] },
  {
    scenario: 'slow-upstream',
    fault: 'Engine and dcgm-exporter /metrics hang',
    // The Engine blind pages; dcgm-exporter blind is a ticket.
    expected: [pager('DeepgramSourceDown', ['source']), ticket('DeepgramSourceDown', ['source'])],
    inhibited: [],
  },
  // The API's /v1/listen hangs but its status endpoint answers: only the synthetic probe can see this.
  { scenario: 'api-hang', fault: 'API accepts transcriptions and never answers', expected: [], inhibited: [] },
];
