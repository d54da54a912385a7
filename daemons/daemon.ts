// Runs a real Prometheus-family daemon (prometheus, prometheus-alertmanager) for tests, `dgmon preview` and the
// benchmarks: its own temp directory and free 127.0.0.1 port, ready when /-/ready answers 200, stopped with SIGTERM
// then SIGKILL. Every wait is bounded. As a last resort the children are killed and the directories removed when the
// process exits or is SIGTERMed (vitest stops its workers that way, which skips 'exit').
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const KILL_TIMEOUT_MS = 5_000;
const STDERR_KEEP = 16_384;
const PORT_ATTEMPTS = 3;

export interface DaemonSpec {
  /** For messages, and the temp directory prefix. */
  name: string;
  bin: string;
  /** Files to write into the daemon's directory before it starts (name → content). */
  files: Record<string, string>;
  args(where: { dir: string; address: string; url: string }): string[];
  /** Variables added to the daemon's environment (e.g. one its config expands). */
  env?: Record<string, string>;
}

export interface Daemon {
  /** http://127.0.0.1:PORT */
  url: string;
  /** 127.0.0.1:PORT */
  address: string;
  dir: string;
  /** Whether the process has ended, and the tail of what it wrote to stderr and stdout, for error messages. */
  exited(): boolean;
  stderrTail(): string;
  /** SIGTERM, then SIGKILL if it has not exited in time; removes `dir`. Safe to call more than once. */
  close(): Promise<void>;
}

const running = new Set<ChildProcess>();
const dirs = new Set<string>();
let exitHooksInstalled = false;

function cleanUpNow(): void {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.once('exit', cleanUpNow);
  process.once('SIGTERM', () => {
    cleanUpNow();
    if (process.listenerCount('SIGTERM') === 0) process.kill(process.pid, 'SIGTERM');
  });
}

function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

/** A port that was free on 127.0.0.1 a moment ago. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
export const tail = (text: string, lines = 30) => text.trimEnd().split('\n').slice(-lines).join('\n');

export async function startDaemon(spec: DaemonSpec): Promise<Daemon> {
  installExitHooks();
  const dir = mkdtempSync(join(process.env.DGMON_TMP ?? tmpdir(), `dgmon-${spec.name}-`));
  dirs.add(dir);
  try {
    for (const [name, content] of Object.entries(spec.files)) writeFileSync(join(dir, name), content);
    // The port is free when picked, but another process may take it before the daemon binds: try a fresh one.
    for (let attempt = 1; ; attempt++) {
      try {
        return await launch(spec, dir, await freePort());
      } catch (err) {
        if (attempt < PORT_ATTEMPTS && err instanceof Error && /address already in use/.test(err.message)) continue;
        throw err;
      }
    }
  } catch (err) {
    removeDir(dir);
    throw err;
  }
}

async function launch(spec: DaemonSpec, dir: string, port: number): Promise<Daemon> {
  const address = `127.0.0.1:${port}`;
  const url = `http://${address}`;
  // stdout is kept with stderr: VictoriaMetrics' binaries print a refused flag there, the Prometheus family nothing.
  const child = spawn(spec.bin, spec.args({ dir, address, url }), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...spec.env } });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stderr = '';
  const keep = (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-STDERR_KEEP);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exitCode: number | null | undefined; // undefined while running
  let exitSignal: NodeJS.Signals | null = null;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitCode = code;
      exitSignal = signal;
      resolve();
    });
  });
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));

  const stop = async (): Promise<void> => {
    if (exitCode !== undefined || child.pid === undefined) return;
    child.kill('SIGTERM');
    const timer = (ms: number) => new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref());
    if ((await Promise.race([exited.then(() => 'exited' as const), timer(STOP_TIMEOUT_MS)])) === 'timeout') {
      child.kill('SIGKILL');
      if ((await Promise.race([exited.then(() => 'exited' as const), timer(KILL_TIMEOUT_MS)])) === 'timeout') {
        throw new Error(`${spec.name} (pid ${child.pid}) did not exit after SIGKILL`);
      }
    }
  };

  // Ready: /-/ready answers 200. Fail at once if the process dies or cannot be spawned.
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (spawnError) throw new Error(`cannot run ${spec.bin}: ${spawnError.message}`);
    if (exitCode !== undefined) {
      await sleep(50); // let the last stderr chunk arrive
      throw new Error(`${spec.name} exited early (code ${exitCode}, signal ${exitSignal}):\n${tail(stderr)}`);
    }
    try {
      const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
      await response.text();
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop().catch(() => undefined);
      throw new Error(`${spec.name} not ready at ${url} after ${READY_TIMEOUT_MS} ms:\n${tail(stderr)}`);
    }
    await sleep(50);
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    address,
    dir,
    exited: () => exitCode !== undefined,
    stderrTail: () => tail(stderr),
    close() {
      closing ??= stop().finally(() => removeDir(dir));
      return closing;
    },
  };
}
