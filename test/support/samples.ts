// The real metric texts the exposition tests read (dcgm-exporter captures, the Engine's documented template), kept
// in test/fixtures/exposition/ with their provenance in test/fixtures/README.md.
import { fileURLToPath } from 'node:url';

export const SAMPLES_DIR = fileURLToPath(new URL('../fixtures/exposition', import.meta.url));
