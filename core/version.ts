// dgmon's version, read once from package.json; stamped into generated files so a loaded rule file can be traced.
import { readFileSync } from 'node:fs';

export const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
