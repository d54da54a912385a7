// Structured JSON logs (pino). Secrets never reach them: known secret fields are redacted by path, and every
// secret the exporter holds is also scrubbed from free text before it is written.
import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export function createLogger(options: { secrets?: string[]; destination?: NodeJS.WritableStream; level?: string } = {}): Logger {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 4);
  const scrub = (text: string) => secrets.reduce((t, secret) => t.split(secret).join('[REDACTED]'), text);
  return pino(
    {
      name: 'dgmon-exporter',
      level: options.level ?? process.env.DGMON_LOG_LEVEL ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['apiKey', '*.apiKey', 'password', '*.password', 'headers.authorization', '*.headers.authorization'], censor: '[REDACTED]' },
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
