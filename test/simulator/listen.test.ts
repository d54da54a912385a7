// The simulator's /v1/listen, batch and WebSocket, read with plain fetch and ws: Deepgram's response shapes and
// headers, audio duration from the WAV header, the transcript of the generated clip, and each scenario's behaviour.
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { synthesizeClip } from '../../core/audio/clip.ts';
import { encodeWav, parseWav } from '../../core/audio/wav.ts';
import { clock, closeAll, simulator } from './helpers.ts';

afterAll(closeAll);
const clip = synthesizeClip();

const post = (url: string, body: Buffer | string, query = '') =>
  fetch(`${url}/v1/listen${query}`, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), signal: AbortSignal.timeout(10_000) });

interface Message { type: string; [k: string]: unknown }

/** Streams `audio` in 3200-byte chunks, sends `control` messages, and collects everything until the server closes. */
function stream(url: string, audio: Uint8Array, control: object[] = [{ type: 'CloseStream' }], query = ''): Promise<{ messages: Message[]; code: number; requestId?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/listen${query}`);
    const messages: Message[] = [];
    let requestId: string | undefined;
    const timer = setTimeout(() => (ws.terminate(), reject(new Error('stream did not close'))), 10_000);
    ws.on('upgrade', (res) => (requestId = res.headers['dg-request-id'] as string));
    ws.on('message', (d) => messages.push(JSON.parse(String(d)) as Message));
    ws.on('open', () => {
      for (let i = 0; i < audio.length; i += 3200) ws.send(audio.subarray(i, i + 3200));
      for (const c of control) ws.send(JSON.stringify(c));
    });
    ws.on('error', reject);
    ws.on('close', (code) => (clearTimeout(timer), resolve({ messages, code, requestId })));
  });
}

function refusal(url: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/listen`);
    ws.on('unexpected-response', (_req, res) => (res.resume(), resolve({ status: res.statusCode ?? 0, headers: res.headers }), ws.terminate()));
    ws.on('open', () => (ws.terminate(), reject(new Error('stream was accepted'))));
    ws.on('error', () => undefined);
  });
}

describe('the generated clip', () => {
  it('is a 16 kHz mono 16-bit WAV of 2.55 s whose header reads back', () => {
    expect(parseWav(clip.wav)).toMatchObject({ sampleRate: 16000, channels: 1, bitsPerSample: 16, dataOffset: 44, durationSeconds: 2.55 });
    expect(clip.durationSeconds).toBe(2.55);
    expect(synthesizeClip().wav.equals(clip.wav)).toBe(true);
    expect(parseWav(Buffer.from('RIFF....WAVEjunk'))).toBeUndefined();
    expect(parseWav(encodeWav([0, 0.5, -0.5, 1], 8000))).toMatchObject({ sampleRate: 8000, dataBytes: 8, durationSeconds: 0.0005 });
  });
});

describe('batch POST /v1/listen', () => {
  it('answers a pre-recorded response: metadata as Deepgram documents it, the transcript, dg-request-id', async () => {
    const sim = await simulator({ clock: clock() });
    const r = await post(sim.urls.api, clip.wav, '?model=nova-3&punctuate=false');
    expect(r.status).toBe(200);
    const body = (await r.json()) as { metadata: Record<string, unknown>; results: { channels: { alternatives: { transcript: string; confidence: number; words: { word: string; start: number; end: number }[] }[] }[] } };
    expect(Object.keys(body.metadata)).toEqual(['transaction_key', 'request_id', 'sha256', 'created', 'duration', 'channels', 'models', 'model_info']);
    expect(body.metadata).toMatchObject({ request_id: r.headers.get('dg-request-id'), duration: 2.55, channels: 1 });
    expect(body.metadata.sha256).toMatch(/^[0-9a-f]{64}$/);
    const alt = body.results.channels[0]?.alternatives[0];
    expect(alt?.transcript).toBe('alfa bravo charlie');
    expect(alt?.words.map((w) => [w.word, w.start, w.end])).toEqual([['alfa', 0.3, 0.75], ['bravo', 1.05, 1.5], ['charlie', 1.8, 2.25]]);
  });

  it('reads raw PCM by encoding and sample_rate, and refuses audio it cannot decode with 400 and dg-error', async () => {
    const sim = await simulator({ clock: clock() });
    const raw = await post(sim.urls.api, clip.wav.subarray(44), '?encoding=linear16&sample_rate=16000');
    expect(((await raw.json()) as { metadata: { duration: number } }).metadata.duration).toBe(2.55);
    const bad = await post(sim.urls.api, 'not audio');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('dg-error')).toMatch(/failed to process audio/);
    expect(((await bad.json()) as { err_code: string }).err_code).toBe('Bad Request');
  });

  it('follows the scenario: 429 with Retry-After, 503 without an Engine, 5xx at the error-burst share', async () => {
    const sim = await simulator({ clock: clock(), scenario: 'rate-limited' });
    const limited = await post(sim.urls.api, clip.wav);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.headers.get('dg-error')).toBeTruthy();
    await limited.text();
    sim.setScenario('engine-disconnected');
    expect((await post(sim.urls.api, clip.wav)).status).toBe(503);
    sim.setScenario('error-burst');
    sim.resetListenStats();
    for (let i = 0; i < 25; i++) await (await post(sim.urls.api, clip.wav)).text();
    // 8 % of 25: exactly 2 of them, deterministically.
    expect(sim.listenStats().batch.byStatus['500']).toBe(2);
  });

  it('holds requests in api-hang until the client gives up, counting them in flight', async () => {
    const sim = await simulator({ clock: clock(), scenario: 'api-hang' });
    const pending = post(sim.urls.api, clip.wav).catch((e: Error) => e);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sim.listenStats().batch.inFlight).toBe(1);
    await sim.close();
    expect(await pending).toBeInstanceOf(Error);
  });
});

describe('WebSocket /v1/listen', () => {
  it('answers Results per chunk, the words of the clip, then Metadata on CloseStream and a normal close', async () => {
    const sim = await simulator({ clock: clock() });
    const { messages, code, requestId } = await stream(sim.urls.api, clip.wav, [{ type: 'KeepAlive' }, { type: 'CloseStream' }]);
    expect(code).toBe(1000);
    const results = messages.filter((m) => m.type === 'Results');
    expect(results).toHaveLength(Math.ceil(clip.wav.length / 3200));
    const words = results.map((m) => (m.channel as { alternatives: { transcript: string }[] }).alternatives[0]?.transcript).filter(Boolean);
    expect(words).toEqual(['alfa', 'bravo', 'charlie']);
    expect(results.every((m) => m.is_final === true && (m.metadata as { request_id: string }).request_id === requestId)).toBe(true);
    const last = messages.at(-1) as Message;
    expect(last).toMatchObject({ type: 'Metadata', request_id: requestId, duration: 2.55, channels: 1 });
  });

  it('refuses the handshake like the batch endpoint: 429 with Retry-After and dg-error, 503 without an Engine', async () => {
    const sim = await simulator({ clock: clock(), scenario: 'rate-limited' });
    const limited = await refusal(sim.urls.api);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    expect(limited.headers['dg-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(limited.headers['dg-error']).toBeTruthy();
    sim.setScenario('engine-disconnected');
    expect((await refusal(sim.urls.api)).status).toBe(503);
  });

  it('ends a stream it cannot decode with an Error message', async () => {
    const sim = await simulator({ clock: clock() });
    const { messages, code } = await stream(sim.urls.api, Buffer.from('no header, no encoding'));
    expect(messages[0]).toMatchObject({ type: 'Error' });
    expect(code).toBe(1011);
  });
});
