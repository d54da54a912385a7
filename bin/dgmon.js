#!/usr/bin/env node
// The `dgmon` command. The sources are TypeScript run through tsx, so a fresh clone works right after
// `npm ci` with no build step, and `npx dgmon …` always runs the code that is checked out.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
