// The real Prometheus toolchain the tests run. Missing tools are installed when the tests may do so (root with
// apt-get, as in CI), otherwise the tests fail with the exact command to run: never skipped.
import { spawnSync } from 'node:child_process';

export const TOOL_PACKAGES = {
  promtool: 'prometheus',
  prometheus: 'prometheus',
  amtool: 'prometheus-alertmanager',
  'prometheus-alertmanager': 'prometheus-alertmanager',
  chromium: 'chromium',
  // Debian's victoria-metrics package ships the single-node server, vmagent and vmalert.
  'victoria-metrics': 'victoria-metrics',
  vmalert: 'victoria-metrics',
} as const;
export type Tool = keyof typeof TOOL_PACKAGES;

export function hasTool(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).status === 0;
}

export function installCommand(tools: readonly Tool[]): string {
  const packages = [...new Set(tools.map((t) => TOOL_PACKAGES[t]))].join(' ');
  return `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${packages}`;
}

/** Makes sure every tool is on PATH; installs with apt-get when running as root, else throws the command to run. */
export function ensureTools(tools: readonly Tool[]): void {
  const missing = tools.filter((t) => !hasTool(t));
  if (missing.length === 0) return;
  const command = installCommand(missing);
  const canInstall = process.getuid?.() === 0 && hasTool('apt-get');
  if (canInstall) {
    const run = spawnSync('sh', ['-c', command], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (run.status === 0 && missing.every(hasTool)) return;
    throw new Error(`installing ${missing.join(', ')} failed (exit ${run.status}):\n${run.stderr.slice(-2000)}\nRun: ${command}`);
  }
  throw new Error(`the tests need ${missing.join(', ')}, which is not installed. Run as root:\n  ${command}`);
}

export interface ToolRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(tool: string, args: string[], options: { cwd?: string; input?: string } = {}): ToolRun {
  const result = spawnSync(tool, args, { encoding: 'utf8', cwd: options.cwd, input: options.input, timeout: 60_000 });
  if (result.error) throw result.error;
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
