// The exporter's structured logs: dgmon's shared logger (core/log.ts) under the name dgmon-exporter, scrubbing every
// secret the exporter holds (API key, basic-auth password, management key) from whatever it writes.
import { createLogger as createDgmonLogger, type Logger } from '../core/log.ts';

export type { Logger };

export function createLogger(options: { secrets?: string[]; destination?: NodeJS.WritableStream; level?: string } = {}): Logger {
  return createDgmonLogger({ name: 'dgmon-exporter', ...options });
}
