// Deepgram License Proxy: GET /v1/status on its status port → dgmon_license_proxy_state (one series per state).
import { DGMON, LICENSE_PROXY_STATES } from '../../core/catalog/index.ts';
import { fetchText, SourceError } from '../fetch.ts';
import { redactUrl } from './passthrough.ts';
import { parseJson, stateSet } from './shapes.ts';
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
