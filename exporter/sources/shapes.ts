// Turning upstream JSON into metric families: shared by the API and License Proxy sources.
import type { MetricFamily } from '../../core/exposition/types.ts';
import { SourceError } from '../fetch.ts';

/** One series per state, 1 on the current one: how Prometheus exposes a state set. */
export function stateSet(name: string, help: string, states: readonly string[], current: string): MetricFamily {
  return { name, type: 'gauge', help, samples: states.map((state) => ({ name, labels: { state }, value: state === current ? 1 : 0 })) };
}

export function parseJson(body: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new SourceError('parse', 'answer is not JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new SourceError('parse', 'answer is not a JSON object');
  return value as Record<string, unknown>;
}
