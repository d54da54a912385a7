// vitest global set-up: the tests run the built package (`node bin/dgmon.js` runs dist/, and the pack test ships
// it), so dist/ is rebuilt before any test file starts whenever a source it is built from is newer than the last
// build. A targeted `npx vitest run test/x.test.ts` never runs a stale dist either.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import ts from 'typescript';

/** The build's last step copies this asset, so its modification time is when the last build finished. */
const BUILT_STAMP = 'dist/preview/chart.browser.js';

function mtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** Every file the build reads: the sources tsconfig.build.json includes, the configs, the copied asset. */
function buildInputs(): string[] {
  const { config, error } = ts.readConfigFile('tsconfig.build.json', ts.sys.readFile);
  if (error) throw new Error(`tsconfig.build.json: ${ts.flattenDiagnosticMessageText(error.messageText, '\n')}`);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, '.');
  return [...parsed.fileNames, 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'preview/chart.browser.js'];
}

export default function setup(): void {
  const built = mtime(BUILT_STAMP);
  if (buildInputs().some((file) => mtime(file) > built)) execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
}
