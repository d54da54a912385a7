// Recording rules over the applications that call Deepgram through dgmon's client library: calls per mode, the share
// failing server-side, and batch P95, per scrape job and source. The probe's series are left out: it sends one call
// a minute, so its rules need longer windows and counts of runs (alerts/alerting/availability.ts).
import { CALLER_SERVER_ERROR_MATCHER, CLIENT, PROBE_SOURCE } from '../../core/catalog/index.ts';
import { quantile, rate, sumBy } from '../../core/promql.ts';
import type { AlertContext, RecordingRule, RuleGroup } from '../types.ts';
import { BATCH_LATENCY_QUANTILES } from './engine.ts';

export function callerRecordingRules({ config, q, rec }: AlertContext): RuleGroup<RecordingRule>[] {
  const w = config.intervals.rate;
  const by = [...q.clusterBy, 'job', 'source'];
  const notProbe = `source!="${PROBE_SOURCE}"`;
  const rules: RecordingRule[] = [
    { record: rec.callerRequestsByMode, expr: sumBy([...by, 'mode'], rate(q.clients(CLIENT.transcriptionRequests.name, notProbe), w)) },
    {
      record: rec.callerServerErrorRatio,
      expr: `${sumBy(by, rate(q.clients(CLIENT.transcriptionRequests.name, notProbe, CALLER_SERVER_ERROR_MATCHER), w))}\n/\n${sumBy(by, rec.callerRequestsByMode)}`,
    },
    ...BATCH_LATENCY_QUANTILES.map((qu) => ({
      record: rec.callerBatchLatencyQuantile,
      expr: quantile(qu, by, rate(q.clients(`${CLIENT.transcriptionDuration.name}_bucket`, notProbe, 'mode="batch"'), w)),
      labels: { quantile: String(qu) },
    })),
  ];
  return [{ name: 'dgmon.callers.rules', rules }];
}
