// What every exporter source is: a name from the catalogue and a function that reads it once, within a signal.
import type { EXPORTER_SOURCES } from '../../core/catalog/index.ts';
import type { MetricFamily } from '../../core/exposition/types.ts';

export type SourceName = (typeof EXPORTER_SOURCES)[number];

export interface Source {
  name: SourceName;
  /** Where it reads from, for logs and the landing page (credentials stripped). */
  target: string;
  /** Reads the source once. Throws SourceError (with a reason) on failure; never hangs past `signal`. */
  collect(signal: AbortSignal): Promise<MetricFamily[]>;
}
