// Runs the real Alertmanager (Debian's /usr/bin/prometheus-alertmanager, 0.25) on a free 127.0.0.1 port for tests,
// and a webhook recorder that keeps every notification it receives. Every wait is bounded; the child is ended by
// close() (SIGTERM, then SIGKILL), or, as a last resort, by the exit hooks in daemon.ts.
//
// `--cluster.listen-address=` (empty) disables gossip, so no second port is opened and the instance is ready at once
// (measured: ready in about 0.16 s).
import { join } from 'node:path';
import { serve, type TestServer } from './net.ts';
import { startDaemon } from '../../daemons/daemon.ts';

export const ALERTMANAGER_BIN = 'prometheus-alertmanager';

export interface AlertmanagerOptions {
  /** The alertmanager.yml text. */
  configYaml: string;
}

export interface AlertmanagerHandle {
  /** http://127.0.0.1:PORT, also passed as --web.external-url. */
  url: string;
  /** `127.0.0.1:PORT`, for Prometheus' alerting.alertmanagers static config. */
  address: string;
  /** Temporary directory holding alertmanager.yml and the data directory; removed by close(). */
  dir: string;
  /** The alerts Alertmanager currently holds (GET /api/v2/alerts). */
  alerts(): Promise<unknown[]>;
  /** SIGTERM, then SIGKILL if it has not exited in time; removes `dir`. Safe to call more than once. */
  close(): Promise<void>;
}

export async function startAlertmanager(options: AlertmanagerOptions): Promise<AlertmanagerHandle> {
  const daemon = await startDaemon({
    name: 'alertmanager',
    bin: ALERTMANAGER_BIN,
    files: { 'alertmanager.yml': options.configYaml },
    args: ({ dir, address, url }) => [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=${address}`,
      `--web.external-url=${url}`,
      '--cluster.listen-address=',
    ],
  });
  const { url, address, dir } = daemon;
  return {
    url,
    address,
    dir,
    async alerts() {
      const response = await fetch(`${url}/api/v2/alerts`, { signal: AbortSignal.timeout(10_000) });
      if (response.status !== 200) throw new Error(`/api/v2/alerts: HTTP ${response.status}: ${await response.text()}`);
      return (await response.json()) as unknown[];
    },
    close: () => daemon.close(),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Webhook recorder

/** One alert of an Alertmanager webhook (version 4) payload. */
export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** An Alertmanager webhook (version 4) payload. */
export interface WebhookPayload {
  version: string;
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: WebhookAlert[];
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  groupKey: string;
  truncatedAlerts?: number;
}

export interface Notification {
  /** Request path, e.g. /pager. */
  path: string;
  /** Date.now() when the body had arrived. */
  at: number;
  /** The parsed body (undefined if it was not JSON; `raw` keeps the text). */
  body: WebhookPayload | undefined;
  raw: string;
}

export interface WebhookRecorder {
  /** http://127.0.0.1:PORT; receivers post to `${url}/<path>`. */
  url: string;
  /** Every POST so far, in arrival order. */
  notifications(): Notification[];
  /**
   * Waits until a notification (arriving at or after `since`, default 0) satisfies `match`; resolves with it.
   * Throws after `timeoutMs`, listing what did arrive.
   */
  waitFor(match: (n: Notification) => boolean, timeoutMs: number, since?: number): Promise<Notification>;
  close(): Promise<void>;
}

/** An HTTP server on a free 127.0.0.1 port recording every POST body with its path and arrival time. */
export async function startWebhookRecorder(): Promise<WebhookRecorder> {
  const received: Notification[] = [];
  const waiters = new Set<() => void>();
  const server: TestServer = await serve((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST') {
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: WebhookPayload | undefined;
        try {
          body = JSON.parse(raw) as WebhookPayload;
        } catch {
          body = undefined;
        }
        received.push({ path: new URL(req.url ?? '/', 'http://x').pathname, at: Date.now(), body, raw });
        for (const wake of waiters) wake();
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    });
  });
  return {
    url: server.url,
    notifications: () => [...received],
    async waitFor(match, timeoutMs, since = 0) {
      const find = () => received.find((n) => n.at >= since && match(n));
      const found = find();
      if (found) return found;
      return await new Promise<Notification>((resolve, reject) => {
        const wake = () => {
          const n = find();
          if (!n) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(n);
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          const seen = received
            .filter((n) => n.at >= since)
            .map((n) => `  ${n.path} ${n.body?.status ?? '?'} ${(n.body?.alerts ?? []).map((a) => `${a.labels.alertname}(${a.status})`).join(',')}`);
          reject(new Error(`no matching notification within ${timeoutMs} ms; received since then:\n${seen.join('\n') || '  (none)'}`));
        }, timeoutMs);
        waiters.add(wake);
      });
    },
    close: () => server.close(),
  };
}
