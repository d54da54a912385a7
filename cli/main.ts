// The dgmon command line: thin. Each command parses its flags and calls one function. A command's modules are
// imported when it runs, so `dgmon exporter` does not carry the generators, the simulator and verify in memory.
import { Command, CommanderError } from 'commander';
import { ConfigError, configJsonSchema, configSchema } from '../core/config.ts';
import { loadConfig } from '../core/load.ts';
import { VERSION } from '../core/version.ts';
import { existsSync, writeFileSync } from 'node:fs';
import { exporterOverride, type ExporterFlags } from './exporter-settings.ts';
import type { SimulateFlags } from './long-running.ts';
import { SIMULATOR_PORTS } from './ports.ts';
import { UsageError } from '../core/usage-error.ts';
import { processIo, type Io } from './io.ts';

export type { Io };
import type { VerifyFlags } from '../verify/command.ts';
import type { PreviewFlags } from '../preview/command.ts';
import type { BacktestFlags } from '../backtest/command.ts';

/** Exit codes: 0 done, 1 failed, 2 invalid config or usage. */
export const EXIT = { ok: 0, failed: 1, invalid: 2 } as const;

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command('dgmon')
    .description('Monitoring-as-code for self-hosted Deepgram on NVIDIA GPUs.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });

  program
    .command('generate')
    .description('Write Prometheus rules, Alertmanager routing, runbooks and Grafana dashboards for your config.')
    .option('-c, --config <file>', 'dgmon.yaml to use (default: ./dgmon.yaml if present, else the built-in defaults)')
    .option('-o, --out <dir>', 'output directory', 'out')
    .action(async (opts: { config?: string; out: string }) => {
      const [{ generateBundle, writeBundle }, { emptyReceivers }] = await Promise.all([import('../outputs/write.ts'), import('../alerts/alertmanager.ts')]);
      const { config, source } = loadConfig(opts.config);
      const files = generateBundle(config);
      writeBundle(opts.out, files);
      io.out(`dgmon: wrote ${files.size} files to ${opts.out}/ from ${source}`);
      for (const receiver of emptyReceivers(config)) {
        io.err(`dgmon: note: receiver ${receiver} has no integration yet, so its notifications are dropped; set alertmanager.receivers in dgmon.yaml`);
      }
      if (config.runbooks.baseUrl === configSchema.shape.runbooks.parse({}).baseUrl) {
        io.err(`dgmon: note: runbooks.baseUrl is the placeholder ${config.runbooks.baseUrl}; publish ${opts.out}/runbooks and set it so runbook links resolve`);
      }
    });

  program
    .command('schema')
    .description('Print the JSON Schema of dgmon.yaml (for editors: yaml-language-server, VS Code).')
    .action(() => {
      io.out(JSON.stringify(configJsonSchema(), null, 2));
    });

  program
    .command('init')
    .description('Write a dgmon.yaml holding every default, each field with a comment on why and when to change it.')
    .option('-o, --out <file>', 'where to write it ("-" for stdout)', 'dgmon.yaml')
    .option('-f, --force', 'overwrite an existing file')
    .action(async (opts: { out: string; force?: boolean }) => {
      const { commentedDefaults } = await import('../core/config-doc.ts');
      const text = commentedDefaults();
      if (opts.out === '-') return io.out(text);
      if (existsSync(opts.out) && !opts.force) throw new UsageError(`${opts.out} exists; pass --force to overwrite it`);
      writeFileSync(opts.out, text);
      io.out(`dgmon: wrote ${opts.out}`);
    });

  program
    .command('exporter')
    .description('Run the exporter sidecar: Deepgram API, License Proxy, Engine and GPU metrics on one /metrics, plus /health.')
    .option('-c, --config <file>', 'dgmon.yaml (its exporter: section)')
    .option('--listen <host:port>', 'where to serve (env DGMON_LISTEN; default 0.0.0.0:9898)')
    .option('--engine-url <url>', 'Engine metrics, e.g. http://127.0.0.1:9991/metrics (env DGMON_ENGINE_URL)')
    .option('--api-url <url>', 'Deepgram API base, e.g. http://127.0.0.1:8080 (env DGMON_API_URL)')
    .option('--dcgm-url <url>', 'dcgm-exporter metrics, e.g. http://127.0.0.1:9400/metrics (env DGMON_DCGM_URL)')
    .option('--license-proxy-url <url>', 'License Proxy status base, e.g. http://127.0.0.1:8089 (env DGMON_LICENSE_PROXY_URL)')
    .option('--nvidia-smi', 'read GPU stats from nvidia-smi (hosts without dcgm-exporter)')
    .action(async (opts: ExporterFlags & { config?: string }) => {
      const { config } = loadConfig(opts.config, exporterOverride(opts, process.env));
      const { runExporter } = await import('./long-running.ts');
      await runExporter(config, io);
    });

  program
    .command('simulate')
    .description('Run a stand-in Deepgram node (Engine, API, License Proxy, dcgm-exporter) with switchable fault scenarios.')
    .option('--scenario <name>', 'scenario to start in (switch later: PUT /scenario/<name> on the control port)', 'healthy')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--engine-port <port>', 'Engine /metrics', String(SIMULATOR_PORTS.engine))
    .option('--api-port <port>', 'API /v1/status, /v1/status/engine, /v1/models', String(SIMULATOR_PORTS.api))
    .option('--license-proxy-port <port>', 'License Proxy /v1/status', String(SIMULATOR_PORTS.licenseProxy))
    .option('--dcgm-port <port>', 'dcgm-exporter /metrics', String(SIMULATOR_PORTS.dcgm))
    .option('--control-port <port>', 'scenario control', String(SIMULATOR_PORTS.control))
    .option('--gpus <n>', 'GPUs on the simulated node', '1')
    .action(async (opts: SimulateFlags) => {
      const { runSimulator } = await import('./long-running.ts');
      await runSimulator(opts, io);
    });

  program
    .command('demo')
    .description('The main job (npm start): generate the bundle, start the simulator and the exporter against it, print where to look.')
    .option('-c, --config <file>', 'dgmon.yaml to use')
    .option('-o, --out <dir>', 'output directory', 'out')
    .option('--scenario <name>', 'simulator scenario to start in', 'healthy')
    .action(async (opts: { config?: string; out: string; scenario: string }) => {
      const [{ generateBundle, writeBundle }, { runDemo }] = await Promise.all([import('../outputs/write.ts'), import('./long-running.ts')]);
      const { config, source } = loadConfig(opts.config, exporterOverride({}, process.env));
      const files = generateBundle(config);
      writeBundle(opts.out, files);
      io.out(`dgmon: wrote ${files.size} files to ${opts.out}/ from ${source}`);
      await runDemo(config, opts, io);
    });

  program
    .command('verify')
    .description('The go-live check: rules loaded as generated, targets up, metrics arriving, Alertmanager routing, a test alert per receiver, the exporter healthy. Exit 0 passed (warnings allowed), 1 a check failed.')
    .requiredOption('--prometheus <url>', 'Prometheus base URL, e.g. http://prometheus:9090')
    .requiredOption('--alertmanager <url>', 'Alertmanager base URL, e.g. http://alertmanager:9093')
    .option('--exporter <url>', 'a dgmon exporter base URL, e.g. http://engine-1:9898 (checks /health and its sources)')
    .option('-c, --config <file>', 'the dgmon.yaml the bundle was generated from')
    .option('--json', 'print the report as JSON')
    .option('--timeout <duration>', 'timeout of each HTTP request', '10s')
    .option('--wait <duration>', 'how long test alerts may take to be routed and sent (default: alertmanager.groupWait + 30s)')
    .option('--no-test-alerts', 'do not send test alerts (they reach every receiver: the pager pages)')
    .action(async (opts: VerifyFlags & { config?: string }) => {
      const { runVerifyCommand } = await import('../verify/command.ts');
      const { config } = loadConfig(opts.config);
      code = await runVerifyCommand(opts, config, io.out);
    });

  program
    .command('preview')
    .description('Draw every generated dashboard as a PNG in headless Chromium (<out>/<uid>.png and index.html): from --prometheus, or from a short scripted run of simulated nodes, healthy then faulty (about 2.5 min).')
    .option('--prometheus <url>', 'the Prometheus to read, e.g. http://prometheus:9090 (default: the scripted run)')
    .option('-o, --out <dir>', 'output directory', 'out/preview')
    .option('-c, --config <file>', 'with --prometheus: the dgmon.yaml the rules were generated from (default ./dgmon.yaml if present)')
    .option('--dashboard <uid>', 'only this dashboard (repeatable)', (uid: string, all: string[]) => [...all, uid], [] as string[])
    .option('--range <duration>', "with --prometheus: the time range ending now (default: each dashboard's own, 6h)")
    .option('--width <px>', 'page width in pixels', '1600')
    .action(async (opts: PreviewFlags) => {
      // Loaded on demand: the browser driver is not needed by any other command.
      const { runPreviewCommand } = await import('../preview/command.ts');
      code = await runPreviewCommand(opts, io.out, io.err);
    });

  program
    .command('backtest')
    .description("How noisy would these rules have been on your history: every alerting rule this config generates, evaluated over --range of your Prometheus' data as the rule group would have, with for: and Alertmanager's grouping and inhibitions; pages and tickets per week, noisiest label sets, longest episodes. Exit 0; 1 when --max-pages-per-week is exceeded.")
    .requiredOption('--prometheus <url>', 'the Prometheus holding your history, e.g. http://prometheus:9090')
    .option('--range <duration>', 'how far back from --end', '7d')
    .option('--end <time>', 'end of the range: now, Unix seconds or RFC 3339 (default now)')
    .option('-c, --config <file>', 'dgmon.yaml to backtest (default ./dgmon.yaml if present, else the defaults)')
    .option('--alert <name>', 'only this alert (repeatable)', (name: string, all: string[]) => [...all, name], [] as string[])
    .option('--set <field=value>', 'what-if: compare with the config changed so, e.g. DeepgramHighErrorRate.threshold=0.08 (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--compare-config <file>', 'what-if: compare with this second dgmon.yaml')
    .option('--max-pages-per-week <n>', 'exit 1 when the pages per week exceed this (the compared config, when there is one)')
    .option('--json', 'print the report as JSON')
    .option('-o, --out <dir>', 'write a self-contained HTML report (backtest.html) with one timeline per alert')
    .option('--png', 'with --out: also draw the report as backtest.png in headless Chromium')
    .option('--expand-recorded', 'read every recorded series through its definition, even where your Prometheus holds it')
    .option('--timeout <duration>', 'timeout of each query', '2m')
    .action(async (opts: BacktestFlags) => {
      const { runBacktestCommand } = await import('../backtest/command.ts');
      code = await runBacktestCommand(opts, io.out, io.err);
    });

  program
    .command('check-config')
    .description('Validate a dgmon.yaml without writing anything.')
    .option('-c, --config <file>', 'dgmon.yaml to check')
    .action((opts: { config?: string }) => {
      const { source } = loadConfig(opts.config);
      io.out(`dgmon: ${source} is valid`);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`dgmon: ${err.message}`);
      code = EXIT.invalid;
    } else if (err instanceof ConfigError) {
      io.err(`dgmon: ${err.message}`);
      code = EXIT.invalid;
    } else if (err instanceof CommanderError) {
      // --help and --version end here with exitCode 0; usage errors were already printed by commander.
      code = err.exitCode === 0 ? EXIT.ok : EXIT.invalid;
    } else {
      // The message says what failed; the stack is for dgmon's developers (DGMON_DEBUG=1).
      io.err(`dgmon: ${process.env.DGMON_DEBUG ? ((err as Error).stack ?? String(err)) : ((err as Error).message ?? String(err))}`);
      code = EXIT.failed;
    }
  }
  return code;
}
