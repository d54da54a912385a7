// Rule files that load unchanged into Thanos Ruler and Grafana Mimir: both take Prometheus' groups format, and both
// have lagged Prometheus on newer fields (keep_firing_for, query_offset, limit). dgmon's rules use one of them,
// keep_firing_for, on the critical Xid rules only (a GPU that fell off the bus takes its series with it; the page
// is held), and alerts.DeepgramGPUXidErrors.criticalKeepFiringFor: 0s turns it off for a ruler that refuses it. This
// test keeps it so: it fails the day a generator adds any other field outside the subset every ruler has accepted
// for years, or uses keep_firing_for elsewhere, or the switch stops removing it.
import { describe, it, expect } from 'vitest';
import { load } from 'js-yaml';
import { parseConfig } from '../../core/config.ts';
import { plainBundle, OUTPUT_PATHS } from '../../outputs/plain.ts';

const GROUP_FIELDS = ['name', 'interval', 'rules'];
const RULE_FIELDS = ['record', 'alert', 'expr', 'for', 'labels', 'annotations'];
const NO_KEEP = { alerts: { DeepgramGPUXidErrors: { criticalKeepFiringFor: '0s' } } };

describe('rule files for Prometheus, Thanos Ruler and Mimir', () => {
  const cases = { defaults: {}, 'multi-cluster': { cluster: { multiCluster: true } }, 'criticalKeepFiringFor: 0s': NO_KEEP };
  for (const [name, raw] of Object.entries(cases)) {
    it(`use only the common group and rule fields, keep_firing_for on critical Xid rules alone (${name})`, () => {
      const files = plainBundle(parseConfig(raw));
      let rules = 0;
      let held = 0;
      for (const path of [OUTPUT_PATHS.recordingRules, OUTPUT_PATHS.alertingRules]) {
        for (const group of (load(files.get(path)!) as { groups: Record<string, unknown>[] }).groups) {
          for (const key of Object.keys(group)) expect(GROUP_FIELDS, `${group.name}: ${key}`).toContain(key);
          for (const rule of group.rules as Record<string, unknown>[]) {
            for (const key of Object.keys(rule)) {
              if (key === 'keep_firing_for') {
                expect(rule.alert, 'keep_firing_for only on the critical Xid rules').toBe('DeepgramGPUXidErrors');
                expect((rule.labels as Record<string, string>).severity).toBe('critical');
                held++;
              } else expect(RULE_FIELDS, `${group.name}: ${key}`).toContain(key);
            }
            rules++;
          }
        }
      }
      expect(rules).toBeGreaterThan(50);
      expect(held).toBe(raw === NO_KEEP ? 0 : 2);
    });
  }
});
