// Reading dgmon.yaml from disk: YAML errors and schema errors both become ConfigError, with the file named.
import { readFileSync, existsSync } from 'node:fs';
import { load } from 'js-yaml';
import { parseConfig, ConfigError, type DgmonConfig } from './config.ts';

export const DEFAULT_CONFIG_FILE = 'dgmon.yaml';

/**
 * Loads the config. An explicit path must exist; without one, ./dgmon.yaml is used when present, else the defaults
 * (which alone produce a complete bundle).
 */
export function loadConfig(path?: string, override?: (raw: Record<string, unknown>) => void): { config: DgmonConfig; source: string } {
  const file = path ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  if (!file) {
    const raw: Record<string, unknown> = {};
    override?.(raw);
    return { config: parseConfig(raw, override ? 'defaults with flags and environment' : 'defaults'), source: 'defaults' };
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)}); pass an existing file to --config`], file);
  }
  let raw: unknown;
  try {
    // A file of comments alone (a commented-out example, `dgmon init` with everything left at its default) means the
    // defaults; js-yaml refuses it as "expected a document".
    raw = text.split('\n').every((line) => /^\s*(#.*)?$/.test(line)) ? undefined : load(text, { filename: file });
  } catch (err) {
    throw new ConfigError([`not valid YAML: ${(err as Error).message.split('\n')[0]}`], file);
  }
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new ConfigError(['(top level): must be a mapping of fields such as alerts:, selectors:, slo:'], file);
  }
  const data = (raw ?? {}) as Record<string, unknown>;
  override?.(data);
  return { config: parseConfig(data, override ? `${file} with flags and environment` : file), source: file };
}
