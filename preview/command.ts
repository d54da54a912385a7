// `dgmon preview` on the command line: flags checked (a bad one is a usage error, exit 2), the preview run with
// Ctrl-C stopping it cleanly (the scripted run's simulators, exporters and Prometheus, and the browser), what was
// written printed. Exit 0 written, 1 failed (Chromium missing, Prometheus unreachable, a render failing), 130 interrupted.
import { loadConfig } from '../core/load.ts';
import { durationSeconds, isDuration } from '../core/duration.ts';
import { UsageError } from '../core/usage-error.ts';
import { url } from '../verify/command.ts';
import { runPreview } from './index.ts';

export interface PreviewFlags {
  prometheus?: string;
  out: string;
  config?: string;
  dashboard: string[];
  range?: string;
  width: string;
}

function width(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 800 || n > 4000) throw new UsageError(`--width: must be a whole number of pixels from 800 to 4000, got "${value}"`);
  return n;
}

function range(value: string | undefined, withPrometheus: boolean): number | undefined {
  if (value === undefined) return undefined;
  if (!withPrometheus) throw new UsageError('--range: applies with --prometheus only (the scripted run shows its own few minutes)');
  if (!isDuration(value) || durationSeconds(value) < 60) throw new UsageError(`--range: must be a duration of at least 1m, such as 1h or 6h, got "${value}"`);
  return durationSeconds(value);
}

export async function runPreviewCommand(flags: PreviewFlags, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const prometheus = flags.prometheus === undefined ? undefined : url(flags.prometheus, '--prometheus');
  if (flags.config !== undefined && prometheus === undefined) {
    throw new UsageError('--config: applies with --prometheus only (the scripted run uses the defaults, time scaled down)');
  }
  const options = {
    out: flags.out,
    prometheus,
    dashboards: flags.dashboard,
    rangeSeconds: range(flags.range, prometheus !== undefined),
    width: width(flags.width),
    // With a Prometheus, the dashboards must query it with the user's windows and selectors: ./dgmon.yaml or --config.
    config: prometheus !== undefined ? loadConfig(flags.config).config : undefined,
  };
  const abort = new AbortController();
  const stop = () => {
    err('dgmon preview: interrupted; stopping');
    abort.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const result = await runPreview({ ...options, signal: abort.signal, log: (line) => err(`dgmon preview: ${line}`) });
    out(`dgmon preview: wrote ${result.files.length} dashboards to ${flags.out}/ (${result.files.map((f) => f.file).join(', ')}) and ${result.index}`);
    return 0;
  } catch (e) {
    if (abort.signal.aborted) return 130;
    throw e;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
