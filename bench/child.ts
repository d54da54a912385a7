// A `dgmon` command run as a child process of a benchmark (`node bin/dgmon.js …`, as systemd and the image run it, or
// the sources through tsx as before the build):
// in its own process its RSS and CPU are its own, and the load generator's CPU is never counted against it. It is
// ready once its output matches the line the caller waits for; it is always stopped (SIGTERM, then SIGKILL), also
// when the benchmark fails or its process exits.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const READY_TIMEOUT_MS = 30_000;
/** Long enough for a child started with --cpu-prof to write its profile on the way out. */
const STOP_TIMEOUT_MS = 15_000;
const OUTPUT_KEEP = 65_536;

export interface Child {
  pid: number;
  /** Everything it printed on stdout and stderr so far (the tail). */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited in time. Safe to call more than once. */
  close(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** How `dgmon` is started: the built package (bin/dgmon.js, as systemd and the image run it), or the sources through
 * tsx as every dgmon before the build ran, in production too (bench/tsx-dgmon.mjs). */
export type Entry = 'built' | 'tsx';
const ENTRY_SCRIPT: Record<Entry, string> = { built: 'bin/dgmon.js', tsx: 'bench/tsx-dgmon.mjs' };

/** Runs `dgmon ARGS` (with `nodeArgs` for node itself, e.g. --cpu-prof) until its output matches `ready`. */
export async function startDgmon(name: string, args: string[], ready: RegExp, nodeArgs: string[] = [], entry: Entry = 'built'): Promise<Child> {
  const child = spawn(process.execPath, [...nodeArgs, path.join(root, ENTRY_SCRIPT[entry]), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  let exit: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      exit = signal ?? `exit ${code}`;
      resolve();
    }),
  );
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEEP);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);

  let closing: Promise<void> | undefined;
  const handle: Child = {
    pid: child.pid ?? -1,
    output: () => output,
    close() {
      closing ??= (async () => {
        if (exit !== undefined) return;
        child.kill('SIGTERM');
        const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS).unref());
        if ((await Promise.race([exited, timeout])) === 'timeout') {
          child.kill('SIGKILL');
          await exited;
        }
      })();
      return closing;
    },
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!ready.test(output)) {
    if (exit !== undefined) throw new Error(`${name} ended before it was ready (${exit}):\n${output.trimEnd()}`);
    if (Date.now() > deadline) {
      await handle.close();
      throw new Error(`${name} not ready after ${READY_TIMEOUT_MS} ms:\n${output.trimEnd()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return handle;
}
