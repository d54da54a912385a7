// Renders metric families as Prometheus text exposition format 0.0.4: what Prometheus scrapes from us. OpenMetrics-
// only constructs are mapped onto it: a counter family named without _total is declared under its _total series
// name, # UNIT is dropped, info/stateset become gauges. No timestamps, ever.
import type { FamilyType, MetricFamily, Sample } from './types.ts';

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const TEXT_TYPES: Record<FamilyType, string> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  summary: 'summary',
  untyped: 'untyped',
  unknown: 'untyped',
  info: 'gauge',
  stateset: 'gauge',
  gaugehistogram: 'histogram',
};

export function renderText(families: readonly MetricFamily[]): string {
  let out = '';
  for (const family of families) {
    const name = family.type === 'counter' && !family.name.endsWith('_total') && family.samples.some((s) => s.name === `${family.name}_total`) ? `${family.name}_total` : family.name;
    if (family.help !== undefined) out += `# HELP ${name} ${escapeHelp(family.help)}\n`;
    out += `# TYPE ${name} ${TEXT_TYPES[family.type]}\n`;
    for (const sample of family.samples) out += renderSample(sample);
  }
  return out;
}

// Called for every series on every scrape (the exporter renders a whole node each time), so it builds the line in one
// pass (no entry pairs, no join) and escapes only the values that need it.
export function renderSample(sample: Sample): string {
  let line = sample.name;
  let first = true;
  for (const key of Object.keys(sample.labels)) {
    line += `${first ? '{' : ','}${key}="${escapeLabel(sample.labels[key]!)}"`;
    first = false;
  }
  return `${line}${first ? '' : '}'} ${formatValue(sample.value)}\n`;
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

const NEEDS_ESCAPE = /[\\\n"]/;

function escapeLabel(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}
