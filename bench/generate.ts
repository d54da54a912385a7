// `dgmon generate`: wall time and peak memory of the command as a user runs it (a fresh `node bin/dgmon.js generate`
// process on the built package, start-up included), for the default config and a multi-cluster Kubernetes sidecar config, and the time
// of the generation itself in-process (generateBundle, then writing the files), so start-up and work are told apart.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump } from 'js-yaml';
import { parseConfig } from '../core/config.ts';
import { generateBundle, writeBundle } from '../outputs/write.ts';
import type { BenchResult, Target } from './result.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.DGMON_BENCH_RUNS ?? 7);
const IN_PROCESS_RUNS = 20;
const COMMAND_TIMEOUT_MS = 60_000;

/** Budgets: generate runs on every commit in CI and in pre-commit hooks, often in a 512 MB container. */
const WALL_TARGET_S = 5;
const RSS_TARGET_MB = 256;

const CONFIGS: { name: string; raw: Record<string, unknown> }[] = [
  { name: 'defaults', raw: {} },
  {
    name: 'multi-cluster, Kubernetes sidecar',
    raw: { cluster: { multiCluster: true }, packaging: { kubernetes: { exporter: 'sidecar' }, labels: { release: 'kube-prometheus-stack' } } },
  },
];

interface CommandRun {
  wallS: number;
  maxRssBytes: number;
  cpuS: number;
  files: number;
}

/** One `node bin/dgmon.js ARGS` process, its peak RSS and CPU time read by bench/usage-at-exit.mjs. */
function runDgmon(args: string[], usageFile: string): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--import', path.join(root, 'bench/usage-at-exit.mjs'), path.join(root, 'bin/dgmon.js'), ...args], {
      cwd: root,
      env: { ...process.env, DGMON_BENCH_USAGE_FILE: usageFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), COMMAND_TIMEOUT_MS);
    child.once('error', reject);
    child.once('exit', async (code, signal) => {
      clearTimeout(guard);
      const wallS = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) return reject(new Error(`dgmon ${args[0]} ended with ${signal ?? `exit ${code}`}:\n${stderr}`));
      try {
        const usage = JSON.parse(await readFile(usageFile, 'utf8')) as { maxRssBytes: number; userCpuS: number; systemCpuS: number };
        const files = Number(/wrote (\d+) files/.exec(stdout)?.[1] ?? 0);
        resolve({ wallS, maxRssBytes: usage.maxRssBytes, cpuS: usage.userCpuS + usage.systemCpuS, files });
      } catch (err) {
        reject(err);
      }
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mb = (bytes: number) => bytes / 2 ** 20;

/** generateBundle and writeBundle alone, in this process, after a warm-up run: the work without start-up. */
async function inProcess(raw: Record<string, unknown>, outDir: string): Promise<{ generateMs: number; writeMs: number }> {
  const config = parseConfig(raw);
  const generate: number[] = [];
  const write: number[] = [];
  for (let i = 0; i <= IN_PROCESS_RUNS; i++) {
    const t0 = performance.now();
    const files = generateBundle(config);
    const t1 = performance.now();
    writeBundle(outDir, files);
    const t2 = performance.now();
    if (i === 0) continue; // warm-up: module loading and JIT
    generate.push(t1 - t0);
    write.push(t2 - t1);
  }
  return { generateMs: median(generate), writeMs: median(write) };
}

export async function run(): Promise<BenchResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dgmon-bench-generate-'));
  try {
    const targets: Target[] = [];
    const figures: Record<string, unknown>[] = [];
    // `dgmon --version` loads the same modules and generates nothing: what start-up alone costs.
    const startup: CommandRun[] = [];
    for (let r = 0; r < RUNS; r++) startup.push(await runDgmon(['--version'], path.join(dir, `usage-version-${r}.json`)));
    figures.push({
      config: 'none (dgmon --version: start-up only)',
      wallSeconds: startup.map((r) => Number(r.wallS.toFixed(3))),
      cpuSecondsMedian: Number(median(startup.map((r) => r.cpuS)).toFixed(3)),
      peakRssMB: Number(mb(Math.max(...startup.map((r) => r.maxRssBytes))).toFixed(1)),
    });
    for (const [i, c] of CONFIGS.entries()) {
      const configFile = path.join(dir, `config-${i}.yaml`);
      await writeFile(configFile, dump(c.raw));
      const runs: CommandRun[] = [];
      for (let r = 0; r < RUNS; r++) runs.push(await runDgmon(['generate', '--config', configFile, '--out', path.join(dir, `out-${i}-${r}`)], path.join(dir, `usage-${i}-${r}.json`)));
      const wallS = median(runs.map((r) => r.wallS));
      const worstWallS = Math.max(...runs.map((r) => r.wallS));
      const peakRssMb = mb(Math.max(...runs.map((r) => r.maxRssBytes)));
      const work = await inProcess(c.raw, path.join(dir, `in-process-${i}`));
      targets.push(
        { what: `dgmon generate wall time, ${c.name} (median of ${RUNS}, start-up included)`, target: `≤ ${WALL_TARGET_S} s`, measured: `${wallS.toFixed(2)} s (worst ${worstWallS.toFixed(2)} s)`, met: worstWallS <= WALL_TARGET_S },
        { what: `dgmon generate peak RSS, ${c.name}`, target: `≤ ${RSS_TARGET_MB} MB`, measured: `${peakRssMb.toFixed(0)} MB`, met: peakRssMb <= RSS_TARGET_MB },
      );
      figures.push({
        config: c.name,
        files: runs[0]!.files,
        wallSeconds: runs.map((r) => Number(r.wallS.toFixed(3))),
        cpuSecondsMedian: Number(median(runs.map((r) => r.cpuS)).toFixed(3)),
        peakRssMB: Number(peakRssMb.toFixed(1)),
        inProcessGenerateMs: Number(work.generateMs.toFixed(1)),
        inProcessWriteMs: Number(work.writeMs.toFixed(1)),
      });
    }
    return { name: 'generate', title: '`dgmon generate`: wall time and peak memory', targets, figures };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
