// The strict exposition parser against real upstream outputs (dcgm-exporter captures, the Deepgram Engine metrics
// template), the renderer (round trip, promtool), and every rejection with its line number.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { parseExposition, ExpositionError, parseNumber, DEFAULT_MAX_LINE_LENGTH } from '../../core/exposition/parse.ts';
import { renderText } from '../../core/exposition/render.ts';
import type { MetricFamily, Sample } from '../../core/exposition/types.ts';
import { DCGM, ENGINE, DCGM_BLANK_SENTINEL_MIN } from '../../core/catalog/index.ts';
import { run } from '../support/tools.ts';
import { SAMPLES_DIR } from '../support/samples.ts';
import { UPSTREAM_LINT } from '../support/exposition.ts';

// The captures live in the shared reference folder, not in the repo (see the report: they should be vendored).
const TEMPLATE = 'deepgram-engine-metrics.template.prom';
/** Lines the source excerpts use to mark elisions ("..." in the README, "[... truncated ...]" in issue #250). */
const isElision = (line: string): boolean => line === '...' || /^\[\.\.\. .* \.\.\.\]$/.test(line);

const sample = (file: string): string => readFileSync(join(SAMPLES_DIR, file), 'utf8');
const withoutElisions = (text: string): string => text.split('\n').filter((l) => !isElision(l)).join('\n');
const allSamples = (families: readonly MetricFamily[]): Sample[] => families.flatMap((f) => f.samples);
const family = (families: readonly MetricFamily[], name: string): MetricFamily => {
  const found = families.find((f) => f.name === name);
  if (!found) throw new Error(`no family ${name} in ${families.map((f) => f.name).join(', ')}`);
  return found;
};

/** Throws unless `fn` throws an ExpositionError; returns it. */
function expositionError(fn: () => unknown): ExpositionError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ExpositionError) return err;
    throw new Error(`expected an ExpositionError, got ${String(err)}`);
  }
  throw new Error('expected an ExpositionError, but the text parsed');
}

/** The Engine template with its placeholders filled: integers count up from 1, floats are n + 0.25. */
function filledTemplate(): string {
  let n = 0;
  return sample(TEMPLATE).replace(/<integer>|<float>/g, (p) => String(++n + (p === '<float>' ? 0.25 : 0)));
}

const dcgmFiles = readdirSync(SAMPLES_DIR).filter((f) => f.endsWith('.prom') && f !== TEMPLATE).sort();

