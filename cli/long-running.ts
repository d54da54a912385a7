// The commands that keep running: the exporter, the simulator, and the demo that wires both. Each stops cleanly on
// SIGTERM or SIGINT, closing its servers before the process exits. The simulator's modules are loaded only by the
// commands that run it, so the exporter's process holds the exporter alone (bench/exporter-overhead.ts measures it).
import type { DgmonConfig } from '../core/config.ts';
import { UsageError } from '../core/usage-error.ts';
import { startExporter, type ExporterHandle } from '../exporter/index.ts';
import { SCENARIOS, type ScenarioName } from '../simulator/scenarios.ts';
import type { Simulator } from '../simulator/index.ts';
import type { TlsEndpoint } from '../simulator/tls-endpoint.ts';
import { SIMULATOR_PORTS } from './ports.ts';
import type { Io } from './io.ts';

/** The demo's stand-in for the TLS proxy in front of the API (443 + 18000), whose certificate the expiry watch reads. */
export const DEMO_PROXY_PORT = 18443;
/** The demo probes every 15 s, so a newcomer sees probe series within seconds (production default: 1m). */
const DEMO_PROBE_INTERVAL = '15s';

export interface SimulateFlags {
  scenario: string;
  host: string;
  enginePort: string;
  apiPort: string;
  licenseProxyPort: string;
  dcgmPort: string;
  controlPort: string;
  gpus: string;
}

export async function runExporter(config: DgmonConfig, io: Io): Promise<void> {
  const exporter = await startExporter(config);
  io.err(`dgmon: exporter on ${exporter.url} (/metrics, /health, /ready)`);
  await untilSignal();
  await exporter.close();
}

export async function runSimulator(flags: SimulateFlags, io: Io): Promise<void> {
  const { startSimulator } = await import('../simulator/index.ts');
  const simulator = await startSimulator({
    host: flags.host,
    scenario: scenarioName(flags.scenario),
    gpus: positiveInt(flags.gpus, '--gpus'),
    ports: {
      engine: port(flags.enginePort, '--engine-port'),
      api: port(flags.apiPort, '--api-port'),
      licenseProxy: port(flags.licenseProxyPort, '--license-proxy-port'),
      dcgm: port(flags.dcgmPort, '--dcgm-port'),
      control: port(flags.controlPort, '--control-port'),
    },
  });
  io.out(describeSimulator(simulator));
  await untilSignal();
  await simulator.close();
}

export async function runDemo(base: DgmonConfig, opts: { out: string; scenario: string }, io: Io): Promise<void> {
  const [{ startSimulator }, { startDemoProxy }, { watchSimulator }] = await Promise.all([
    import('../simulator/index.ts'),
    import('../simulator/tls-endpoint.ts'),
    import('../simulator/watch-simulator.ts'),
  ]);
  const simulator = await startSimulator({ scenario: scenarioName(opts.scenario), ports: { ...SIMULATOR_PORTS } });
  let exporter: ExporterHandle | undefined;
  let proxy: TlsEndpoint | undefined;
  try {
    // Without openssl the demo runs on, just without a certificate to watch.
    proxy = await startDemoProxy({ port: DEMO_PROXY_PORT }).catch((err: Error) => {
      io.err(`dgmon demo: no TLS proxy stand-in (${err.message}); the expiry watch reads API keys only`);
      return undefined;
    });
    const config = watchSimulator(base, simulator.urls, { listen: process.env.DGMON_LISTEN ?? '127.0.0.1:9898', demoExpiry: { tlsAddress: proxy?.address }, probeInterval: DEMO_PROBE_INTERVAL });
    exporter = await startExporter(config);
    io.out(
      [
        '',
        'dgmon demo: a simulated Deepgram node, watched by the dgmon exporter.',
        `  metrics      ${exporter.url}/metrics`,
        `  health       ${exporter.url}/health`,
        `  landing page ${exporter.url}/`,
        `  rules        ${opts.out}/prometheus/rules.yml, ${opts.out}/prometheus/alerts.yml`,
        `  routing      ${opts.out}/alertmanager/alertmanager.yml`,
        `  runbooks     ${opts.out}/runbooks/`,
        `  probe        batch and live streaming transcription of a known clip every ${DEMO_PROBE_INTERVAL} (dgmon_probe_*, dgmon_transcription_*{source="probe"})`,
        `  expiry       ${proxy ? `TLS proxy stand-in on ${proxy.address} (self-signed, 60 days), ` : ''}demo keys production (45 days) and fallback (88 days)`,
        `  scenarios    curl -X PUT ${simulator.urls.control}/scenario/<name>   (${SCENARIOS.map((s) => s.name).join(', ')})`,
        'Ctrl-C stops it.',
        '',
      ].join('\n'),
    );
    await untilSignal();
  } finally {
    await exporter?.close();
    await proxy?.close();
    await simulator.close();
  }
}

function describeSimulator(simulator: Simulator): string {
  return [
    `dgmon simulate: scenario ${simulator.scenario()}`,
    `  engine        ${simulator.urls.engine}/metrics`,
    `  api           ${simulator.urls.api}/v1/status`,
    `  license proxy ${simulator.urls.licenseProxy}/v1/status`,
    `  dcgm          ${simulator.urls.dcgm}/metrics`,
    `  control       ${simulator.urls.control}/scenario  (PUT /scenario/<name>)`,
  ].join('\n');
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}


function scenarioName(name: string): ScenarioName {
  const known = SCENARIOS.map((s) => s.name as string);
  if (!known.includes(name)) throw new UsageError(`--scenario: unknown scenario "${name}"; one of ${known.join(', ')}`);
  return name as ScenarioName;
}

function port(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${flag}: must be a port number 0-65535 (0 picks a free one), got "${text}"`);
  return n;
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError(`${flag}: must be a whole number from 1 to 64, got "${text}"`);
  return n;
}
