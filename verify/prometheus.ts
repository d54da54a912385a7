// The checks that ask Prometheus: are the generated rule groups loaded (and which bundle), are the expected scrape
// targets up, and do the catalogue metrics the bundle reads arrive under the configured selectors.
import type { DgmonConfig } from '../core/config.ts';
import { Promql, selector } from '../core/promql.ts';
import { buildRules } from '../alerts/index.ts';
import { RULES_INFO_GROUP } from '../alerts/recording/info.ts';
import { DCGM, DGMON, ENGINE, seriesNames } from '../core/catalog/index.ts';
import { errorText, HttpError, joinUrl, requestJson, shownUrl } from './http.ts';
import { diffRules, type LoadedGroup, type RulesDiff } from './rules-diff.ts';
import { neededMetrics, type NeededMetric } from './needed-metrics.ts';
import { fail, pass, warn, type CheckResult } from './report.ts';

export interface PrometheusTarget {
  url: string;
  timeoutMs: number;
  config: DgmonConfig;
}

/** Lines a detail lists before it summarises the rest. */
const MAX_LINES = 12;

export function listLines(lines: string[], max = MAX_LINES): string {
  return lines.length <= max ? lines.join('\n') : [...lines.slice(0, max), `… and ${lines.length - max} more`].join('\n');
}

