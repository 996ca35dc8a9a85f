import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { AppRoutes } from '@slipway/core';
import type { Balancer, Lease } from './balancer.js';
import { errorPage, ROUTER_ERRORS, type RouterErrorKind } from './errors.js';
import { pickRequestId } from './forwarded-headers.js';
import { ChunkedScanner, findHeadEnd, MAX_HEAD, parseRequestHead, parseResponseHead, type HeadError, type RequestHead } from './http1.js';
import { formatRouterLine, routerLine } from './log-line.js';
import type { RequestLogSink } from './request-log.js';
import { normalizeHost, type RouteTable } from './route-table.js';
import type { Upstream, UpstreamOwner, UpstreamPool } from './upstream-pool.js';

/**
 * The fast path. Client connections are plain `net.Socket`s (or TLS sockets):
 * the router reads request heads itself, writes a rewritten head to a pooled
 * keep-alive connection to the dyno, streams the body through as raw bytes
 * (following Content-Length or chunked framing only to know where it ends),
 * and passes the response through the same way: its head is parsed for the
 * status, framing and hop-by-hop headers, its body is written on untouched.
 *
 * One request at a time per client connection: pipelined requests wait, as
 * bytes, until the response before them is over. Timeouts are checked by one
 * sweep over every connection rather than a timer per request.
 */

export interface FrontDoorOptions {
  table: () => RouteTable;
  balancer: Balancer;
  pool: UpstreamPool;
  /** H12: from the whole request reaching the dyno to the first response byte. */
  firstByteTimeoutMs: number;
  /** H15: the longest a started response (or a request body upload) may stall. */
  idleTimeoutMs: number;
  /** A client that has not sent a complete head this long after starting it is cut off. */
  headTimeoutMs: number;
  /** An idle keep-alive client connection is closed after this long. */
  keepAliveTimeoutMs: number;
  /** A dyno that has not accepted the connection by then counts as refusing it. */
  connectTimeoutMs: number;
  /** One line per request: `app` is undefined when no app was found. */
  requestLog: RequestLogSink;
  log: (line: string) => void;
  /** Takes over a connection whose next request is a WebSocket upgrade; `bytes` is everything unread, from that request's head on. */
  handoff: (socket: net.Socket, bytes: Buffer) => void;
}

export interface FrontDoor {
  handleConnection(socket: net.Socket, proto: 'http' | 'https'): void;
  /** Requests in flight. */
  openCount(): number;
  /** Connections open (idle ones included). */
  connectionCount(): number;
  /** Closes idle connections now, and each busy one once its response is over. */
  drain(): void;
  destroyAll(): void;
}

/** Nothing reached the dyno: safe to send the request to another one, whatever its method. */
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EADDRINUSE', 'ETIMEDOUT', 'ECONNECTTIMEOUT']);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
/** Request bodies up to this size are kept while they stream through, so the request can go to another dyno. */
const REPLAY_LIMIT = 64 * 1024;

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 404: 'Not Found', 408: 'Request Timeout', 414: 'URI Too Long', 431: 'Request Header Fields Too Large',
  499: 'Client Closed Request', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable', 505: 'HTTP Version Not Supported',
};

const enum Phase {
  /** Waiting for the client's next request (keep-alive idle), or reading its head. */
  Idle,
  /** Connecting to the dyno. */
  Connecting,
  /** The request body is still arriving from the client. */
  Upload,
  /** The whole request reached the dyno; waiting for the first response byte (H12). */
  FirstByte,
  /** Streaming the response (H15 when it stalls). */
  Response,
  /** Nothing to time (the response is over and the request body is being drained, or an answer is being written). */
  None,
}

const enum Body {
  None,
  Length,
  Chunked,
  /** Response only: delimited by the dyno closing the connection. */
  Close,
}

