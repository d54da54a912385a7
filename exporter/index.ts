// Starts the exporter from a validated config: builds the sources, the shared API client, the collector and the
// HTTP server, and gives back a handle that shuts it all down gracefully.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { DgmonConfig } from '../core/config.ts';
import { durationMilliseconds, durationSeconds } from '../core/duration.ts';
import { Collector } from './collector.ts';
import { DeepgramApi } from './deepgram-api.ts';
import { createLogger, type Logger } from './log.ts';
import { createApp } from './server.ts';
import { apiSource } from './sources/api.ts';
import { licenseProxySource } from './sources/license-proxy.ts';
import { nvidiaSmiSource } from './sources/nvidia-smi-source.ts';
import { passthroughSource } from './sources/passthrough.ts';
import type { Source, SourceName } from './sources/types.ts';
import { ExpiryWatch, type ExpiryCheck } from './sources/expiry-watch.ts';
import { defaultServerName, tlsExpiryCheck } from './sources/tls-expiry.ts';
import { declaredKeySamples, keyListingCheck } from './sources/key-expiry.ts';
import type { Probe } from './probe/index.ts';

export interface ExporterHandle {
  url: string;
  collector: Collector;
  /** The synthetic probe, when exporter.probe.enabled. */
  probe?: Probe;
  log: Logger;
  close(): Promise<void>;
}

export interface ExporterSecrets {
  apiKey?: string;
  basicAuthPassword?: string;
  /** Deepgram management key for the key listing of the expiry watch. */
  managementKey?: string;
}

