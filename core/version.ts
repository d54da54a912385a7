// dgmon's version, read once from package.json; stamped into generated files so a loaded rule file can be traced.
import { existsSync, readFileSync } from 'node:fs';

// This file runs as core/version.ts (sources, through tsx) and as dist/core/version.js (the build): package.json is
// one or two folders up.
const file = [new URL('../package.json', import.meta.url), new URL('../../package.json', import.meta.url)].find((url) => existsSync(url));
if (!file) throw new Error('dgmon: package.json not found next to its sources or its build');

export const VERSION: string = JSON.parse(readFileSync(file, 'utf8')).version;
