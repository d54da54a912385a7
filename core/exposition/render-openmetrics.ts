// Renders metric families as OpenMetrics 1.0 text, the way the Deepgram Engine serves its /metrics: metadata under
// the family name (a counter family is declared without _total, `# TYPE engine_requests counter`, while its series
// keep `engine_requests_total`), `# UNIT` where the family has a unit, and the mandatory `# EOF` at the end.
// No timestamps, no exemplars. Prometheus 0.0.4 text (what dgmon serves) is render.ts.
import type { FamilyType, MetricFamily } from './types.ts';
import { renderSample } from './render.ts';

export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

const OPENMETRICS_TYPES: Record<FamilyType, string> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  gaugehistogram: 'gaugehistogram',
  summary: 'summary',
  info: 'info',
  stateset: 'stateset',
  untyped: 'unknown',
  unknown: 'unknown',
};

/** Suffixes OpenMetrics puts on a family's samples but never on the family name itself. */
const FAMILY_SUFFIX: Partial<Record<FamilyType, string>> = { counter: '_total', info: '_info' };

export function renderOpenMetrics(families: readonly MetricFamily[]): string {
  let out = '';
  for (const family of families) {
    const name = familyName(family);
    if (family.help !== undefined) out += `# HELP ${name} ${escapeHelp(family.help)}\n`;
    out += `# TYPE ${name} ${OPENMETRICS_TYPES[family.type]}\n`;
    if (family.unit !== undefined && family.unit !== '') out += `# UNIT ${name} ${family.unit}\n`;
    for (const sample of family.samples) out += renderSample(sample);
  }
  return `${out}# EOF\n`;
}

/** The OpenMetrics family name: a counter or info family given under its sample name loses the suffix. */
export function familyName(family: MetricFamily): string {
  const suffix = FAMILY_SUFFIX[family.type];
  return suffix !== undefined && family.name.endsWith(suffix) ? family.name.slice(0, -suffix.length) : family.name;
}

/** OpenMetrics escapes backslash, newline and double quote in HELP (0.0.4 leaves the quote alone). */
function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}