describe('real dcgm-exporter outputs', () => {
  it('finds the captures', () => {
    expect(dcgmFiles).toEqual([
      'dcgm-exporter-issue250-v100.prom',
      'dcgm-exporter-pr326-xid-pcibusid.prom',
      'dcgm-exporter-pr736-mig-k8s.prom',
      'dcgm-exporter-readme-quickstart.prom',
    ]);
  });

  for (const file of dcgmFiles) {
    it(`${file}: parses; elision lines, where the excerpt has them, are rejected with their line number`, () => {
      const text = sample(file);
      const lines = text.split('\n');
      const firstElision = lines.findIndex(isElision);
      if (firstElision >= 0) {
        const err = expositionError(() => parseExposition(text));
        expect(err.line).toBe(firstElision + 1);
        expect(err.message).toMatch(/invalid metric name/);
      }
      const families = parseExposition(withoutElisions(text));
      expect(allSamples(families).length).toBe(lines.filter((l) => l && !l.startsWith('#') && !isElision(l)).length);
      for (const f of families) {
        expect(f.name).toMatch(/^DCGM_/);
        for (const s of f.samples) expect(s.labels.gpu).toMatch(/^\d+$/);
        // Where the capture's HELP is the catalogue's, it came through unchanged.
        const def = Object.values(DCGM).find((d) => d.name === f.name);
        if (def && f.help !== undefined && !file.includes('pr736')) expect(f.help).toBe(def.help);
      }
    });
  }

  it('README quickstart: "..." is rejected at line 7; without it the blank sentinel survives as a number ≥ 9.2e18', () => {
    const text = sample('dcgm-exporter-readme-quickstart.prom');
    expect(expositionError(() => parseExposition(text)).line).toBe(7);
    const families = parseExposition(withoutElisions(text));
    expect(families.map((f) => [f.name, f.type, f.samples.length])).toEqual([
      [DCGM.smClock.name, 'gauge', 1],
      [DCGM.memClock.name, 'gauge', 1],
      [DCGM.memoryTemp.name, 'gauge', 1],
    ]);
    // Spaces after the commas inside the braces are not part of names or values.
    expect(family(families, DCGM.smClock.name).samples[0]).toEqual({
      name: DCGM.smClock.name,
      labels: { gpu: '0', UUID: 'GPU-604ac76c-d9cf-fef3-62e9-d92044ab6e52' },
      value: 139,
    });
    const sentinel = family(families, DCGM.memoryTemp.name).samples[0]!.value;
    expect(typeof sentinel).toBe('number');
    expect(sentinel).toBeGreaterThanOrEqual(9.2e18);
    expect(sentinel).toBeGreaterThanOrEqual(DCGM_BLANK_SENTINEL_MIN);
    expect(sentinel).toBe(Number('9223372036854775794'));
  });

  it('issue #250 (V100, pre-pci_bus_id): the truncation marker is rejected at line 5; the rest keeps every family', () => {
    const text = sample('dcgm-exporter-issue250-v100.prom');
    expect(expositionError(() => parseExposition(text)).line).toBe(5);
    const families = parseExposition(withoutElisions(text));
    expect(families.map((f) => [f.name, f.type, f.samples.length])).toEqual([
      [DCGM.smClock.name, 'gauge', 2],
      // Its TYPE line was in the truncated part: an untyped family of its own.
      ['DCGM_FI_DEV_POWER_MGMT_LIMIT', 'untyped', 2],
      [DCGM.pcieReplay.name, 'counter', 4],
      [DCGM.gpuUtil.name, 'gauge', 1],
    ]);
    expect(family(families, 'DCGM_FI_DEV_POWER_MGMT_LIMIT').samples.map((s) => s.value)).toEqual([300, 300]);
    expect(family(families, DCGM.pcieReplay.name).help).toBe(DCGM.pcieReplay.help);
    expect(family(families, DCGM.smClock.name).samples[1]!.labels).toEqual({
      gpu: '1',
      UUID: 'GPU-8d5053b3-9280-7d1a-751b-4fd2fdd547c5',
      device: 'nvidia1',
      modelName: 'Tesla V100-SXM2-32GB',
      Hostname: 'r6i3n0',
    });
  });

  it('PR #326: Xid labels and pci_bus_id', () => {
    const families = parseExposition(sample('dcgm-exporter-pr326-xid-pcibusid.prom'));
    expect(family(families, DCGM.xidErrors.name).samples).toEqual([
      {
        name: DCGM.xidErrors.name,
        labels: {
          gpu: '0',
          UUID: 'GPU-96be9fff-fdfd-9b87-88d4-fe5b9a012148',
          pci_bus_id: '00000000:08:00.0',
          device: 'nvidia0',
          modelName: 'NVIDIA GeForce RTX 3090',
          Hostname: 'debian',
          err_code: '0',
          err_msg: 'Unknown Error',
        },
        value: 0,
      },
    ]);
    expect(family(families, DCGM.fbFree.name).samples[0]!.value).toBe(24268);
  });

  it('PR #736: MIG and pod labels, lowercase hostname', () => {
    const families = parseExposition(sample('dcgm-exporter-pr736-mig-k8s.prom'));
    const mig = family(families, DCGM.fbFree.name).samples[1]!;
    expect(mig.labels).toMatchObject({ GPU_I_PROFILE: '1g.6gb', GPU_I_ID: '3', hostname: 'dcgm-exporter-wwwjh', pod: 'triton-server-f7cb5d77-95xcf' });
    expect(mig.value).toBe(2207);
    expect(family(families, DCGM.decUtil.name).help).toBe('Ratio of time the decoder is active (in %).');
  });
});

