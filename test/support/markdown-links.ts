// Relative links and #anchors of Markdown files, checked the way GitHub renders them (test/docs-links.test.ts).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Markdown with fenced code blocks blanked out: a `#` or `](` inside code is neither a heading nor a link. */
function withoutFences(markdown: string): string[] {
  let fenced = false;
  return markdown.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line;
  });
}

/** GitHub's heading anchor (github-slugger): the heading's text as rendered (inline code, emphasis and link markup
 * gone), lower-cased, every character but letters, digits, `_`, `-` and spaces dropped, spaces turned into `-`. */
export function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // [text](url) and images → text
    .replace(/`([^`]*)`/g, '$1')
    .replace(/(\*\*|__|\*|\b_|_\b)/g, '') // emphasis markers (an underscore inside a word stays)
    .trim();
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a Markdown file's headings; a repeated slug gets -1, -2, … in order, as on GitHub. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of withoutFences(markdown)) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** The link targets of a Markdown file outside code (fenced or inline): `[text](target)` and `![alt](target)`. */
export function links(markdown: string): string[] {
  const out: string[] = [];
  for (const line of withoutFences(markdown)) {
    const prose = line.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push(m[1]!);
  }
  return out;
}

/** What is wrong with each relative link of `file` (a path under the repository): a missing file or an anchor that
 * names no heading. Links to other sites are left alone. */
export function brokenLinks(file: string, markdown: string, read = (p: string) => readFileSync(p, 'utf8')): string[] {
  const problems: string[] = [];
  const dir = path.dirname(path.join(ROOT, file));
  for (const target of links(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, …
    const [rawPath = '', anchor] = target.split('#', 2);
    if (rawPath === '') {
      if (!anchors(markdown).has(anchor ?? '')) problems.push(`${file}: ${target}: no heading with that anchor`);
      continue;
    }
    const resolved = path.resolve(dir, decodeURIComponent(rawPath));
    if (path.relative(ROOT, resolved).startsWith('..')) {
      problems.push(`${file}: ${target} leads out of the repository`);
      continue;
    }
    if (!existsSync(resolved)) {
      problems.push(`${file}: ${target}: no such file`);
      continue;
    }
    if (anchor === undefined) continue;
    if (!resolved.endsWith('.md')) {
      problems.push(`${file}: ${target}: an anchor into a file that is not Markdown`);
      continue;
    }
    const known = anchors(read(resolved));
    if (!known.has(anchor)) problems.push(`${file}: ${target}: no heading with that anchor (has: ${[...known].join(', ')})`);
  }
  return problems;
}
