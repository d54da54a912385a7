// The exporter's per-scrape CPU work on one node's payload, timed call by call: parsing each upstream's /metrics body
// (core/exposition/parse.ts) and serialising the merged families into the text it serves (mergeFamilies, then
// renderText: what Collector.collect does after the fetches). It runs in a process of its own (this file, run with
// the bodies on stdin), so the load generator's heap and its collections do not land in the per-call times.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseExposition } from '../core/exposition/parse.ts';
import { renderText } from '../core/exposition/render.ts';
import type { MetricFamily } from '../core/exposition/types.ts';
import { mergeFamilies } from '../exporter/collector.ts';
import { percentile } from './load.ts';

export interface Timing {
  iterations: number;
  medianMs: number;
  p99Ms: number;
}

export interface SerialiseFigures {
  families: number;
  series: number;
  servedBytes: number;
  serialise: Timing;
  parse: Timing;
}

const WARMUP = 200;

function time(iterations: number, fn: () => unknown): Timing {
  for (let i = 0; i < WARMUP; i++) fn();
  const ms: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    fn();
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return { iterations, medianMs: round(percentile(ms, 50)), p99Ms: round(percentile(ms, 99)) };
}

/** `bodies`: the upstreams' /metrics texts, as fetched. */
export function timeSerialise(bodies: string[], iterations: number): SerialiseFigures {
  const families: MetricFamily[] = bodies.flatMap((body) => parseExposition(body));
  const served = renderText(mergeFamilies(families));
  return {
    families: mergeFamilies(families).length,
    series: families.reduce((n, f) => n + f.samples.length, 0),
    servedBytes: Buffer.byteLength(served),
    serialise: time(iterations, () => renderText(mergeFamilies(families))),
    parse: time(iterations, () => bodies.map((body) => parseExposition(body))),
  };
}

/** Runs timeSerialise on `bodies` in a fresh node process. */
export function timeSerialiseApart(bodies: string[], iterations: number): Promise<SerialiseFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), String(iterations)], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`bench serialise: the timing process ended with exit ${code}`));
      resolve(JSON.parse(out) as SerialiseFigures);
    });
    child.stdin.end(JSON.stringify(bodies));
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let input = '';
  process.stdin.on('data', (chunk: Buffer) => (input += chunk.toString()));
  process.stdin.on('end', () => {
    process.stdout.write(JSON.stringify(timeSerialise(JSON.parse(input) as string[], Number(process.argv[2]))));
  });
}