describe('Deepgram Engine metrics template', () => {
  const families = parseExposition(filledTemplate());

  it('parses into the documented families, in order', () => {
    expect(families.map((f) => f.name)).toEqual([
      'engine_estimated_stream_capacity',
      'engine_active_requests',
      'engine_max_active_requests',
      'engine_requests',
      'engine_batch_response_time_seconds',
      'engine_asr_per_batch_audio_duration_seconds',
      'engine_asr_per_batch_wall_time_seconds',
      'engine_asr_per_batch_realtime_factor',
      'engine_asr_per_file_audio_duration_seconds',
      'engine_asr_per_file_wall_time_seconds',
      'engine_asr_per_file_realtime_factor',
      'engine_stream_connection_latency_seconds',
      'engine_stream_latency',
      'engine_tts_failures_during_response',
      'engine_flux_max_streams',
      'engine_flux_used_streams',
      'engine_flux_fraction_streams',
    ]);
  });

  it('engine_requests: an OpenMetrics counter family holding engine_requests_total series', () => {
    const requests = family(families, 'engine_requests');
    expect(requests.type).toBe('counter');
    expect(requests.help).toBe('Number of inference requests.');
    expect(requests.samples).toHaveLength(15);
    expect(new Set(requests.samples.map((s) => s.name))).toEqual(new Set([ENGINE.requests.name]));
    expect(requests.samples.map((s) => `${s.labels.kind}/${s.labels.response_status}`)).toEqual(
      ['batch', 'stream', 'tts'].flatMap((k) => ['1xx', '2xx', '3xx', '4xx', '5xx'].map((r) => `${k}/${r}`)),
    );
    expect(family(families, 'engine_tts_failures_during_response').samples.map((s) => s.name)).toEqual([ENGINE.ttsFailuresDuringResponse.name]);
  });

  it('every histogram has all its catalogued buckets, +Inf, _sum and _count; # UNIT is kept', () => {
    const histograms = Object.values(ENGINE).filter((d) => d.type === 'histogram' && families.some((f) => f.name === d.name));
    // The template omits the TTS latency and Flux cursor histograms (see its .src.txt); the other nine are in it.
    expect(histograms).toHaveLength(9);
    for (const def of histograms) {
      const f = family(families, def.name);
      expect(f.type).toBe('histogram');
      const buckets = f.samples.filter((s) => s.name === `${def.name}_bucket`);
      expect(buckets.map((s) => parseNumber(s.labels.le!))).toEqual([...def.buckets!, Infinity]);
      expect(f.samples.filter((s) => s.name === `${def.name}_sum`)).toHaveLength(1);
      expect(f.samples.filter((s) => s.name === `${def.name}_count`)).toHaveLength(1);
      expect(f.samples).toHaveLength(def.buckets!.length + 3);
      expect(f.unit).toBe(['engine_asr_per_batch_audio_duration_seconds', 'engine_asr_per_batch_wall_time_seconds', 'engine_asr_per_file_audio_duration_seconds', 'engine_asr_per_file_wall_time_seconds'].includes(def.name) ? 'seconds' : undefined);
    }
    const sum = family(families, 'engine_batch_response_time_seconds').samples.find((s) => s.name.endsWith('_sum'))!;
    expect(sum.value % 1).toBe(0.25); // a <float> placeholder
  });

  it('is rejected as written, at the first placeholder', () => {
    const err = expositionError(() => parseExposition(sample(TEMPLATE)));
    expect(err.line).toBe(3);
    expect(err.message).toContain('<integer>');
  });
});

describe('round trip through renderText', () => {
  const inputs: [string, string][] = [
    ...dcgmFiles.map((f): [string, string] => [f, withoutElisions(sample(f))]),
    [TEMPLATE, filledTemplate()],
  ];
  for (const [name, text] of inputs) {
    it(`${name}: parse → renderText → parse keeps every sample`, () => {
      const first = parseExposition(text);
      const second = parseExposition(renderText(first));
      expect(allSamples(second)).toEqual(allSamples(first));
      expect(second.map((f) => [f.type, f.help])).toEqual(first.map((f) => [f.type, f.help]));
    });
  }
});

