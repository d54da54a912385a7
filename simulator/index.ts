// dgmon's Deepgram node simulator: a stand-in for one self-hosted Deepgram node (Engine metrics, API, License Proxy,
// dcgm-exporter) whose behaviour is switched between named scenarios, for demos, dashboards and end-to-end tests.
export { startSimulator, SLOW_UPSTREAM_DELAY_MS, type Simulator, type SimulatorOptions, type EndpointName, type MetricsRequests } from './simulator.ts';
export { LISTEN_HANG_MS, type ListenStats, type ListenCounts } from './listen.ts';
export { SCENARIOS, SCENARIO_NAMES, describeScenarios, isScenarioName, type ScenarioName } from './scenarios.ts';
export { GPU_MODEL_NAME, DCGM_NOT_SUPPORTED } from './dcgm.ts';
