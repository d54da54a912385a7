// Issue 23, item 4: an application that stops sending while its circuit is open. cockatiel keeps an open breaker
// open until the next call, so dgmon_circuit_breaker_state{state="open"} stayed 1 for as long as the application
// was idle and the client variant of DeepgramHealthCheckFailing kept paging after Deepgram had recovered. The client
// now trials the health endpoint through the breaker once halfOpenAfter has passed. Tested on a real process: an
// application under tsx with its own /metrics, against the simulator (or a dead port), scraped over HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { parseExposition } from '../../core/exposition/parse.ts';
import { deadPort } from '../support/net.ts';
import { sum } from '../simulator/helpers.ts';
import { closeAll, sim } from './helpers.ts';

const HALF_OPEN_AFTER_MS = 300;

// The application: one client, its registry on /metrics, one call that fails and opens the circuit, then nothing.
const APP = `
const { TranscriptionClient, synthesizeClip, createClientLogger } = await import('dgmon/client');
const { Registry } = await import('prom-client');
const http = await import('node:http');
const { Writable } = await import('node:stream');
const registry = new Registry();
const client = new TranscriptionClient({
  baseUrl: process.env.DG_URL, registry,
  logger: createClientLogger({ destination: new Writable({ write: (_c, _e, done) => done() }) }),
  retry: { maxRetries: 0 },
  breaker: { consecutiveFailures: 1, halfOpenAfterMs: Number(process.env.HALF_OPEN_MS) },
  health: { timeoutMs: 1000 },
});
const server = http.createServer(async (_req, res) => res.end(await registry.metrics()));
server.listen(0, '127.0.0.1', async () => {
  await client.transcribe(synthesizeClip().wav).catch(() => undefined);
  console.log('READY ' + server.address().port + ' ' + client.circuitState);
});
process.on('SIGTERM', () => { client.close(); server.close(); });
`;

const children = new Set<ChildProcess>();
afterEach(async () => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  await closeAll();
});

/** Starts the application against `url`; resolves with its /metrics URL and the circuit state after the failed call. */
async function startApp(url: string): Promise<{ metrics: string; state: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', APP], {
    env: { ...process.env, DG_URL: url, HALF_OPEN_MS: String(HALF_OPEN_AFTER_MS) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (c) => (err += c));
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the application did not start:\n${out}\n${err}`)), 60_000);
    child.stdout!.on('data', (c) => {
      out += c;
      const m = /READY (\d+) (\w+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ metrics: `http://127.0.0.1:${m[1]}/metrics`, state: m[2]! });
      }
    });
    child.on('exit', (code) => reject(new Error(`the application exited (${code}):\n${out}\n${err}`)));
  });
}

async function circuit(metrics: string): Promise<Record<string, number>> {
  const text = await (await fetch(metrics, { signal: AbortSignal.timeout(10_000) })).text();
  const samples = parseExposition(text);
  return Object.fromEntries(['closed', 'open', 'half_open'].map((state) => [state, sum(samples, 'dgmon_circuit_breaker_state', { state })]));
}

/** Waits three times halfOpenAfter with no call from the application (a wait, not a timing assertion). */
const idle = () => new Promise((resolve) => setTimeout(resolve, 3 * HALF_OPEN_AFTER_MS));

describe('circuit breaker of an idle application', () => {
  it('closes by itself after Deepgram recovered, with no call from the application', async () => {
    const s = await sim('engine-disconnected');
    const app = await startApp(s.urls.api);
    expect(app.state).toBe('open');
    expect(await circuit(app.metrics)).toMatchObject({ open: 1, closed: 0 });
    s.setScenario('healthy');
    await idle();
    expect(await circuit(app.metrics)).toEqual({ closed: 1, open: 0, half_open: 0 });
    expect(s.listenStats().batch.requests).toBe(1); // the trial sent no audio
  });

  it('stays not closed while Deepgram does not answer (the alert keeps paging)', async () => {
    const app = await startApp(await deadPort());
    expect(app.state).toBe('open');
    await idle();
    const state = await circuit(app.metrics);
    expect(state.closed).toBe(0);
    expect((state.open ?? 0) + (state.half_open ?? 0)).toBe(1);
  });
});
