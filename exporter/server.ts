// The exporter's HTTP surface (express): /metrics, /health, /ready and a landing page linking them.
import express, { type Request, type Response, type NextFunction } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { TEXT_CONTENT_TYPE } from '../core/exposition/render.ts';
import { VERSION } from '../core/version.ts';
import type { Collector } from './collector.ts';
import type { DeepgramApi, HealthReport } from './deepgram-api.ts';
import type { Source } from './sources/types.ts';
import type { Logger } from './log.ts';

export interface AppOptions {
  collector: Collector;
  api?: DeepgramApi;
  sources: Source[];
  log: Logger;
  basicAuth?: { username: string; password: string };
}

export function createApp(options: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Every answer is computed afresh, so an ETag would never match; Express would hash each /metrics body to make one.
  app.set('etag', false);

  // Load balancers and kubelets probe these without credentials.
  app.get('/health', async (_req, res) => {
    if (!options.api) {
      res.status(503).json({ status: 'unhealthy', error: 'no Deepgram API configured (exporter.sources.api.url, --api-url)', checks: [] });
      return;
    }
    const report = await options.api.health();
    res.status(report.healthy ? 200 : 503).json(healthBody(report));
  });
  app.get('/ready', (_req, res) => {
    res.status(200).json({ status: 'ready' });
  });

  if (options.basicAuth) app.use(basicAuth(options.basicAuth));

  app.get('/metrics', async (_req, res) => {
    try {
      const body = await options.collector.scrape();
      res.status(200).type(TEXT_CONTENT_TYPE).send(body);
    } catch (err) {
      options.log.error({ error: (err as Error).message }, 'collection failed');
      res.status(500).type('text/plain').send('collection failed\n');
    }
  });
  app.get('/', (_req, res) => {
    res.status(200).type('html').send(landingPage(options.sources));
  });
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('not found: see / for the endpoints\n');
  });
  return app;
}

export function healthBody(report: HealthReport): object {
  return {
    status: report.healthy ? 'healthy' : 'unhealthy',
    checked_at: new Date(report.checkedAt).toISOString(),
    checks: report.checks.map((c) => ({
      name: c.name,
      status: c.ok ? 'pass' : 'fail',
      latency_ms: Math.round(c.latencySeconds * 1000 * 10) / 10,
      ...(c.ok ? {} : { reason: c.reason, error: c.error }),
    })),
    ...(report.status ? { system_health: report.status.systemHealth } : {}),
  };
}

function basicAuth(expected: { username: string; password: string }) {
  const want = Buffer.from(`${expected.username}:${expected.password}`);
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization ?? '';
    const given = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64') : Buffer.alloc(0);
    if (given.length === want.length && timingSafeEqual(given, want)) return next();
    res.status(401).set('www-authenticate', 'Basic realm="dgmon"').type('text/plain').send('authentication required\n');
  };
}

function landingPage(sources: Source[]): string {
  const rows = sources.map((s) => `<li><code>${escapeHtml(s.name)}</code>: ${escapeHtml(s.target)}</li>`).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>dgmon exporter</title></head><body>
<h1>dgmon exporter ${escapeHtml(VERSION)}</h1>
<p>Deepgram and GPU metrics for Prometheus.</p>
<ul><li><a href="/metrics">/metrics</a>: everything, one scrape</li><li><a href="/health">/health</a>: Deepgram API reachable and an Engine connected (200 or 503)</li><li><a href="/ready">/ready</a>: the exporter is up</li></ul>
<h2>Sources</h2><ul>${rows || '<li>none configured</li>'}</ul>
</body></html>\n`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
