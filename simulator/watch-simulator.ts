// The exporter config that watches a simulated node: every source pointed at the simulator's endpoints. Used by
// `dgmon demo` and by the tests that run the exporter in front of the simulator, so they wire it the same way.
import { parseConfig, type DgmonConfig } from '../core/config.ts';
import type { Simulator } from './index.ts';
import { DEMO_PROXY_NAME } from './tls-endpoint.ts';
import { SPOKEN_WORDS } from '../core/audio/clip.ts';

export interface WatchOptions {
  listen: string;
  /** Per-source timeout; default: the one in `base`. */
  timeout?: string;
  healthCacheTtl?: string;
  /** Watch two demo keys and, given its HOST:PORT, a TLS endpoint standing in for the proxy. */
  demoExpiry?: { tlsAddress?: string };
  /** Run the synthetic probe against the simulator's API this often, expecting the clip's words. */
  probeInterval?: string;
}

const DAY_MS = 86_400_000;

/** The expiry watch of a demo node: the stand-in proxy, and a production key with its prepared fallback. */
function demoExpiry(base: DgmonConfig, tlsAddress: string | undefined) {
  const inDays = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    ...base.exporter.expiry,
    tls: tlsAddress ? [{ name: 'api-proxy', address: tlsAddress, serverName: DEMO_PROXY_NAME, caFile: '' }] : [],
    apiKeys: {
      ...base.exporter.expiry.apiKeys,
      declared: [
        { name: 'production', expires: inDays(45) },
        { name: 'fallback', expires: inDays(88) },
      ],
    },
  };
}

export function watchSimulator(base: DgmonConfig, urls: Simulator['urls'], options: WatchOptions): DgmonConfig {
  const sources = base.exporter.sources;
  const at = (source: { url: string; timeout: string }, url: string) => ({ ...source, url, ...(options.timeout ? { timeout: options.timeout } : {}) });
  return parseConfig({
    ...base,
    exporter: {
      ...base.exporter,
      listen: options.listen,
      ...(options.healthCacheTtl ? { healthCacheTtl: options.healthCacheTtl } : {}),
      ...(options.demoExpiry ? { expiry: demoExpiry(base, options.demoExpiry.tlsAddress) } : {}),
      // The built-in clip has three words; the simulator hears them as the first three spoken words.
      ...(options.probeInterval ? { probe: { ...base.exporter.probe, enabled: true, interval: options.probeInterval, expectedWords: SPOKEN_WORDS.slice(0, 3) } } : {}),
      sources: {
        ...sources,
        engine: at(sources.engine, `${urls.engine}/metrics`),
        dcgm: at(sources.dcgm, `${urls.dcgm}/metrics`),
        api: at(sources.api, urls.api),
        licenseProxy: at(sources.licenseProxy, urls.licenseProxy),
      },
    },
  });
}
