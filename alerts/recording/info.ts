// The rule that says which bundle Prometheus runs: dgmon_rules_info{version, fingerprint} = 1, so an SRE (and
// `dgmon verify`) can tell the generated rules apart from an older or hand-edited copy by one query.
import { createHash } from 'node:crypto';
import { DGMON } from '../../core/catalog/index.ts';
import { VERSION } from '../../core/version.ts';
import type { AlertingRule, RecordingRule, RuleGroup } from '../types.ts';

export const RULES_INFO_GROUP = 'dgmon.info.rules';

/**
 * A short hash of every other generated group, as written (names, intervals, rules in order). The version is left
 * out, so a dgmon upgrade that changes no rule keeps the fingerprint.
 */
export function rulesFingerprint(groups: readonly RuleGroup<RecordingRule | AlertingRule>[]): string {
  return createHash('sha256').update(JSON.stringify(groups)).digest('hex').slice(0, 16);
}

export function rulesInfoGroup(groups: readonly RuleGroup<RecordingRule | AlertingRule>[], interval: string): RuleGroup<RecordingRule> {
  return {
    name: RULES_INFO_GROUP,
    interval,
    rules: [{ record: DGMON.rulesInfo.name, expr: 'vector(1)', labels: { version: VERSION, fingerprint: rulesFingerprint(groups) } }],
  };
}
