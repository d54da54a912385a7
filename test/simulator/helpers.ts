// Helpers for the simulator tests: an injected clock, simulators that are always closed, and readers that parse what
// the simulator serves with the project's strict exposition parser.
import { parseExposition } from '../../core/exposition/parse.ts';
import type { MetricFamily, Sample } from '../../core/exposition/types.ts';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../simulator/index.ts';

export interface Clock {
  now: () => number;
  advance(ms: number): void;
}

export function clock(start = 1_760_000_000_000): Clock {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
  };
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;

const open = new Set<Simulator>();

/** A simulator on 127.0.0.1 with free ports and an injected clock; closeAll() in afterAll closes it. */
export async function simulator(options: SimulatorOptions & { clock: Clock }): Promise<Simulator> {
  const { clock: c, ...rest } = options;
  const sim = await startSimulator({ host: '127.0.0.1', ...rest, now: c.now });
  open.add(sim);
  return sim;
}

export async function closeAll(): Promise<void> {
  const all = [...open];
  open.clear();
  await Promise.all(all.map((s) => s.close()));
}

export async function get(url: string, init: RequestInit = {}): Promise<{ status: number; text: string; type: string }> {
  const response = await fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(10_000) });
  return { status: response.status, text: await response.text(), type: response.headers.get('content-type') ?? '' };
}

export async function getJson(url: string, init: RequestInit = {}): Promise<{ status: number; body: unknown; text: string }> {
  const r = await get(url, init);
  return { status: r.status, body: JSON.parse(r.text) as unknown, text: r.text };
}

export interface Scrape {
  text: string;
  type: string;
  families: MetricFamily[];
}

export async function scrape(url: string): Promise<Scrape> {
  const r = await get(`${url}/metrics`);
  if (r.status !== 200) throw new Error(`${url}/metrics answered ${r.status}`);
  return { text: r.text, type: r.type, families: parseExposition(r.text) };
}

export function family(families: readonly MetricFamily[], name: string): MetricFamily {
  const found = families.find((f) => f.name === name);
  if (!found) throw new Error(`no family ${name}; have ${families.map((f) => f.name).join(', ')}`);
  return found;
}

export function samples(families: readonly MetricFamily[], name: string, labels: Record<string, string> = {}): Sample[] {
  return families
    .flatMap((f) => f.samples)
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** The one sample matching name and labels. */
export function value(families: readonly MetricFamily[], name: string, labels: Record<string, string> = {}): number {
  const found = samples(families, name, labels);
  if (found.length !== 1) throw new Error(`expected one ${name}${JSON.stringify(labels)}, found ${found.length}`);
  return (found[0] as Sample).value;
}

/** Sum of every sample matching name and labels (0 when none). */
export function sum(families: readonly MetricFamily[], name: string, labels: Record<string, string> = {}): number {
  return samples(families, name, labels).reduce((s, x) => s + x.value, 0);
}

/** A stable key for a series. */
export function seriesKey(s: Sample): string {
  return `${s.name}{${Object.entries(s.labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;
}

/** Resolves to the error a fetch fails with, or to 'answered' if it got a response. */
export async function fetchError(url: string, timeoutMs: number): Promise<Error | 'answered'> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await r.text();
    return 'answered';
  } catch (err) {
    return err as Error;
  }
}

/** The code of a failed fetch's underlying cause (ECONNREFUSED, …), or the error name (TimeoutError). */
export function errorCode(err: Error | 'answered'): string {
  if (err === 'answered') return 'answered';
  const cause = (err as { cause?: { code?: string } }).cause;
  return cause?.code ?? err.name;
}
