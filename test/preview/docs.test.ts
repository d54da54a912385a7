// docs/dashboards.md shows every dashboard's picture, stored under docs/dashboards by `npm run preview`, and the
// README one of them: a dashboard added without its picture, or a picture of one that is gone, fails here
// (regenerate with npm run preview).
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../core/config.ts';
import { buildDashboards } from '../../dashboards/index.ts';
import { pngSize } from '../support/png.ts';

const DOCS = 'docs/dashboards';
const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

describe('the stored previews', () => {
  const uids = buildDashboards(parseConfig({})).map((d) => d.uid);
  const readme = readFileSync(root('README.md'), 'utf8');
  const page = readFileSync(root('docs/dashboards.md'), 'utf8');
  const index = readFileSync(root(`${DOCS}/index.html`), 'utf8');

  it('are one 1600-pixel-wide PNG per dashboard, nothing else but index.html', () => {
    expect(readdirSync(root(DOCS)).sort()).toEqual([...uids.map((uid) => `${uid}.png`), 'index.html'].sort());
    for (const uid of uids) expect(pngSize(readFileSync(root(`${DOCS}/${uid}.png`))).width, uid).toBe(1600);
  });

  it('are shown in docs/dashboards.md and listed in index.html', () => {
    for (const uid of uids) {
      expect(existsSync(root(`${DOCS}/${uid}.png`))).toBe(true);
      // docs/dashboards.md sits beside the folder, so its links are relative to docs/.
      expect(page, uid).toContain(`](dashboards/${uid}.png)`);
      expect(index, uid).toContain(`<img src="${uid}.png"`);
    }
    expect(page).toContain('npm run preview');
  });

  it('give the README its picture of one dashboard', () => {
    const shown = uids.filter((uid) => readme.includes(`(${DOCS}/${uid}.png)`));
    expect(shown.length).toBeGreaterThan(0);
  });
});
