// promtool's two backfills (Prometheus 2.42: seconds as timestamps, each series in ascending time), as the fleet benchmark runs them:
// `tsdb create-blocks-from openmetrics` for the synthetic samples and `tsdb create-blocks-from rules` for the
// recorded series. Each run goes into an empty output directory of its own (promtool appends to what is there) whose
// blocks are then moved where they belong. Children are killed if the benchmark ends early.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import type { RecordingRule, RuleGroup } from '../../alerts/types.ts';
import { tail } from '../../daemons/daemon.ts';

const running = new Set<ChildProcess>();
let hooked = false;

/** Runs promtool with `args`; resolves with its wall time in seconds, rejects with the tail of its output. */
export function promtool(args: string[], timeoutMs = 30 * 60_000): Promise<number> {
  if (!hooked) {
    hooked = true;
    process.once('exit', () => running.forEach((child) => child.kill('SIGKILL')));
  }
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('promtool', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-16_384));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const guard = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(guard);
      running.delete(child);
      reject(new Error(`cannot run promtool: ${err.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(guard);
      running.delete(child);
      if (code === 0) resolve((performance.now() - started) / 1000);
      else reject(new Error(`promtool ${args.slice(0, 3).join(' ')} ended with ${signal ?? `exit ${code}`}:\n${tail(output)}`));
    });
  });
}

/** Moves every block (ULID directory) of `from` into `to`; returns their names. */
export function moveBlocks(from: string, to: string): string[] {
  mkdirSync(to, { recursive: true });
  const blocks = readdirSync(from).filter((name) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(name));
  for (const block of blocks) renameSync(join(from, block), join(to, block));
  return blocks;
}

/**
 * Backfills OpenMetrics files one or two at a time, as they are handed over: each into a fresh directory whose
 * blocks then move to `blocksDir`; the file is deleted once done. `drain()` waits for all of them.
 */
export class OpenMetricsBackfill {
  private readonly queue: string[] = [];
  private active = 0;
  private failed: Error | undefined;
  private readonly waiting: (() => void)[] = [];
  /** promtool seconds per file, and in all (CPU-bound: one core each). */
  readonly seconds: number[] = [];

  constructor(
    private readonly blocksDir: string,
    private readonly workDir: string,
    private concurrency = 1,
  ) {}

  add(file: string): void {
    this.queue.push(file);
    this.pump();
  }

  /** Once generation is over both cores can backfill. */
  async drain(concurrency = 2): Promise<void> {
    this.concurrency = concurrency;
    this.pump();
    while (this.active > 0 || this.queue.length > 0) await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.failed) throw this.failed;
  }

  private pump(): void {
    while (this.active < this.concurrency && this.queue.length > 0 && !this.failed) {
      const file = this.queue.shift()!;
      this.active++;
      const out = join(this.workDir, `blocks-${this.seconds.length}-${this.active}-${Date.now()}`);
      promtool(['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, out])
        .then((s) => {
          this.seconds.push(s);
          moveBlocks(out, this.blocksDir);
        })
        .catch((err: Error) => (this.failed ??= err))
        .finally(() => {
          rmSync(out, { recursive: true, force: true });
          rmSync(file, { force: true });
          this.active--;
          this.pump();
          this.waiting.splice(0).forEach((wake) => wake());
        });
    }
  }
}

/**
 * Backfills the recorded series of `groups` over [startS, endS] from the Prometheus at `url` into `blocksDir`. The
 * rules are dealt out to `parallel` promtool runs at once: each waits on one range query at a time, and Prometheus
 * evaluates one query on one core.
 */
export async function backfillRules(
  groups: RuleGroup<RecordingRule>[],
  range: { startS: number; endS: number },
  url: string,
  blocksDir: string,
  workDir: string,
  parallel = 2,
): Promise<number> {
  const started = performance.now();
  const shares = Array.from({ length: parallel }, () => [] as RuleGroup<RecordingRule>[]);
  let next = 0;
  for (const group of groups) {
    for (const rule of group.rules) {
      const share = shares[next++ % parallel]!;
      let target = share.find((g) => g.name === group.name);
      if (!target) share.push((target = { ...group, rules: [] }));
      target.rules.push(rule);
    }
  }
  const stamp = Date.now();
  const runs = shares
    .filter((share) => share.length > 0)
    .map(async (share, i) => {
      const file = join(workDir, `backfill-rules-${stamp}-${i}.yml`);
      const out = join(workDir, `rule-blocks-${stamp}-${i}`);
      writeFileSync(file, dump({ groups: share }, { lineWidth: -1, noRefs: true }));
      try {
        await promtool(['tsdb', 'create-blocks-from', 'rules', '--quiet', `--url=${url}`, `--start=${range.startS}`, `--end=${range.endS}`, `--output-dir=${out}`, file]);
        moveBlocks(out, blocksDir);
      } finally {
        rmSync(file, { force: true });
        rmSync(out, { recursive: true, force: true });
      }
    });
  await Promise.all(runs);
  return (performance.now() - started) / 1000;
}
