// The checks that ask the dgmon exporter directly: its /health answers 200, and its /metrics reports every
// configured source up.
import { DGMON } from '../core/catalog/index.ts';
import { parseExposition } from '../core/exposition/parse.ts';
import { errorText, joinUrl, request, requestOk, shownUrl } from './http.ts';
import { fail, pass, type CheckResult } from './report.ts';

export interface ExporterTarget {
  url: string;
  timeoutMs: number;
}

export async function checkExporterHealth(e: ExporterTarget): Promise<CheckResult> {
  const url = joinUrl(e.url, '/health');
  try {
    const response = await request(url, { timeoutMs: e.timeoutMs });
    if (response.status === 200) return pass('exporter: /health', `200 from ${shownUrl(url)}`);
    return fail('exporter: /health', `GET ${shownUrl(url)}: HTTP ${response.status}${failingChecks(response.text)}`);
  } catch (err) {
    return fail('exporter: /health', errorText(err));
  }
}

/** The failing checks of a /health body, for the detail; nothing if the body is not the exporter's JSON. */
function failingChecks(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: string; checks?: { name?: string; status?: string; error?: string }[] };
    const failing = (body.checks ?? []).filter((c) => c.status !== 'pass');
    if (failing.length > 0) return `; failing: ${failing.map((c) => `${c.name}${c.error ? ` (${c.error})` : ''}`).join(', ')}`;
    return body.error ? `; ${body.error}` : '';
  } catch {
    return '';
  }
}

export async function checkExporterSources(e: ExporterTarget): Promise<CheckResult> {
  const name = 'exporter: sources';
  const url = joinUrl(e.url, '/metrics');
  let text: string;
  try {
    text = (await requestOk(url, { timeoutMs: e.timeoutMs })).text;
  } catch (err) {
    return fail(name, errorText(err));
  }
  let up: { source: string; value: number }[];
  try {
    up = parseExposition(text)
      .flatMap((f) => f.samples)
      .filter((s) => s.name === DGMON.sourceUp.name)
      .map((s) => ({ source: s.labels.source ?? '?', value: s.value }));
  } catch (err) {
    return fail(name, `GET ${shownUrl(url)}: not Prometheus exposition text: ${errorText(err)}`);
  }
  if (up.length === 0) return fail(name, `${shownUrl(url)} has no ${DGMON.sourceUp.name}: no source is configured, or this is not the dgmon exporter`);
  const down = up.filter((s) => s.value !== 1);
  if (down.length > 0) return fail(name, `${DGMON.sourceUp.name} is 0 for ${down.map((s) => s.source).join(', ')} (the exporter's log and dgmon_source_failures_total say why); up: ${up.filter((s) => s.value === 1).map((s) => s.source).join(', ') || 'none'}`);
  return pass(name, `${DGMON.sourceUp.name} is 1 for ${up.map((s) => s.source).join(', ')}`);
}
