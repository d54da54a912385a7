// Every relative link and #anchor in README.md and docs/*.md leads somewhere: the file exists, and an anchor names a
// heading of that file as GitHub renders it. The reference moved out of the README into docs/ (issue 18), so a page
// renamed or a heading reworded would otherwise leave links that only a reader finds broken.
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { anchors, brokenLinks, links, ROOT, slug } from './support/markdown-links.ts';

const PAGES = ['README.md', ...readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

describe('links in README.md and docs/*.md', () => {
  it.each(PAGES)('%s: every relative link and anchor resolves', (page) => {
    const markdown = readFileSync(path.join(ROOT, page), 'utf8');
    expect(brokenLinks(page, markdown)).toEqual([]);
  });

  it('are found at all (the README links every docs page)', () => {
    expect(links(readFileSync(path.join(ROOT, 'README.md'), 'utf8')).length).toBeGreaterThan(PAGES.length);
  });
});

describe('the link checker', () => {
  it("slugs headings as GitHub does", () => {
    expect(slug("Deepgram's Helm chart (`deepgram-self-hosted`)")).toBe('deepgrams-helm-chart-deepgram-self-hosted');
    expect(slug('What `dgmon generate` writes')).toBe('what-dgmon-generate-writes');
    expect(slug('Every default, and the schema')).toBe('every-default-and-the-schema');
    expect(slug('kube-prometheus-stack (prometheus-operator and the Grafana sidecar)')).toBe(
      'kube-prometheus-stack-prometheus-operator-and-the-grafana-sidecar',
    );
    expect(slug('**Bold** and [a link](x.md) with snake_case')).toBe('bold-and-a-link-with-snake_case');
    expect(slug('Thanos / Mimir')).toBe('thanos--mimir');
    expect([...anchors('# A\n## Notes\n```\n# not a heading\n```\n## Notes\n### Notes')]).toEqual(['a', 'notes', 'notes-1', 'notes-2']);
  });

  it('finds links outside code only', () => {
    expect(links('[a](x.md) `[b](y.md)` ![c](img.png)\n```\n[d](z.md)\n```\n[e](https://example.com "t")')).toEqual([
      'x.md',
      'img.png',
      'https://example.com',
    ]);
  });

  it('names a missing file, a wrong anchor and a link out of the repository, and accepts good ones', () => {
    const page = [
      '# Page',
      '## Two words',
      '[ok](#two-words) [ok](../README.md#loading-it) [ok](../test/golden/defaults/runbooks/DeepgramWatchdog.md)',
      '[bad](#two-word) [bad](nothere.md) [bad](../README.md#loading) [bad](../../elsewhere.md) [skip](https://example.com/#x)',
    ].join('\n');
    const problems = brokenLinks('docs/page.md', page);
    expect(problems).toHaveLength(4);
    expect(problems[0]).toContain('#two-word: no heading');
    expect(problems[1]).toContain('nothere.md: no such file');
    expect(problems[2]).toContain('../README.md#loading: no heading');
    expect(problems[3]).toContain('leads out of the repository');
  });
});