describe('promtool check metrics on renderText output', () => {
  // Only dcgm-exporter's own naming lint (UPSTREAM_LINT) is allowed; anything else, and any parse error (rc=1,
  // "error while linting"), fails.
  const check = (text: string) => run('promtool', ['check', 'metrics'], { input: text });

  for (const file of dcgmFiles) {
    it(`${file}: no parse error, only upstream naming lint`, () => {
      const result = check(renderText(parseExposition(withoutElisions(sample(file)))));
      expect([0, 3]).toContain(result.code);
      const findings = `${result.stdout}${result.stderr}`.split('\n').filter(Boolean);
      for (const finding of findings) expect(UPSTREAM_LINT.some((re) => re.test(finding)), finding).toBe(true);
    });
  }

  it('Engine template: clean (rc 0)', () => {
    const result = check(renderText(parseExposition(filledTemplate())));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('the check can fail: an exemplar is a parse error for 0.0.4', () => {
    const result = check('# HELP foo_total x\n# TYPE foo_total counter\nfoo_total 1 # {a="b"} 1\n');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error while linting');
  });
});

describe('accepted syntax', () => {
  const samplesOf = (text: string): Sample[] => allSamples(parseExposition(text));

  it('label value escapes, blanks inside braces, a trailing comma, empty braces', () => {
    expect(samplesOf('a{x="back\\\\slash \\"quoted\\" new\\nline"} 1\nb{ x = "1" , y="2", } 2\nc{} 3\nd {x="1"} 4\n')).toEqual([
      { name: 'a', labels: { x: 'back\\slash "quoted" new\nline' }, value: 1 },
      { name: 'b', labels: { x: '1', y: '2' }, value: 2 },
      { name: 'c', labels: {}, value: 3 },
      { name: 'd', labels: { x: '1' }, value: 4 },
    ]);
  });

  it('escaped and plain values on the same line and around it; labels named like Object members', () => {
    // Lines without a backslash take a shorter path: the lines before, after and between escaped ones must not.
    const text = 'a{x="1",y="a\\"b",z="2"} 1\nb{x="plain"} 2\nc{x="\\\\",y="q"} 3\nd{x="\\n"} 4\ne{x="e"} 5\n';
    expect(samplesOf(text)).toEqual([
      { name: 'a', labels: { x: '1', y: 'a"b', z: '2' }, value: 1 },
      { name: 'b', labels: { x: 'plain' }, value: 2 },
      { name: 'c', labels: { x: '\\', y: 'q' }, value: 3 },
      { name: 'd', labels: { x: '\n' }, value: 4 },
      { name: 'e', labels: { x: 'e' }, value: 5 },
    ]);
    expect(samplesOf('f{constructor="1",toString="2",hasOwnProperty="3"} 6\n')[0]!.labels).toEqual({ constructor: '1', toString: '2', hasOwnProperty: '3' });
    expect(expositionError(() => parseExposition('f{constructor="1",constructor="2"} 1')).message).toMatch(/duplicate label name/);
  });

  it('values: NaN, ±Inf, exponents, huge integers, signs, bare dots', () => {
    const values = ['NaN', '+Inf', '-Inf', 'Inf', 'inf', '+Infinity', '1e+18', '9223372036854775794', '-0.5', '.5', '5.', '1E-3', '+7', '0.000000', '1.7976931348623157e308'];
    const parsed = samplesOf(values.map((v, i) => `v${i} ${v}\n`).join('')).map((s) => s.value);
    expect(parsed).toEqual([NaN, Infinity, -Infinity, Infinity, Infinity, Infinity, 1e18, 9223372036854775794, -0.5, 0.5, 5, 0.001, 7, 0, 1.7976931348623157e308]);
  });

  it('timestamps (0.0.4 milliseconds, OpenMetrics seconds) and exemplars are parsed and dropped', () => {
    const text = [
      'a 1 1712345678901',
      'b{x="1"} 2 -5',
      'c 3 1712345678.125',
      '# TYPE d counter',
      'd_total{x="1"} 4 # {trace_id="abc"} 0.5',
      'd_total{x="2"} 5 1712345678.5 # {trace_id="def",span=""} 1e3 1712345678.4',
      '# TYPE h histogram',
      'h_bucket{le="1"} 6 # {trace_id="x"} 0.3',
      'h_bucket{le="+Inf"} 6',
      'h_sum 1',
      'h_count 6',
      'e 7\t \t',
    ].join('\n');
    const samples = samplesOf(text);
    expect(samples.map((s) => s.value)).toEqual([1, 2, 3, 4, 5, 6, 6, 1, 6, 7]);
    for (const s of samples) expect(Object.keys(s).sort()).toEqual(['labels', 'name', 'value']);
  });

  it('OpenMetrics: # UNIT, _total/_created, info, stateset, gaugehistogram, summary, # EOF', () => {
    const text = [
      '# TYPE engine_requests counter',
      '# HELP engine_requests Number of inference requests.',
      'engine_requests_total{kind="batch"} 4',
      'engine_requests_created{kind="batch"} 1712345678.1',
      '# TYPE lat_seconds histogram',
      '# UNIT lat_seconds seconds',
      'lat_seconds_bucket{le="0.5"} 1',
      'lat_seconds_bucket{le="+Inf"} 2',
      'lat_seconds_count 2',
      'lat_seconds_sum 1.5',
      'lat_seconds_created 1712345678',
      '# TYPE build info',
      'build_info{version="1.2"} 1',
      '# TYPE state stateset',
      'state{state="a"} 1',
      'state{state="b"} 0',
      '# TYPE queue gaugehistogram',
      'queue_bucket{le="+Inf"} 3',
      'queue_gcount 3',
      'queue_gsum 9',
      '# TYPE rpc summary',
      'rpc{quantile="0.5"} 0.1',
      'rpc{quantile="0.99"} 0.7',
      'rpc_sum 12',
      'rpc_count 40',
      '# TYPE mystery unknown',
      'mystery 1',
      '# EOF',
      '',
    ].join('\n');
    const families = parseExposition(text);
    expect(families.map((f) => [f.name, f.type, f.unit, f.samples.length])).toEqual([
      ['engine_requests', 'counter', undefined, 2],
      ['lat_seconds', 'histogram', 'seconds', 5],
      ['build', 'info', undefined, 1],
      ['state', 'stateset', undefined, 2],
      ['queue', 'gaugehistogram', undefined, 3],
      ['rpc', 'summary', undefined, 4],
      ['mystery', 'unknown', undefined, 1],
    ]);
    expect(families[0]!.help).toBe('Number of inference requests.');
  });

  it('interleaved families: samples join their declared family by exact name or base name', () => {
    const text = [
      '# TYPE a counter',
      '# TYPE b gauge',
      '# TYPE h histogram',
      'a_total 1',
      'b 2',
      'h_bucket{le="+Inf"} 1',
      'a_total{x="1"} 3',
      'h_count 1',
      'b{x="1"} 4',
      'h_sum 0',
    ].join('\n');
    const families = parseExposition(text);
    expect(families.map((f) => [f.name, f.samples.map((s) => s.value)])).toEqual([
      ['a', [1, 3]],
      ['b', [2, 4]],
      ['h', [1, 1, 0]],
    ]);
  });

  it('samples without TYPE, or not fitting their base family, form untyped families of their own', () => {
    const text = [
      'loose 1',
      '# TYPE g gauge',
      'g 2',
      'g_bucket{le="1"} 3', // a gauge takes no _bucket series: its own family (and no le check)
      'g_total 4',
      'loose{x="1"} 5', // joins the earlier implicit family
      '# TYPE c counter',
      'c 6', // a 0.0.4 counter without _total is its own family's sample
      '# HELP documented Only HELP, no TYPE.',
      'documented 7',
    ].join('\n');
    const families = parseExposition(text);
    expect(families.map((f) => [f.name, f.type, f.samples.map((s) => s.value)])).toEqual([
      ['loose', 'untyped', [1, 5]],
      ['g', 'gauge', [2]],
      ['g_bucket', 'untyped', [3]],
      ['g_total', 'untyped', [4]],
      ['c', 'counter', [6]],
      ['documented', 'untyped', [7]],
    ]);
    expect(families[5]!.help).toBe('Only HELP, no TYPE.');
  });

  it('comments, blank lines, leading blanks, HELP escapes, families without samples', () => {
    const text = [
      '# just a comment',
      '#HELP not metadata',
      '',
      '   # TYPE spaced gauge',
      '  spaced 1',
      '# HELP esc a\\\\b\\nc \\"d\\" \\t kept',
      '# HELP empty',
      '# TYPE empty counter',
    ].join('\n');
    const families = parseExposition(text);
    expect(families).toEqual([
      { name: 'spaced', type: 'gauge', samples: [{ name: 'spaced', labels: {}, value: 1 }] },
      { name: 'esc', type: 'untyped', help: 'a\\b\nc "d" \\t kept', samples: [] },
      { name: 'empty', type: 'counter', help: '', samples: [] },
    ]);
    expect(parseExposition('')).toEqual([]);
    expect(parseExposition('\n\n# EOF')).toEqual([]);
  });

  it('limits are inclusive', () => {
    const line = `a{x="${'y'.repeat(DEFAULT_MAX_LINE_LENGTH - 9)}"} 1`;
    expect(line).toHaveLength(DEFAULT_MAX_LINE_LENGTH);
    expect(samplesOf(line)).toHaveLength(1);
    expect(allSamples(parseExposition('a 1\nb 2\n', { maxSamples: 2 }))).toHaveLength(2);
  });
});

describe('rejections carry the 1-based line number', () => {
  const cases: [string, string, number, RegExp][] = [
    ['unterminated label set', 'ok 1\nfoo{a="b" 1', 2, /expected ',' or '}'/],
    ['unquoted label value', 'foo{a=b} 1', 1, /expected '"'/],
    ['leading comma', 'foo{,a="b"} 1', 1, /invalid label name/],
    ['double comma', 'foo{a="b",,c="d"} 1', 1, /invalid label name/],
    ['missing comma', 'foo{a="b"c="d"} 1', 1, /expected ',' or '}'/],
    ['unterminated label value', 'foo{a="b} 1', 1, /unterminated value/],
    ['unknown escape', 'foo{a="\\t"} 1', 1, /invalid escape/],
    ['duplicate label name', 'foo{a="1",a="2"} 1', 1, /duplicate label name/],
    ['reserved label name', 'foo{__name__="bar"} 1', 1, /reserved label name/],
    ['label name with a dash', 'foo{a-b="1"} 1', 1, /expected '='/],
    ['label name starting with a digit', 'foo{1a="1"} 1', 1, /invalid label name/],
    ['metric name starting with a digit', '1foo 1', 1, /invalid metric name/],
    ['metric name with a dash', '\n\nfoo-bar 1', 3, /invalid metric name/],
    ['elision', 'a 1\n...\nb 2', 2, /invalid metric name/],
    ['quoted metric name (UTF-8 names are not supported)', '{"foo.bar"} 1', 1, /invalid metric name/],
    ['missing value', 'foo', 1, /missing value/],
    ['missing value after labels', 'foo{a="1"}', 1, /missing value/],
    ['word value', 'foo abc', 1, /invalid value/],
    ['two dots', 'foo 1.2.3', 1, /invalid value/],
    ['hex value', 'foo 0x10', 1, /invalid value/],
    ['dangling exponent', 'foo 1e', 1, /invalid value/],
    ['overflowing value', 'foo 1e999', 1, /invalid value/],
    ['signed NaN', 'foo -NaN', 1, /invalid value/],
    ['placeholder value', 'foo <integer>', 1, /invalid value/],
    ['NaN timestamp', 'foo 1 NaN', 1, /timestamp must be finite/],
    ['word timestamp', 'foo 1 now', 1, /invalid timestamp/],
    ['trailing garbage', 'foo 1 2 3', 1, /unexpected text after sample value/],
    ['CRLF', 'a 1\r\nb 2\r\n', 1, /CRLF/],
    ['exemplar without value', 'foo_total 1 # {a="b"}', 1, /missing exemplar value/],
    ['exemplar without labels', 'foo_total 1 # 2', 1, /expected '\{'/],
    ['hash glued to value', 'foo 1 #{a="b"} 1', 1, /expected ' ' after '#'/],
    ['duplicate TYPE', '# TYPE foo gauge\nfoo 1\n# TYPE foo gauge', 3, /second # TYPE/],
    ['duplicate HELP', '# HELP foo a\n# HELP foo b', 2, /second # HELP/],
    ['duplicate UNIT', '# UNIT foo_seconds seconds\n# UNIT foo_seconds seconds', 2, /second # UNIT/],
    ['unknown type', '# TYPE foo countr', 1, /unknown metric type/],
    ['TYPE without type', '# TYPE foo', 1, /unknown metric type/],
    ['TYPE with extra words', '# TYPE foo gauge extra', 1, /unexpected text/],
    ['invalid name in TYPE', '# TYPE foo-bar gauge', 1, /invalid metric name in # TYPE/],
    ['HELP without name', '# HELP', 1, /expected a metric name/],
    ['invalid unit', '# UNIT foo a/b', 1, /invalid unit/],
    ['TYPE after the samples', 'foo 1\n# TYPE foo gauge', 2, /after its samples/],
    ['TYPE after the _total samples', 'foo_total 1\n# TYPE foo counter', 2, /after its samples \(foo_total\)/],
    ['a family named after series another family holds', '# TYPE foo counter\nfoo_total 1\n# HELP foo_total x', 3, /already belong to counter foo/],
    ['histogram sample under the bare name', '# TYPE h histogram\nh 1', 2, /without _bucket/],
    ['bucket without le', '# TYPE h histogram\nh_bucket{x="1"} 1', 2, /without a 'le' label/],
    ['bucket with a non-numeric le', '# TYPE h histogram\nh_bucket{le="big"} 1', 2, /invalid 'le' value/],
    ['summary quantile missing', '# TYPE s summary\ns 1', 2, /without a 'quantile' label/],
    ['text after # EOF', 'a 1\n# EOF\nb 2', 3, /text after # EOF \(line 2\)/],
    ['a blank line after # EOF', 'a 1\n# EOF\n\n', 3, /text after # EOF/],
    ['words after EOF', '# EOF now', 1, /after # EOF/],
    ['NUL byte', 'a 1\nb{x="\0"} 2', 2, /NUL/],
    ['NUL byte in a comment', '# hi\0', 1, /NUL/],
  ];
  for (const [what, text, line, message] of cases) {
    it(what, () => {
      const err = expositionError(() => parseExposition(text));
      expect(err.line).toBe(line);
      expect(err.message).toMatch(message);
      expect(err.name).toBe('ExpositionError');
    });
  }

  it('a line over maxLineLength', () => {
    const err = expositionError(() => parseExposition('a 1\nb 22\nc 333', { maxLineLength: 4 }));
    expect([err.line, err.message]).toEqual([3, 'line longer than 4 characters']);
    const big = expositionError(() => parseExposition(`a 1\nb{x="${'y'.repeat(DEFAULT_MAX_LINE_LENGTH)}"} 1\n`));
    expect(big.line).toBe(2);
  });

  it('more than maxSamples samples', () => {
    const err = expositionError(() => parseExposition('# TYPE a gauge\na 1\na{x="1"} 2\na{x="2"} 3\n', { maxSamples: 2 }));
    expect([err.line, err.message]).toEqual([4, 'more than 2 samples']);
    const text = Array.from({ length: 200_001 }, (_, i) => `s{i="${i}"} ${i}\n`).join('');
    expect(expositionError(() => parseExposition(text)).line).toBe(200_001);
    expect(allSamples(parseExposition(text, { maxSamples: 200_001 }))).toHaveLength(200_001);
  });
});

describe('hostile input stays linear', () => {
  // No timing asserts: a quadratic scanner would blow the test timeout on these 64 KiB lines.
  const n = DEFAULT_MAX_LINE_LENGTH - 16;
  const hostile: [string, string][] = [
    ['a huge run of digits', `a ${'1'.repeat(n)}x`],
    ['a huge decimal', `a ${'1'.repeat(n / 2)}.${'1'.repeat(n / 2)}e`],
    ['a huge metric name', `${'a'.repeat(n)}!`],
    ['many escapes', `a{x="${'\\"'.repeat(n / 2)}} 1`],
    ['many labels', `a{${Array.from({ length: 6000 }, (_, i) => `l${i}="v"`).join(',')} 1`],
    ['many blanks', `a${' '.repeat(n)}`],
    ['many braces', `a${'{'.repeat(n)}`],
    ['a long help', `# HELP a ${'\\'.repeat(n)}`],
  ];
  for (const [what, text] of hostile) {
    it(what, () => {
      try {
        parseExposition(`${text}\n${text}`);
      } catch (err) {
        expect(err).toBeInstanceOf(ExpositionError);
      }
    });
  }

  it('hundreds of lines of 64 KiB labels', () => {
    const line = `a{x="${'v'.repeat(DEFAULT_MAX_LINE_LENGTH - 20)}",i="`;
    const text = Array.from({ length: 300 }, (_, i) => `${line}${i}"} 1`).join('\n');
    expect(allSamples(parseExposition(text))).toHaveLength(300);
  });
});
