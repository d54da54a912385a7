// One TLS endpoint (the proxy in front of the Deepgram API): a handshake with SNI, the presented chain read, the
// connection closed before any HTTP. Verification is recorded, never required: an untrusted, expired or misnamed
// certificate is exactly the one whose expiry must still be reported.
import { connect, checkServerIdentity, type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';
import { isIP } from 'node:net';
import { DGMON } from '../../core/catalog/index.ts';
import type { Sample } from '../../core/exposition/types.ts';
import { SourceError } from '../fetch.ts';
import type { ExpiryCheck } from './expiry-watch.ts';

export interface TlsTarget {
  /** The target label. */
  name: string;
  host: string;
  port: number;
  /** SNI and the name checked against the certificate; empty: none sent (an IP address). */
  serverName: string;
  /** PEM CA certificates to verify against instead of the system store. */
  ca?: Buffer;
}

export function tlsExpiryCheck(target: TlsTarget): ExpiryCheck {
  return {
    check: 'tls',
    target: target.name,
    async run(signal) {
      const { leaf, verified } = await handshake(target, signal);
      const labels = { target: target.name, server_name: target.serverName };
      const leafExpiry = notAfter(leaf);
      const chainExpiry = Math.min(leafExpiry, ...issuers(leaf).filter((c) => !selfSigned(c)).map(notAfter));
      return [
        { name: DGMON.tlsCertExpiry.name, labels, value: leafExpiry },
        { name: DGMON.tlsChainExpiry.name, labels, value: chainExpiry },
        { name: DGMON.tlsCertVerified.name, labels, value: verified ? 1 : 0 },
      ];
    },
  };
}

/** The SNI name for a target: the configured one, else the host unless it is an IP address (SNI carries names only). */
export function defaultServerName(host: string, configured: string): string {
  return configured || (isIP(host) ? '' : host);
}

function handshake(target: TlsTarget, signal: AbortSignal): Promise<{ leaf: DetailedPeerCertificate; verified: boolean }> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new SourceError('timeout', 'did not answer within its timeout'));
    const socket = connect({
      host: target.host,
      port: target.port,
      ...(target.serverName ? { servername: target.serverName } : {}),
      ...(target.ca ? { ca: target.ca } : {}),
      rejectUnauthorized: false,
      // Name checks are done below against the certificate, whatever the chain's verdict.
      checkServerIdentity: () => undefined,
    });
    const done = (err?: SourceError, value?: { leaf: DetailedPeerCertificate; verified: boolean }) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err) reject(err);
      else resolve(value!);
    };
    const onAbort = () => done(new SourceError('timeout', 'TLS handshake did not finish within its timeout'));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => {
      const leaf = socket.getPeerCertificate(true);
      if (!leaf || !leaf.valid_to) return done(new SourceError('parse', 'the endpoint presented no certificate'));
      const nameOk = checkServerIdentity(target.serverName || target.host, leaf) === undefined;
      done(undefined, { leaf, verified: socket.authorized && nameOk });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      // Our words, not the peer's: the code says enough (ECONNREFUSED, ECONNRESET, ERR_SSL_…).
      done(new SourceError('connection', err.code ? `TLS connection failed (${err.code})` : 'TLS connection failed'));
    });
  });
}

function notAfter(cert: PeerCertificate): number {
  const ms = Date.parse(cert.valid_to);
  if (!Number.isFinite(ms)) throw new SourceError('parse', 'certificate has an unreadable notAfter date');
  return ms / 1000;
}

/** The certificates above the leaf, as Node links them by issuer (a root from the trust store may end the list). */
function issuers(leaf: DetailedPeerCertificate): DetailedPeerCertificate[] {
  const chain: DetailedPeerCertificate[] = [];
  let current = leaf;
  while (current.issuerCertificate && current.issuerCertificate !== current && !chain.includes(current.issuerCertificate)) {
    current = current.issuerCertificate;
    chain.push(current);
  }
  return chain;
}

function selfSigned(cert: DetailedPeerCertificate): boolean {
  return cert.issuerCertificate === cert || cert.fingerprint256 === cert.issuerCertificate?.fingerprint256;
}
