// Prometheus-like load: a few scrapers, each GETting the URL once per interval on its own kept-alive connection
// (Prometheus keeps its connection to a target), each at its own phase within the interval, as independent
// Prometheus replicas are. A scrape still in flight when the next is due makes that one skipped, as Prometheus does.
import { Agent, get } from 'node:http';
import { performance } from 'node:perf_hooks';
import { percentile } from './load.ts';

const TIMEOUT_MS = 10_000;

export interface ScheduledFigures {
  scrapers: number;
  intervalMs: number;
  seconds: number;
  scrapes: number;
  failed: number;
  skipped: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

function scrape(url: string, agent: Agent): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = get(url, { agent, timeout: TIMEOUT_MS }, (response) => {
      response.resume();
      response.once('end', () => (response.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`status ${response.statusCode}`))));
      response.once('error', reject);
    });
    request.once('timeout', () => request.destroy(new Error('timeout')));
    request.once('error', reject);
  });
}

export async function scrapeEvery(url: string, scrapers: number, intervalMs: number, seconds: number): Promise<ScheduledFigures> {
  const times: number[] = [];
  let failed = 0;
  let skipped = 0;
  const end = performance.now() + seconds * 1000;
  const one = async (phaseMs: number) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    let inFlight: Promise<void> | undefined;
    try {
      for (let due = performance.now() + phaseMs; due < end; due += intervalMs) {
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
        if (inFlight) {
          skipped += 1;
          continue;
        }
        inFlight = scrape(url, agent)
          .then((ms) => void times.push(ms), () => void (failed += 1))
          .finally(() => (inFlight = undefined));
      }
      await inFlight;
    } finally {
      agent.destroy();
    }
  };
  await Promise.all(Array.from({ length: scrapers }, (_, i) => one((i * intervalMs) / scrapers + Math.random() * (intervalMs / scrapers))));
  times.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    scrapers,
    intervalMs,
    seconds,
    scrapes: times.length,
    failed,
    skipped,
    p50Ms: round(percentile(times, 50)),
    p99Ms: round(percentile(times, 99)),
    maxMs: round(times[times.length - 1] ?? NaN),
  };
}
