// HTTP for `dgmon verify`: every request has its own timeout, and every failure becomes one sentence naming the method,
// the URL (credentials removed) and what went wrong, never a stack trace. Credentials written into a URL
// (http://user:pass@host) are sent as basic auth, since fetch refuses them in the URL itself.

export class HttpError extends Error {
  override name = 'HttpError';
}

export interface RequestOptions {
  timeoutMs: number;
  method?: 'GET' | 'POST';
  /** Sent as JSON. */
  json?: unknown;
}

export interface HttpResponse {
  status: number;
  text: string;
}

/** `base` + `path`, keeping any path prefix of `base` (Prometheus behind /prometheus). */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

/** The URL as it may be shown: without user and password. */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

const CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is it running, on this address and port?)',
  ENOTFOUND: 'host not found (check the host name)',
  EAI_AGAIN: 'host name lookup failed (DNS)',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
  UND_ERR_SOCKET: 'connection closed by the other side',
};

function reason(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
  const code = e.cause?.code;
  if (code) return CAUSES[code] ?? `${code}${e.cause?.message ? `: ${e.cause.message}` : ''}`;
  return e.cause?.message ?? e.message ?? String(err);
}

export async function request(url: string, options: RequestOptions): Promise<HttpResponse> {
  const method = options.method ?? (options.json === undefined ? 'GET' : 'POST');
  const what = `${method} ${shownUrl(url)}`;
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new HttpError(`${what}: not a valid URL`);
  }
  const headers: Record<string, string> = {};
  if (target.username || target.password) {
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  try {
    const response = await fetch(target, {
      method,
      headers,
      body: options.json === undefined ? undefined : JSON.stringify(options.json),
      signal: AbortSignal.timeout(options.timeoutMs),
      redirect: 'follow',
    });
    return { status: response.status, text: await response.text() };
  } catch (err) {
    throw new HttpError(`${what}: ${reason(err, options.timeoutMs)}`);
  }
}

/** A 2xx answer's body parsed as JSON; anything else throws an HttpError naming the URL. */
export async function requestJson<T>(url: string, options: RequestOptions): Promise<T> {
  const response = await requestOk(url, options);
  try {
    return JSON.parse(response.text) as T;
  } catch {
    throw new HttpError(`${options.method ?? 'GET'} ${shownUrl(url)}: the answer is not JSON (${snippet(response.text)})`);
  }
}

/** A 2xx answer; anything else throws an HttpError naming the URL and the status. */
export async function requestOk(url: string, options: RequestOptions): Promise<HttpResponse> {
  const response = await request(url, options);
  if (response.status < 200 || response.status > 299) {
    throw new HttpError(`${options.method ?? (options.json === undefined ? 'GET' : 'POST')} ${shownUrl(url)}: HTTP ${response.status}${response.text ? ` (${snippet(response.text)})` : ''}`);
  }
  return response;
}

function snippet(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 200 ? `${one.slice(0, 200)}…` : one;
}

export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
