// One load phase: N concurrent scrapers (autocannon connections, one request in flight each, keep-alive) GETting one
// URL for a fixed time. autocannon's own percentiles come from a histogram with 1 ms
// resolution, too coarse for sub-millisecond local scrapes, so every response time it reports is also kept and the
// percentiles are computed from those exactly.
import autocannon from 'autocannon';

export interface LoadFigures {
  url: string;
  connections: number;
  seconds: number;
  /** 2xx responses. */
  requests: number;
  requestsPerSecond: number;
  /** From every response time, in milliseconds. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** autocannon's histogram percentiles (1 ms resolution). */
  autocannonP50Ms: number;
  autocannonP99Ms: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  bytes: number;
  bytesPerRequest: number;
}

function cannon(options: autocannon.Options, onResponse?: (ms: number) => void): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (err, result) => (err ? reject(err) : resolve(result)));
    if (onResponse) instance.on('response', (_client, status, _bytes, ms) => status >= 200 && status < 300 && onResponse(ms));
  });
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The same load, not measured: run before a phase so that the servers' JIT has compiled the path being measured. */
export async function warmUp(url: string, connections: number, seconds: number): Promise<void> {
  await cannon({ url, connections, duration: seconds });
}

export async function runLoad(url: string, connections: number, seconds: number): Promise<LoadFigures> {
  const times: number[] = [];
  const r = await cannon({ url, connections, duration: seconds }, (ms) => times.push(ms));
  times.sort((a, b) => a - b);
  const requests = r['2xx'];
  return {
    url,
    connections,
    seconds: r.duration,
    requests,
    requestsPerSecond: round(requests / r.duration, 1),
    p50Ms: round(percentile(times, 50)),
    p99Ms: round(percentile(times, 99)),
    maxMs: round(times[times.length - 1] ?? NaN),
    autocannonP50Ms: r.latency.p50,
    autocannonP99Ms: r.latency.p99,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    bytes: r.throughput.total,
    bytesPerRequest: requests > 0 ? Math.round(r.throughput.total / requests) : 0,
  };
}
