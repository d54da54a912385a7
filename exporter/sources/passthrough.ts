// Deepgram Engine and dcgm-exporter /metrics, passed through: parsed strictly (so garbage is refused as a whole,
// never half-served) and served again with the same names, labels, types and HELP.
import { parseExposition, ExpositionError } from '../../core/exposition/parse.ts';
import { fetchText, SourceError } from '../fetch.ts';
import type { Source, SourceName } from './types.ts';

const ACCEPT = 'application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.8,*/*;q=0.1';

export function passthroughSource(name: SourceName, url: string, maxBytes: number): Source {
  return {
    name,
    target: redactUrl(url),
    async collect(signal) {
      const { body } = await fetchText(url, { signal, maxBytes, accept: ACCEPT });
      try {
        return parseExposition(body);
      } catch (err) {
        if (err instanceof ExpositionError) throw new SourceError('parse', `not Prometheus exposition text (line ${err.line}: ${err.message})`);
        throw new SourceError('parse', 'not Prometheus exposition text');
      }
    },
  };
}

/** A URL with any user:password removed, for logs and pages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = 'redacted';
      parsed.password = '';
    }
    return parsed.toString();
  } catch {
    return '(invalid url)';
  }
}
