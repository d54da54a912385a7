// The import graph of the sources flows one way: cli/ at the top, core/ at the bottom, no circles. A circle makes
// load order matter and hides which module owns what; an arrow from a lower folder up to cli/ drags the command line
// into the exporter's or a library's process. Static, type-only and dynamic imports all count: each is a dependency
// someone reading the file has to follow.
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const SKIPPED = new Set(['node_modules', 'dist', 'test', '.git']);
/** Folders below cli/: none of them may reach up into it. */
const BELOW_CLI = ['core', 'preview', 'verify', 'outputs', 'dashboards', 'alerts', 'exporter', 'simulator', 'backtest', 'client', 'daemons'];

/** Every relative import of a file: `import … from`, `export … from`, bare `import '…'` and `import('…')`. */
export function relativeImports(source: string): string[] {
  const found: string[] = [];
  const patterns = [/\b(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) if (m[1]!.startsWith('.')) found.push(m[1]!);
  return found;
}

/** Source files (repository-relative, `/`-separated) → the source files they import. */
export function importGraph(root: string): Map<string, string[]> {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (!SKIPPED.has(name) && !name.startsWith('.')) walk(path);
      } else if (/\.ts$/.test(name) && !/\.test\.ts$/.test(name) && !name.endsWith('.d.ts')) files.push(path);
    }
  };
  walk(root);
  const graph = new Map<string, string[]>();
  const key = (path: string) => relative(root, path).split(sep).join('/');
  for (const file of files) {
    const imports = relativeImports(readFileSync(file, 'utf8')).map((spec) => key(resolve(dirname(file), spec)));
    graph.set(key(file), [...new Set(imports)]);
  }
  return graph;
}

/** Every elementary circle found by a depth-first walk, each once, as the list of files around it. */
export function cycles(graph: Map<string, string[]>): string[][] {
  const found = new Map<string, string[]>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') {
        const circle = stack.slice(stack.indexOf(next));
        // The same circle entered at another file is the same circle: key it by its sorted members.
        found.set([...circle].sort().join(' '), circle);
      } else if (!state.has(next) && graph.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return [...found.values()];
}

/** Imports that run against the layering: from core/ out of core/, or from a folder below cli/ into cli/. */
export function upwardImports(graph: Map<string, string[]>): string[] {
  const folder = (path: string) => path.split('/')[0]!;
  const wrong: string[] = [];
  for (const [file, imports] of graph) {
    for (const target of imports) {
      if (folder(file) === 'core' && folder(target) !== 'core') wrong.push(`${file} → ${target} (core/ imports only core/)`);
      if (BELOW_CLI.includes(folder(file)) && folder(target) === 'cli') wrong.push(`${file} → ${target} (nothing below cli/ imports cli/)`);
    }
  }
  return wrong;
}

describe('the import graph', () => {
  const graph = importGraph(ROOT);

  it('holds the sources (the walker finds them and their imports)', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('cli/run.ts')).toContain('cli/main.ts');
    // A dynamic import is an import too.
    expect(graph.get('cli/main.ts')).toContain('outputs/write.ts');
  });

  it('has no import circles', () => {
    expect(cycles(graph).map((c) => [...c, c[0]].join(' → '))).toEqual([]);
  });

  it('has no import from core/ upward, nor from a lower folder into cli/', () => {
    expect(upwardImports(graph)).toEqual([]);
  });
});

describe('the checks themselves', () => {
  it('find a circle of two and one of three, each once, and nothing in a tree', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['a.ts', 'c.ts']],
      ['c.ts', ['d.ts']],
      ['d.ts', ['e.ts']],
      ['e.ts', ['c.ts']],
    ]);
    expect(cycles(graph).map((c) => [...c].sort().join(' '))).toEqual(['a.ts b.ts', 'c.ts d.ts e.ts']);
    expect(cycles(new Map([['a.ts', ['b.ts', 'c.ts']], ['b.ts', ['c.ts']], ['c.ts', []]]))).toEqual([]);
  });

  it('read static, type-only, re-exported and dynamic imports, and skip packages', () => {
    const source = [
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      "export { c } from './c.ts';",
      "import './d.ts';",
      "const e = await import('./e.ts');",
      "import { z } from 'zod';",
      'import {\n  f,\n  g,\n} from "./f.ts";',
    ].join('\n');
    expect(relativeImports(source).sort()).toEqual(['../b.ts', './a.ts', './c.ts', './d.ts', './e.ts', './f.ts']);
  });

  it('flag core/ reaching out and a lower folder reaching cli/', () => {
    const graph = new Map([
      ['core/a.ts', ['core/b.ts', 'outputs/x.ts']],
      ['verify/v.ts', ['cli/errors.ts', 'core/a.ts']],
      ['cli/main.ts', ['verify/v.ts']],
    ]);
    expect(upwardImports(graph)).toEqual(['core/a.ts → outputs/x.ts (core/ imports only core/)', 'verify/v.ts → cli/errors.ts (nothing below cli/ imports cli/)']);
  });
});
