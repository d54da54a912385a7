// One simulated Deepgram node on local ports: the Engine's metrics server, the API, the License Proxy's status port,
// dcgm-exporter, and a control endpoint that switches scenarios. Each listens on its own port (production: Engine
// 9991, API 8080, License Proxy status 8080 (8089 on the host in compose), dcgm-exporter 9400); 0 picks a free one.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { renderOpenMetrics, OPENMETRICS_CONTENT_TYPE } from '../core/exposition/render-openmetrics.ts';
import { apiStatus, engineStatus, licenseProxyStatus, models } from './api.ts';
import { DcgmModel, DCGM_CONTENT_TYPE, type EngineLoad } from './dcgm.ts';
import { EngineModel, garbageMetrics } from './engine.ts';
import { ListenService, type ListenStats } from './listen.ts';
import { hashString } from './random.ts';
import { SCENARIOS, SCENARIO_NAMES, describeScenarios, isScenarioName, profileOf, type Profile, type ScenarioName } from './scenarios.ts';

export type EndpointName = 'engine' | 'api' | 'licenseProxy' | 'dcgm' | 'control';

export interface SimulatorOptions {
  /** Address every endpoint binds to (default 127.0.0.1). */
  host?: string;
  /** Port per endpoint; 0 or absent picks a free port. */
  ports?: Partial<Record<EndpointName, number>>;
  scenario?: ScenarioName;
  /** Number of GPUs on the node (default 1). */
  gpus?: number;
  /** Requests per second reaching the Engine in the healthy scenario, all kinds together (default 2). */
  load?: number;
  /** dcgm-exporter's Hostname label (default sim-node-1); also seeds the pseudo-random values. */
  hostname?: string;
  /** Clock in milliseconds (default Date.now); tests inject one to advance time instantly. */
  now?: () => number;
  /**
   * The simulated components' own look-back windows, in seconds: the API's system_health judges the last `health`
   * seconds of requests (default 120), dcgm-exporter counts Xids over the last `xidCount` (default 300). End-to-end
   * tests shorten them along with the rule windows, so a cleared fault clears in seconds.
   */
  windows?: { health?: number; xidCount?: number };
}

export interface Simulator {
  /** Base URLs, e.g. http://127.0.0.1:9991. */
  urls: Record<EndpointName, string>;
  scenario(): ScenarioName;
  /** What /v1/listen served: requests, answers by status, and the most batch requests / streams open at once. */
  listenStats(): ListenStats;
  resetListenStats(): void;
  /** /metrics requests each upstream has received since start (also GET /metrics-requests on the control port):
   * what a benchmark counts to see how many upstream fetches the exporter's scrapes cost. */
  metricsRequests(): MetricsRequests;
  /** Switches at once; a listener closing or reopening (engine-down, dcgm-down) completes asynchronously: see settled(). */
  setScenario(name: ScenarioName): void;
  /** Resolves when every listener matches the current scenario (rejects if reopening a port failed). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export interface MetricsRequests {
  engine: number;
  dcgm: number;
}

/** How long the slow-upstream scenario holds a /metrics answer. */
export const SLOW_UPSTREAM_DELAY_MS = 30_000;
const JSON_TYPE = 'application/json';

type Handler = (req: IncomingMessage, res: ServerResponse, endpoint: Endpoint) => void;

/** One HTTP listener that can close and reopen on the same port, and that tracks its sockets and timers. */
class Endpoint {
  readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  port = 0;

  constructor(readonly name: EndpointName, handler: Handler) {
    this.server = createServer((req, res) => {
      try {
        handler(req, res, this);
      } catch (err) {
        if (!res.headersSent) send(res, 500, 'text/plain', `simulator error: ${(err as Error).message}\n`);
        else res.destroy();
      }
    });
    this.server.keepAliveTimeout = 5_000;
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  get listening(): boolean {
    return this.server.listening;
  }

  listen(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(new Error(`simulator ${this.name}: cannot listen on ${host}:${port}: ${err.message}`));
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const address = this.server.address();
        if (address && typeof address === 'object') this.port = address.port;
        resolve();
      });
    });
  }

  /** Stops listening at once (new connections are refused) and drops every open connection and pending answer. */
  stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (!this.server.listening) {
      for (const socket of this.sockets) socket.destroy();
      return Promise.resolve();
    }
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    return closed;
  }

  /** Runs `fn` after `ms` unless the request goes away or the endpoint stops first. */
  later(res: ServerResponse, ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!res.destroyed) fn();
    }, ms);
    this.timers.add(timer);
    res.on('close', () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    });
  }
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  send(res, status, JSON_TYPE, JSON.stringify(body), headers);

function methodNotAllowed(res: ServerResponse, allow: string): void {
  sendJson(res, 405, { error: 'method not allowed' }, { allow });
}