async function api<T>(p: PrometheusTarget, path: string, params: Record<string, string> = {}): Promise<T> {
  const query = new URLSearchParams(params).toString();
  const url = joinUrl(p.url, `${path}${query ? `?${query}` : ''}`);
  const body = await requestJson<{ status?: string; data?: T; error?: string }>(url, { timeoutMs: p.timeoutMs });
  if (body.status !== 'success') throw new HttpError(`GET ${shownUrl(joinUrl(p.url, path))}: ${body.error ?? 'status is not success'}`);
  return body.data as T;
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

export async function instantQuery(p: PrometheusTarget, expr: string): Promise<Sample[]> {
  const data = await api<{ resultType: string; result: Sample[] }>(p, '/api/v1/query', { query: expr });
  return data.resultType === 'vector' ? data.result : [];
}

export async function checkPrometheusReachable(p: PrometheusTarget): Promise<CheckResult> {
  try {
    const info = await api<{ version?: string }>(p, '/api/v1/status/buildinfo');
    return pass('prometheus', `reachable at ${shownUrl(p.url)}, version ${info.version ?? 'unknown'}`);
  } catch (err) {
    return fail('prometheus', errorText(err));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Rules

function rulesDetail(diff: RulesDiff): string[] {
  return [
    ...diff.missingGroups.map((g) => `group ${g}: not loaded`),
    ...diff.staleGroups.map((g) => `group ${g}: loaded but not generated from this config (stale)`),
    ...diff.duplicateGroups.map((d) => `group ${d.group}: loaded from ${d.files.length} files (${d.files.join(', ')}), so its rules run twice`),
    ...diff.changed.map((c) => `${c.rule} (${c.group}): ${c.what.join('; ')}`),
    ...diff.unhealthy.map((u) => `${u.rule} (${u.group}): evaluation fails: ${u.error}`),
  ];
}

export async function checkRules(p: PrometheusTarget): Promise<CheckResult[]> {
  const bundle = buildRules(p.config);
  const generated = [...bundle.recording, ...bundle.alerting];
  let loaded: LoadedGroup[];
  try {
    loaded = (await api<{ groups: LoadedGroup[] }>(p, '/api/v1/rules')).groups;
  } catch (err) {
    return [fail('rules: groups', errorText(err))];
  }
  const diff = diffRules(generated, loaded);
  const problems = rulesDetail(diff);
  const ruleCount = generated.reduce((n, g) => n + g.rules.length, 0);
  const rows: CheckResult[] = [];
  if (problems.length > 0) {
    const fix = diff.missingGroups.length + diff.staleGroups.length + diff.changed.length > 0 ? '\nfix: load the files `dgmon generate` writes for this config and reload Prometheus' : '';
    rows.push(fail('rules: groups', `${problems.length} problem(s) against the ${generated.length} groups this config generates:\n${listLines(problems)}${fix}`));
  } else if (diff.unevaluated > 0) {
    rows.push(warn('rules: groups', `${generated.length} groups, ${ruleCount} rules as generated; ${diff.unevaluated} not evaluated yet (just loaded?)`));
  } else {
    rows.push(pass('rules: groups', `${generated.length} groups, ${ruleCount} rules as generated, all evaluating`));
  }
  rows.push(await checkRulesVersion(p, generated, diff));
  return rows;
}

async function checkRulesVersion(p: PrometheusTarget, generated: { name: string; rules: { labels?: Record<string, string> }[] }[], diff: RulesDiff): Promise<CheckResult> {
  const name = 'rules: version';
  const expected = generated.find((g) => g.name === RULES_INFO_GROUP)?.rules[0]?.labels ?? {};
  const want = `dgmon ${expected.version}, fingerprint ${expected.fingerprint}`;
  let samples: Sample[];
  try {
    samples = await instantQuery(p, DGMON.rulesInfo.name);
  } catch (err) {
    return fail(name, errorText(err));
  }
  if (samples.length === 0) {
    if (!diff.missingGroups.includes(RULES_INFO_GROUP) && diff.unevaluated > 0) return warn(name, `${DGMON.rulesInfo.name} not recorded yet (rules not evaluated yet); expected ${want}`);
    return fail(name, `${DGMON.rulesInfo.name} is absent: the loaded rules predate it or group ${RULES_INFO_GROUP} is not loaded; this config generates ${want}`);
  }
  const seen = [...new Set(samples.map((s) => `dgmon ${s.metric.version}, fingerprint ${s.metric.fingerprint}`))];
  if (seen.length === 1 && samples.every((s) => s.metric.fingerprint === expected.fingerprint)) return pass(name, `${seen[0]}: the bundle this config generates`);
  return fail(name, `loaded ${seen.join(' and ')}; this config generates ${want}${seen.length > 1 ? ' (more than one bundle is loaded)' : ''}`);
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Targets

interface ActiveTarget {
  labels: Record<string, string>;
  scrapeUrl: string;
  health: string;
  lastError: string;
}

const TARGET_KINDS = ['engine', 'dcgm', 'exporter'] as const;

export async function checkTargets(p: PrometheusTarget): Promise<CheckResult[]> {
  // Only for the reasons of failed scrapes; the verdict comes from `up`.
  const active = await api<{ activeTargets: ActiveTarget[] }>(p, '/api/v1/targets', { state: 'active' }).then((d) => d.activeTargets, () => [] as ActiveTarget[]);
  const rows: CheckResult[] = [];
  for (const kind of TARGET_KINDS) {
    const name = `targets: ${kind}`;
    if (!p.config.expectedTargets[kind]) {
      rows.push(pass(name, `not expected (expectedTargets.${kind} is false)`));
      continue;
    }
    const expr = selector('up', p.config.selectors[kind]);
    let samples: Sample[];
    try {
      samples = await instantQuery(p, expr);
    } catch (err) {
      rows.push(fail(name, errorText(err)));
      continue;
    }
    if (samples.length === 0) {
      rows.push(fail(name, `no target matches ${expr}: nothing scrapes it (add the scrape job, fix selectors.${kind}, or set expectedTargets.${kind}: false)`));
      continue;
    }
    const label = (s: Sample) => `${s.metric.instance ?? '?'} (job ${s.metric.job ?? '?'})`;
    const down = samples.filter((s) => Number(s.value[1]) !== 1);
    if (down.length === 0) {
      rows.push(pass(name, `${samples.length} up: ${listLines(samples.map(label), 5).replace(/\n/g, ', ')}`));
      continue;
    }
    const reasons = down.map((s) => {
      const t = active.find((a) => a.labels.instance === s.metric.instance && a.labels.job === s.metric.job);
      return `${label(s)} is down${t?.lastError ? `: ${t.lastError}` : t?.scrapeUrl ? ` (${shownUrl(t.scrapeUrl)})` : ''}`;
    });
    rows.push(fail(name, `${down.length} of ${samples.length} down:\n${listLines(reasons)}`));
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------------------
// 3. Metrics

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\\\$&');

export async function checkMetrics(p: PrometheusTarget): Promise<CheckResult[]> {
  const needed = neededMetrics(p.config);
  const rows: CheckResult[] = [];
  for (const source of [...new Set(needed.map((n) => n.source))]) {
    const name = `metrics: ${source}`;
    const mine = needed.filter((n) => n.source === source);
    const series = mine.flatMap((n) => seriesNames(n.def));
    const expr = `group by (__name__) (${selector('', `__name__=~"${series.map(escapeRegex).join('|')}"`, p.config.selectors[source])})`;
    let present: Set<string>;
    try {
      present = new Set((await instantQuery(p, expr)).map((s) => s.metric.__name__ ?? ''));
    } catch (err) {
      rows.push(fail(name, errorText(err)));
      continue;
    }
    const missing = mine.filter((n) => !seriesNames(n.def).some((s) => present.has(s)));
    const by = (presence: NeededMetric['presence']) => missing.filter((n) => n.presence === presence).map((n) => n.def.name);
    const where = p.config.selectors[source] ? `{${p.config.selectors[source]}}` : '(any job)';
    const lines = [
      ...(by('always').length ? [`missing (published from start-up, so required): ${by('always').join(', ')}`] : []),
      ...(by('traffic').length ? [`not published yet (appear after the first matching request): ${by('traffic').join(', ')}`] : []),
      ...(by('optional').length ? [`absent (only some setups publish them): ${by('optional').join(', ')}`] : []),
    ];
    const summary = `${mine.length - missing.length} of the ${mine.length} metrics the bundle reads arrive under ${where}`;
    const status = by('always').length > 0 ? fail : missing.length > 0 ? warn : pass;
    rows.push(status(name, [summary, ...lines].join('\n')));
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------------------
// 4. The GPU ↔ Engine join

/** What the join check found: node keys of Engines and of GPUs, and whether GPU series carry renamed pod labels. */
export interface JoinFacts {
  engineNodes: string[];
  gpuNodes: string[];
  /** GPU series with exported_namespace/exported_pod: dcgm-exporter's pod labels renamed by a scrape without honorLabels. */
  exportedPodLabels: boolean;
}

/**
 * Judges whether Engine and GPU series meet on one node key, and when they do not, which setting fixes it. Without
 * the join the GPU alerts that need an Engine (CPU fallback, GPU metrics missing) never fire right, and GPU alerts
 * name dcgm-exporter's pod instead of the Engine.
 */
export function judgeGpuJoin(facts: JoinFacts, config: DgmonConfig): CheckResult {
  const name = 'join: gpu ↔ engine';
  const { engineNodes, gpuNodes } = facts;
  if (engineNodes.length === 0) return warn(name, 'no Engine series (engine_estimated_stream_capacity) yet: nothing to join');
  if (gpuNodes.length === 0) return warn(name, `no GPU series under ${config.selectors.dcgm || '(any job)'}: nothing to join (see targets: dcgm)`);
  const gpus = new Set(gpuNodes);
  const engines = new Set(engineNodes);
  const lonely = engineNodes.filter((n) => !gpus.has(n));
  const spare = gpuNodes.filter((n) => !engines.has(n));
  const keys = (list: string[]) => listLines(list, 5).replace(/\n/g, ', ');
  const spareNote = spare.length
    ? `\n${spare.length} GPU node key(s) match no Engine (${keys(spare)}): GPUs no pod holds are keyed by the dcgm-exporter pod's own address on Kubernetes; spare GPUs, or another workload's`
    : '';
  if (lonely.length === 0) return pass(name, `every Engine node (${engineNodes.length}) has GPU series under the same node key${spareNote}`);
  const [ns, pod] = config.node.dcgm.podLabels;
  const hint = facts.exportedPodLabels && !ns!.startsWith('exported_')
    ? `GPU series carry exported_namespace/exported_pod: dcgm-exporter's pod labels were renamed by a scrape without honorLabels (the prometheus-operator default). Set node.dcgm.podLabels: [exported_namespace, exported_pod] in dgmon.yaml (or honorLabels: true on that ServiceMonitor)`
    : engineNodes.some((n) => n.includes('/')) && !gpuNodes.some((n) => n.includes('/'))
      ? `Engine series are keyed by pod (${config.node.engine.podLabels.join('/')}) but GPU series carry no ${ns}/${pod}: run dcgm-exporter with --kubernetes (DCGM_EXPORTER_KUBERNETES=true), and set node.dcgm.podLabels to the labels its pod mapping arrives under`
      : `the two sources name the machine differently: set node.dcgm.hostLabel (Hostname when dcgm-exporter is reached under another address) or node.engine.hostLabel so both give the same host`;
  const status = lonely.length === engineNodes.length ? fail : warn;
  const what = lonely.length === engineNodes.length ? 'the join yields nothing: no Engine node has GPU series under its key' : `${lonely.length} of ${engineNodes.length} Engine nodes have no GPU series under their key`;
  return status(name, `${what}.\nEngine node keys: ${keys(lonely)}\nGPU node keys: ${keys(gpuNodes)}\nFix: ${hint}.${spareNote}`);
}

export async function checkGpuJoin(p: PrometheusTarget): Promise<CheckResult> {
  const q = new Promql(p.config);
  const nodes = async (expr: string) => (await instantQuery(p, `group by (${q.nodeBy.join(', ')}) (${expr})`)).map((s) => [s.metric[q.cluster], s.metric[q.node]].filter(Boolean).join(' '));
  try {
    const engineNodes = await nodes(q.withNode(q.engine(ENGINE.estimatedStreamCapacity.name), 'engine'));
    const gpuNodes = await nodes(q.perGpu(q.dcgmWithoutBlanks(DCGM.gpuTemp.name)));
    const exported = await instantQuery(p, `count(${q.dcgm(DCGM.gpuTemp.name, 'exported_pod!=""')})`);
    return judgeGpuJoin({ engineNodes, gpuNodes, exportedPodLabels: exported.length > 0 }, p.config);
  } catch (err) {
    return fail('join: gpu ↔ engine', errorText(err));
  }
}
