// A clone stands alone: no file in the repository may name anything outside it. Not the folder of reference material
// that sits beside a development checkout (a user's clone has nothing beside it), and not an absolute path of a
// development machine. The patterns are assembled from pieces so that this file does not match itself.
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dotdot = '\\.\\.';
const FORBIDDEN: readonly [string, RegExp][] = [
  ['the reference folder beside a checkout', new RegExp(`${dotdot}/${'shared'}\\b`)],
  ['a reference folder by its absolute path', new RegExp(`/${'shared'}/${'reference'}\\b`)],
  ['an absolute path of a development machine', new RegExp(`(^|[^\\w.~-])/(${['work', 'farm'].join('|')})/`)],
  ['a home folder', new RegExp(`(^|[^\\w.~-])(/${'home'}/[a-z_][\\w-]*/|/${'Users'}/\\w|/${'root'}/\\w)`)],
];

/** Every file git would commit: tracked files and new ones that .gitignore does not exclude. */
function repositoryFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  return out.split('\0').filter((f) => f !== '' && f !== 'package-lock.json');
}

const isText = (bytes: Buffer): boolean => !bytes.subarray(0, 8000).includes(0);

describe('the repository stands alone', () => {
  const files = repositoryFiles();

  it('lists the repository (git ls-files)', () => {
    expect(files).toContain('README.md');
    expect(files).toContain('test/fixtures/README.md');
  });

  it('names nothing outside it', () => {
    const found: string[] = [];
    for (const file of files) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(`${root}/${file}`);
      } catch {
        continue; // deleted in the work tree, not yet in the index
      }
      if (!isText(bytes)) continue;
      bytes
        .toString('utf8')
        .split('\n')
        .forEach((line, i) => {
          for (const [what, re] of FORBIDDEN) if (re.test(line)) found.push(`${file}:${i + 1}: ${what}: ${line.trim().slice(0, 160)}`);
        });
    }
    expect(found).toEqual([]);
  });

  it('would catch each kind of reference', () => {
    const samples = [`see ../${'shared'}/reference/x.md`, `see /${'work'}/main/x`, `cat /${'home'}/alice/x`, `/${'Users'}/bob/x`];
    for (const s of samples) expect(FORBIDDEN.some(([, re]) => re.test(s)), s).toBe(true);
    for (const s of ['/opt/dgmon/bin/dgmon.js', '/etc/prometheus/dgmon/rules.yml', `node_modules/x/${'work'}/y`, '/var/lib/dgmon']) {
      expect(FORBIDDEN.some(([, re]) => re.test(s)), s).toBe(false);
    }
  });
});
