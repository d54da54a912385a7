// The shape every benchmark writes to bench/results/<name>.json: the figures, and each target with whether it was met.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMachine, type Machine } from './machine.ts';

export interface Target {
  /** What is measured, as the table in docs/benchmarks.md names it. */
  what: string;
  /** The target in words, e.g. "≤ 80 MB". */
  target: string;
  /** The measured figure in words, e.g. "61 MB". */
  measured: string;
  met: boolean;
}

export interface BenchResult {
  name: string;
  title: string;
  targets: Target[];
  /** Every raw figure behind the targets, for whoever wants to look closer. */
  figures: unknown;
}

export interface StoredResult extends BenchResult {
  measuredAt: string;
  machine: Machine;
}

export const resultsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');

export async function storeResult(result: BenchResult): Promise<string> {
  const stored: StoredResult = { ...result, measuredAt: new Date().toISOString(), machine: describeMachine() };
  await mkdir(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${result.name}.json`);
  await writeFile(file, `${JSON.stringify(stored, null, 2)}\n`);
  return file;
}
