// The config (dgmon.yaml): its schema (schema.ts lists the sections), parsing with every problem named, and the JSON
// Schema for editors.
import { z } from 'zod';
import { configSchema, type DgmonConfig } from './schema.ts';
import { crossFieldChecks } from './checks.ts';
import { ConfigError, configProblems } from './errors.ts';
import { withLabelDefaults } from './label-defaults.ts';

export { configSchema, type DgmonConfig, type BurnWindow } from './schema.ts';
export { ConfigError } from './errors.ts';
export { scrapeJobs, DEEPGRAM_CHART_ENGINE_JOB, type ScrapeJobs } from './scrape-jobs.ts';
export { jobMatches } from '../matchers.ts';
export { isIsoDate } from './exporter.ts';
export type { Severity } from './fields.ts';

const crossChecked = configSchema.superRefine(crossFieldChecks);

/** Parses raw YAML-loaded data; throws ConfigError listing every problem as "field.path: message". */
export function parseConfig(raw: unknown, source = 'dgmon.yaml'): DgmonConfig {
  const result = crossChecked.safeParse(raw ?? {});
  if (result.success) return withLabelDefaults(result.data, raw);
  throw new ConfigError(configProblems(result.error.issues, configSchema), source);
}

/** JSON Schema of dgmon.yaml for editors (yaml-language-server, VS Code). */
export function configJsonSchema(): object {
  return { ...z.toJSONSchema(configSchema, { io: 'input' }), title: 'dgmon.yaml' };
}
