// N scrapes fired at the same instant. N keep-alive connections are opened and each is used once first, so the server
// has accepted them all (as Prometheus reuses its connections from scrape to scrape); then one request is written to
// each in a single synchronous loop, so the N requests reach the server together. An HTTP client library would open
// and send them one after another, and a server under load accepts new connections over tens of milliseconds.
import { connect, type Socket } from 'node:net';

const TIMEOUT_MS = 30_000;
const WARM_ROUNDS = 3;

export interface Scrapers {
  /** Sends one request on every connection at once; resolves with each answer's status code, and how long writing
   * the N requests took here (a load generator descheduled mid-loop sends a split burst). */
  fire(): Promise<{ statuses: number[]; writeMs: number }>;
  close(): void;
}

function open(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    socket.setTimeout(TIMEOUT_MS, () => socket.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Reads one HTTP/1.1 answer with a Content-Length (what the exporter sends) and resolves with its status. */
function answer(socket: Socket): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const done = (err: Error | undefined, status?: number) => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      if (err) reject(err);
      else resolve(status!);
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const headEnd = buffered.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const head = buffered.toString('latin1', 0, headEnd);
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(head);
      const length = /\r\ncontent-length: *(\d+)/i.exec(head);
      if (!status || !length) return done(new Error(`not an HTTP answer with a Content-Length: ${JSON.stringify(head.slice(0, 80))}`));
      if (buffered.length >= headEnd + 4 + Number(length[1])) done(undefined, Number(status[1]));
    };
    const onError = (err: Error) => done(err);
    const onClose = () => done(new Error('connection closed before the answer was complete'));
    socket.on('data', onData);
    socket.once('error', onError);
    socket.once('close', onClose);
  });
}

export async function openScrapers(url: string, count: number): Promise<Scrapers> {
  const { hostname, port, pathname } = new URL(url);
  const request = `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: keep-alive\r\n\r\n`;
  const sockets = await Promise.all(Array.from({ length: count }, () => open(hostname, Number(port))));
  const fire = async () => {
    const answers = sockets.map(answer);
    const started = performance.now();
    for (const socket of sockets) socket.write(request);
    const writeMs = performance.now() - started;
    return { statuses: await Promise.all(answers), writeMs };
  };
  const close = () => {
    for (const socket of sockets) socket.destroy();
  };
  try {
    // Every connection accepted and used, and both sides' code paths compiled, before a burst is counted.
    for (let i = 0; i < WARM_ROUNDS; i++) await fire();
  } catch (err) {
    close();
    throw err;
  }
  return { fire, close };
}
