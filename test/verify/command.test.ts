// `dgmon verify`'s flags: a usage mistake is exit 2 with the flag named, before anything is contacted.
import { describe, it, expect } from 'vitest';
import { main, type Io } from '../../cli/main.ts';

async function dgmon(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) };
  return { code: await main(args, io), out, err };
}

describe('dgmon verify flags', () => {
  it('needs both --prometheus and --alertmanager', async () => {
    const r = await dgmon(['verify', '--alertmanager', 'http://127.0.0.1:9093']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("required option '--prometheus <url>' not specified");
  });

  it('refuses a URL that is not http(s), naming the flag', async () => {
    const r = await dgmon(['verify', '--prometheus', 'prometheus:9090', '--alertmanager', 'http://127.0.0.1:9093']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--prometheus: must be an http:// or https:// URL such as http://prometheus:9090, got "prometheus:9090"');
    expect(r.out).toBe('');
  });

  it('refuses a --timeout or --wait that is not a duration', async () => {
    const base = ['verify', '--prometheus', 'http://127.0.0.1:9090', '--alertmanager', 'http://127.0.0.1:9093'];
    expect((await dgmon([...base, '--timeout', '10'])).err).toContain('--timeout: must be a duration such as 10s or 2m, got "10"');
    expect((await dgmon([...base, '--wait', '0s'])).code).toBe(2);
  });

  it('refuses an invalid config with exit 2, naming the file', async () => {
    const r = await dgmon(['verify', '--config', 'no-such-dgmon.yaml', '--prometheus', 'http://127.0.0.1:9090', '--alertmanager', 'http://127.0.0.1:9093']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('no-such-dgmon.yaml');
  });
});
