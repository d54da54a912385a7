// renderOpenMetrics: the OpenMetrics text the simulated Engine serves. Family names without the _total/_info suffix,
// # UNIT where set, OpenMetrics escapes, # EOF last, and a round trip through the project's strict parser.
import { describe, expect, it } from 'vitest';
import { parseExposition } from '../../core/exposition/parse.ts';
import { familyName, OPENMETRICS_CONTENT_TYPE, renderOpenMetrics } from '../../core/exposition/render-openmetrics.ts';
import type { MetricFamily } from '../../core/exposition/types.ts';

const FAMILIES: MetricFamily[] = [
  {
    name: 'engine_requests_total',
    type: 'counter',
    help: 'Number of inference requests.',
    samples: [
      { name: 'engine_requests_total', labels: { kind: 'batch', response_status: '2xx' }, value: 12 },
      { name: 'engine_requests_total', labels: { kind: 'stream', response_status: '5xx' }, value: 0 },
    ],
  },
  {
    name: 'engine_asr_per_file_wall_time_seconds',
    type: 'histogram',
    help: 'Wall-clock time.',
    unit: 'seconds',
    samples: [
      { name: 'engine_asr_per_file_wall_time_seconds_bucket', labels: { le: '0.5' }, value: 1 },
      { name: 'engine_asr_per_file_wall_time_seconds_bucket', labels: { le: '+Inf' }, value: 2 },
      { name: 'engine_asr_per_file_wall_time_seconds_sum', labels: {}, value: 3.25 },
      { name: 'engine_asr_per_file_wall_time_seconds_count', labels: {}, value: 2 },
    ],
  },
  { name: 'build_info', type: 'info', samples: [{ name: 'build_info', labels: { version: '1' }, value: 1 }] },
  { name: 'odd', type: 'untyped', help: 'a "quoted" \\ help\nwith a newline', samples: [{ name: 'odd', labels: { v: 'a"b\\c\nd' }, value: NaN }] },
];

describe('renderOpenMetrics', () => {
  const text = renderOpenMetrics(FAMILIES);

  it('declares counters under the family name, keeps _total on the series, and ends with # EOF', () => {
    expect(text.split('\n').slice(0, 4)).toEqual([
      '# HELP engine_requests Number of inference requests.',
      '# TYPE engine_requests counter',
      'engine_requests_total{kind="batch",response_status="2xx"} 12',
      'engine_requests_total{kind="stream",response_status="5xx"} 0',
    ]);
    expect(text).toContain('# TYPE build info\nbuild_info{version="1"} 1\n');
    expect(text.endsWith('\n# EOF\n')).toBe(true);
    expect(renderOpenMetrics([])).toBe('# EOF\n');
  });

  it('writes # UNIT after # TYPE, maps untyped to unknown, escapes help and label values', () => {
    expect(text).toContain('# TYPE engine_asr_per_file_wall_time_seconds histogram\n# UNIT engine_asr_per_file_wall_time_seconds seconds\n');
    expect(text.match(/# UNIT/g)).toHaveLength(1);
    expect(text).toContain('# HELP odd a \\"quoted\\" \\\\ help\\nwith a newline\n# TYPE odd unknown\n');
    expect(text).toContain('odd{v="a\\"b\\\\c\\nd"} NaN\n');
  });

  it('round-trips through the strict parser', () => {
    const parsed = parseExposition(text);
    expect(parsed.map((f) => [f.name, f.type, f.unit])).toEqual([
      ['engine_requests', 'counter', undefined],
      ['engine_asr_per_file_wall_time_seconds', 'histogram', 'seconds'],
      ['build', 'info', undefined],
      ['odd', 'unknown', undefined],
    ]);
    expect(parsed[0]?.samples).toEqual(FAMILIES[0]?.samples);
    expect(parsed[3]?.help).toBe('a "quoted" \\ help\nwith a newline');
    expect(parsed[3]?.samples[0]?.labels.v).toBe('a"b\\c\nd');
  });

  it('family names and content type', () => {
    expect(familyName({ name: 'x_total', type: 'counter', samples: [] })).toBe('x');
    expect(familyName({ name: 'x', type: 'counter', samples: [] })).toBe('x');
    expect(familyName({ name: 'x_total', type: 'gauge', samples: [] })).toBe('x_total');
    expect(OPENMETRICS_CONTENT_TYPE).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
  });
});
