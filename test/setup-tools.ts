// vitest global set-up: the Prometheus toolchain is installed (or the run fails with the install command) once,
// before any test file starts.
import { ensureTools } from './support/tools.ts';

export default function setup(): void {
  ensureTools(['promtool', 'amtool']);
}
