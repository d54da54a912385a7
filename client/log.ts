// The client's structured logs: dgmon's shared logger (core/log.ts) under the name dgmon-client. What a call logs is
// chosen field by field (request id, status, timings, audio seconds), never a transcript, audio or key.
import { createLogger, type Logger } from '../core/log.ts';

export { REDACTED_FIELDS } from '../core/log.ts';

export function createClientLogger(options: { destination?: NodeJS.WritableStream; level?: string; secrets?: string[] } = {}): Logger {
  return createLogger({ name: 'dgmon-client', ...options });
}
