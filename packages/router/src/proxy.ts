import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { Readable, type Duplex } from 'node:stream';
import type { AppRoutes } from '@slipway/core';
import httpProxy from 'http-proxy';
import { Balancer, type Lease } from './balancer.js';
import { rawErrorResponse, ROUTER_ERRORS, sendErrorPage, type RouterErrorKind } from './errors.js';
import { clientAddress, hasNoBody, pickRequestId, setForwardedHeaders } from './forwarded-headers.js';
import { formatRouterLine } from './log-line.js';
import { normalizeHost, type RouteTable } from './route-table.js';

export interface ProxyOptions {
  table: () => RouteTable;
  log: (line: string) => void;
  /** The port the router listens on, for `X-Forwarded-Port`. */
  listenerPort: () => number;
  /** Where dynos listen; they share the host network, so their ports are on this address. */
  upstreamHost: string;
  /** H12: from the request being sent to the dyno until the first response byte. */
  firstByteTimeoutMs: number;
  /** H15: the longest a response may stall once it has started. */
  idleTimeoutMs: number;
  balancer?: Balancer;
  /** Request log lines, with their app (undefined when none was found). Default: `log`. */
  requestLog?: (app: string | undefined, line: string) => void;
}

export interface RouterProxy {
  handleRequest(req: http.IncomingMessage, res: http.ServerResponse): void;
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void;
  readonly balancer: Balancer;
  /** Requests and WebSockets still open. */
  openCount(): number;
  /** Cuts every open WebSocket and drops the idle upstream connections. */
  close(): void;
}

/** Nothing reached the dyno: safe to send the request to another one, whatever its method. */
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EADDRINUSE']);
/** The dyno may have seen the request; only an idempotent one is sent again. */
const RESET_FAILURES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
/** Request bodies up to this size are kept while they stream through, so the request can go to another dyno. */
const REPLAY_LIMIT = 64 * 1024;

/** One request on its way through the router. */
interface Exchange {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  requestId: string;
  fwd: string;
  host: string;
  method: string;
  path: string;
  app?: AppRoutes;
  startedAt: number;
  dispatchedAt?: number;
  /** The target object of the current attempt; http-proxy hands it back in its events. */
  target?: { host: string; port: number };
  lease?: Lease;
  tried: Set<string>;
  attempts: number;
  staleRetries: number;
  /** The request body as read so far, while it fits in REPLAY_LIMIT; undefined once it does not. */
  body?: Buffer[];
  proxyReq?: http.ClientRequest;
  proxyRes?: http.IncomingMessage;
  connectMs?: number;
  bytes: number;
  error?: RouterErrorKind;
  firstByteTimer?: NodeJS.Timeout;
  idleTimer?: NodeJS.Timeout;
  done: boolean;
}

/** One WebSocket upgrade. */
interface Upgrade {
  app: string;
  req: http.IncomingMessage;
  socket: Duplex;
  requestId: string;
  fwd: string;
  host: string;
  startedAt: number;
  dyno: string;
  target: { host: string; port: number };
  lease: Lease;
  proxyReq?: http.ClientRequest;
  proxySocket?: net.Socket;
  connectMs?: number;
  answered: boolean;
  timedOut: boolean;
  timer?: NodeJS.Timeout;
}

/**
 * The HTTP and WebSocket proxy: Host → app → least-busy target, with the
 * forwarding headers, Heroku error pages and one log line per request.
 * Nothing a client or a dyno does may throw out of here: every stream has an
 * error listener, and every failure ends as an error page, a destroyed socket
 * or both.
 */
