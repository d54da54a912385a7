// Helpers for the probe tests: a real simulator on 127.0.0.1, a probe on its own registry with its log captured, and
// readers for what the probe exposes. Retries back off in milliseconds here; production waits are the client's.
import { Registry } from 'prom-client';
import { parseConfig } from '../../core/config.ts';
import { parseExposition } from '../../core/exposition/parse.ts';
import { createLogger } from '../../exporter/log.ts';
import { Probe, type ProbeSettings } from '../../exporter/probe/index.ts';
import { Capture } from '../support/net.ts';
import { sum } from '../simulator/helpers.ts';
import { closeAll as closeSimulators } from '../client/helpers.ts';

export { sim } from '../client/helpers.ts';

const probes = new Set<Probe>();

/** exporter.probe as dgmon.yaml would give it, with these fields changed. */
export function probeSettings(raw: Record<string, unknown> = {}): ProbeSettings {
  return parseConfig({ exporter: { probe: { enabled: true, apiUrl: 'http://127.0.0.1:1', ...raw } } }).exporter.probe;
}

export interface TestProbe {
  probe: Probe;
  registry: Registry;
  log: Capture;
  /** Sum of the samples of `name` with these labels in the registry's exposition. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  text(): Promise<string>;
}

export function testProbe(apiUrl: string, raw: Record<string, unknown> = {}, apiKey?: string): TestProbe {
  const registry = new Registry();
  const log = new Capture();
  const probe = new Probe({
    settings: probeSettings(raw),
    apiUrl,
    apiKey,
    registry,
    log: createLogger({ destination: log, level: 'debug', secrets: apiKey ? [apiKey] : [] }),
    backoff: { initialDelayMs: 10, maxDelayMs: 50 },
  });
  probes.add(probe);
  return {
    probe,
    registry,
    log,
    metric: async (name, labels = {}) => sum(parseExposition(await registry.metrics()), name, labels),
    text: () => registry.metrics(),
  };
}

export async function closeAll(): Promise<void> {
  const all = [...probes];
  probes.clear();
  await Promise.all(all.map((p) => p.close()));
  await closeSimulators();
}

/** Polls `check` every 20 ms until it holds; fails after `timeoutMs` (a bound on waiting, not a timing assert). */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
