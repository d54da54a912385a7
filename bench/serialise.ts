// The exporter's per-scrape CPU work on one node's payload, timed in-process call by call: parsing each upstream's
// /metrics body (core/exposition/parse.ts) and serialising the merged families into the text it serves
// (mergeFamilies, then renderText: what Collector.collect does after the fetches).
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
