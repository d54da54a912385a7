// Deepgram / TTS: text-to-speech first-byte latency, raw inference against what callers get after transcoding, by
// model tier, and failures after the response started. The latency histograms are read as recorded per cluster and
// tier: 54 buckets a node each, they are the Engine's largest, far too many to sum at every step of a range.
import { ENGINE } from '../core/catalog/index.ts';
import { dashboardShell, filtered, target, timeseries, type DashboardContext } from './common.ts';

export function ttsDashboard(ctx: DashboardContext) {
  const { q, rec, nodeFilter, clusterFilter } = ctx;
  const quantiles = (buckets: string, what: string) =>
    [0.5, 0.95].map((qu, i) =>
      target(`histogram_quantile(${qu}, sum by (tier, le) (${filtered(buckets, clusterFilter)}))`, `{{tier}} P${qu * 100} ${what}`, String.fromCharCode(65 + i)),
    );

  return dashboardShell(ctx, 'tts', 'TTS', 'Text-to-speech on the Deepgram Engine: time to first audio byte by model tier, raw and transcoded, and failures.')
    .withPanel(
      timeseries(ctx, {
        title: 'TTS requests',
        description: 'Completed TTS requests per second by status class.',
        unit: 'reqps',
        targets: [target(`sum by (response_status) (${filtered(rec.nodeRequestsByStatus, nodeFilter, 'kind="tts"')})`, '{{response_status}}')],
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'First byte, transcoded (what callers wait for)',
        description: 'P50 and P95 time to the first transcoded audio byte, by model tier, over the selected clusters: the latency a caller perceives.',
        unit: 's',
        min: 0,
        targets: quantiles(rec.clusterTtsTranscodedBuckets, 'transcoded'),
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'First byte, raw (inference only)',
        description: 'P50 and P95 time to the first raw audio byte, before transcoding, by tier, over the selected clusters. The gap to the transcoded panel is transcoding cost.',
        unit: 's',
        min: 0,
        targets: quantiles(rec.clusterTtsRawBuckets, 'raw'),
      }),
    )
    .withPanel(
      timeseries(ctx, {
        title: 'Failures during response',
        description:
          'TTS failures after audio started streaming (the caller gets a cut-off response). The Engine registers this counter at its first failure, so "or vector(0)" shows zero until then instead of no data.',
        unit: 'short',
        targets: [target(`sum(increase(${q.engine(ENGINE.ttsFailuresDuringResponse.name, clusterFilter)}[$__rate_interval])) or vector(0)`, 'failures')],
      }),
    );
}
