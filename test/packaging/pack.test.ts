// The package as an application gets it: `npm pack`, the tarball installed into a fresh app outside the checkout
// (its dependencies from the registry, as a user's install fetches them), then used the three ways the package is
// for: plain ESM JavaScript importing dgmon/client and calling the simulator, a TypeScript consumer type-checked
// against the shipped declarations, and `npx dgmon generate`. One pack and one install serve all three.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { loadConfig } from '../../core/load.ts';
import { generateBundle } from '../../outputs/write.ts';

const INSTALL_TIMEOUT_MS = 240_000;
/** Checking the consumer with skipLibCheck off reads all of @types/node: 13-50 s on a busy 2-core machine. */
const TSC_TIMEOUT_MS = 180_000;
const devDependencies = (JSON.parse(readFileSync('package.json', 'utf8')) as { devDependencies: Record<string, string> }).devDependencies;

let dir: string;
let app: string;
let tarball: string;
let packed: string[];
const children = new Set<ChildProcess>();

/** Runs `cmd` in the app; the output is returned, a failure throws with what it printed. */
function inApp(cmd: string, args: string[], timeout = 60_000): string {
  const result = spawnSync(cmd, args, { cwd: app, encoding: 'utf8', timeout });
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${result.status ?? result.signal}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

beforeAll(() => {
  dir = mkdtempSync(join(process.env.DGMON_TMP ?? tmpdir(), 'dgmon-pack-'));
  // The test set-up has just built dist/, so the pack skips "prepare" (which would build it again).
  const [info] = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as [
    { filename: string; files: { path: string }[] },
  ];
  tarball = join(dir, info.filename);
  packed = info.files.map((f) => f.path);
  app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'dgmon-consumer', private: true, type: 'module' }));
  // What a TypeScript application adds next to dgmon: the compiler and the typings its own code and dgmon's
  // declarations name (node, and express and ws for the handlers and streams: dgmon's optional peer dependencies).
  const typed = ['typescript', '@types/node', '@types/express', '@types/ws'].map((name) => `${name}@${devDependencies[name]}`);
  inApp('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, ...typed], INSTALL_TIMEOUT_MS);
}, INSTALL_TIMEOUT_MS + 60_000);

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('ships the built JavaScript, declarations and source maps, the bin and package.json: no TypeScript sources, no tests', () => {
    expect(packed).toContain('bin/dgmon.js');
    expect(packed).toContain('dist/cli/run.js');
    expect(packed).toContain('dist/client/index.d.ts');
    expect(packed).toContain('dist/client/index.js.map');
    expect(packed).toContain('dist/preview/chart.browser.js');
    expect(packed.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(packed.filter((f) => !/^(bin|dist)\//.test(f)).sort()).toEqual(['README.md', 'package.json']);
  });

  it('installs into an app outside the checkout, with no TypeScript loader among its dependencies', () => {
    expect(relative(process.cwd(), app).startsWith('..')).toBe(true);
    expect(existsSync(join(app, 'node_modules/dgmon/dist/cli/run.js'))).toBe(true);
    expect(existsSync(join(app, 'node_modules/tsx'))).toBe(false);
  });
});

describe('the installed package', () => {
  it('(a) plain ESM JavaScript imports dgmon/client and transcribes through the simulator the package starts', async () => {
    // The installed `dgmon simulate` on free 127.0.0.1 ports; its API URL from what it prints.
    const ports = ['--engine-port', '--api-port', '--license-proxy-port', '--dcgm-port', '--control-port'].flatMap((flag) => [flag, '0']);
    const simulator = spawn(process.execPath, [join(app, 'node_modules/dgmon/bin/dgmon.js'), 'simulate', '--host', '127.0.0.1', ...ports], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(simulator);
    let output = '';
    simulator.stdout!.on('data', (chunk) => (output += chunk));
    simulator.stderr!.on('data', (chunk) => (output += chunk));
    const api = await new Promise<string>((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`simulator not ready:\n${output}`)), 30_000);
      const look = () => {
        const match = /^\s+api\s+(http:\/\/\S+)/m.exec(output);
        if (match && /^\s+control\s+http:\/\//m.test(output)) {
          clearTimeout(timer);
          resolvePromise(new URL(match[1]!).origin);
        }
      };
      simulator.stdout!.on('data', look);
      simulator.once('exit', (code) => reject(new Error(`simulator exited ${code}:\n${output}`)));
    });

    writeFileSync(
      join(app, 'transcribe.mjs'),
      [
        "import { deepgramClient, synthesizeClip } from 'dgmon/client';",
        'const client = deepgramClient({ baseUrl: process.argv[2] });',
        'const result = await client.transcribe(synthesizeClip().wav);',
        "console.log('answer ' + JSON.stringify({ transcript: result.transcript, attempts: result.attempts }));",
        'client.close();',
      ].join('\n'),
    );
    // The client logs its calls on stdout too (pino, written asynchronously: before or after the answer's line).
    const line = inApp(process.execPath, ['transcribe.mjs', api]).split('\n').find((l) => l.startsWith('answer '));
    expect(line).toBeDefined();
    const answer = JSON.parse(line!.slice('answer '.length)) as { transcript: string; attempts: number };
    expect(answer).toEqual({ transcript: 'alfa bravo charlie', attempts: 1 });
  }, 120_000);

  it('(b) a TypeScript consumer type-checks against the shipped declarations, and a wrong use of them fails', () => {
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] } }),
    );
    const good = [
      "import express from 'express';",
      "import { TranscriptionClient, DeepgramClientError, type TranscribeResult, type FailureReason } from 'dgmon/client';",
      "const client = new TranscriptionClient({ baseUrl: 'http://127.0.0.1:8080', timeoutMs: 30_000 });",
      'export async function run(audio: Uint8Array): Promise<string> {',
      '  try {',
      '    const result: TranscribeResult = await client.transcribe(audio, { model: "nova-3" });',
      '    return `${result.transcript} ${result.realtimeFactor.toFixed(1)}`;',
      '  } catch (err) {',
      '    const reason: FailureReason | undefined = err instanceof DeepgramClientError ? err.reason : undefined;',
      '    return String(reason);',
      '  }',
      '}',
      "express().get('/health', client.healthHandler()).get('/metrics', client.metricsHandler());",
    ].join('\n');
    // One compiler run over two files: the consumer, which must check clean, and a misuse of the declarations, which
    // must be the only error (so the declarations are really read, not resolved to any).
    writeFileSync(join(app, 'consumer.ts'), good);
    writeFileSync(join(app, 'misuse.ts'), "import { TranscriptionClient } from 'dgmon/client';\nexport const wrong: number = new TranscriptionClient().transcribe(new Uint8Array());\n");
    const tsc = spawnSync(process.execPath, [join(app, 'node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: app, encoding: 'utf8', timeout: TSC_TIMEOUT_MS });
    expect(tsc.stdout.trim().split('\n')).toEqual([`misuse.ts(2,14): error TS2322: Type 'Promise<TranscribeResult>' is not assignable to type 'number'.`]);
  }, TSC_TIMEOUT_MS + 10_000);

  it('(c) npx dgmon generate writes the same bundle as the sources generate', () => {
    const out = join(app, 'out');
    inApp('npx', ['--no-install', 'dgmon', 'generate', '--out', out]);
    const expected = generateBundle(loadConfig().config);
    for (const [path, content] of expected) expect(readFileSync(resolve(out, path), 'utf8'), path).toBe(content);
  }, 120_000);
});
