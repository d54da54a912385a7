// Reading values back out of an exporter's /metrics text, the way Prometheus would see them.
import { parseExposition } from '../../core/exposition/parse.ts';

/** The value of the first sample named `name` whose labels include `labels`; undefined when there is none. */
export function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const family of parseExposition(text)) {
    for (const s of family.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
    }
  }
  return undefined;
}
