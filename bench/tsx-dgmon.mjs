// `dgmon` as it ran before the build, in production too: node with tsx's loader registered, compiling the TypeScript
// sources as they load (what bin/dgmon.js did until it ran dist/). The exporter benchmark runs it side by side with
// the built package.
import { register } from 'tsx/esm/api';

register();
await import('../cli/run.ts');
