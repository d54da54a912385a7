// Streams the synthetic fleet into OpenMetrics files for `promtool tsdb create-blocks-from openmetrics`: one file per
// 2 h block range (promtool parses its whole input once per block range it covers, so one file per range keeps the
// work linear in the samples), samples in time order across series (allowed: each series is still ascending), unix
// seconds as timestamps, `# EOF` at the end. Memory stays bounded: text goes out in chunks as it is made.
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { formatValue, renderSample } from '../../core/exposition/render.ts';
import type { MetricFamily } from '../../core/exposition/types.ts';
import type { SyntheticFleet, TargetFamilies } from './synthetic.ts';

/** promtool's block range (2.42 has no flag to change it). */
export const BLOCK_SECONDS = 7200;
const CHUNK = 1 << 20;

/**
 * Series names with their labels, rendered once per target and family: a family's samples come in a fixed order
 * while its sample count stays the same (a new series, e.g. a TTS tier's first request, changes the count).
 */
export class SeriesNames {
  private readonly cache = new Map<string, string[]>();
  private readonly text = new Map<string, Map<string, string>>();

  /** `series` (`name{labels}` as a target's text has it) with the target labels added. */
  ofText(target: TargetFamilies, series: string): string {
    let names = this.text.get(target.key);
    if (!names) this.text.set(target.key, (names = new Map()));
    let name = names.get(series);
    if (name === undefined) {
      const extra = Object.entries(target.labels).map(([k, v]) => `${k}="${v}"`).join(',');
      const brace = series.indexOf('{');
      name = brace < 0 ? `${series}{${extra}}` : `${series.slice(0, brace + 1)}${extra},${series.slice(brace + 1)}`;
      names.set(series, name);
    }
    return name;
  }

  /** `name{labels}` of every sample of `family` in `target`, target labels included. */
  of(target: TargetFamilies, family: MetricFamily): string[] {
    const key = `${target.key}/${family.name}`;
    let names = this.cache.get(key);
    if (!names || names.length !== family.samples.length) {
      names = family.samples.map((s) => {
        const line = renderSample({ name: s.name, labels: { ...s.labels, ...target.labels }, value: 0 });
        return line.slice(0, line.lastIndexOf(' '));
      });
      this.cache.set(key, names);
    }
    return names;
  }
}

/** The OpenMetrics sample lines of `targets` at unix second `t`, and how many there are. */
export function sampleLines(targets: TargetFamilies[], t: number, names: SeriesNames): { text: string; count: number } {
  let out = '';
  let count = 0;
  const ts = ` ${t}\n`;
  for (const target of targets) {
    const text = target.text;
    if (text !== undefined) {
      // One sample per line, `name{labels} value` (dcgm-exporter writes no timestamps); comments skipped.
      for (let start = 0, end = text.indexOf('\n'); end >= 0; start = end + 1, end = text.indexOf('\n', start)) {
        if (end === start || text.charCodeAt(start) === 35 /* # */) continue;
        const space = text.lastIndexOf(' ', end);
        out += names.ofText(target, text.slice(start, space)) + text.slice(space, end) + ts;
        count++;
      }
    }
    for (const family of target.families) {
      const series = names.of(target, family);
      const samples = family.samples;
      for (let i = 0; i < series.length; i++) out += `${series[i]} ${formatValue(samples[i]!.value)}${ts}`;
      count += series.length;
    }
  }
  return { text: out, count };
}

export interface WrittenFile {
  path: string;
  samples: number;
  bytes: number;
  /** Samples at the file's last moment: the number of series. */
  series: number;
}

async function write(stream: WriteStream, text: string): Promise<void> {
  if (!stream.write(text, 'latin1')) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
}

async function finish(stream: WriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    stream.once('error', reject);
    stream.end('# EOF\n', () => resolve());
  });
}

/**
 * Writes the fleet's samples at fromS, fromS + step, … up to and including toS into `dir`, one file per block range,
 * and hands each finished file to `onFile` (which may start backfilling it while the next one is written).
 */
export async function writeOpenMetrics(
  fleet: SyntheticFleet,
  range: { fromS: number; toS: number; stepS: number; dir: string; prefix: string },
  onFile: (file: WrittenFile) => void,
): Promise<WrittenFile[]> {
  const names = new SeriesNames();
  const files: WrittenFile[] = [];
  let current: { block: number; stream: WriteStream; file: WrittenFile } | undefined;
  let buffer = '';
  const close = async () => {
    if (!current) return;
    await write(current.stream, buffer);
    current.file.bytes += buffer.length;
    buffer = '';
    await finish(current.stream);
    files.push(current.file);
    onFile(current.file);
    current = undefined;
  };
  for (let t = range.fromS; t <= range.toS; t += range.stepS) {
    const block = Math.floor(t / BLOCK_SECONDS);
    if (current && current.block !== block) await close();
    if (!current) {
      const path = join(range.dir, `${range.prefix}-${block * BLOCK_SECONDS}.om`);
      // Every byte is ASCII: latin1 turns the text into bytes without UTF-8 encoding work.
      current = { block, stream: createWriteStream(path, { encoding: 'latin1' }), file: { path, samples: 0, bytes: 0, series: 0 } };
    }
    const targets = fleet.scrape(t);
    const lines = sampleLines(targets, t, names);
    current.file.samples += lines.count;
    current.file.series = lines.count;
    buffer += lines.text;
    if (buffer.length >= CHUNK) {
      await write(current.stream, buffer);
      current.file.bytes += buffer.length;
      buffer = '';
    }
  }
  await close();
  return files;
}
