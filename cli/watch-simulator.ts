// The exporter config that watches a simulated node: every source pointed at the simulator's endpoints. Used by
// `dgmon demo` and by the tests that run the exporter in front of the simulator, so they wire it the same way.
import { parseConfig, type DgmonConfig } from '../core/config.ts';
import type { Simulator } from '../simulator/index.ts';

export interface WatchOptions {
  listen: string;
  /** Per-source timeout; default: the one in `base`. */
  timeout?: string;
  healthCacheTtl?: string;
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
