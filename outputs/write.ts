// Writes a generated bundle to disk: every file goes to a temporary name first and is renamed into place, so a
// reader (or a crash) never sees a half-written file.
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DgmonConfig } from '../core/config.ts';
import { plainBundle } from './plain.ts';
import { packagingFiles } from './packaging.ts';

/** Everything `dgmon generate` writes: the plain files and the deployment targets made from them. */
export function generateBundle(config: DgmonConfig): Map<string, string> {
  const plain = plainBundle(config);
  return new Map([...plain, ...packagingFiles(config, plain)]);
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
