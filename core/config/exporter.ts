// The exporter sidecar (`dgmon exporter`): what it reads, the expiry watch, the synthetic probe, and its own
// endpoints' authentication and TLS.
import { z } from 'zod';
import { duration } from './fields.ts';

/** A calendar date or a date-time with a zone, as Deepgram writes expiration_date; a bare date is midnight UTC. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/;
export function isIsoDate(text: string): boolean {
  return ISO_DATE.test(text) && Number.isFinite(Date.parse(text));
}

/** An upstream the exporter reads: a URL (empty: not configured) and its own timeout. */
const upstream = (what: string) =>
  z
    .strictObject({
      url: z
        .string()
        .refine((u) => u === '' || /^https?:\/\/[^\s]+$/.test(u), { message: 'must be an http:// or https:// URL, or empty to leave this source out' })
        .default('')
        .describe(what),
      timeout: duration('5s', 'How long this source may take; the scrape budget caps it too.'),
    })
    .prefault({})
    .describe(what);

export const exporter = z
  .strictObject({
    listen: z
      .string()
      .regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s]*):\d{1,5}$/, { message: 'must be HOST:PORT, e.g. 0.0.0.0:9898 or 127.0.0.1:9898 (an empty host listens everywhere)' })
      .default('0.0.0.0:9898')
      .describe('Where the exporter serves /metrics, /health, /ready and its landing page. Flag --listen, env DGMON_LISTEN.'),
    scrapeBudget: duration('8s', 'Total time one scrape may spend fetching all sources in parallel. Keep it under Prometheus\' scrape_timeout (10s by default) so a hanging upstream never costs the whole scrape.'),
    maxBodyBytes: z
      .number()
      .int()
      .positive({ message: 'must be a positive number of bytes' })
      .default(16 * 1024 * 1024)
      .describe('Largest upstream body read, in bytes. An 8-GPU dcgm-exporter page is about 100 KiB; 16 MiB stops a broken upstream from exhausting memory.'),
    healthCacheTtl: duration('5s', 'How long a health-check result is reused, so a burst of /health probes (load balancers, Kubernetes) never hammers the API.'),
    apiKeyFile: z
      .string()
      .default('')
      .describe('File holding a Deepgram API key, sent as "Authorization: Token …" to the API if your proxy asks for one. Env DEEPGRAM_API_KEY also works. Never logged.'),
    sources: z
      .strictObject({
        engine: upstream('The Engine metrics endpoint, e.g. http://127.0.0.1:9991/metrics. Flag --engine-url, env DGMON_ENGINE_URL. Its metrics are passed through unchanged.'),
        dcgm: upstream('dcgm-exporter\'s endpoint, e.g. http://127.0.0.1:9400/metrics. Flag --dcgm-url, env DGMON_DCGM_URL. Passed through unchanged.'),
        api: upstream('The Deepgram API base URL, e.g. http://127.0.0.1:8080 (dgmon reads /v1/status, /v1/status/engine, /v1/models). Flag --api-url, env DGMON_API_URL.'),
        licenseProxy: upstream('The License Proxy status base URL, e.g. http://127.0.0.1:8089 (dgmon reads /v1/status). Flag --license-proxy-url, env DGMON_LICENSE_PROXY_URL.'),
        nvidiaSmi: z
          .strictObject({
            enabled: z.boolean().default(false).describe('Read GPU stats from nvidia-smi where no dcgm-exporter runs (bare metal). Emits the DCGM metric names for the fields nvidia-smi has.'),
            binary: z.string().default('nvidia-smi').describe('Path of nvidia-smi.'),
            timeout: duration('5s', 'How long nvidia-smi may take; it can hang when the driver is wedged.'),
          })
          .prefault({})
          .describe('The nvidia-smi fallback collector.'),
      })
      .prefault({})
      .describe('What the exporter reads. Each is optional: an empty url leaves the source out.'),
    expiry: z
      .strictObject({
        interval: duration('5m', 'How often each certificate and key listing is read again. Certificates and keys change on renewal only, so the exporter reuses the last reading in between (checked when scraped, never in the background) instead of dialling the proxy or Deepgram on every scrape.'),
        timeout: duration('5s', 'How long one TLS handshake or key listing may take. A check that outlives the scrape budget finishes for the next scrape.'),
        tls: z
          .array(
            z.strictObject({
              name: z.string().default('').describe('Label for this endpoint (the target label). Empty: the address.'),
              address: z
                .string({ error: 'must be HOST:PORT of the TLS endpoint, e.g. api.example.com:443' })
                .regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s/]+):\d{1,5}$/, { message: 'must be HOST:PORT of the TLS endpoint, e.g. api.example.com:443 or 10.0.0.5:443 (no scheme, no path)' })
                .describe('HOST:PORT of the proxy terminating TLS in front of the Deepgram API (NGINX, HAProxy, Apache).'),
              serverName: z.string().default('').describe('Server name sent in SNI and checked against the certificate. Empty: the host of address (none is sent for an IP address). Set it when you dial an IP or a load balancer that serves several names.'),
              caFile: z.string().default('').describe('PEM file of the CA that signs an internal certificate, for dgmon_tls_cert_verified. Empty: the system trust store. The expiry is reported either way.'),
            }),
          )
          .default([])
          .describe('TLS endpoints whose certificates must not expire unseen (DeepgramTLSCertificateExpiringSoon), e.g. [{ name: api-proxy, address: api.example.com:443 }]; each entry also takes serverName and caFile. A certificate that does not verify (untrusted, expired, wrong name) is still read and reported, with dgmon_tls_cert_verified 0.'),
        apiKeys: z
          .strictObject({
            declared: z
              .array(
                z.strictObject({
                  name: z
                    .string({ error: 'must be a name for the key, e.g. production or fallback' })
                    .min(1, { message: 'must be a name for the key, e.g. production or fallback' })
                    // A Deepgram API key is 40 hex characters: refuse one pasted here, since names end up as labels.
                    .refine((n) => !/^[0-9a-f]{32,}$/i.test(n), { message: 'looks like an API key itself; write a name for the key (production, fallback), never the key: names become metric labels' })
                    .describe('A name for the key (the key label), e.g. production or fallback. Never the key itself.'),
                  expires: z
                    .string({ error: 'must be an ISO 8601 date such as 2025-09-30 or 2025-09-30T12:00:00Z' })
                    .refine(isIsoDate, { message: 'must be an ISO 8601 date such as 2025-09-30 or 2025-09-30T12:00:00Z (a date alone means midnight UTC)' })
                    .describe('When the key expires, as shown in the Deepgram console or returned when the key was created (expiration_date).'),
                }),
              )
              .default([])
              .describe('Keys whose expiry you know (self-hosted deployments, keys of other projects), e.g. [{ name: production, expires: 2025-12-01 }, { name: fallback, expires: 2026-01-15 }]: one entry per key, updated here when the key is rotated.'),
            listing: z
              .strictObject({
                projectId: z.string().default('').describe('The Deepgram project whose keys are listed (GET /v1/projects/{projectId}/keys, active keys only). Empty: no listing.'),
                baseUrl: z
                  .string()
                  .refine((u) => /^https?:\/\/[^\s]+$/.test(u), { message: 'must be an http:// or https:// URL, e.g. https://api.deepgram.com' })
                  .default('https://api.deepgram.com')
                  .describe('Deepgram\'s management API. Change it only for a proxy or a test double.'),
                keyFile: z.string().default('').describe('File holding the management key (scope keys:read is enough). Env DEEPGRAM_MANAGEMENT_API_KEY also works. Never logged, never a label.'),
                labelComments: z
                  .boolean()
                  .default(false)
                  .describe('Add each key\'s comment (its name in the console) as a label. Off by default: comments are free text someone may have pasted a secret into; the api_key_id identifies the key without it.'),
              })
              .prefault({})
              .describe('Read expiry dates of hosted keys from Deepgram\'s management API instead of declaring them.'),
          })
          .prefault({})
          .describe('Deepgram API keys whose expiry must be seen coming (DeepgramAPIKeyExpiringSoon). Production keys live 90 days.'),
      })
      .prefault({})
      .describe('The expiry watch: certificates of the TLS proxy in front of the API and Deepgram API keys, exported as expiry timestamps.'),
    probe: z
      .strictObject({
        enabled: z
          .boolean()
          .default(false)
          .describe('Send a short known clip to Deepgram on a schedule and export how it went (dgmon_probe_*, and dgmon_transcription_* with source="probe"). Off by default: every probe is a billed transcription on hosted Deepgram and a request on your self-hosted fleet.'),
        interval: duration('1m', 'Time between two probes of each mode (jittered by 10 % so a fleet of exporters does not probe in step). One a minute sees an outage within a minute or two and costs about 1.5 h of audio a month per mode.'),
        batch: z.boolean().default(true).describe('Probe pre-recorded transcription (POST /v1/listen).'),
        stream: z.boolean().default(true).describe('Probe live streaming (WebSocket /v1/listen, the clip paced in real time); runs half an interval after the batch probe, so the two never compete.'),
        chunkMs: z
          .number({ error: 'must be a number of milliseconds' })
          .int({ message: 'must be a whole number of milliseconds' })
          .min(20, { message: 'must be 20 to 1000 ms; Deepgram advises 20-100 ms chunks' })
          .max(1000, { message: 'must be 20 to 1000 ms; Deepgram advises 20-100 ms chunks' })
          .default(100)
          .describe('Audio per streamed chunk, in ms. 100 ms is what most live sources send and the upper end of Deepgram\'s advice; each chunk\'s response latency is measured against the 400 ms target.'),
        timeout: duration('30s', 'Per call: a batch request until its answer, a stream until its handshake and between answers. 30 s is the client library\'s default; a probe that takes longer has failed as far as a user is concerned.'),
        retries: z
          .number({ error: 'must be a number' })
          .int({ message: 'must be a whole number' })
          .min(0, { message: 'must be 0 or more' })
          .max(5, { message: 'must be at most 5: a probe that needs more retries has failed' })
          .default(2)
          .describe('Retries of a failed call (429, 5xx, timeout, connection), with exponential backoff and jitter. Two ride out a restart; a probe run fails only when every attempt fails.'),
        breaker: z
          .strictObject({
            consecutiveFailures: z
              .number({ error: 'must be a number' })
              .int({ message: 'must be a whole number' })
              .min(1, { message: 'must be 1 or more' })
              .default(3)
              .describe('Consecutive server-side failures (5xx, timeouts, connection failures) that open the circuit: with 2 retries, one fully failed probe run.'),
            halfOpenAfter: duration('5m', 'How long the open circuit refuses probes (counted as failed runs, result "not_sent") before one trial call: a dead API gets one probe call per 5 minutes instead of three a minute.'),
          })
          .prefault({})
          .describe('The circuit breaker in front of the probe\'s calls, so a dead API is not hammered.'),
        expectedWords: z
          .array(z.string().regex(/^[^\s]+$/, { message: 'must be single words without spaces, e.g. [alfa, bravo]' }))
          .default([])
          .describe('Words the transcript must contain (case and punctuation ignored). Empty: any non-empty transcript passes. The built-in clip is tones the simulator hears as "alfa bravo charlie" and a real Deepgram as silence: against a real API set audioFile to a recording of speech and list its words here.'),
        audioFile: z
          .string()
          .default('')
          .describe('A short WAV file (mono 16-bit PCM, a few seconds of speech) to send instead of the built-in synthesised clip. Read once at start-up.'),
        model: z.string().regex(/^[A-Za-z0-9._-]*$/, { message: 'must be a model name such as nova-3, or empty' }).default('').describe('The model parameter of the probe\'s requests. Empty: the API\'s default model.'),
        apiUrl: z
          .string()
          .refine((u) => u === '' || /^https?:\/\/[^\s]+$/.test(u), { message: 'must be an http:// or https:// URL, or empty to probe exporter.sources.api.url' })
          .default('')
          .describe('The Deepgram API to probe. Empty: the one the exporter reads (exporter.sources.api.url). Set https://api.deepgram.com to probe hosted Deepgram. The key is exporter.apiKeyFile or DEEPGRAM_API_KEY, never logged.'),
      })
      .prefault({})
      .describe('The synthetic probe: a known clip transcribed on a schedule in the background (never inside a scrape), batch and streaming, measured under catalogue names with source="probe".'),
    basicAuth: z
      .strictObject({
        username: z.string().default('').describe('Username required on every endpoint but /health and /ready. Empty: no authentication.'),
        passwordFile: z.string().default('').describe('File holding the password (env DGMON_BASIC_AUTH_PASSWORD also works).'),
      })
      .prefault({})
      .describe('Optional HTTP basic authentication on the exporter\'s own endpoints.'),
    tls: z
      .strictObject({
        certFile: z.string().default('').describe('PEM certificate for HTTPS on the exporter\'s endpoints. Empty: plain HTTP.'),
        keyFile: z.string().default('').describe('PEM private key matching certFile.'),
      })
      .prefault({})
      .describe('Optional TLS on the exporter\'s own endpoints.'),
  })
  .prefault({})
  .describe('The dgmon exporter sidecar (`dgmon exporter`). Flags and environment variables override these.');
