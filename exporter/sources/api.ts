// Deepgram API: system health (state set), active requests by kind, Engine connection, loaded models. Status and
// Engine connection come from the shared, briefly cached health check; models are read on each scrape.
import { DGMON, API_HEALTH_STATES } from '../../core/catalog/index.ts';
import type { MetricFamily, Sample } from '../../core/exposition/types.ts';
import { SourceError, raceSignal } from '../fetch.ts';
import type { DeepgramApi } from '../deepgram-api.ts';
import { redactUrl } from './passthrough.ts';
import { stateSet } from './shapes.ts';
import type { Source } from './types.ts';

export function apiSource(api: DeepgramApi, baseUrl: string): Source {
  return {
    name: 'api',
    target: redactUrl(baseUrl),
    async collect(signal) {
      // Models are extra detail: an API build without /v1/models still reports its health.
      const [report, models] = await Promise.all([raceSignal(api.health(), signal), api.get('/v1/models', signal).catch(() => ({}))]);
      const status = report.checks.find((c) => c.name === 'api_status');
      if (!status?.ok || !report.status) {
        const reason = status?.reason && status.reason !== 'not_connected' ? status.reason : 'connection';
        throw new SourceError(reason, status?.error ?? 'no status');
      }
      const families: MetricFamily[] = [];
      const health = (API_HEALTH_STATES as readonly string[]).includes(report.status.systemHealth) ? report.status.systemHealth : '';
      families.push(stateSet(DGMON.apiSystemHealth.name, DGMON.apiSystemHealth.help, API_HEALTH_STATES, health));
      const active: Sample[] = [];
      const add = (kind: string, value: number | undefined) => value !== undefined && active.push({ name: DGMON.apiActiveRequests.name, labels: { kind }, value });
      add('batch', report.status.activeBatch);
      add('stream', report.status.activeStream);
      add('listen_v2_stream', report.status.activeV2Stream);
      families.push({ name: DGMON.apiActiveRequests.name, type: 'gauge', help: DGMON.apiActiveRequests.help, samples: active });
      families.push({
        name: DGMON.apiEngineConnected.name,
        type: 'gauge',
        help: DGMON.apiEngineConnected.help,
        samples: [{ name: DGMON.apiEngineConnected.name, labels: {}, value: report.engineConnection === 'Connected' ? 1 : 0 }],
      });
      families.push({ name: DGMON.apiModelInfo.name, type: 'gauge', help: DGMON.apiModelInfo.help, samples: modelSamples(models) });
      return families;
    },
  };
}

function modelSamples(body: Record<string, unknown>): Sample[] {
  const samples: Sample[] = [];
  const seen = new Set<string>();
  for (const modelType of ['stt', 'tts'] as const) {
    const list = body[modelType];
    if (!Array.isArray(list)) continue;
    for (const model of list) {
      if (!model || typeof model !== 'object') continue;
      const m = model as Record<string, unknown>;
      const text = (key: string) => (typeof m[key] === 'string' ? (m[key] as string).slice(0, 200) : '');
      const labels = { model_type: modelType, name: text('name'), canonical_name: text('canonical_name'), architecture: text('architecture'), version: text('version'), uuid: text('uuid') };
      const key = JSON.stringify(labels);
      if (seen.has(key)) continue;
      seen.add(key);
      samples.push({ name: DGMON.apiModelInfo.name, labels, value: 1 });
    }
  }
  return samples;
}
