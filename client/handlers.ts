// Express handlers an application mounts: /health (Deepgram connectivity with latency, 200 or 503) and /metrics
// (the registry the client's metrics live in, in Prometheus text format).
import type { Request, Response } from 'express';
import type { Registry } from 'prom-client';
import type { HealthCheck } from './health.ts';

export type Handler = (req: Request, res: Response) => Promise<void>;

export function healthHandler(check: HealthCheck): Handler {
  return async (_req, res) => {
    const report = await check.report();
    res.status(report.status === 'ok' ? 200 : 503).set('cache-control', 'no-store').json(report);
  };
}

export function metricsHandler(registry: Registry): Handler {
  return async (_req, res) => {
    try {
      const text = await registry.metrics();
      res.status(200).set('content-type', registry.contentType).send(text);
    } catch (err) {
      res.status(500).type('text/plain').send(`metrics collection failed: ${(err as Error).name}\n`);
    }
  };
}