/** Reads the secrets the config points at: files first, then the environment. Never logged. */
export function readSecrets(config: DgmonConfig, env: NodeJS.ProcessEnv = process.env): ExporterSecrets {
  const e = config.exporter;
  const fromFile = (path: string, field: string) => {
    try {
      return readFileSync(path, 'utf8').trim();
    } catch (err) {
      throw new Error(`${field}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  return {
    apiKey: e.apiKeyFile ? fromFile(e.apiKeyFile, 'exporter.apiKeyFile') : env.DEEPGRAM_API_KEY || undefined,
    basicAuthPassword: e.basicAuth.passwordFile ? fromFile(e.basicAuth.passwordFile, 'exporter.basicAuth.passwordFile') : env.DGMON_BASIC_AUTH_PASSWORD || undefined,
    managementKey: e.expiry.apiKeys.listing.keyFile
      ? fromFile(e.expiry.apiKeys.listing.keyFile, 'exporter.expiry.apiKeys.listing.keyFile')
      : env.DEEPGRAM_MANAGEMENT_API_KEY || undefined,
  };
}

export async function startExporter(config: DgmonConfig, options: { secrets?: ExporterSecrets; log?: Logger } = {}): Promise<ExporterHandle> {
  const e = config.exporter;
  const secrets = options.secrets ?? readSecrets(config);
  const log = options.log ?? createLogger({ secrets: [secrets.apiKey, secrets.basicAuthPassword, secrets.managementKey].filter((s): s is string => !!s) });
  const ms = durationMilliseconds;
  const sources: Source[] = [];
  const timeouts: Partial<Record<SourceName, number>> = {};
  let collector: Collector | undefined;
  const api = e.sources.api.url
    ? new DeepgramApi(e.sources.api.url, {
        timeoutMs: Math.min(ms(e.sources.api.timeout), ms(e.scrapeBudget)),
        maxBytes: e.maxBodyBytes,
        cacheTtlMs: ms(e.healthCacheTtl),
        apiKey: secrets.apiKey,
        onRateLimited: () => collector?.rateLimitHits.inc({ source: 'health_check' }),
      })
    : undefined;
  if (e.sources.engine.url) {
    sources.push(passthroughSource('engine', e.sources.engine.url, e.maxBodyBytes));
    timeouts.engine = ms(e.sources.engine.timeout);
  }
  if (e.sources.dcgm.url) {
    sources.push(passthroughSource('dcgm', e.sources.dcgm.url, e.maxBodyBytes));
    timeouts.dcgm = ms(e.sources.dcgm.timeout);
  }
  if (e.sources.nvidiaSmi.enabled) {
    timeouts.nvidia_smi = ms(e.sources.nvidiaSmi.timeout);
    sources.push(nvidiaSmiSource(e.sources.nvidiaSmi.binary, timeouts.nvidia_smi));
  }
  if (api) {
    sources.push(apiSource(api, e.sources.api.url));
    timeouts.api = ms(e.sources.api.timeout);
  }
  if (e.sources.licenseProxy.url) {
    sources.push(licenseProxySource(e.sources.licenseProxy.url, e.maxBodyBytes));
    timeouts.license_proxy = ms(e.sources.licenseProxy.timeout);
  }
  const expiry = expiryWatch(config, secrets, log);
  collector = new Collector({ sources, timeouts, budgetMs: ms(e.scrapeBudget), api, expiry: expiry.empty ? undefined : expiry, log });
  // The probe writes into the collector's registry, so its families are served in the same /metrics, each once. Its
  // module (the Deepgram SDK, WebSockets, the client's policies) is loaded only when it is on: held in memory for
  // nothing otherwise, and V8 sizes the heap it grows under load as a multiple of what is live.
  const probe = e.probe.enabled
    ? new (await import('./probe/index.ts')).Probe({ settings: e.probe, apiUrl: e.probe.apiUrl || e.sources.api.url, apiKey: secrets.apiKey, registry: collector.registry, log })
    : undefined;
  const app = createApp({
    collector,
    api,
    sources,
    log,
    basicAuth: e.basicAuth.username ? { username: e.basicAuth.username, password: secrets.basicAuthPassword ?? '' } : undefined,
  });
  const tls = e.tls.certFile ? { cert: readFileSync(e.tls.certFile), key: readFileSync(e.tls.keyFile) } : undefined;
  const server: Server = tls ? createHttpsServer(tls, app) : createHttpServer(app);
  server.keepAliveTimeout = 65_000;
  const { host, port } = splitListen(e.listen);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(`exporter.listen: cannot listen on ${e.listen} (${err.code ?? err.message}); choose another address with --listen or DGMON_LISTEN`)),
    );
    server.listen(port, host || undefined, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${tls ? 'https' : 'http'}://${shownHost === '0.0.0.0' || shownHost === '[::]' ? '127.0.0.1' : shownHost}:${address.port}`;
  log.info({ url, sources: sources.map((s) => ({ name: s.name, target: s.target })), expiry: expiry.targets }, 'exporter listening');
  probe?.start();
  return {
    url,
    collector,
    probe,
    log,
    close: async () => {
      await probe?.close();
      await new Promise<void>((resolve) => {
        // Stop accepting, let in-flight scrapes finish, and drop idle keep-alive connections.
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      });
    },
  };
}

/** The expiry watch the config asks for: one TLS check per endpoint, one listing per project, the declared keys. */
function expiryWatch(config: DgmonConfig, secrets: ExporterSecrets, log: Logger): ExpiryWatch {
  const x = config.exporter.expiry;
  const checks: ExpiryCheck[] = x.tls.map((t, i) => {
    const { host, port } = splitListen(t.address);
    let ca: Buffer | undefined;
    try {
      ca = t.caFile ? readFileSync(t.caFile) : undefined;
    } catch (err) {
      throw new Error(`exporter.expiry.tls.${i}.caFile: cannot read ${t.caFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    return tlsExpiryCheck({ name: t.name || t.address, host, port, serverName: defaultServerName(host, t.serverName), ca });
  });
  const listing = x.apiKeys.listing;
  if (listing.projectId) {
    if (!secrets.managementKey) throw new Error('exporter.expiry.apiKeys.listing.keyFile: no management key (set keyFile or DEEPGRAM_MANAGEMENT_API_KEY)');
    checks.push(keyListingCheck({ ...listing, managementKey: secrets.managementKey, maxBytes: config.exporter.maxBodyBytes }));
  }
  return new ExpiryWatch({
    checks,
    fixed: declaredKeySamples(x.apiKeys.declared),
    intervalMs: durationMilliseconds(x.interval),
    timeoutMs: durationMilliseconds(x.timeout),
    log,
  });
}

export function splitListen(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  return { host: listen.slice(0, i).replace(/^\[(.*)\]$/, '$1'), port: Number(listen.slice(i + 1)) };
}
