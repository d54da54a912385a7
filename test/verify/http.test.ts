// verify's HTTP client: bounded waits, one-sentence errors naming the URL, credentials sent but never shown.
import { describe, it, expect, afterEach } from 'vitest';
import { request, requestJson, HttpError } from '../../verify/http.ts';
import { serve, deadPort, type TestServer } from '../support/net.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('verify http', () => {
  it('gives up on a server that never answers, after the timeout, naming the URL', async () => {
    server = await serve(() => undefined);
    await expect(request(`${server.url}/api/v2/status`, { timeoutMs: 200 })).rejects.toThrow(new HttpError(`GET ${server.url}/api/v2/status: no answer within 0.2 s`));
  });

  it('names a refused connection', async () => {
    const url = await deadPort();
    await expect(request(`${url}/-/ready`, { timeoutMs: 2000 })).rejects.toThrow(`GET ${url}/-/ready: connection refused`);
  });

  it('names the status and a short body when the answer is not 2xx, and a body that is not JSON', async () => {
    server = await serve((req, res) => res.writeHead(req.url === '/bad' ? 503 : 200).end(req.url === '/bad' ? 'Service Unavailable' : '<html>'));
    await expect(requestJson(`${server.url}/bad`, { timeoutMs: 2000 })).rejects.toThrow(`GET ${server.url}/bad: HTTP 503 (Service Unavailable)`);
    await expect(requestJson(`${server.url}/html`, { timeoutMs: 2000 })).rejects.toThrow(`GET ${server.url}/html: the answer is not JSON (<html>)`);
  });

  it('sends credentials from the URL as basic auth and keeps them out of errors', async () => {
    let auth: string | undefined;
    server = await serve((req, res) => {
      auth = req.headers.authorization;
      res.writeHead(500).end();
    });
    const withCredentials = server.url.replace('http://', 'http://sre:s3cret@');
    const err = await requestJson(`${withCredentials}/api/v1/rules`, { timeoutMs: 2000 }).catch((e: Error) => e);
    expect(auth).toBe(`Basic ${Buffer.from('sre:s3cret').toString('base64')}`);
    expect((err as Error).message).toBe(`GET ${server.url}/api/v1/rules: HTTP 500`);
  });
});
