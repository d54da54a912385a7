// Writes a generated bundle to disk: every file goes to a temporary name first and is renamed into place, so a
// reader (or a crash) never sees a half-written file.
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';

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
