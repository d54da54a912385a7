// Structured JSON logs (pino) for every long-running part of dgmon (the exporter, the client library). What a line
// holds is chosen field by field where it is logged; this is the second line of defence, for the day someone logs a
// request, a response or an error whole: fields that may hold content or secrets are replaced at any depth, raw bytes
// are dropped, and every secret the process holds is scrubbed from any text.
import { pino, type Logger } from 'pino';

export type { Logger };

/** Field names whose values never reach a log line, wherever they sit in a logged object. */
export const REDACTED_FIELDS: ReadonlySet<string> = new Set([
  'apikey', 'key', 'token', 'authorization', 'password', 'headers',
  'transcript', 'words', 'word', 'punctuated_word', 'alternatives', 'paragraphs', 'utterances', 'summary', 'results', 'channel',
  'audio', 'body',
]);
const CENSOR = '[REDACTED]';

function sanitize(value: unknown, scrub: (text: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 20) return CENSOR;
  if (value instanceof Error) return { type: value.name, message: scrub(value.message) };
  if (ArrayBuffer.isView(value)) return CENSOR; // raw bytes are audio until proven otherwise
  if (Array.isArray(value)) return value.map((v) => sanitize(v, scrub, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, REDACTED_FIELDS.has(k.toLowerCase()) ? CENSOR : sanitize(v, scrub, depth + 1)]),
  );
}

export interface LoggerOptions {
  /** The `name` field of every line (dgmon-exporter, dgmon-client). */
  name: string;
  /** Secrets to scrub from any text (shorter than 4 characters: ignored, they would mangle ordinary words). */
  secrets?: string[];
  destination?: NodeJS.WritableStream;
  /** Default DGMON_LOG_LEVEL, else info. */
  level?: string;
}

export function createLogger(options: LoggerOptions): Logger {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 4);
  const scrub = (text: string) => secrets.reduce((t, secret) => t.split(secret).join(CENSOR), text);
  return pino(
    {
      name: options.name,
      level: options.level ?? process.env.DGMON_LOG_LEVEL ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => sanitize(a, scrub)) as Parameters<typeof method>);
        },
      },
    },
    (options.destination as pino.DestinationStream | undefined) ?? pino.destination(1),
  );
}
