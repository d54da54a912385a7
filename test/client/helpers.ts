// Helpers for the client tests: a real simulator on 127.0.0.1 (real clock: the client's timers are real), a client
// on its own registry with its log captured, and readers for the metrics it exposes.
import { Registry } from 'prom-client';
import { TranscriptionClient, type TranscriptionClientOptions } from '../../client/index.ts';
import { createClientLogger } from '../../client/log.ts';
import { parseExposition } from '../../core/exposition/parse.ts';
import { startSimulator, type ScenarioName, type Simulator } from '../../simulator/index.ts';
import { Capture } from '../support/net.ts';
import { sum } from '../simulator/helpers.ts';

const open = new Set<Simulator>();
const clients = new Set<TranscriptionClient>();

export async function sim(scenario: ScenarioName = 'healthy'): Promise<Simulator> {
  const s = await startSimulator({ host: '127.0.0.1', scenario });
  open.add(s);
  return s;
}

export interface TestClient {
  client: TranscriptionClient;
  registry: Registry;
  log: Capture;
}

/** A client with fast retries (tests need not wait out production backoffs) unless the test says otherwise. */
export function testClient(s: Simulator, options: TranscriptionClientOptions = {}): TestClient {
  const registry = new Registry();
  const log = new Capture();
  const client = new TranscriptionClient({
    baseUrl: s.urls.api,
    registry,
    logger: createClientLogger({ destination: log, level: 'debug', secrets: options.apiKey ? [options.apiKey] : [] }),
    ...options,
    retry: { initialDelayMs: 10, maxDelayMs: 50, ...options.retry },
  });
  clients.add(client);
  return { client, registry, log };
}

export async function closeAll(): Promise<void> {
  for (const c of clients) c.close();
  clients.clear();
  const all = [...open];
  open.clear();
  await Promise.all(all.map((s) => s.close()));
}

/** Sum of the samples of `name` with these labels in the registry's exposition. */
export async function metric(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  return sum(parseExposition(await registry.metrics()), name, labels);
}

/** Resolves to the error a promise rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection, got a result');
}
