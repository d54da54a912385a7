// The benchmark tables of docs/benchmarks.md, rendered from bench/results/*.json: `npm run bench` rewrites the block
// between the markers below, and test/readme.test.ts fails when the page and the stored results disagree, so a figure
// in the docs is always one that was measured and stored, on the machine it names.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resultsDir, type StoredResult } from './result.ts';

export const BEGIN = '<!-- bench:begin (written by npm run bench from bench/results; do not edit by hand) -->';
export const END = '<!-- bench:end -->';

/** The page holding the tables (moved out of the README with the rest of the benchmark text, issue 18). */
export const TABLES_PAGE = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));

/** Fixed so the page reads the same way whatever order the files were written in. */
const ORDER = ['exporter', 'fleet', 'detection', 'generate'];

export function loadResults(dir = resultsDir): StoredResult[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const rank = (r: StoredResult) => (ORDER.includes(r.name) ? ORDER.indexOf(r.name) : ORDER.length);
  return files
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as StoredResult)
    .sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function machineLine(r: StoredResult): string {
  const m = r.machine;
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node.js ${m.node}, ${m.prometheus}`;
}

/** One row of the fleet benchmark's growth per engine (bench/fleet-scale.ts). */
interface GrowthRow {
  nodes: number;
  hours: number;
  series: number;
  worstGroupMs?: number;
  allGroupsMs: number;
  worstPanelMs?: number;
  medianPanelMs: number;
  allPanelsRecordedMs: number;
}

const ENGINE_TITLES: Record<string, string> = { prometheus: 'Prometheus', victoriametrics: 'VictoriaMetrics + vmalert' };
const msCell = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '-' : n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${Math.round(n)} ms`);

/** How cost grows with the fleet on each engine, when a result holds it (the fleet benchmark). */
function growthTable(r: StoredResult): string[] {
  const byEngine = (r.figures as { growthByEngine?: Record<string, GrowthRow[]> } | undefined)?.growthByEngine;
  if (!byEngine) return [];
  const rows = Object.entries(byEngine).flatMap(([engine, growth]) =>
    growth.map(
      (g) =>
        `| ${ENGINE_TITLES[engine] ?? engine} | ${g.nodes} | ${g.hours} h | ${g.series} | ${msCell(g.worstGroupMs)} | ${msCell(g.allGroupsMs)} | ${msCell(g.worstPanelMs)} | ${msCell(g.medianPanelMs)} | ${msCell(g.allPanelsRecordedMs)} |`,
    ),
  );
  if (rows.length === 0) return [];
  return [
    '',
    '| engine | nodes | window | series | slowest rule group | all groups (sum of medians) | slowest panel | median panel | all panels |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ];
}

export function renderTables(results: StoredResult[]): string {
  if (results.length === 0) return 'No results stored yet: run `npm run bench`.';
  const sections = results.map((r) => {
    const rows = r.targets.map((t) => `| ${cell(t.what)} | ${cell(t.target)} | ${cell(t.measured)} | ${t.met ? 'met' : '**missed**'} |`);
    return [
      `**${r.title}** (\`bench/results/${r.name}.json\`, ${r.measuredAt.slice(0, 10)}; ${machineLine(r)})`,
      '',
      '| measured | target | result | |',
      '|---|---|---|---|',
      ...rows,
      ...growthTable(r),
    ].join('\n');
  });
  return sections.join('\n\n');
}

/** `page` with its benchmark block replaced by the tables of `results`; throws if the markers are missing. */
export function withTables(page: string, results: StoredResult[], name = 'docs/benchmarks.md'): string {
  const begin = page.indexOf(BEGIN);
  const end = page.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`${name}: the benchmark markers are missing (${BEGIN} … ${END})`);
  return `${page.slice(0, begin + BEGIN.length)}\n${renderTables(results)}\n${page.slice(end)}`;
}
