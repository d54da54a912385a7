// `dgmon backtest` on the command line without a Prometheus: every bad flag or config is a usage error (exit 2) with
// a sentence naming the flag, checked before any query; --set overrides land in the config as the YAML would; an
// unreachable Prometheus is exit 1. (Against a live Prometheus, report, budget and what-if: live.test.ts.)
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type Io } from '../../cli/main.ts';
import { applyOverrides, loadSides, parseEnd, parseSet } from '../../backtest/command.ts';
import { buildRules } from '../../alerts/index.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dgmon-backtest-cli-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function dgmon(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) };
  return { code: await main(args, io), out, err };
}

/** A port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const P = ['backtest', '--prometheus', 'http://127.0.0.1:1'];

describe('dgmon backtest: flags', () => {
  const bad: [string, string[], RegExp][] = [
    ['no --prometheus', ['backtest'], /required option '--prometheus <url>'/],
    ['a --prometheus that is no URL', ['backtest', '--prometheus', 'prometheus:9090'], /--prometheus: must be an http/],
    ['a --range that is no duration', [...P, '--range', 'a week'], /--range: must be a duration/],
    ['a --range of nothing', [...P, '--range', '0s'], /--range: must be a duration/],
    ['an --end that is no time', [...P, '--end', 'yesterday'], /--end: must be now, Unix seconds or an RFC 3339 time/],
    ['an --end in the future', [...P, '--end', '2999-01-01T00:00:00Z'], /--end: .* is in the future/],
    ['a budget that is no number', [...P, '--max-pages-per-week', 'few'], /--max-pages-per-week: must be a number/],
    ['a negative budget', [...P, '--max-pages-per-week', '-1'], /--max-pages-per-week: must be a number/],
    ['a --set without a value', [...P, '--set', 'DeepgramHighErrorRate.threshold'], /--set: must be Alert.field=value/],
    ['a --set without a field', [...P, '--set', 'threshold=0.08'], /--set: must be Alert.field=value/],
    ['a --set the config refuses', [...P, '--set', 'DeepgramHighErrorRate.threshold=8'], /alerts.DeepgramHighErrorRate.threshold: must be a ratio/],
    ['a --set of an unknown field', [...P, '--set', 'DeepgramHighErrorRate.treshold=0.08'], /alerts.DeepgramHighErrorRate.treshold/],
    ['an unknown --alert', [...P, '--alert', 'DeepgramNoSuchAlert'], /--alert: DeepgramNoSuchAlert is not an alert this config generates/],
    ['--png without --out', [...P, '--png'], /--png: applies with --out only/],
    ['a --timeout that is no duration', [...P, '--timeout', 'long'], /--timeout: must be a duration/],
    ['a missing --config', [...P, '--config', '/nonexistent/dgmon.yaml'], /cannot read the file/],
    ['a missing --compare-config', [...P, '--compare-config', '/nonexistent/other.yaml'], /cannot read the file/],
  ];
  for (const [what, args, message] of bad) {
    it(`${what}: exit 2, named`, async () => {
      const { code, err } = await dgmon(args);
      expect(code, err).toBe(2);
      expect(err).toMatch(message);
    });
  }

  it('an unreachable Prometheus: exit 1, with its address', async () => {
    const port = await deadPort();
    const { code, err } = await dgmon(['backtest', '--prometheus', `http://127.0.0.1:${port}`, '--range', '1h', '--alert', 'DeepgramGPUSaturated']);
    expect(code).toBe(1);
    expect(err).toContain(`dgmon: cannot reach the Prometheus at http://127.0.0.1:${port}: ECONNREFUSED`);
  });

  it('--end: now, Unix seconds and RFC 3339', () => {
    expect(parseEnd(undefined, 5000)).toBe(5000);
    expect(parseEnd('now', 5000)).toBe(5000);
    expect(parseEnd('1764547200', Date.now())).toBe(1764547200000);
    expect(parseEnd('2025-12-01T00:00:00Z', Date.now())).toBe(Date.parse('2025-12-01T00:00:00Z'));
    expect(parseEnd('2025-12-01T01:00:00+01:00', Date.now())).toBe(Date.parse('2025-12-01T00:00:00Z'));
  });
});

describe('dgmon backtest: --set and --compare-config', () => {
  it('an alert field, a section field, and values read as YAML', () => {
    expect(parseSet('DeepgramHighErrorRate.threshold=0.08')).toEqual({ path: ['alerts', 'DeepgramHighErrorRate', 'threshold'], value: 0.08 });
    expect(parseSet('DeepgramGPUMetricsMissing.enabled=false')).toEqual({ path: ['alerts', 'DeepgramGPUMetricsMissing', 'enabled'], value: false });
    expect(parseSet('intervals.rate=2m')).toEqual({ path: ['intervals', 'rate'], value: '2m' });
    const raw: Record<string, unknown> = { alerts: { DeepgramHighErrorRate: { for: '5m' } } };
    applyOverrides(raw, [parseSet('DeepgramHighErrorRate.threshold=0.08'), parseSet('DeepgramGPUSaturated.for=30m')]);
    expect(raw).toEqual({ alerts: { DeepgramHighErrorRate: { for: '5m', threshold: 0.08 }, DeepgramGPUSaturated: { for: '30m' } } });
  });

  it('the proposed config is the base config with the overrides; the base is left as it is', () => {
    const file = join(dir, 'dgmon.yaml');
    writeFileSync(file, 'alerts:\n  DeepgramHighErrorRate: { for: 5m }\n');
    const { base, other } = loadSides({ config: file, set: ['DeepgramHighErrorRate.threshold=0.08'] });
    expect(other?.name).toBe('DeepgramHighErrorRate.threshold=0.08');
    const rule = (c: typeof base.config) => buildRules(c).alerting.flatMap((g) => g.rules).find((r) => r.alert === 'DeepgramHighErrorRate')!;
    expect(rule(base.config).expr).toContain('> 0.05');
    expect(rule(other!.config).expr).toContain('> 0.08');
    expect(rule(other!.config).for).toBe('5m');
    expect(loadSides({ config: file, set: [] }).other).toBeUndefined();
  });

  it('--compare-config: a second file, with --set applied to it', () => {
    const a = join(dir, 'a.yaml');
    const b = join(dir, 'b.yaml');
    writeFileSync(a, '{}\n');
    writeFileSync(b, 'alerts:\n  DeepgramGPUSaturated: { for: 30m }\n');
    const { base, other } = loadSides({ config: a, set: ['DeepgramGPUSaturated.threshold=0.95'], compareConfig: b });
    expect(base.name).toBe(a);
    expect(other?.name).toBe(`${b} DeepgramGPUSaturated.threshold=0.95`);
    const rule = buildRules(other!.config).alerting.flatMap((g) => g.rules).find((r) => r.alert === 'DeepgramGPUSaturated')!;
    expect(rule.for).toBe('30m');
    expect(rule.expr).toContain('0.95');
  });
});
