// Writes a generated bundle to disk: every file goes to a temporary name first and is renamed into place, so a
// reader (or a crash) never sees a half-written file.
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DgmonConfig } from '../core/config.ts';
import { buildBundle } from './bundle.ts';
import { plainFiles } from './plain.ts';
import { packagingFiles } from './packaging.ts';

/** Everything `dgmon generate` writes: the plain files and the deployment targets, all views of one bundle. */
export function generateBundle(config: DgmonConfig): Map<string, string> {
  const bundle = buildBundle(config);
  return new Map([...plainFiles(bundle), ...packagingFiles(bundle)]);
}

export function writeBundle(outDir: string, files: Map<string, string>): string[] {
  const written: string[] = [];
  for (const [relative, content] of files) {
    const target = join(outDir, relative);
    mkdirSync(dirname(target), { recursive: true });
    const temporary = `${target}.tmp-${process.pid}`;
    writeFileSync(temporary, content);
    renameSync(temporary, target);
    written.push(target);
  }
  return written;
}
