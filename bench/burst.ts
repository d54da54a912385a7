// N scrapes fired at the same instant: N TCP connections are opened first, then one request is written to each in a
// single synchronous loop, so they reach the server together (an HTTP client library would open and send them one
// after another). Resolves with the status code of each answer.
import { connect, type Socket } from 'node:net';

const TIMEOUT_MS = 30_000;

function open(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

function answer(socket: Socket): Promise<number> {
  return new Promise((resolve, reject) => {
    let head = '';
    socket.setTimeout(TIMEOUT_MS, () => socket.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    socket.on('data', (chunk: Buffer) => {
      if (head.length < 16) head += chunk.toString('latin1', 0, 16);
    });
    socket.once('error', reject);
    // Connection: close, so the answer ends when the server closes the connection.
    socket.once('close', () => {
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(head);
      if (status) resolve(Number(status[1]));
      else reject(new Error('connection closed without an HTTP answer'));
    });
  });
}

export async function burst(url: string, count: number): Promise<number[]> {
  const { hostname, port, pathname } = new URL(url);
  const sockets = await Promise.all(Array.from({ length: count }, () => open(hostname, Number(port))));
  const answers = sockets.map(answer);
  const request = `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n`;
  for (const socket of sockets) socket.write(request);
  try {
    return await Promise.all(answers);
  } finally {
    for (const socket of sockets) socket.destroy();
  }
}