export function createProxy(opts: ProxyOptions): RouterProxy {
  const balancer = opts.balancer ?? new Balancer();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64, timeout: 30_000, scheduling: 'lifo' });
  // selfHandleResponse: the router writes the client's status and headers itself (see `respond`).
  const proxy = httpProxy.createProxyServer({ agent, xfwd: false, ws: true, prependPath: false, selfHandleResponse: true });
  const exchanges = new WeakMap<http.IncomingMessage, Exchange>();
  const upgrades = new WeakMap<http.IncomingMessage, Upgrade>();
  const openSockets = new Set<Duplex>();
  let open = 0;
  const requestLog = opts.requestLog ?? ((_app: string | undefined, line: string) => opts.log(line));
  const protocolOf = (req: http.IncomingMessage): 'http' | 'https' => ((req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http');

  // With a callback on every web()/ws() call this should never fire, but an
  // EventEmitter3 'error' without a listener throws, so it is always here.
  proxy.on('error', (err, req, resOrSocket) => {
    const ex = exchanges.get(req);
    if (ex && resOrSocket === ex.res) return fail(ex, 'H99');
    opts.log(`at=error fn=proxy desc="unhandled proxy error" error=${JSON.stringify(err.message)}`);
    if (resOrSocket instanceof http.ServerResponse) resOrSocket.destroy();
    else (resOrSocket as Duplex | undefined)?.destroy();
  });
  proxy.on('econnreset', () => undefined); // the client left first; the exchange's 'close' handler logs it

  proxy.on('proxyReq', (proxyReq, req, _res, options) => {
    const ex = exchanges.get(req);
    proxyReq.on('error', () => undefined);
    if (!ex || ex.done || options.target !== ex.target) {
      // An attempt that was given up on (timeout, client gone, retried) before it got a socket.
      proxyReq.destroy();
      return;
    }
    ex.proxyReq = proxyReq;
    // The H12 clock runs while connecting, stops while the client's body is
    // uploaded, and runs again once the whole request reached the dyno.
    measureConnect(proxyReq, ex.dispatchedAt ?? ex.startedAt, (ms) => {
      ex.connectMs = ms;
      if (!proxyReq.writableFinished) clearTimeout(ex.firstByteTimer);
    });
    proxyReq.once('finish', () => {
      if (ex.done || ex.proxyReq !== proxyReq || ex.proxyRes) return;
      armFirstByteTimer(ex);
    });
  });

  proxy.on('proxyRes', (proxyRes, req, res) => {
    proxyRes.on('error', () => undefined); // an upstream dying mid-body must not become an uncaught error
    const ex = exchanges.get(req);
    if (!ex || ex.done || res.headersSent) {
      proxyRes.destroy();
      return;
    }
    ex.proxyRes = proxyRes;
    clearTimeout(ex.firstByteTimer);
    const resetIdle = (): void => {
      clearTimeout(ex.idleTimer);
      ex.idleTimer = setTimeout(() => timeOut(ex, 'H15'), opts.idleTimeoutMs);
    };
    resetIdle();
    proxyRes.on('data', (chunk: Buffer) => {
      ex.bytes += chunk.length;
      resetIdle();
    });
    proxyRes.on('close', () => {
      clearTimeout(ex.idleTimer);
      if (!proxyRes.complete && !ex.done) {
        // The dyno went away in the middle of the response: all we can do is cut the client off too.
        ex.error ??= 'H18';
        res.destroy();
      }
    });
    respond(proxyRes, res);
  });

  proxy.on('proxyReqWs', (proxyReq, req) => {
    proxyReq.on('error', () => undefined);
    const up = upgrades.get(req);
    if (!up) return;
    up.proxyReq = proxyReq;
    proxyReq.on('socket', () => measureConnect(proxyReq, up.startedAt, (ms) => (up.connectMs = ms)));
    proxyReq.on('upgrade', (proxyRes: http.IncomingMessage, proxySocket: net.Socket) => {
      up.proxySocket = proxySocket;
      clearTimeout(up.timer);
      proxySocket.on('error', () => undefined);
      // Either side closing ends the other; pipe() alone misses a destroy.
      proxySocket.on('close', () => up.socket.end());
      if (up.socket.destroyed) proxySocket.destroy();
      logUpgrade(up, proxyRes.statusCode ?? 101);
    });
    proxyReq.on('response', (proxyRes: http.IncomingMessage) => {
      // The dyno refused the upgrade and answered with a plain response, which http-proxy pipes to the socket.
      clearTimeout(up.timer);
      proxyRes.on('error', () => up.socket.destroy());
      logUpgrade(up, proxyRes.statusCode ?? 0);
    });
  });

  function record(ex: Exchange): void {
    const error = ex.error ? ROUTER_ERRORS[ex.error] : undefined;
    // A response the dyno started and then broke off is logged with the router's status, as Heroku does.
    const status = error ? error.status : ex.res.statusCode;
    const serviceMs = ex.dispatchedAt === undefined ? undefined : performance.now() - ex.dispatchedAt;
    requestLog(
      ex.app?.app,
      formatRouterLine({
        ...(error ? { error } : {}),
        method: ex.method,
        path: ex.path,
        host: ex.host,
        requestId: ex.requestId,
        fwd: ex.fwd,
        ...(ex.lease ? { dyno: ex.lease.target.dyno } : {}),
        ...(ex.connectMs === undefined ? {} : { connectMs: ex.connectMs }),
        ...(serviceMs === undefined ? {} : { serviceMs }),
        status,
        bytes: ex.bytes,
        protocol: protocolOf(ex.req),
      }),
    );
  }

  function handleRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const receivedAt = Date.now();
    const ex: Exchange = {
      req,
      res,
      requestId: pickRequestId(req.headers['x-request-id']),
      fwd: clientAddress(req),
      host: normalizeHost(req.headers.host) ?? '',
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      startedAt: performance.now(),
      tried: new Set(),
      attempts: 0,
      staleRetries: 0,
      bytes: 0,
      done: false,
    };
    exchanges.set(req, ex);
    open++;
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    res.once('close', () => finish(ex));

    const app = opts.table().lookup(req.headers.host);
    if (!app) return fail(ex, 'no_such_app');
    ex.app = app;
    if (app.maintenance) return fail(ex, 'H80');
    if (app.targets.length === 0) return fail(ex, 'H14');

    setForwardedHeaders(req, { requestId: ex.requestId, clientAddress: ex.fwd, listenerPort: opts.listenerPort(), receivedAt }, { upgrade: false });
    if (!hasNoBody(req)) keepBody(ex);
    dispatch(ex);
  }

  /** Keeps a copy of a small body as it streams through, so a refused connection can be retried elsewhere. */
  function keepBody(ex: Exchange): void {
    const declared = Number(ex.req.headers['content-length']);
    if (declared > REPLAY_LIMIT) return;
    const chunks: Buffer[] = [];
    let size = 0;
    ex.body = chunks;
    ex.req.on('data', (chunk: Buffer) => {
      if (!ex.body) return;
      size += chunk.length;
      if (size > REPLAY_LIMIT) ex.body = undefined;
      else chunks.push(chunk);
    });
  }

  /**
   * Runs `retry` if the whole request can be sent again (it has no body, or
   * all of it was kept, waiting for the rest of a small body if need be) and
   * returns true; false when it cannot be.
   */
  function replay(ex: Exchange, retry: () => void): boolean {
    if (hasNoBody(ex.req) || (ex.body !== undefined && ex.req.complete)) {
      retry();
      return true;
    }
    if (ex.body === undefined) return false;
    ex.target = undefined; // nothing in flight until the body is in
    ex.req.once('end', () => {
      if (ex.done) return;
      if (ex.body) retry();
      else fail(ex, 'H10');
    });
    return true;
  }

  /** Sends the request to the least busy target not tried yet; fails with `lastError` when none is left. */
  function dispatch(ex: Exchange, lastError: RouterErrorKind = 'H10'): void {
    if (ex.done || ex.res.headersSent) return; // a retry that was overtaken by a timeout or the client leaving
    const app = ex.app as AppRoutes;
    // A retry uses the freshest targets: a dyno may have been added or removed meanwhile.
    const targets = opts.table().app(app.app)?.targets ?? app.targets;
    const lease = balancer.pick(app.app, targets, ex.tried);
    if (!lease) return fail(ex, targets.length === 0 ? 'H14' : balancer.lastPickFull ? 'H11' : lastError);
    ex.lease?.release();
    ex.lease = lease;
    ex.tried.add(lease.key);
    const target = { host: opts.upstreamHost, port: lease.target.port };
    ex.target = target;
    ex.proxyReq = undefined;
    ex.connectMs = undefined;
    ex.attempts++;
    ex.dispatchedAt = performance.now();
    armFirstByteTimer(ex);
    // A retry cannot pipe the request again once its body was read: send the kept copy instead.
    const buffer = ex.attempts > 1 && ex.body && ex.req.complete ? Readable.from([Buffer.concat(ex.body)]) : undefined;
    try {
      proxy.web(ex.req, ex.res, { target, ...(buffer ? { buffer } : {}) }, (err) => onProxyError(ex, target, err as NodeJS.ErrnoException));
    } catch (err) {
      // http.request rejects some URLs the server parser lets through.
      opts.log(`at=error fn=proxy desc="could not forward request" request_id=${ex.requestId} error=${JSON.stringify(err instanceof Error ? err.message : String(err))}`);
      fail(ex, 'H99');
    }
  }

  function onProxyError(ex: Exchange, target: object, err: NodeJS.ErrnoException): void {
    if (ex.done || target !== ex.target) return; // the client left, the attempt timed out, or a retry is already running
    const code = err.code ?? '';
    if (ex.proxyRes || ex.res.headersSent) {
      ex.error ??= 'H18';
      ex.res.destroy();
      return;
    }
    const connectFailed = CONNECT_FAILURES.has(code);
    if (connectFailed && ex.lease) balancer.reportFailure(ex.lease.key);
    const lease = ex.lease;
    const staleSocket = RESET_FAILURES.has(code) && ex.proxyReq?.reusedSocket === true && ex.staleRetries === 0;
    if (staleSocket && lease) {
      // A kept-alive connection the dyno had already closed: the same dyno may well be fine.
      const again = (): void => {
        ex.staleRetries++;
        ex.tried.delete(lease.key);
        dispatch(ex, 'H13');
      };
      if (replay(ex, again)) return;
    }
    if (connectFailed && replay(ex, () => dispatch(ex, 'H10'))) return;
    if (RESET_FAILURES.has(code) && IDEMPOTENT.has(ex.method) && replay(ex, () => dispatch(ex, 'H13'))) return;
    fail(ex, connectFailed ? 'H10' : 'H13');
  }

  function armFirstByteTimer(ex: Exchange): void {
    clearTimeout(ex.firstByteTimer);
    ex.firstByteTimer = setTimeout(() => timeOut(ex, 'H12'), opts.firstByteTimeoutMs);
  }

  function timeOut(ex: Exchange, kind: 'H12' | 'H15'): void {
    if (ex.done) return;
    ex.error = kind;
    ex.target = undefined; // whatever the current attempt does next is ignored
    ex.proxyReq?.destroy();
    ex.proxyRes?.destroy();
    if (ex.res.headersSent) ex.res.destroy();
    else fail(ex, kind);
  }

  function fail(ex: Exchange, kind: RouterErrorKind): void {
    if (ex.done) return;
    ex.error = kind;
    ex.target = undefined;
    if (ex.res.headersSent) {
      ex.res.destroy();
      return;
    }
    ex.bytes = sendErrorPage(ex.res, kind, ex.requestId);
  }

  /** Runs exactly once per request, when the client's response is over one way or another. */
  function finish(ex: Exchange): void {
    if (ex.done) return;
    if (!ex.res.writableFinished) {
      // The client hung up first (H27), unless the dyno already broke off (H18) or a timeout fired.
      ex.error ??= 'H27';
    }
    ex.done = true;
    open--;
    clearTimeout(ex.firstByteTimer);
    clearTimeout(ex.idleTimer);
    if (ex.proxyRes && !ex.proxyRes.complete) ex.proxyRes.destroy();
    if (ex.proxyReq && !ex.proxyRes?.complete) ex.proxyReq.destroy();
    // An answer given before the whole body arrived (an error page, or a dyno
    // that answered early) leaves the rest unread; once the pipe to the dyno is
    // gone nothing reads it, and the next request on this keep-alive connection
    // would never be parsed. Drain it, as Node does for bodies nobody touched.
    if (!ex.req.complete) ex.req.resume();
    ex.lease?.release();
    record(ex);
  }

  function handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    if (req.method !== 'GET' || String(req.headers.upgrade).toLowerCase() !== 'websocket') return declineUpgrade(req, socket);
    const requestId = pickRequestId(req.headers['x-request-id']);
    const fwd = clientAddress(req);
    const host = normalizeHost(req.headers.host) ?? '';
    const startedAt = performance.now();
    let app: AppRoutes | undefined;
    const refuse = (kind: RouterErrorKind, dyno?: string): void => {
      requestLog(app?.app, formatRouterLine({ error: ROUTER_ERRORS[kind], method: req.method ?? 'GET', path: req.url ?? '/', host, requestId, fwd, ...(dyno ? { dyno } : {}), status: ROUTER_ERRORS[kind].status, bytes: 0, protocol: protocolOf(req) }));
      if (socket.writable) socket.end(rawErrorResponse(kind, requestId), () => socket.destroy());
      else socket.destroy();
    };

    app = opts.table().lookup(req.headers.host);
    if (!app) return refuse('no_such_app');
    if (app.maintenance) return refuse('H80');
    const lease = balancer.pick(app.app, app.targets);
    if (!lease) return refuse('H14');

    setForwardedHeaders(req, { requestId, clientAddress: fwd, listenerPort: opts.listenerPort(), receivedAt: Date.now() }, { upgrade: true });
    const target = { host: opts.upstreamHost, port: lease.target.port };
    const up: Upgrade = { app: app.app, req, socket, requestId, fwd, host, startedAt, dyno: lease.target.dyno, target, lease, answered: false, timedOut: false };
    upgrades.set(req, up);
    openSockets.add(socket);
    open++;
    socket.once('close', () => {
      openSockets.delete(socket);
      open--;
      clearTimeout(up.timer);
      lease.release();
      up.proxySocket?.destroy();
      if (!up.answered) {
        up.proxyReq?.destroy();
        logUpgrade(up, ROUTER_ERRORS.H27.status, 'H27');
      }
    });
    up.timer = setTimeout(() => {
      up.timedOut = true;
      up.proxyReq?.destroy();
    }, opts.firstByteTimeoutMs);

    try {
      proxy.ws(req, socket, head, { target }, (err) => {
        if (up.answered) return; // after the upgrade: http-proxy ends the socket, nothing else to say
        const code = (err as NodeJS.ErrnoException).code ?? '';
        const kind: RouterErrorKind = up.timedOut ? 'H12' : CONNECT_FAILURES.has(code) ? 'H10' : 'H13';
        logUpgrade(up, ROUTER_ERRORS[kind].status, kind);
        if (socket.writable) socket.write(rawErrorResponse(kind, requestId));
      });
    } catch (err) {
      opts.log(`at=error fn=proxy desc="could not forward upgrade" request_id=${requestId} error=${JSON.stringify(err instanceof Error ? err.message : String(err))}`);
      logUpgrade(up, ROUTER_ERRORS.H99.status, 'H99');
      socket.destroy();
    }
  }

  /**
   * Node hands every request carrying `Upgrade` to the upgrade handler, but a
   * server may ignore an upgrade it does not speak (`h2c` from `curl --http2`,
   * say) and answer over HTTP/1.1. So a body-less one is served as a plain
   * request on a one-off response; anything else gets a 400.
   */
  function declineUpgrade(req: http.IncomingMessage, socket: Duplex): void {
    if (!hasNoBody(req) || !(socket instanceof net.Socket)) {
      const requestId = pickRequestId(req.headers['x-request-id']);
      requestLog(undefined, formatRouterLine({ error: ROUTER_ERRORS.bad_request, method: req.method ?? '', path: req.url ?? '', host: normalizeHost(req.headers.host) ?? '', requestId, fwd: clientAddress(req), status: 400, bytes: 0, protocol: protocolOf(req) }));
      if (socket.writable) socket.end(rawErrorResponse('bad_request', requestId), () => socket.destroy());
      else socket.destroy();
      return;
    }
    openSockets.add(socket); // the server stopped tracking it when it handed it over
    socket.once('close', () => openSockets.delete(socket));
    const res = new http.ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket);
    // Closing the socket is also what makes this response emit 'close', which logs it.
    res.once('finish', () => socket.destroySoon());
    handleRequest(req, res);
  }

  function logUpgrade(up: Upgrade, status: number, kind?: RouterErrorKind): void {
    if (up.answered) return;
    up.answered = true;
    requestLog(
      up.app,
      formatRouterLine({
        ...(kind ? { error: ROUTER_ERRORS[kind] } : {}),
        method: up.req.method ?? 'GET',
        path: up.req.url ?? '/',
        host: up.host,
        requestId: up.requestId,
        fwd: up.fwd,
        dyno: up.dyno,
        ...(up.connectMs === undefined ? {} : { connectMs: up.connectMs }),
        serviceMs: performance.now() - up.startedAt,
        status,
        bytes: 0,
        protocol: protocolOf(up.req),
      }),
    );
  }

  return {
    handleRequest,
    handleUpgrade,
    balancer,
    openCount: () => open,
    close() {
      for (const socket of openSockets) socket.destroy();
      agent.destroy();
    },
  };
}

