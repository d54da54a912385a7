// The README is part of the interface: its alert table must list every alert, linking a runbook that exists.
import { describe, it, expect } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { parseConfig } from '../core/config.ts';
import { buildRules } from '../alerts/index.ts';
import { CASES } from './e2e/scenarios.ts';
import { loadResults, withTables } from '../bench/report.ts';

describe('README', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

  it('lists every alert with a link to its rendered runbook', () => {
    for (const def of buildRules(parseConfig({})).definitions) {
      const link = `test/golden/defaults/runbooks/${def.name}.md`;
      expect(readme, def.name).toContain(`| ${def.name} |`);
      expect(readme, def.name).toContain(`(${link})`);
      expect(existsSync(new URL(`../${link}`, import.meta.url)), link).toBe(true);
    }
  });

  it('says what happens when each simulated fault occurs', () => {
    const section = readme.slice(readme.indexOf('## What happens when X breaks'));
    expect(section.length).toBeLessThan(readme.length);
    for (const c of CASES) expect(section, c.scenario).toContain(`(\`${c.scenario}\`)`);
  });

  it('shows the stored benchmark results, as npm run bench renders them', () => {
    expect(readme).toBe(withTables(readme, loadResults()));
  });

  it('gives the two set-up commands', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });
});
