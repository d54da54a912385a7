// VictoriaMetrics and vmalert as the fleet benchmark's second central store (docs/scale-out.md): the Prometheus
// blocks imported with vmctl, so both engines answer on exactly the same samples, and each vmalert group's
// evaluation time read from vmalert's own metrics, as measure.ts reads Prometheus'.
import { spawn } from 'node:child_process';
import { parseExposition } from '../../core/exposition/parse.ts';
import { sleep, tail } from '../../daemons/daemon.ts';
import type { GroupDurations } from './measure.ts';

/**
 * Imports every block of the Prometheus TSDB directory `dir` (raw and recorded series) into the VictoriaMetrics at
 * `url` with `vmctl prometheus` (Debian's victoria-metrics package ships it); resolves once vmctl is done.
 */
export function vmctlImport(dir: string, url: string, timeoutMs = 60 * 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = ['prometheus', '-s', `--prom-snapshot=${dir}`, `--vm-addr=${url}`, '--prom-concurrency=2', '--vm-concurrency=2', '--vm-disable-progress-bar'];
    // vmctl 1.79 sets its terminal up even with the progress bar off and stops without one: `script` gives it a pty.
    const command = ['vmctl', ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-16_384));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const guard = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('error', (err) => reject(new Error(`cannot run vmctl: ${err.message}`)));
    child.once('exit', (code, signal) => {
      clearTimeout(guard);
      process.off('exit', killOnExit);
      if (code === 0) resolve();
      else reject(new Error(`vmctl prometheus ended with ${signal ?? `exit ${code}`}:\n${tail(output)}`));
    });
  });
}

/** Makes what VictoriaMetrics has received searchable now (it otherwise flushes within a few seconds). */
export async function forceFlush(url: string): Promise<void> {
  const response = await fetch(`${url}/internal/force_flush`, { signal: AbortSignal.timeout(60_000) });
  if (!response.ok) throw new Error(`VictoriaMetrics force_flush: HTTP ${response.status}`);
}

async function metricsOf(url: string) {
  const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(15_000) });
  return parseExposition(await response.text(), { maxSamples: 1_000_000 });
}

/**
 * Each vmalert group's evaluation times: vmalert_iteration_duration_seconds is a summary per group, so a rise of its
 * _count by one is one evaluation, and the rise of _sum with it is that evaluation's time. Read every second until
 * every group has `skip + evaluations` (the first ones find other groups' series not yet written) or the time is up.
 */
export async function vmalertGroupDurations(url: string, skip: number, evaluations: number, timeoutMs: number): Promise<GroupDurations[]> {
  const seen = new Map<string, { count: number; sum: number; durations: number[] }>();
  const until = Date.now() + timeoutMs;
  for (;;) {
    const families = await metricsOf(url);
    const samples = families.flatMap((f) => f.samples);
    const keyOf = (labels: Record<string, string>) => `${labels.file ?? ''};${labels.group ?? ''}`;
    const sums = new Map(samples.filter((s) => s.name === 'vmalert_iteration_duration_seconds_sum').map((s) => [keyOf(s.labels), s.value]));
    for (const s of samples.filter((x) => x.name === 'vmalert_iteration_duration_seconds_count')) {
      const key = keyOf(s.labels);
      const sum = sums.get(key) ?? NaN;
      const state = seen.get(key);
      if (!state) {
        seen.set(key, { count: s.value, sum, durations: [] });
        continue;
      }
      // Only a rise of exactly one tells one evaluation's time; a missed reading (two at once) is skipped.
      if (s.value === state.count + 1) state.durations.push((sum - state.sum) * 1000);
      state.count = s.value;
      state.sum = sum;
    }
    const done = seen.size > 0 && [...seen.values()].every((s) => s.durations.length >= skip + evaluations);
    if (done || Date.now() > until) return [...seen].map(([group, s]) => ({ group, durationsMs: s.durations.slice(skip) }));
    await sleep(1_000);
  }
}

/** Each rule's last evaluation time from vmalert's /api/v1/rules, where it reports one. */
export async function vmalertRuleTimes(url: string): Promise<{ group: string; rule: string; ms: number }[]> {
  try {
    const response = await fetch(`${url}/api/v1/rules`, { signal: AbortSignal.timeout(15_000) });
    const body = (await response.json()) as { data: { groups: { name: string; rules: { name: string; labels?: Record<string, string>; evaluationTime?: number; lastDuration?: number }[] }[] } };
    return body.data.groups.flatMap((g) =>
      g.rules.map((r) => {
        const which = r.labels?.quantile ? `{quantile="${r.labels.quantile}"}` : r.labels?.severity ? `{severity="${r.labels.severity}"}` : '';
        // evaluationTime in seconds as Prometheus reports it, or lastDuration in nanoseconds (Go's time.Duration).
        const ms = r.evaluationTime !== undefined ? r.evaluationTime * 1000 : r.lastDuration !== undefined ? r.lastDuration / 1e6 : NaN;
        return { group: g.name, rule: `${r.name}${which}`, ms };
      }),
    );
  } catch (err) {
    console.log(`  fleet: vmalert rule times unavailable: ${(err as Error).message}`);
    return [];
  }
}
