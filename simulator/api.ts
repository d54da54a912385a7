// Payloads of the Deepgram API container (/v1/status, /v1/status/engine, /v1/models; /v1/listen is listen.ts) and of the License
// Proxy's status port (/v1/status), as Deepgram documents them (see the reference notes, section 2). All JSON is
// compact: Deepgram's readiness probes grep the raw body (^{"engine_connection_status":"Connected".*}$).
import type { ActiveRequests } from './engine.ts';
import { noise } from './random.ts';

export type SystemHealth = 'Initializing' | 'Ready' | 'Healthy' | 'Degraded' | 'Critical';

export interface ApiStatus {
  system_health: SystemHealth;
  active_batch_requests: number;
  active_stream_requests: number;
  active_listen_v2_stream_requests: number;
}

/**
 * /v1/status. The Engine's active requests seen from the API: batch as is, /v1/listen streams = the Engine's open
 * streams minus the Flux ones, which the API counts apart (active_listen_v2_stream_requests). TTS is not reported.
 */
export function apiStatus(health: SystemHealth, active: ActiveRequests): ApiStatus {
  return {
    system_health: health,
    active_batch_requests: active.batch,
    active_stream_requests: active.stream - active.flux,
    active_listen_v2_stream_requests: active.flux,
  };
}

/** /v1/status/engine; only the first key is documented, "Disconnected" is our spelling of the other state. */
export function engineStatus(connected: boolean): { engine_connection_status: 'Connected' | 'Disconnected' } {
  return { engine_connection_status: connected ? 'Connected' : 'Disconnected' };
}

export function licenseProxyStatus(state: 'Connected' | 'TrustBased'): { state: string } {
  return { state };
}

export interface SttModel {
  name: string;
  canonical_name: string;
  architecture: string;
  languages: string[];
  version: string;
  uuid: string;
  batch: boolean;
  streaming: boolean;
  formatted_output: boolean;
}

export interface TtsModel {
  name: string;
  canonical_name: string;
  architecture: string;
  languages: string[];
  version: string;
  uuid: string;
  metadata: { accent: string; age: string; color: string; image: string; sample: string; tags: string[]; use_cases: string[] };
}

/** The models a typical self-hosted node loads (the Engine's model directory). */
export const MODELS: { stt: SttModel[]; tts: TtsModel[] } = {
  stt: [
    {
      name: 'general',
      canonical_name: 'nova-3-general',
      architecture: 'nova-3',
      languages: ['en', 'en-US'],
      version: '2025-07-31.0',
      uuid: '40bd3654-e622-47c4-a111-63a61b23bfe7',
      batch: true,
      streaming: true,
      formatted_output: true,
    },
    {
      name: 'general',
      canonical_name: 'nova-2-general',
      architecture: 'nova-2',
      languages: ['en', 'en-US'],
      version: '2024-01-09.29447',
      uuid: '30089e05-99d1-4376-b32e-c263170674af',
      batch: true,
      streaming: true,
      formatted_output: true,
    },
    {
      name: 'flux-general-en',
      canonical_name: 'flux-general-en',
      architecture: 'flux',
      languages: ['en'],
      version: '2025-09-29.0',
      uuid: '6f2c47e1-2b4a-4c5e-9d0b-8a6e1f3c2d71',
      batch: false,
      streaming: true,
      formatted_output: true,
    },
  ],
  tts: [
    {
      name: 'thalia',
      canonical_name: 'aura-2-thalia-en',
      architecture: 'aura-2',
      languages: ['en', 'en-US'],
      version: '2025-04-07.0',
      uuid: 'ecb76e9d-f2db-4127-8060-79b05590d22f',
      metadata: {
        accent: 'American',
        age: 'Adult',
        color: '#E98F4B',
        image: 'https://static.deepgram.com/examples/avatars/thalia.jpg',
        sample: 'https://static.deepgram.com/examples/Aura-2-thalia.wav',
        tags: ['feminine', 'clear', 'confident'],
        use_cases: ['casual chat', 'customer service', 'IVR'],
      },
    },
    {
      name: 'asteria',
      canonical_name: 'aura-asteria-en',
      architecture: 'aura',
      languages: ['en', 'en-US'],
      version: '2024-05-01.0',
      uuid: '5b0aa2c1-4d3e-4f8a-9c6b-1e2d3f4a5b6c',
      metadata: {
        accent: 'American',
        age: 'Adult',
        color: '#7A4BE9',
        image: 'https://static.deepgram.com/examples/avatars/asteria.jpg',
        sample: 'https://static.deepgram.com/examples/Aura-asteria.wav',
        tags: ['feminine', 'warm'],
        use_cases: ['advertising', 'IVR'],
      },
    },
  ],
};

/** /v1/models: nothing when the API has no Engine (it lists what the Engine loaded). */
export function models(connected: boolean): { stt: SttModel[]; tts: TtsModel[] } {
  return connected ? MODELS : { stt: [], tts: [] };
}

/** A request id as Deepgram formats them (a UUID), deterministic from a sequence number. */
export function requestId(seed: number, n: number): string {
  const h = (k: number, width: number) => Math.floor(noise(seed, n, k) * 16 ** Math.min(width, 8)).toString(16).padStart(width, '0');
  return `${h(1, 8)}-${h(2, 4)}-4${h(3, 3)}-a${h(4, 3)}-${h(5, 8)}${h(6, 4)}`;
}

/** Deepgram's legacy REST error body. */
export function errorBody(code: string, message: string, id: string): { err_code: string; err_msg: string; request_id: string } {
  return { err_code: code, err_msg: message, request_id: id };
}