export function createFrontDoor(opts: FrontDoorOptions): FrontDoor {
  const conns = new Set<Conn>();
  let inFlight = 0;
  let draining = false;

  class Exchange implements UpstreamOwner {
    app: AppRoutes | undefined;
    lease: Lease | undefined;
    tried: Set<string> | undefined;
    upstream: Upstream | null = null;
    attempts = 0;
    staleRetries = 0;
    dispatchedAt = 0;
    connectMs = -1;
    /** The head sent to the dyno, kept for a retry. */
    outHead = '';
    // Request body.
    reqBody: Body;
    reqLeft: number;
    reqDone: boolean;
    /** The body as read so far while it fits in REPLAY_LIMIT; null once it does not. */
    kept: Buffer[] | null = null;
    keptSize = 0;
    sentContinue = false;
    // Response.
    resStarted = false;
    resDone = false;
    resBody = Body.None;
    resLeft = 0;
    resHead: Buffer | null = null;
    /** The dyno keeps the connection open after this response. */
    resReusable = true;
    /** The client connection is closed once this response is over. */
    closeAfter: boolean;
    status = 0;
    bytes = 0;
    error: RouterErrorKind | undefined;
    finished = false;

    constructor(
      readonly conn: Conn,
      readonly h: RequestHead,
      readonly host: string,
      readonly requestId: string,
    ) {
      // An upgrade the router does not speak (h2c) is answered as plain HTTP/1.1, on a connection closed afterwards.
      this.closeAfter = h.close || draining || h.upgrade !== undefined;
      if (h.chunked) {
        this.reqBody = Body.Chunked;
        this.reqLeft = 0;
        this.reqDone = false;
        conn.scanner.reset();
      } else if (h.contentLength > 0) {
        this.reqBody = Body.Length;
        this.reqLeft = h.contentLength;
        this.reqDone = false;
      } else {
        this.reqBody = Body.None;
        this.reqLeft = 0;
        this.reqDone = true;
      }
      if (!this.reqDone && (h.chunked || h.contentLength <= REPLAY_LIMIT)) this.kept = [];
    }

    get replayable(): boolean {
      return this.reqBody === Body.None || this.kept !== null;
    }

    /** Sends the request to the least busy target not tried yet; fails with `lastError` when none is left. */
    dispatch(lastError: RouterErrorKind): void {
      if (this.finished || this.resStarted) return;
      const app = this.app as AppRoutes;
      // A retry uses the freshest targets: a dyno may have been added or removed meanwhile.
      const targets = this.attempts === 0 ? app.targets : (opts.table().app(app.app)?.targets ?? app.targets);
      const lease = opts.balancer.pick(app.app, targets, this.tried);
      if (!lease) return this.fail(targets.length === 0 ? 'H14' : opts.balancer.lastPickFull ? 'H11' : lastError);
      this.lease?.release();
      this.lease = lease;
      (this.tried ??= new Set()).add(lease.key);
      this.attempts++;
      const up = opts.pool.acquire(lease.target.port);
      up.owner = this;
      up.errorCode = undefined;
      this.upstream = up;
      this.dispatchedAt = performance.now();
      this.conn.phaseSince = this.dispatchedAt;
      if (up.connecting) {
        this.connectMs = -1;
        this.conn.phase = Phase.Connecting;
      } else {
        this.connectMs = 0;
        this.conn.phase = this.reqDone ? Phase.FirstByte : Phase.Upload;
      }
      const socket = up.socket;
      if (this.kept !== null && this.keptSize > 0) {
        socket.cork();
        socket.write(this.outHead, 'latin1');
        for (const part of this.kept) socket.write(part);
        socket.uncork();
      } else socket.write(this.outHead, 'latin1');
    }

    /** Request body bytes from `chunk[start..]`; returns where the body ended in it, or -1 when it goes on. */
    feedBody(chunk: Buffer, start: number): number {
      let end: number;
      if (this.reqBody === Body.Length) {
        const take = Math.min(this.reqLeft, chunk.length - start);
        this.reqLeft -= take;
        end = this.reqLeft === 0 ? start + take : -1;
      } else {
        end = this.conn.scanner.scan(chunk, start);
        if (end === -2) {
          // A broken chunked body: nothing sensible can follow on this connection.
          this.conn.socket.destroy();
          return -1;
        }
      }
      const part = start === 0 && end < 0 ? chunk : chunk.subarray(start, end < 0 ? chunk.length : end);
      if (this.kept !== null) {
        this.keptSize += part.length;
        if (this.keptSize > REPLAY_LIMIT) this.kept = null;
        else this.kept.push(part);
      }
      const up = this.upstream;
      if (up !== null && !this.resDone && !up.socket.write(part)) this.conn.socket.pause();
      if (this.conn.phase === Phase.Upload || this.conn.phase === Phase.None) this.conn.phaseSince = performance.now();
      if (end >= 0) this.requestComplete();
      return end;
    }

    requestComplete(): void {
      this.reqDone = true;
      if (this.resDone) this.conn.exchangeOver(this);
      else if (this.conn.phase === Phase.Upload) {
        this.conn.phase = Phase.FirstByte;
        this.conn.phaseSince = performance.now();
      }
    }

    onUpstreamConnect(up: Upstream): void {
      if (up !== this.upstream) return;
      const now = performance.now();
      this.connectMs = now - this.dispatchedAt;
      this.conn.phase = this.reqDone ? Phase.FirstByte : Phase.Upload;
      this.conn.phaseSince = now;
    }

    onUpstreamDrain(): void {
      if (!this.reqDone) this.conn.socket.resume();
    }

    onUpstreamData(up: Upstream, chunk: Buffer): void {
      if (this.resStarted) return this.responseBody(chunk, 0);
      // Still reading the response head (rarely split over several reads).
      let buf = chunk;
      if (this.resHead !== null) {
        buf = Buffer.concat([this.resHead, chunk]);
        this.resHead = null;
      }
      for (;;) {
        const end = buf.indexOf('\r\n\r\n', 0, 'latin1');
        if (end < 0) {
          if (buf.length > MAX_HEAD) return this.badResponse(up);
          this.resHead = Buffer.from(buf); // a copy: `chunk` is the pool's read buffer, reused by the next read
          return;
        }
        const head = parseResponseHead(buf.toString('latin1', 0, end));
        if (head === undefined) return this.badResponse(up);
        const bodyStart = end + 4;
        if (head.status < 200 && head.status !== 101) {
          // 1xx: the router already answered `100 Continue` itself; others (103) pass on to HTTP/1.1 clients.
          if (head.status !== 100 && this.h.minor === 1) this.conn.socket.write(`${head.head}\r\n\r\n`, 'latin1');
          if (bodyStart >= buf.length) return;
          buf = buf.subarray(bodyStart);
          continue;
        }
        this.resStarted = true;
        this.status = head.status;
        this.conn.phase = Phase.Response;
        this.conn.phaseSince = performance.now();
        if (this.h.method === 'HEAD' || head.status === 204 || head.status === 304 || head.status === 101) {
          this.resBody = Body.None;
        } else if (head.chunked) {
          this.resBody = Body.Chunked;
          this.conn.resScanner.reset();
        } else if (head.contentLength >= 0) {
          this.resBody = head.contentLength === 0 ? Body.None : Body.Length;
          this.resLeft = head.contentLength;
        } else {
          this.resBody = Body.Close;
          this.closeAfter = true;
        }
        if (head.close || head.status === 101 || this.h.minor === 0) this.resReusable = false;
        const client = this.conn.socket;
        const out = `${head.head}\r\nVia: 1.1 slipway${this.closeAfter ? '\r\nConnection: close' : ''}\r\n\r\n`;
        if (this.resBody === Body.None) {
          if (bodyStart < buf.length) this.resReusable = false;
          client.write(out, 'latin1');
          return this.responseComplete();
        }
        if (this.resBody === Body.Length && buf.length - bodyStart === this.resLeft && this.resLeft <= 16384) {
          // The whole (small) response in one read, the common case: one write, one syscall.
          const size = Buffer.byteLength(out, 'latin1');
          const whole = Buffer.allocUnsafe(size + this.resLeft);
          whole.write(out, 0, 'latin1');
          buf.copy(whole, size, bodyStart);
          this.bytes += this.resLeft;
          this.resLeft = 0;
          if (!client.write(whole) && this.upstream !== null) this.upstream.socket.pause();
          return this.responseComplete();
        }
        client.cork();
        client.write(out, 'latin1');
        if (bodyStart < buf.length) this.responseBody(buf, bodyStart);
        client.uncork();
        return;
      }
    }

    responseBody(chunk: Buffer, start: number): void {
      const client = this.conn.socket;
      this.conn.phaseSince = performance.now();
      let end = -1;
      if (this.resBody === Body.Length) {
        const take = Math.min(this.resLeft, chunk.length - start);
        this.resLeft -= take;
        if (this.resLeft === 0) end = start + take;
      } else if (this.resBody === Body.Chunked) {
        end = this.conn.resScanner.scan(chunk, start);
        if (end === -2) {
          // The dyno broke the framing: all we can do is cut the client off.
          this.error ??= 'H18';
          this.resReusable = false;
          client.destroy();
          return;
        }
      }
      // A copy: `chunk` is the upstream pool's read buffer, which the next read overwrites.
      const stop = end < 0 ? chunk.length : end;
      const part = Buffer.allocUnsafe(stop - start);
      chunk.copy(part, 0, start, stop);
      this.bytes += part.length;
      if (!client.write(part) && this.upstream !== null) this.upstream.socket.pause();
      if (end >= 0) {
        if (end < chunk.length) this.resReusable = false; // bytes after the response: the dyno is confused
        this.responseComplete();
      }
    }

    responseComplete(): void {
      this.resDone = true;
      const up = this.upstream;
      this.upstream = null;
      if (up !== null) {
        if (this.resReusable && this.reqDone) opts.pool.release(up, this.conn.phaseSince);
        else opts.pool.discard(up);
      }
      if (this.closeAfter) this.conn.closeAfterWrite();
      this.finish();
      if (this.reqDone) this.conn.exchangeOver(this);
      else {
        // The rest of the body is read and dropped (or, when closing, ignored until the client hangs up).
        if (this.conn.socket.isPaused()) this.conn.socket.resume();
        this.conn.phase = Phase.None;
        this.conn.phaseSince = performance.now();
      }
    }

    onUpstreamClose(up: Upstream): void {
      if (up !== this.upstream) return;
      this.dropUpstream();
      if (this.finished) return;
      if (this.resStarted) {
        if (this.resBody === Body.Close && up.errorCode === undefined) return this.responseComplete();
        // The dyno went away in the middle of the response: cut the client off too.
        this.error ??= 'H18';
        this.conn.socket.destroy();
        return;
      }
      const lease = this.lease as Lease;
      const code = up.errorCode ?? '';
      if (up.connecting || CONNECT_FAILURES.has(code)) {
        opts.balancer.reportFailure(lease.key);
        if (this.replayable) return this.dispatch('H10');
        return this.fail('H10');
      }
      if (up.reused && this.staleRetries === 0 && this.replayable) {
        // A kept-alive connection the dyno had already closed: the same dyno may well be fine.
        this.staleRetries++;
        this.tried?.delete(lease.key);
        return this.dispatch('H13');
      }
      if (IDEMPOTENT.has(this.h.method) && this.replayable) return this.dispatch('H13');
      this.fail('H13');
    }

    /** A response the router cannot frame: drop it and answer 503 H13 if nothing went out yet. */
    badResponse(up: Upstream): void {
      opts.log(`at=error fn=proxy desc="unparseable response from dyno" request_id=${this.requestId} dyno=${this.lease?.target.dyno ?? ''}`);
      this.dropUpstream();
      this.fail('H13');
    }

    /** Answers with an error page unless a response already started (then the client is cut off). */
    fail(kind: RouterErrorKind): void {
      if (this.finished) return;
      this.error = kind;
      this.dropUpstream();
      if (this.resStarted) {
        this.conn.socket.destroy();
        return;
      }
      // A client that sent `Expect: 100-continue` and did not get the go-ahead may or may not send its body: close after answering.
      if (!this.reqDone && this.h.expectContinue && !this.sentContinue) this.closeAfter = true;
      const e = ROUTER_ERRORS[kind];
      const page = errorPage(kind, this.requestId);
      this.status = e.status;
      this.bytes = Buffer.byteLength(page);
      this.resStarted = true;
      this.conn.socket.write(
        `HTTP/1.1 ${e.status} ${STATUS_TEXT[e.status] ?? 'Error'}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${this.bytes}\r\n` +
          `Cache-Control: no-cache, no-store\r\nX-Request-Id: ${this.requestId}\r\n${kind === 'H80' ? 'Retry-After: 120\r\n' : ''}` +
          `Connection: ${this.closeAfter ? 'close' : 'keep-alive'}\r\n\r\n${page}`,
        'latin1',
      );
      this.responseComplete();
    }

    /** Cut off from the client's side (it left, or a timeout fired after the response started). */
    abort(kind: RouterErrorKind): void {
      if (this.finished) return;
      this.error ??= kind;
      this.dropUpstream();
      this.finish();
    }

    /** Closes the connection to the dyno (never reused) and lets the client's body flow again if it was held back for it. */
    dropUpstream(): void {
      const up = this.upstream;
      if (up === null) return;
      this.upstream = null;
      opts.pool.discard(up);
      if (this.conn.socket.isPaused()) this.conn.socket.resume();
    }

    /** Runs once per request: the log line, the lease, the in-flight count. */
    finish(): void {
      if (this.finished) return;
      this.finished = true;
      inFlight--;
      this.lease?.release();
      const error = this.error === undefined ? undefined : ROUTER_ERRORS[this.error];
      const dispatched = this.attempts > 0;
      if (!opts.requestLog.admit(this.app?.app)) return;
      opts.requestLog.push(
        this.app?.app,
        routerLine(
          error,
          this.h.method,
          this.h.path,
          this.host,
          this.requestId,
          this.conn.fwd,
          this.lease?.target.dyno ?? '',
          dispatched ? this.connectMs : -1,
          dispatched ? performance.now() - this.dispatchedAt : -1,
          error ? error.status : this.status,
          this.bytes,
          this.conn.proto,
        ),
      );
    }
  }

  class Conn {
    /** Bytes read but not yet parsed: the start of the next request head, or pipelined requests. */
    buf: Buffer | null = null;
    searchFrom = 0;
    ex: Exchange | null = null;
    phase = Phase.Idle;
    phaseSince = performance.now();
    /** When the head being read started arriving; 0 while none is. */
    headSince = 0;
    readonly scanner = new ChunkedScanner();
    readonly resScanner = new ChunkedScanner();
    ended = false;
    closing = false;
    parsing = false;
    private fwdCache: string | undefined;
    private portCache: number | undefined;

    constructor(
      readonly socket: net.Socket,
      readonly proto: 'http' | 'https',
    ) {}

    get fwd(): string {
      if (this.fwdCache === undefined) {
        const address = this.socket.remoteAddress ?? '';
        this.fwdCache = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
      }
      return this.fwdCache;
    }

    /** The port the client connected to, for `X-Forwarded-Port`. */
    get localPort(): number {
      this.portCache ??= this.socket.localPort ?? 0;
      return this.portCache;
    }

    onData(chunk: Buffer): void {
      if (this.closing) return;
      const ex = this.ex;
      if (ex !== null && !ex.reqDone) {
        const end = ex.feedBody(chunk, 0);
        if (end < 0 || end >= chunk.length) return;
        chunk = chunk.subarray(end);
        if (this.ex !== null || this.closing) return this.append(chunk);
      } else if (ex !== null) return this.append(chunk);
      this.append(chunk);
      this.parse();
    }

    append(chunk: Buffer): void {
      if (this.buf === null) this.buf = chunk;
      else {
        this.buf = Buffer.concat([this.buf, chunk]);
        if (this.ex !== null && this.buf.length > MAX_HEAD) this.socket.pause(); // pipelined too far ahead
      }
    }

    /** Starts every request whose head is complete, one at a time. */
    parse(): void {
      if (this.parsing) return;
      this.parsing = true;
      try {
        while (this.ex === null && this.buf !== null && !this.closing) {
          const buf = this.buf;
          const end = findHeadEnd(buf, 0, this.searchFrom);
          if (typeof end !== 'number') return this.reject(end);
          if (end < 0) {
            this.searchFrom = buf.length;
            if (this.headSince === 0) this.headSince = performance.now();
            return;
          }
          const parsed = parseRequestHead(buf.toString('latin1', 0, end - 4));
          if ('reason' in parsed) return this.reject(parsed);
          if (parsed.upgrade === 'websocket' && parsed.method === 'GET') {
            this.handoff(buf);
            return;
          }
          this.buf = end < buf.length ? buf.subarray(end) : null;
          this.searchFrom = 0;
          this.headSince = 0;
          this.start(parsed);
          const ex = this.ex as Exchange | null;
          if (ex !== null && !ex.reqDone && this.buf !== null) {
            const rest: Buffer = this.buf;
            this.buf = null;
            const bodyEnd = ex.feedBody(rest, 0);
            if (bodyEnd >= 0 && bodyEnd < rest.length) this.buf = this.buf === null ? rest.subarray(bodyEnd) : Buffer.concat([rest.subarray(bodyEnd), this.buf]);
          }
        }
        if (this.ex === null && this.buf === null) {
          if (this.ended || draining) this.closeAfterWrite();
          else {
            this.phase = Phase.Idle;
            this.phaseSince = performance.now();
          }
        }
      } finally {
        this.parsing = false;
      }
    }

    /** A request whose head parsed: route it. */
    start(h: RequestHead): void {
      const host = normalizeHost(h.host) ?? '';
      const ex = new Exchange(this, h, host, pickRequestId(h.requestId));
      this.ex = ex;
      inFlight++;
      const app = opts.table().lookup(host);
      if (app === undefined) return ex.fail('no_such_app');
      ex.app = app;
      if (app.maintenance) return ex.fail('H80');
      if (app.targets.length === 0) return ex.fail('H14');
      ex.outHead =
        `${h.method} ${h.path} HTTP/1.${h.minor}\r\n${h.kept}X-Forwarded-For: ${this.fwd}\r\nX-Forwarded-Proto: ${this.proto}\r\n` +
        `X-Forwarded-Port: ${this.localPort}\r\nX-Request-Id: ${ex.requestId}\r\nX-Request-Start: ${Date.now()}\r\nVia: 1.1 slipway\r\n` +
        (h.minor === 0 ? 'Connection: close\r\n\r\n' : '\r\n');
      if (h.expectContinue && !ex.reqDone) {
        ex.sentContinue = true;
        this.socket.write('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');
      }
      ex.dispatch('H10');
    }

    /** The current request and its response are both over: go on to the next one. */
    exchangeOver(ex: Exchange): void {
      if (this.ex !== ex) return;
      this.ex = null;
      this.phase = Phase.Idle;
      this.phaseSince = performance.now();
      if (this.closing) return;
      if (this.socket.isPaused()) this.socket.resume();
      this.parse();
    }

    /** A head that breaks the rules: answer with its status and close. */
    reject(err: HeadError): void {
      const requestId = pickRequestId(undefined);
      if (opts.requestLog.admit(undefined)) opts.requestLog.push(
        undefined,
        formatRouterLine({ error: ROUTER_ERRORS.bad_request, method: '', path: '', host: '', requestId, fwd: this.fwd, status: err.status, bytes: 0, protocol: this.proto }),
      );
      this.answerAndClose(err.status, requestId);
    }

    answerAndClose(status: number, requestId: string): void {
      const body = `${STATUS_TEXT[status] ?? 'Bad Request'}\n\nRequest ID: ${requestId}\n`;
      this.buf = null;
      if (this.socket.writable) {
        this.socket.write(
          `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Bad Request'}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
          'latin1',
        );
      }
      this.closeAfterWrite();
    }

    closeAfterWrite(): void {
      if (this.closing) return;
      this.closing = true;
      this.socket.end();
      // A client that never reads would keep the socket half-open forever.
      this.phase = Phase.None;
      this.phaseSince = performance.now();
    }

    /** Bytes read into the shared client read buffer (already copied out of it). */
    handoff(bytes: Buffer): void {
      conns.delete(this);
      this.closing = true;
      this.buf = null;
      const socket = this.socket;
      socket.removeAllListeners('data');
      socket.removeAllListeners('end');
      socket.removeAllListeners('close');
      socket.removeAllListeners('drain');
      socket.pause();
      socket.unshift(bytes);
      opts.handoff(socket, bytes);
    }

    /**
     * The client closed its side. As Node's HTTP server does, a request in
     * flight counts as abandoned (H27, and the dyno's request is cut off);
     * otherwise the connection is closed once what was written is out.
     */
    onEnd(): void {
      this.ended = true;
      const ex = this.ex;
      if (ex !== null && !ex.finished) {
        ex.abort('H27');
        this.socket.destroy();
        return;
      }
      if (ex === null) this.closeAfterWrite();
    }

    onClose(): void {
      conns.delete(this);
      this.closing = true;
      const ex = this.ex;
      this.ex = null;
      if (ex !== null && !ex.finished) ex.abort('H27'); // unless an H18 or a timeout came first
    }

    onDrain(): void {
      const up = this.ex?.upstream;
      if (up != null && up.socket.isPaused()) up.socket.resume();
    }

    /** Called by the sweep: acts on whatever timed out. */
    check(now: number): void {
      const since = now - this.phaseSince;
      switch (this.phase) {
        case Phase.Idle:
          if (this.headSince !== 0) {
            if (now - this.headSince > opts.headTimeoutMs) this.slowClient();
          } else if (since > opts.keepAliveTimeoutMs) this.socket.destroy();
          return;
        case Phase.Connecting:
          if (since > opts.connectTimeoutMs) {
            const up = this.ex?.upstream;
            if (up != null) {
              up.errorCode = 'ECONNECTTIMEOUT';
              up.socket.destroy();
            }
          }
          return;
        case Phase.Upload:
          if (since > opts.idleTimeoutMs) this.ex?.fail('H15');
          return;
        case Phase.FirstByte:
          if (since > opts.firstByteTimeoutMs) this.ex?.fail('H12');
          return;
        case Phase.Response:
          if (since > opts.idleTimeoutMs) {
            this.ex?.abort('H15');
            this.socket.destroy();
          }
          return;
        case Phase.None:
          if (since > opts.idleTimeoutMs) this.socket.destroy();
          return;
      }
    }

    /** Slowloris: the head did not arrive within the head timeout. */
    slowClient(): void {
      const requestId = pickRequestId(undefined);
      opts.log(`at=warn fn=router desc="request head too slow, connection closed" fwd="${this.fwd}" request_id=${requestId}`);
      this.answerAndClose(408, requestId);
    }
  }

  const sweepMs = Math.max(10, Math.min(1000, Math.floor(Math.min(opts.firstByteTimeoutMs, opts.idleTimeoutMs, opts.headTimeoutMs, opts.keepAliveTimeoutMs, opts.connectTimeoutMs) / 4)));
  const sweeper = setInterval(() => {
    const now = performance.now();
    for (const conn of conns) conn.check(now);
    opts.pool.sweep(now);
  }, sweepMs);
  sweeper.unref();

  const listen = (socket: net.Socket, conn: Conn): void => {
    conns.add(conn);
    socket.setNoDelay(true);
    socket.on('end', () => conn.onEnd());
    socket.on('close', () => conn.onClose());
    socket.on('drain', () => conn.onDrain());
    socket.on('error', () => undefined);
  };

  return {
    handleConnection(socket: net.Socket, proto: 'http' | 'https'): void {
      if (draining) {
        socket.destroy();
        return;
      }
      const conn = new Conn(socket, proto);
      socket.on('data', (chunk: Buffer) => conn.onData(chunk));
      listen(socket, conn);
      if (socket.isPaused()) socket.resume();
    },
    openCount: () => inFlight,
    connectionCount: () => conns.size,
    drain(): void {
      draining = true;
      for (const conn of conns) if (conn.ex === null && conn.buf === null) conn.socket.destroy();
    },
    destroyAll(): void {
      draining = true;
      clearInterval(sweeper);
      for (const conn of conns) conn.socket.destroy();
      conns.clear();
      opts.pool.destroyAll();
    },
  };
}
