// The README and the docs pages are part of the interface: the alert reference must list every alert, linking a
// runbook that exists; the fault table every simulated fault; the benchmark page the stored results; and the README
// the two commands a newcomer runs.
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { parseConfig } from '../core/config.ts';
import { buildRules } from '../alerts/index.ts';
import { CASES } from './e2e/scenarios.ts';
import { loadResults, TABLES_PAGE, withTables } from '../bench/report.ts';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

describe('README', () => {
  const readme = read('README.md');

  it('gives the two set-up commands', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });

  // The front door a newcomer reads in five minutes (issue 18): reference text belongs in docs/, linked from here.
  it('stays a short front door that links every docs page', () => {
    expect(Buffer.byteLength(readme)).toBeLessThan(16_000);
    const pages = readdirSync(new URL('../docs', import.meta.url)).filter((f) => f.endsWith('.md') && f !== 'README.md');
    for (const page of pages) expect(readme, page).toContain(`](docs/${page}`);
  });
});

describe('docs/alerts.md', () => {
  const alerts = read('docs/alerts.md');

  it('lists every alert with a link to its rendered runbook', () => {
    for (const def of buildRules(parseConfig({})).definitions) {
      const link = `test/golden/defaults/runbooks/${def.name}.md`;
      expect(alerts, def.name).toContain(`| ${def.name} |`);
      expect(alerts, def.name).toContain(`(../${link})`);
      expect(existsSync(new URL(`../${link}`, import.meta.url)), link).toBe(true);
    }
  });

  it('says what happens when each simulated fault occurs', () => {
    const start = alerts.indexOf('## What happens when X breaks');
    expect(start).toBeGreaterThan(0);
    const section = alerts.slice(start);
    for (const c of CASES) expect(section, c.scenario).toContain(`(\`${c.scenario}\`)`);
  });
});

describe('docs/benchmarks.md', () => {
  it('shows the stored benchmark results, as npm run bench renders them', () => {
    const page = readFileSync(TABLES_PAGE, 'utf8');
    expect(page).toBe(withTables(page, loadResults()));
  });
});

describe('docs pages', () => {
  // Each page is found by task from the index and must say at once what it is for (issue 18).
  const pages = readdirSync(new URL('../docs', import.meta.url)).filter((f) => f.endsWith('.md'));

  it('each start with a title and one line saying what the page is for', () => {
    expect(pages.length).toBeGreaterThan(5);
    for (const page of pages) {
      const [title, blank, purpose, after] = read(`docs/${page}`).split('\n');
      expect(title, page).toMatch(/^# \S/);
      expect(blank, page).toBe('');
      expect(purpose, page).toMatch(/^[A-Z].*[.:]$/);
      expect(after, `${page}: the purpose is one line`).toBe('');
    }
  });

  it('are all listed in the index, docs/README.md', () => {
    const index = read('docs/README.md');
    for (const page of pages.filter((p) => p !== 'README.md')) expect(index, page).toContain(`](${page}`);
  });
});
