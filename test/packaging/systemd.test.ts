// The systemd unit parsed into sections with its hardening asserted, its environment file in variables the exporter
// reads, and the unit checked by the real `systemd-analyze verify` (installed on this machine; if it is missing the
// test says how to install it rather than pass without it).
import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseConfig, type DgmonConfig } from '../../core/config.ts';
import { EXPORTER_ENV } from '../../cli/exporter-settings.ts';
import { generateBundle } from '../../outputs/write.ts';
import { SYSTEMD_PATHS } from '../../outputs/systemd.ts';
import { hasTool, run } from '../support/tools.ts';

/** INI-style unit text → section → key → values (a key may repeat). */
function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const sections: Record<string, Record<string, string[]>> = {};
  let current: Record<string, string[]> | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      current = sections[header[1]!] = {};
      continue;
    }
    const eq = line.indexOf('=');
    if (!current || eq < 1) throw new Error(`not a unit line: ${line}`);
    (current[line.slice(0, eq)] ??= []).push(line.slice(eq + 1));
  }
  return sections;
}

const unitOf = (config: DgmonConfig) => parseUnit(generateBundle(config).get(SYSTEMD_PATHS.unit)!);

describe('dgmon-exporter.service', () => {
  const unit = unitOf(parseConfig({}));
  const service = unit.Service!;

  it('has Unit, Service and Install sections', () => {
    expect(Object.keys(unit)).toEqual(['Unit', 'Service', 'Install']);
    expect(unit.Install!.WantedBy).toEqual(['multi-user.target']);
  });

  it('runs the exporter with Node from the install directory, reading the environment file', () => {
    expect(service.ExecStart).toEqual(['/usr/bin/node /opt/dgmon/bin/dgmon.js exporter']);
    expect(service.EnvironmentFile).toEqual(['/etc/dgmon/dgmon-exporter.env']);
  });

  it('is hardened', () => {
    expect(service).toMatchObject({
      DynamicUser: ['yes'],
      NoNewPrivileges: ['yes'],
      ProtectSystem: ['strict'],
      ProtectHome: ['yes'],
      PrivateTmp: ['yes'],
      PrivateDevices: ['yes'],
      ProtectKernelTunables: ['yes'],
      ProtectKernelModules: ['yes'],
      ProtectControlGroups: ['yes'],
      RestrictAddressFamilies: ['AF_INET AF_INET6 AF_UNIX'],
      RestrictNamespaces: ['yes'],
      LockPersonality: ['yes'],
      SystemCallFilter: ['@system-service'],
      CapabilityBoundingSet: [''],
    });
    // Node's JIT needs writable executable memory: this one must stay off.
    expect(service.MemoryDenyWriteExecute).toBeUndefined();
  });

  it('opens the GPU devices and passes --nvidia-smi only when the nvidia-smi fallback is on', () => {
    const smi = unitOf(parseConfig({ exporter: { sources: { nvidiaSmi: { enabled: true } } } })).Service!;
    expect(smi.PrivateDevices).toEqual(['no']);
    expect(smi.ExecStart![0]).toMatch(/ exporter --nvidia-smi$/);
  });

  it('hands an API key file over as a credential, never in the environment file', () => {
    const config = parseConfig({ exporter: { apiKeyFile: '/etc/dgmon/deepgram-api-key' } });
    const withKey = unitOf(config).Service!;
    expect(withKey.LoadCredential).toEqual(['deepgram-api-key:/etc/dgmon/deepgram-api-key']);
    expect(withKey.Environment).toEqual(['DGMON_API_KEY_FILE=%d/deepgram-api-key']);
    expect(service.LoadCredential).toBeUndefined();
    expect(generateBundle(config).get(SYSTEMD_PATHS.environment)).not.toMatch(/KEY/);
  });
});

describe('dgmon-exporter.env', () => {
  const lines = (config: DgmonConfig) =>
    Object.fromEntries(
      generateBundle(config)
        .get(SYSTEMD_PATHS.environment)!
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]),
    );

  it('sets the local Deepgram endpoints through variables the exporter reads', () => {
    const env = lines(parseConfig({}));
    expect(env).toEqual({
      DGMON_LISTEN: '0.0.0.0:9898',
      DGMON_ENGINE_URL: 'http://127.0.0.1:9991/metrics',
      DGMON_API_URL: 'http://127.0.0.1:8080',
      DGMON_DCGM_URL: 'http://127.0.0.1:9400/metrics',
    });
    for (const name of Object.keys(env)) expect(Object.keys(EXPORTER_ENV)).toContain(name);
  });

  it('adds the License Proxy and leaves dcgm-exporter out when configured so', () => {
    const env = lines(parseConfig({ packaging: { systemd: { sources: { licenseProxy: 'http://127.0.0.1:8089', dcgm: '' } } } }));
    expect(env.DGMON_LICENSE_PROXY_URL).toBe('http://127.0.0.1:8089');
    expect(env.DGMON_DCGM_URL).toBeUndefined();
  });
});

describe('systemd-analyze verify', () => {
  function verify(text: string): { code: number; output: string } {
    const dir = mkdtempSync(join(process.env.DGMON_TMP ?? tmpdir(), 'dgmon-systemd-'));
    try {
      writeFileSync(join(dir, 'dgmon-exporter.service'), text);
      const result = run('systemd-analyze', ['verify', join(dir, 'dgmon-exporter.service')]);
      return { code: result.code, output: `${result.stdout}${result.stderr}`.trim() };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('accepts the unit without a warning (pointed at this checkout and this Node)', () => {
    if (!hasTool('systemd-analyze')) throw new Error('systemd-analyze is not installed: apt-get install -y systemd');
    const config = parseConfig({ packaging: { systemd: { installDir: resolve('.'), node: process.execPath } } });
    const result = verify(generateBundle(config).get(SYSTEMD_PATHS.unit)!);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toBe('');
  });

  it('warns about a broken directive (the check can fail)', () => {
    if (!hasTool('systemd-analyze')) throw new Error('systemd-analyze is not installed: apt-get install -y systemd');
    const config = parseConfig({ packaging: { systemd: { installDir: resolve('.'), node: process.execPath } } });
    const result = verify(generateBundle(config).get(SYSTEMD_PATHS.unit)!.replace('ProtectSystem=strict', 'ProtectSystem=sideways'));
    expect(result.output).toMatch(/ProtectSystem|protect system/i);
  });
});
