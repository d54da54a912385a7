#!/usr/bin/env node
// The `dgmon` command: runs the JavaScript that `npm run build` compiled into dist/ (built by `npm ci` and `npm pack`
// through the "prepare" script). From the sources, without a build: `npm run dev -- <command>`.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/run.js', import.meta.url);
if (!existsSync(entry)) {
  // A clone that was never installed or built: one line that says what to do, not a module-not-found stack trace.
  process.stderr.write('dgmon: dist/ is missing (no build): run `npm ci` or `npm run build` in the dgmon checkout first\n');
  process.exit(1);
}
await import(entry.href);
