// Rule files that load unchanged into Thanos Ruler and Grafana Mimir: both take Prometheus' groups format, and both
// have lagged Prometheus on newer fields (keep_firing_for, query_offset, limit). dgmon's rules use none of them, so
// there is no compatibility switch to turn; this test keeps it so: it fails the day a generator adds a field outside
// the subset every ruler has accepted for years, which is when a switch would be needed.
import { describe, it, expect } from 'vitest';
import { load } from 'js-yaml';
import { parseConfig } from '../../core/config.ts';
import { plainBundle, OUTPUT_PATHS } from '../../outputs/plain.ts';

const GROUP_FIELDS = ['name', 'interval', 'rules'];
const RULE_FIELDS = ['record', 'alert', 'expr', 'for', 'labels', 'annotations'];

describe('rule files for Prometheus, Thanos Ruler and Mimir', () => {
  for (const [name, raw] of Object.entries({ defaults: {}, 'multi-cluster': { cluster: { multiCluster: true } } })) {
    it(`use only the common group and rule fields (${name})`, () => {
      const files = plainBundle(parseConfig(raw));
      let rules = 0;
      for (const path of [OUTPUT_PATHS.recordingRules, OUTPUT_PATHS.alertingRules]) {
        for (const group of (load(files.get(path)!) as { groups: Record<string, unknown>[] }).groups) {
          for (const key of Object.keys(group)) expect(GROUP_FIELDS, `${group.name}: ${key}`).toContain(key);
          for (const rule of group.rules as Record<string, unknown>[]) {
            for (const key of Object.keys(rule)) expect(RULE_FIELDS, `${group.name}: ${key}`).toContain(key);
            rules++;
          }
        }
      }
      expect(rules).toBeGreaterThan(50);
    });
  }
});