function validate(options: SimulatorOptions): void {
  if (options.scenario !== undefined && !isScenarioName(options.scenario)) {
    throw new Error(`unknown scenario "${String(options.scenario)}"; known: ${SCENARIO_NAMES.join(', ')}`);
  }
  if (options.gpus !== undefined && (!Number.isInteger(options.gpus) || options.gpus < 1 || options.gpus > 64)) {
    throw new Error(`gpus must be an integer from 1 to 64, got ${options.gpus}`);
  }
  if (options.load !== undefined && (!Number.isFinite(options.load) || options.load < 0 || options.load > 10_000)) {
    throw new Error(`load must be a number of requests per second from 0 to 10000, got ${options.load}`);
  }
  for (const [name, port] of Object.entries(options.ports ?? {})) {
    if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535)) throw new Error(`port for ${name} must be 0-65535, got ${port}`);
  }
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  validate(options);
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const hostname = options.hostname ?? 'sim-node-1';
  const gpus = options.gpus ?? 1;
  const seed = hashString(`dgmon-simulator/${hostname}`);
  const startMs = now();
  const engine = new EngineModel({ gpus, load: options.load ?? 2, seed, startMs, healthWindowSeconds: options.windows?.health });
  const dcgm = new DcgmModel({ gpus, hostname, seed, startMs, xidWindowSeconds: options.windows?.xidCount });

  let current: ScenarioName = options.scenario ?? 'healthy';
  let profile: Profile = profileOf(current);
  let closed = false;
  let transitions: Promise<void> = Promise.resolve();
  let transitionError: Error | undefined;

  const engineLoad = (p: Profile, second: number): EngineLoad => {
    const a = engine.activeAtSecond(second, p);
    return { running: p.engineEndpoint !== 'down', busy: a.batch + a.stream + a.tts > 0 };
  };
  /** Brings both models up to the clock under the current scenario. */
  const sync = (): number => {
    const t = now();
    engine.advance(t, profile);
    dcgm.advance(t, profile, (second) => engineLoad(profile, second));
    return t;
  };

  const engineMetrics = (res: ServerResponse): void => {
    const t = sync();
    if (profile.engineEndpoint === 'garbage') {
      send(res, 200, 'text/plain; charset=utf-8', garbageMetrics(engine.secondAt(t), seed));
      return;
    }
    send(res, 200, OPENMETRICS_CONTENT_TYPE, renderOpenMetrics(engine.families(t, profile)));
  };
  const dcgmMetrics = (res: ServerResponse): void => {
    const t = sync();
    send(res, 200, DCGM_CONTENT_TYPE, dcgm.render(t, profile, engineLoad(profile, engine.secondAt(t))));
  };

  // Counted on arrival, answered or not: every request is a fetch the upstream had to take.
  const metricsRequests: MetricsRequests = { engine: 0, dcgm: 0 };
  const metricsHandler =
    (name: keyof MetricsRequests, answer: (res: ServerResponse) => void, slow: () => boolean): Handler =>
    (req, res, endpoint) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path !== '/metrics') return sendJson(res, 404, { error: 'not found' });
      if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, 'GET, HEAD');
      metricsRequests[name] += 1;
      if (slow()) endpoint.later(res, SLOW_UPSTREAM_DELAY_MS, () => answer(res));
      else answer(res);
    };

  const listen = new ListenService({ profile: () => profile, sync, seed, later: (res, ms, fn) => endpoints.api.later(res, ms, fn) });
  const apiHandler: Handler = (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/\/+$/, '');
    const connected = profile.engineConnected;
    if (path === '/v1/listen') {
      if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
      return listen.handleBatch(req, res);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, 'GET, HEAD');
    if (path === '/v1/status') {
      const t = sync();
      const health = connected ? engine.systemHealth() : 'Initializing';
      return sendJson(res, 200, apiStatus(health, connected ? engine.active(t, profile) : { batch: 0, stream: 0, tts: 0, flux: 0 }));
    }
    if (path === '/v1/status/engine') return sendJson(res, 200, engineStatus(connected));
    if (path === '/v1/models') return sendJson(res, 200, models(connected));
    sendJson(res, 404, { err_code: 'NOT_FOUND', err_msg: `No route for ${path}` });
  };

  const licenseHandler: Handler = (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== '/v1/status') return sendJson(res, 404, { error: 'not found' });
    if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, 'GET, HEAD');
    sendJson(res, 200, licenseProxyStatus(profile.licenseState));
  };

  const scenarioList = () => SCENARIOS.map((s) => ({ name: s.name, description: s.description }));
  const controlHandler: Handler = (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/\/+$/, '') || '/';
    if (path === '/') {
      if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
      const help = `dgmon simulator control\n\nGET /scenario              current scenario and the list\nPUT|POST /scenario/<name>  switch\nGET /metrics-requests      /metrics requests the Engine and dcgm-exporter ports have received\n\nScenarios:\n${describeScenarios()}\n`;
      return send(res, 200, 'text/plain; charset=utf-8', help);
    }
    if (path === '/metrics-requests') {
      if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
      return sendJson(res, 200, metricsRequests);
    }
    if (path === '/scenario') {
      if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
      return sendJson(res, 200, { current, scenarios: scenarioList() });
    }
    const match = /^\/scenario\/([^/]+)$/.exec(path);
    if (!match) return sendJson(res, 404, { error: 'not found' });
    if (req.method !== 'PUT' && req.method !== 'POST') return methodNotAllowed(res, 'PUT, POST');
    const name = decodeURIComponent(match[1] ?? '');
    req.resume();
    if (!isScenarioName(name)) {
      return sendJson(res, 404, { error: `unknown scenario "${name}"`, scenarios: SCENARIO_NAMES });
    }
    const previous = current;
    switchTo(name);
    // Answer once the ports match the new scenario, so a caller can test the effect right away.
    void transitions.then(() => {
      if (transitionError) sendJson(res, 500, { error: transitionError.message, previous, current });
      else sendJson(res, 200, { previous, current });
    });
  };

  const endpoints: Record<EndpointName, Endpoint> = {
    engine: new Endpoint('engine', metricsHandler('engine', engineMetrics, () => profile.engineEndpoint === 'slow')),
    api: new Endpoint('api', apiHandler),
    licenseProxy: new Endpoint('licenseProxy', licenseHandler),
    dcgm: new Endpoint('dcgm', metricsHandler('dcgm', dcgmMetrics, () => profile.dcgmEndpoint === 'slow')),
    control: new Endpoint('control', controlHandler),
  };
  // Live /v1/listen streams arrive as HTTP upgrades on the API port.
  endpoints.api.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    if (new URL(req.url ?? '/', 'http://x').pathname.replace(/\/+$/, '') === '/v1/listen') return listen.handleUpgrade(req, socket, head);
    socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
  });
  const wanted = (name: EndpointName): boolean => {
    if (closed) return false;
    if (name === 'engine') return profile.engineEndpoint !== 'down';
    if (name === 'dcgm') return profile.dcgmEndpoint !== 'down';
    return true;
  };
  /** Opens or closes the listeners the scenario wants; ports stay the same across a close and reopen. */
  const applyListeners = async (): Promise<void> => {
    let stopped = false;
    for (const [name, endpoint] of Object.entries(endpoints) as [EndpointName, Endpoint][]) {
      if (wanted(name) && !endpoint.listening) await endpoint.listen(host, endpoint.port);
      else if (!wanted(name) && endpoint.listening) {
        await endpoint.stop();
        stopped = true;
      }
    }
    // Let clients in this process read the FIN of their dropped keep-alive connections before settled() resolves,
    // so their next request opens a new connection (and is refused) instead of failing on a dead pooled socket.
    if (stopped && !closed) await new Promise((resolve) => setTimeout(resolve, 10));
  };
  const switchTo = (name: ScenarioName): void => {
    if (closed) throw new Error('simulator is closed');
    sync(); // the old scenario's traffic up to now is counted under the old scenario
    const changed = name !== current;
    current = name;
    profile = profileOf(name);
    if (changed) dcgm.enter(now(), profile);
    transitions = transitions.then(applyListeners).catch((err: Error) => {
      transitionError = err;
    });
  };

  // Every port is bound first (so the URLs are known), then the scenario's down endpoints close.
  try {
    for (const [name, endpoint] of Object.entries(endpoints) as [EndpointName, Endpoint][]) {
      await endpoint.listen(host, options.ports?.[name] ?? 0);
    }
    await applyListeners();
  } catch (err) {
    closed = true;
    await Promise.all(Object.values(endpoints).map((e) => e.stop()));
    throw err;
  }
  if (profile.xid || profile.memoryErrors) dcgm.enter(startMs, profile);

  const urlHost = host.includes(':') ? `[${host}]` : host;
  const urls = Object.fromEntries(
    (Object.keys(endpoints) as EndpointName[]).map((name) => [name, `http://${urlHost}:${endpoints[name].port}`]),
  ) as Record<EndpointName, string>;

  let closing: Promise<void> | undefined;
  return {
    urls,
    scenario: () => current,
    listenStats: () => listen.stats(),
    resetListenStats: () => listen.resetStats(),
    metricsRequests: () => ({ ...metricsRequests }),
    setScenario(name: ScenarioName): void {
      if (!isScenarioName(name)) throw new Error(`unknown scenario "${String(name)}"; known: ${SCENARIO_NAMES.join(', ')}`);
      switchTo(name);
    },
    async settled(): Promise<void> {
      await transitions;
      if (transitionError) {
        const err = transitionError;
        transitionError = undefined;
        throw err;
      }
    },
    close(): Promise<void> {
      closing ??= (async () => {
        closed = true;
        await transitions;
        listen.stop();
        await Promise.all(Object.values(endpoints).map((e) => e.stop()));
      })();
      return closing;
    },
  };
}
