// The `dgmon` process: runs the command line and ends the process when it is done. bin/dgmon.js loads the built
// form of this file (dist/cli/run.js); `npm run dev` runs it from the sources through tsx.
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
// Every command has closed what it opened by the time main() returns. A timer left by a dependency must not hold the
// process: the Deepgram SDK keeps its request timeout running after an aborted call (up to the probe's timeout plus
// 5 s), which would outlast Kubernetes' 30 s termination grace. Unref'd: a process with nothing left exits before it.
setTimeout(() => process.exit(), 1_000).unref();
