// Runs the real `dgmon` command as a child process for tests of long-running commands: waits (bounded) until its
// output shows it is ready, and always ends it.
import { spawn, type ChildProcess } from 'node:child_process';

export interface Running {
  /** The match of the ready pattern. */
  ready: RegExpMatchArray;
  stdout(): string;
  /** Resolves once stdout matches `pattern`; rejects with the output so far after `timeoutMs`. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal: NodeJS.Signals): Promise<number | null>;
  kill(): void;
}

export async function startDgmon(args: string[], ready: RegExp, env: NodeJS.ProcessEnv = process.env, timeoutMs = 30_000): Promise<Running> {
  const child: ChildProcess = spawn(process.execPath, ['bin/dgmon.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c) => (stdout += c));
  child.stderr!.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`dgmon ${args[0]} did not become ready:\n${stdout}\n${stderr}`)), timeoutMs);
      const look = () => {
        const m = stdout.match(ready);
        if (m) {
          clearTimeout(timer);
          resolve(m);
        }
      };
      child.stdout!.on('data', look);
      child.on('exit', () => reject(new Error(`dgmon ${args[0]} exited early:\n${stdout}\n${stderr}`)));
    });
    return {
      ready: match,
      stdout: () => stdout,
      waitForOutput: (pattern, timeoutMs) =>
        new Promise<void>((resolve, reject) => {
          const look = () => {
            if (!pattern.test(stdout)) return;
            clearTimeout(timer);
            child.stdout!.off('data', look);
            resolve();
          };
          const timer = setTimeout(() => {
            child.stdout!.off('data', look);
            reject(new Error(`dgmon ${args[0]}: no ${pattern} on stdout within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
          }, timeoutMs);
          child.stdout!.on('data', look);
          look();
        }),
      stop: (signal) => {
        child.kill(signal);
        return exited;
      },
      kill: () => child.kill('SIGKILL'),
    };
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
}
