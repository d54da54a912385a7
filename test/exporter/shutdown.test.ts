// `dgmon exporter` as a process: SIGTERM while a probe call hangs ends it promptly. The Deepgram SDK leaves its own
// request timer running after an aborted call (here 65 s: the probe timeout plus its 5 s backstop), so without
// bin/dgmon.js ending the process once the command has closed everything, it would linger for a minute under
// Kubernetes' 30 s termination grace period.
import { describe, it, expect, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type TestServer } from '../support/net.ts';

const dir = mkdtempSync(join(process.env.DGMON_TMP ?? tmpdir(), 'dgmon-shutdown-'));
let api: TestServer | undefined;
afterAll(async () => {
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

const until = async (ok: () => boolean, ms: number) => {
  for (const end = Date.now() + ms; !ok(); ) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
};

describe('dgmon exporter process', () => {
  it('exits soon after SIGTERM while a probe call hangs', async () => {
    let listenCalls = 0;
    // /v1/listen never answers; the status endpoints answer 404 (the API source then reports its failure).
    api = await serve((req, res) => {
      if (req.url?.startsWith('/v1/listen')) return void listenCalls++;
      res.statusCode = 404;
      res.end();
    });
    const config = join(dir, 'dgmon.yaml');
    writeFileSync(
      config,
      [
        'exporter:',
        '  listen: 127.0.0.1:0',
        '  sources: { api: { url: "' + api.url + '" } }',
        '  probe: { enabled: true, interval: 1s, timeout: 60s, retries: 0, stream: false }',
      ].join('\n'),
    );
    const child = spawn(process.execPath, ['bin/dgmon.js', 'exporter', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let exited = false;
    child.once('exit', () => (exited = true));
    try {
      expect(await until(() => listenCalls > 0 || exited, 30_000), `no probe call reached the API:\n${stderr}`).toBe(true);
      expect(exited, stderr).toBe(false);
      child.kill('SIGTERM');
      // Far below the SDK's 65 s timer, far above a clean shutdown.
      expect(await until(() => exited, 20_000), `still running 20 s after SIGTERM:\n${stderr}`).toBe(true);
      expect(child.exitCode, stderr).toBe(0);
    } finally {
      if (!exited) child.kill('SIGKILL');
    }
  }, 60_000);
});
