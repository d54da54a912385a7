// dgmon.yaml: the defaults alone are a complete config; every bad input is refused with the field and the fix named.
import { describe, it, expect } from 'vitest';
import { parseConfig, ConfigError, configJsonSchema } from '../core/config.ts';
import { durationSeconds, durationMilliseconds } from '../core/duration.ts';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../core/load.ts';

function problemsOf(raw: unknown): string[] {
  try {
    parseConfig(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected the config to be rejected');
}

describe('config defaults', () => {
  it('an empty file is a complete config', () => {
    const config = parseConfig({});
    expect(config.selectors.engine).toBe('job=~"deepgram-engine|dg_engine_metrics|dgmon"');
    expect(config.alerts.DeepgramHighErrorRate.threshold).toBe(0.05);
    expect(config.alerts.DeepgramHighLatencyP95.thresholdSeconds).toBe(10);
    expect(config.alerts.DeepgramRateLimited.maxHits).toBe(10);
    expect(config.alerts.DeepgramHealthCheckFailing.for).toBe('2m');
    expect(config.slo.burnRateWindows).toHaveLength(4);
    expect(parseConfig(null)).toEqual(config);
  });

  it('a file of comments and blank lines alone is the defaults; an unterminated quote is still refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dgmon-config-'));
    try {
      const file = join(dir, 'dgmon.yaml');
      writeFileSync(file, '# dgmon.yaml: everything at its default\n\n  # alerts:\n  #   DeepgramHighErrorRate: { threshold: 0.08 }\n');
      expect(loadConfig(file).config).toEqual(parseConfig({}));
      writeFileSync(file, '# a comment\nalerts: "\n');
      expect(() => loadConfig(file)).toThrow(/not valid YAML/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('overrides merge with the defaults field by field', () => {
    const config = parseConfig({ alerts: { DeepgramHighErrorRate: { threshold: 0.02 } }, cluster: { multiCluster: true } });
    expect(config.alerts.DeepgramHighErrorRate.threshold).toBe(0.02);
    expect(config.alerts.DeepgramHighErrorRate.for).toBe('5m');
    expect(config.cluster).toEqual({ label: 'cluster', multiCluster: true });
  });

  it('Alertmanager groups by the configured cluster label unless groupBy is set', () => {
    expect(parseConfig({}).alertmanager.groupBy).toEqual(['alertname', 'cluster']);
    expect(parseConfig({ cluster: { label: 'region' } }).alertmanager.groupBy).toEqual(['alertname', 'region']);
    expect(parseConfig({ cluster: { label: 'region' }, alertmanager: { groupBy: ['alertname', 'cluster'] } }).alertmanager.groupBy).toEqual(['alertname', 'cluster']);
  });
});

describe('invalid configs name the field and the fix', () => {
  const cases: [string, unknown, RegExp][] = [
    ['a ratio given as a percentage', { alerts: { DeepgramHighErrorRate: { threshold: 5 } } }, /^alerts\.DeepgramHighErrorRate\.threshold: must be a ratio between 0 and 1 \(write 5 % as 0\.05\)/],
    ['a duration with a space', { alerts: { DeepgramHealthCheckFailing: { for: '2 minutes' } } }, /^alerts\.DeepgramHealthCheckFailing\.for: must be a Prometheus duration such as "30s"/],
    ['a duration given as a number', { intervals: { rate: 300 } }, /^intervals\.rate: must be a Prometheus duration string/],
    ['an unknown severity', { alerts: { DeepgramGPUSaturated: { severity: 'page' } } }, /^alerts\.DeepgramGPUSaturated\.severity: must be one of critical, warning, info/],
    ['a misspelt alert name', { alerts: { DeepgramHighErorRate: { threshold: 0.1 } } }, /^alerts\.DeepgramHighErorRate: unknown field; did you mean "DeepgramHighErrorRate"\?/],
    ['a misspelt top-level field', { selector: { engine: 'job="x"' } }, /^selector: unknown field; did you mean "selectors"\?/],
    ['a selector with braces', { selectors: { engine: '{job="deepgram"}' } }, /^selectors\.engine: must be PromQL label matchers without braces/],
    ['a selector with unquoted value', { selectors: { dcgm: 'job=dcgm' } }, /^selectors\.dcgm: must be PromQL label matchers/],
    ['an invalid cluster label name', { cluster: { label: 'k8s-cluster' } }, /^cluster\.label: must be a Prometheus label name/],
    ['a runbook URL that is not absolute', { runbooks: { baseUrl: 'runbooks/' } }, /^runbooks\.baseUrl: must be an absolute URL/],
    ['a streaming SLO threshold between buckets', { slo: { streamingLatency: { thresholdSeconds: 0.45 } } }, /^slo\.streamingLatency\.thresholdSeconds: must be one of engine_stream_latency's bucket bounds/],
    ['a burn-rate short window longer than the long one', { slo: { burnRateWindows: [{ severity: 'critical', long: '5m', short: '1h', factor: 14.4, for: '2m' }] } }, /^slo\.burnRateWindows\.0\.short: must be shorter than long \(5m\)/],
    ['an empty burn-rate table', { slo: { burnRateWindows: [] } }, /^slo\.burnRateWindows: needs at least one window/],
    ['a rate window shorter than the scrape interval', { intervals: { rate: '10s', scrape: '15s' } }, /^intervals\.rate: must be longer than intervals\.scrape/],
    ['a negative objective', { slo: { availability: { objective: -0.5 } } }, /^slo\.availability\.objective: must be a ratio between 0 and 1/],
    ['pod labels that are not a pair', { node: { dcgm: { podLabels: ['pod'] } } }, /^node\.dcgm\.podLabels: must name exactly two labels/],
    ['an extra label with an invalid name', { extraLabels: { 'team-name': 'speech' } }, /^extraLabels\.team-name: label names must match/],
    ['a probe chunk too small', { exporter: { probe: { chunkMs: 5 } } }, /^exporter\.probe\.chunkMs: must be 20 to 1000 ms/],
    ['a probe with nothing to probe', { exporter: { probe: { enabled: true } } }, /^exporter\.probe\.apiUrl: must be set when the probe is enabled and exporter\.sources\.api\.url is empty/],
    ['a probe with both modes off', { exporter: { probe: { enabled: true, apiUrl: 'http://api:8080', batch: false, stream: false } } }, /^exporter\.probe\.batch: batch and stream are both off/],
    ['probe expected words with spaces', { exporter: { probe: { expectedWords: ['alfa bravo'] } } }, /^exporter\.probe\.expectedWords\.0: must be single words/],
    ['a receiver that is not a mapping', { alertmanager: { receivers: { pager: 'pagerduty' } } }, /^alertmanager\.receivers\.pager: /],
  ];
  for (const [what, raw, message] of cases) {
    it(`rejects ${what}`, () => {
      const problems = problemsOf(raw);
      expect(problems.some((p) => message.test(p)), problems.join('\n')).toBe(true);
    });
  }

  it('reports every problem at once, not just the first', () => {
    const problems = problemsOf({ alerts: { DeepgramHighErrorRate: { threshold: 2, for: 'soon' } }, intervals: { evaluation: 'often' } });
    expect(problems.length).toBeGreaterThanOrEqual(3);
  });
});

describe('JSON Schema for editors', () => {
  it('describes every field, so editors show why each default is what it is', () => {
    const undocumented: string[] = [];
    const walk = (node: any, path: string) => {
      if (!node || typeof node !== 'object') return;
      if (node.properties) {
        for (const [key, child] of Object.entries<any>(node.properties)) {
          if (!child.description) undocumented.push(`${path}${key}`);
          walk(child, `${path}${key}.`);
        }
      }
      if (node.items) walk(node.items, `${path}[].`);
    };
    const schema = configJsonSchema() as any;
    walk(schema, '');
    // Container blocks (selectors:, alerts.X:) group documented leaves; only leaves must carry text.
    const leaves = undocumented.filter((path) => !hasChildren(schema, path));
    expect(leaves).toEqual([]);
  });

  it('carries the defaults', () => {
    const schema = configJsonSchema() as any;
    expect(schema.properties.alerts.properties.DeepgramHighErrorRate.properties.threshold.default).toBe(0.05);
  });
});

function hasChildren(schema: any, path: string): boolean {
  let node = schema;
  for (const key of path.split('.')) {
    if (key === '[]') node = node.items;
    else node = node?.properties?.[key];
  }
  return Boolean(node?.properties || node?.items?.properties);
}

describe('dgmon init', () => {
  it('writes every default with a comment above each field, and reads back as the defaults', async () => {
    const { commentedDefaults } = await import('../core/config-doc.ts');
    const { load } = await import('js-yaml');
    const text = commentedDefaults();
    expect(parseConfig(load(text))).toEqual(parseConfig({}));
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      if (/^\s*[A-Za-z]\w*:/.test(line)) expect(lines[i - 1], `field on line ${i + 1} has no comment: ${line}`).toMatch(/^\s*#/);
    });
  });
});

describe('durations', () => {
  it('whole milliseconds for timers, also where seconds × 1000 is not exact in floating point', () => {
    expect(durationSeconds('700ms') * 1000).not.toBe(700);
    expect(durationMilliseconds('700ms')).toBe(700);
    expect(durationMilliseconds('1m30s')).toBe(90_000);
    expect(durationMilliseconds('1500ms')).toBe(1500);
  });
});
