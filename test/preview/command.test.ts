// `dgmon preview` on the command line: bad flags are usage errors (exit 2), an unreachable Prometheus or an unknown
// dashboard fail with a sentence naming it (exit 1), and against a reachable Prometheus one dashboard is written.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type Io } from '../../cli/main.ts';
import { startPrometheus, type PrometheusHandle } from '../../daemons/prometheus.ts';
import { pngSize } from '../support/png.ts';
import { ensureTools } from '../support/tools.ts';

let dir: string;
let prometheus: PrometheusHandle;

beforeAll(async () => {
  ensureTools(['prometheus', 'chromium']);
  dir = mkdtempSync(join(process.env.DGMON_TMP ?? tmpdir(), 'dgmon-preview-cli-'));
  prometheus = await startPrometheus({ scrape: [] });
});
afterAll(async () => {
  await prometheus?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function dgmon(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) };
  return { code: await main(args, io), out, err: err.replace(/^dgmon preview: (wrote|clean-up).*\n/gm, '') };
}

/** A 127.0.0.1 port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('dgmon preview flags', () => {
  const usage: [string[], RegExp][] = [
    [['--width', '10'], /--width: must be a whole number of pixels from 800 to 4000, got "10"/],
    [['--range', '1h'], /--range: applies with --prometheus only/],
    [['--config', 'dgmon.yaml'], /--config: applies with --prometheus only/],
    [['--prometheus', 'ftp://prometheus'], /--prometheus: must be an http:\/\/ or https:\/\/ URL/],
    [['--prometheus', 'http://127.0.0.1:9', '--range', '5'], /--range: must be a duration of at least 1m/],
    [['--no-such-flag'], /unknown option '--no-such-flag'/],
  ];
  for (const [args, message] of usage) {
    it(`${args.join(' ')} → exit 2`, async () => {
      const result = await dgmon(['preview', '--out', join(dir, 'never'), ...args]);
      expect(result.code).toBe(2);
      expect(result.err).toMatch(message);
      expect(existsSync(join(dir, 'never'))).toBe(false);
    });
  }
});

describe('dgmon preview --prometheus', () => {
  it('fails with the URL and the reason when Prometheus cannot be reached, writing nothing', async () => {
    const url = `http://127.0.0.1:${await deadPort()}`;
    const result = await dgmon(['preview', '--prometheus', url, '--out', join(dir, 'dead')]);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`cannot read Prometheus at ${url}/`);
    expect(result.err).toContain('connection refused');
    expect(existsSync(join(dir, 'dead'))).toBe(false);
  });

  it('refuses an unknown dashboard, naming the known ones', async () => {
    const result = await dgmon(['preview', '--prometheus', prometheus.url, '--dashboard', 'nope', '--out', join(dir, 'nope')]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/unknown dashboard nope; the dashboards are deepgram-fleet, .*deepgram-tts/);
  });

  it('writes the dashboards asked for, from the Prometheus given, over the range given', async () => {
    const out = join(dir, 'tts');
    const result = await dgmon(['preview', '--prometheus', prometheus.url, '--dashboard', 'deepgram-tts', '--range', '10m', '--width', '1200', '--out', out]);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toContain(`wrote 1 dashboards to ${out}/ (deepgram-tts.png)`);
    expect(readdirSync(out).sort()).toEqual(['deepgram-tts.png', 'index.html']);
    expect(pngSize(readFileSync(join(out, 'deepgram-tts.png'))).width).toBe(1200);
  });
});
