// Deepgram License Proxy: GET /v1/status on its status port → dgmon_license_proxy_state (one series per state).
import { DGMON, LICENSE_PROXY_STATES } from '../../core/catalog/index.ts';
import type { MetricFamily } from '../../core/exposition/types.ts';
import { fetchText, SourceError } from '../fetch.ts';
import { redactUrl } from './passthrough.ts';
import type { Source } from './types.ts';

export function licenseProxySource(baseUrl: string, maxBytes: number): Source {
  const url = `${baseUrl.replace(/\/+$/, '')}/v1/status`;
  return {
    name: 'license_proxy',
    target: redactUrl(url),
    async collect(signal) {
      const { body } = await fetchText(url, { signal, maxBytes, accept: 'application/json' });
      const state = parseJson(body).state;
      if (typeof state !== 'string') throw new SourceError('parse', 'answer has no "state" field');
      const current = (LICENSE_PROXY_STATES as readonly string[]).includes(state) ? state : 'Other';
      return [stateSet(DGMON.licenseProxyState.name, DGMON.licenseProxyState.help, LICENSE_PROXY_STATES, current)];
    },
  };
}

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
