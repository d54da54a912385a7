// The client's structured logs (pino). What a call logs is chosen field by field (request id, status, timings, audio
// seconds), never a transcript, audio or key; the redaction list and the scrubbing of the key from any text are the
// second line, for the day someone logs an object whole.
import { pino, type Logger } from 'pino';

/** Fields that may hold secrets or customer content, at the top level and one level down. */
const SENSITIVE = ['apiKey', 'key', 'token', 'authorization', 'Authorization', 'password', 'transcript', 'words', 'alternatives', 'audio', 'body', 'headers'];
export const REDACT_PATHS = SENSITIVE.flatMap((field) => [field, `*.${field}`]);

export function createClientLogger(options: { destination?: NodeJS.WritableStream; level?: string; secrets?: string[] } = {}): Logger {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 4);
  const scrub = (text: string) => secrets.reduce((t, secret) => t.split(secret).join('[REDACTED]'), text);
  return pino(
    {
      name: 'dgmon-client',
      level: options.level ?? process.env.DGMON_LOG_LEVEL ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method) {
          const cleaned = args.map((a) => (typeof a === 'string' ? scrub(a) : a && typeof a === 'object' ? JSON.parse(scrub(JSON.stringify(a))) : a));
          method.apply(this, cleaned as Parameters<typeof method>);
        },
      },
    },
    (options.destination as pino.DestinationStream | undefined) ?? pino.destination(1),
  );
}