/** Hop-by-hop response headers: the router frames and keeps alive the client's connection itself. */
const RESPONSE_HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

/**
 * Copies the dyno's status and headers to the client and pipes the body.
 * Hop-by-hop headers stay behind (Node chooses the client's framing and
 * keep-alive), and so does anything Node would refuse to write: a header or
 * status text with invalid characters would otherwise throw from inside a
 * socket callback and take the router down.
 */
function respond(proxyRes: http.IncomingMessage, res: http.ServerResponse): void {
  const listed = String(proxyRes.headers.connection ?? '').split(',').map((t) => t.trim().toLowerCase());
  res.statusCode = proxyRes.statusCode ?? 502;
  if (proxyRes.statusMessage && /^[\t\x20-\x7e\x80-\xff]*$/.test(proxyRes.statusMessage)) res.statusMessage = proxyRes.statusMessage;
  for (const [name, value] of Object.entries(proxyRes.headers)) {
    if (value === undefined || RESPONSE_HOP_BY_HOP.has(name) || listed.includes(name)) continue;
    try {
      res.setHeader(name, value);
    } catch {
      // an invalid header from the dyno is dropped, not fatal
    }
  }
  const via = proxyRes.headers.via;
  res.setHeader('via', via ? `${via}, 1.1 slipway` : '1.1 slipway');
  proxyRes.pipe(res);
}

/** Time to connect to the dyno: 0 on a reused keep-alive connection. */
function measureConnect(proxyReq: http.ClientRequest, since: number, set: (ms: number) => void): void {
  const socket = proxyReq.socket as net.Socket | null;
  if (!socket) return;
  if (!socket.connecting) {
    set(0);
    return;
  }
  socket.once('connect', () => set(performance.now() - since));
}
