#!/usr/bin/env node
// The `dgmon` command. The sources are TypeScript run through tsx, so a fresh clone works right after
// `npm ci` with no build step, and `npx dgmon …` always runs the code that is checked out.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
// Every command has closed what it opened by the time main() returns. A timer left by a dependency must not hold the
// process: the Deepgram SDK keeps its request timeout running after an aborted call (up to the probe's timeout plus
// 5 s), which would outlast Kubernetes' 30 s termination grace. Unref'd: a process with nothing left exits before it.
setTimeout(() => process.exit(), 1_000).unref();
