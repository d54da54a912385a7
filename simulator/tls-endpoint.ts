// A stand-in for the customer's TLS proxy in front of the Deepgram API: a TLS listener with a certificate made by
// the openssl command (self-signed, or signed by a given issuer) so the exporter's expiry watch has a real handshake
// to read in the demo and the tests. It answers nothing after the handshake: the watch never sends a request.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext, createServer, type Server, type TLSSocket } from 'node:tls';

export interface Certificate {
  cert: string;
  key: string;
  /** notAfter as openssl itself reads it back, in Unix seconds. */
  notAfter: number;
}

export interface CertificateRequest {
  commonName: string;
  /** DNS names for subjectAltName (what clients check the server name against). */
  dnsNames?: string[];
  days: number;
  /** Signs with this certificate; absent: self-signed. */
  issuer?: Certificate;
  /** Marks it as a CA that may sign others. */
  ca?: boolean;
}

/** Makes a P-256 certificate with the openssl command, in a scratch directory removed afterwards. */
export function makeCertificate(request: CertificateRequest): Certificate {
  const dir = mkdtempSync(join(process.env.DGMON_TMP ?? tmpdir(), 'dgmon-cert-'));
  try {
    const file = (name: string) => join(dir, name);
    const extensions = [
      request.ca ? 'basicConstraints=critical,CA:TRUE' : 'basicConstraints=CA:FALSE',
      ...(request.dnsNames?.length ? [`subjectAltName=${request.dnsNames.map((n) => `DNS:${n}`).join(',')}`] : []),
    ];
    writeFileSync(file('ext.cnf'), `${extensions.join('\n')}\n`);
    const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', file('key.pem'), '-subj', `/CN=${request.commonName}`];
    if (request.issuer) {
      writeFileSync(file('issuer.pem'), request.issuer.cert);
      writeFileSync(file('issuer-key.pem'), request.issuer.key);
      openssl(['req', '-new', ...newKey, '-out', file('csr.pem')]);
      openssl(['x509', '-req', '-in', file('csr.pem'), '-CA', file('issuer.pem'), '-CAkey', file('issuer-key.pem'), '-set_serial', String(Date.now()), '-days', String(request.days), '-extfile', file('ext.cnf'), '-out', file('cert.pem')]);
    } else {
      openssl(['req', '-x509', ...newKey, '-days', String(request.days), ...extensions.flatMap((e) => ['-addext', e]), '-out', file('cert.pem')]);
    }
    const enddate = openssl(['x509', '-in', file('cert.pem'), '-noout', '-enddate']).replace(/^notAfter=/, '').trim();
    return { cert: readFileSync(file('cert.pem'), 'utf8'), key: readFileSync(file('key.pem'), 'utf8'), notAfter: Date.parse(enddate) / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function openssl(args: string[]): string {
  const result = spawnSync('openssl', args, { encoding: 'utf8', timeout: 20_000 });
  if (result.error) throw new Error(`cannot run openssl (${(result.error as NodeJS.ErrnoException).code ?? result.error.message}); install it (Debian: apt-get install openssl)`);
  if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr.trim().split('\n')[0]}`);
  return result.stdout;
}

export interface TlsEndpoint {
  /** HOST:PORT, as exporter.expiry.tls[].address wants it. */
  address: string;
  server: Server;
  close(): Promise<void>;
}

export interface TlsEndpointOptions {
  host?: string;
  port?: number;
  /** The certificate served when the client sends no SNI or an unknown name. */
  certificate: Certificate;
  /** Certificates by SNI name, for endpoints serving several names. */
  byServerName?: Record<string, Certificate>;
  /** The rest of the chain sent after the leaf (intermediates). */
  chain?: Certificate[];
}

export async function startTlsEndpoint(options: TlsEndpointOptions): Promise<TlsEndpoint> {
  const bundle = (c: Certificate) => ({ cert: [c.cert, ...(options.chain ?? []).map((i) => i.cert)].join(''), key: c.key });
  const sockets = new Set<TLSSocket>();
  const server = createServer({
    ...bundle(options.certificate),
    SNICallback: (name, callback) => {
      const match = options.byServerName?.[name];
      callback(null, match ? createSecureContext(bundle(match)) : undefined);
    },
  }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.end();
  });
  // Handshakes cut short by a client are its business, not the endpoint's.
  server.on('tlsClientError', () => undefined);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`TLS endpoint: cannot listen on ${host}:${options.port ?? 0}: ${err.message}`)));
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    address: `${host}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The name the demo proxy's certificate is made out to (and the SNI the demo watch sends). */
export const DEMO_PROXY_NAME = 'api.sim.dgmon.test';

/** The stand-in proxy of `dgmon demo` and the dashboard tests: a fresh self-signed certificate valid for 60 days. */
export function startDemoProxy(options: { host?: string; port?: number } = {}): Promise<TlsEndpoint> {
  const certificate = makeCertificate({ commonName: DEMO_PROXY_NAME, dnsNames: [DEMO_PROXY_NAME], days: 60 });
  return startTlsEndpoint({ ...options, certificate });
}
