// Flags and environment variables for `dgmon exporter`, folded into the raw config before validation, so a bad
// flag gets the same field-naming error as a bad line in dgmon.yaml. Precedence: flag > environment > file.

export interface ExporterFlags {
  listen?: string;
  engineUrl?: string;
  apiUrl?: string;
  dcgmUrl?: string;
  licenseProxyUrl?: string;
  nvidiaSmi?: boolean;
}

/** Environment variable → config path, for everything that has one. */
export const EXPORTER_ENV: Record<string, string[]> = {
  DGMON_LISTEN: ['listen'],
  DGMON_ENGINE_URL: ['sources', 'engine', 'url'],
  DGMON_API_URL: ['sources', 'api', 'url'],
  DGMON_DCGM_URL: ['sources', 'dcgm', 'url'],
  DGMON_LICENSE_PROXY_URL: ['sources', 'licenseProxy', 'url'],
  DGMON_API_KEY_FILE: ['apiKeyFile'],
};

const FLAG_PATHS: Record<keyof ExporterFlags, string[]> = {
  listen: ['listen'],
  engineUrl: ['sources', 'engine', 'url'],
  apiUrl: ['sources', 'api', 'url'],
  dcgmUrl: ['sources', 'dcgm', 'url'],
  licenseProxyUrl: ['sources', 'licenseProxy', 'url'],
  nvidiaSmi: ['sources', 'nvidiaSmi', 'enabled'],
};

export function exporterOverride(flags: ExporterFlags, env: NodeJS.ProcessEnv): (raw: Record<string, unknown>) => void {
  return (raw) => {
    for (const [name, path] of Object.entries(EXPORTER_ENV)) if (env[name] !== undefined && env[name] !== '') setPath(raw, ['exporter', ...path], env[name]);
    for (const [flag, path] of Object.entries(FLAG_PATHS)) {
      const value = flags[flag as keyof ExporterFlags];
      if (value !== undefined) setPath(raw, ['exporter', ...path], value);
    }
  };
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}
