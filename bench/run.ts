// `npm run bench [-- NAME ...]`: runs the named benchmarks (all by default) one after another, never in parallel,
// since they share this machine's cores, and stores each result in bench/results/NAME.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { loadResults, TABLES_PAGE, withTables } from './report.ts';
import { storeResult, type BenchResult } from './result.ts';

/** Each module exports `run(): Promise<BenchResult>`; loaded only when asked for, so one benchmark's setup never
 * slows another's. */
const benches: Record<string, string> = {
  generate: './generate.ts',
  exporter: './exporter-overhead.ts',
  fleet: './fleet-scale.ts',
  detection: './detection.ts',
  quality: './quality.ts',
};

async function load(name: string): Promise<() => Promise<BenchResult>> {
  const module = (await import(benches[name]!)) as { run: () => Promise<BenchResult> };
  return module.run;
}

const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !(name in benches));
if (unknown.length > 0) {
  console.error(`bench: unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}

let missed = 0;
for (const name of asked.length > 0 ? asked : Object.keys(benches)) {
  console.log(`bench: ${name} …`);
  const result = await (await load(name))();
  const file = await storeResult(result);
  for (const t of result.targets) {
    if (!t.met) missed += 1;
    console.log(`  ${t.met ? 'met   ' : 'MISSED'} ${t.what}: ${t.measured} (target ${t.target})`);
  }
  console.log(`  → ${file}`);
}

// The tables in docs/benchmarks.md show every stored result, this run's and the earlier ones of the benchmarks not
// run now.
writeFileSync(TABLES_PAGE, withTables(readFileSync(TABLES_PAGE, 'utf8'), loadResults()));
console.log('bench: docs/benchmarks.md tables rewritten from bench/results');
process.exitCode = missed > 0 ? 1 : 0;
