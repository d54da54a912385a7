// The reference samples (real dcgm-exporter output, the Engine's documented template) live in shared/, next to the
// repository in every checkout and in CI; they are read from there, never copied in.
import { fileURLToPath } from 'node:url';

export const SAMPLES_DIR = process.env.DGMON_SAMPLES_DIR ?? fileURLToPath(new URL('../../../shared/reference/samples', import.meta.url));
