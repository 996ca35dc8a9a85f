import net from 'node:net';
import tls from 'node:tls';
import { Balancer } from './balancer.js';
import { createFrontDoor, type FrontDoor } from './front-door.js';
import { createProxy } from './proxy.js';
import type { RequestLogSink } from './request-log.js';
import type { RouteTable } from './route-table.js';
import { createRouterServer, listen } from './server.js';
import { UpstreamPool } from './upstream-pool.js';

/** A certificate and its key, PEM. */
export interface CertPair {
  cert: string;
  key: string;
}

/** A certificate uploaded for some hostnames (`sni-endpoints`). */
export interface SniCertificate extends CertPair {
  hostnames: string[];
}

/** Settings a serving process needs, whether it is this one or a cluster worker. */
export interface ServeSettings {
  domain: string;
  port: number;
  host: string;
  upstreamHost: string;
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
  headTimeoutMs: number;
  keepAliveTimeoutMs: number;
  connectTimeoutMs: number;
  /** Router log lines per app per second (per process) before Heroku's L10 drops the rest; default 1,000. */
  logLinesPerSecond?: number;
  /**
   * An HTTPS listener too, when given. `issuing`: a hostname the router
   * serves that no uploaded certificate covers gets one from the issuer
   * (`ListenerOptions.issue`) on its first handshake.
   */
  tls?: { port: number; defaultCert?: CertPair; issuing?: boolean };
}

export interface ListenerOptions extends Omit<ServeSettings, 'domain'> {
  table: () => RouteTable;
  log: (line: string) => void;
  requestLog: RequestLogSink;
  /** Issues a certificate for a hostname (see `ServeSettings.tls.issuing`); undefined: serve the default. */
  issue?: (hostname: string) => Promise<CertPair | undefined>;
}

/** One process's listeners: the fast path for HTTP/1.x, http-proxy for WebSockets. */
export interface Listeners {
  port: number;
  tlsPort: number | undefined;
  balancer: Balancer;
  openCount(): number;
  connectionCount(): number;
  /** Replaces the uploaded certificates served by SNI. */
  setCertificates(certs: readonly SniCertificate[]): void;
  close(graceMs: number): Promise<void>;
}

export async function startListeners(o: ListenerOptions): Promise<Listeners> {
  const balancer = new Balancer();
  const pool = new UpstreamPool(o.upstreamHost);
  // WebSockets go through http-proxy: the front door hands the connection over
  // as soon as it reads an upgrade head, and Node's HTTP server takes it from there.
  const proxy = createProxy({
    table: o.table,
    log: o.log,
    requestLog: (app, line) => o.requestLog.push(app, line),
    listenerPort: () => 0,
    upstreamHost: o.upstreamHost,
    firstByteTimeoutMs: o.firstByteTimeoutMs,
    idleTimeoutMs: o.idleTimeoutMs,
    balancer,
  });
  const upgrades = createRouterServer(proxy, o.log);
  const door: FrontDoor = createFrontDoor({
    table: o.table,
    balancer,
    pool,
    firstByteTimeoutMs: o.firstByteTimeoutMs,
    idleTimeoutMs: o.idleTimeoutMs,
    headTimeoutMs: o.headTimeoutMs,
    keepAliveTimeoutMs: o.keepAliveTimeoutMs,
    connectTimeoutMs: o.connectTimeoutMs,
    requestLog: o.requestLog,
    log: o.log,
    handoff: (socket) => {
      upgrades.emit('connection', socket);
      socket.resume();
    },
  });

  const server = net.createServer({ allowHalfOpen: true }, (socket) => door.handleConnection(socket, 'http'));
  const port = await listen(server, o.port, o.host);
  server.on('error', (err) => o.log(`at=error fn=router desc="listener error" error=${JSON.stringify(err.message)}`));

  let contexts = new Map<string, tls.SecureContext>();
  const issuedContexts = new Map<string, Promise<tls.SecureContext | undefined>>();
  /** A certificate from the issuer, once per hostname; a failure is logged, the default served, and the next handshake asks again. */
  const issued = (name: string): Promise<tls.SecureContext | undefined> => {
    let pending = issuedContexts.get(name);
    if (pending === undefined) {
      if (issuedContexts.size >= 10_000) issuedContexts.clear();
      pending = (o.issue as (hostname: string) => Promise<CertPair | undefined>)(name).then(
        (pair) => (pair === undefined ? undefined : tls.createSecureContext({ cert: pair.cert, key: pair.key })),
        (err: unknown) => {
          issuedContexts.delete(name);
          o.log(`at=error fn=router desc="could not issue a certificate" hostname=${name} error=${JSON.stringify(err instanceof Error ? err.message : String(err))}`);
          return undefined;
        },
      );
      issuedContexts.set(name, pending);
    }
    return pending;
  };
  let tlsServer: tls.Server | undefined;
  const handshaking = new Set<net.Socket>();
  let tlsPort: number | undefined;
  if (o.tls) {
    // The default certificate is served through SNI too, never set on the server itself: Node adds an SNI context's
    // certificate beside the server's own, so a default with another key type (ECDSA beside an uploaded RSA one)
    // would still be the one a client that prefers it gets. So HTTPS is SNI-only, as Heroku's is.
    const fallback = o.tls.defaultCert === undefined ? undefined : tls.createSecureContext({ cert: o.tls.defaultCert.cert, key: o.tls.defaultCert.key });
    tlsServer = tls.createServer(
      {
        allowHalfOpen: true,
        // A handshake is part of the head: the same slowloris limit applies.
        handshakeTimeout: o.headTimeoutMs,
        SNICallback: (servername, cb) => {
          const name = servername.toLowerCase();
          const dot = name.indexOf('.');
          const uploaded = contexts.get(name) ?? (dot > 0 ? contexts.get(`*${name.slice(dot)}`) : undefined);
          // Only for exact hostnames of known apps: a name nobody routes, or one under a wildcard domain, gets the default.
          if (uploaded !== undefined || !o.tls?.issuing || o.issue === undefined || o.table().exact(name) === undefined) return cb(null, uploaded ?? fallback);
          issued(name).then((context) => cb(null, context ?? fallback));
        },
      },
      (socket) => door.handleConnection(socket as unknown as net.Socket, 'https'),
    );
    tlsServer.on('tlsClientError', (_err, socket) => socket.destroy());
    tlsServer.on('connection', (socket: net.Socket) => {
      handshaking.add(socket);
      socket.once('close', () => handshaking.delete(socket));
    });
    tlsPort = await listen(tlsServer, o.tls.port, o.host);
    tlsServer.on('error', (err) => o.log(`at=error fn=router desc="TLS listener error" error=${JSON.stringify(err.message)}`));
  }

  return {
    port,
    tlsPort,
    balancer,
    openCount: () => door.openCount() + proxy.openCount(),
    connectionCount: () => door.connectionCount(),
    setCertificates(certs) {
      const next = new Map<string, tls.SecureContext>();
      for (const c of certs) {
        try {
          const context = tls.createSecureContext({ cert: c.cert, key: c.key });
          for (const h of c.hostnames) next.set(h.toLowerCase(), context);
        } catch (err) {
          o.log(`at=error fn=router desc="certificate rejected" hostnames=${JSON.stringify(c.hostnames.join(','))} error=${JSON.stringify(err instanceof Error ? err.message : String(err))}`);
        }
      }
      contexts = next;
    },
    async close(graceMs) {
      const closed = Promise.all([
        new Promise<void>((resolve) => server.close(() => resolve())),
        tlsServer ? new Promise<void>((resolve) => tlsServer.close(() => resolve())) : Promise.resolve(),
      ]);
      door.drain();
      const deadline = Date.now() + graceMs;
      while (door.openCount() + proxy.openCount() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      door.destroyAll();
      upgrades.closeAllConnections();
      proxy.close();
      // Connections still in (or stuck in) a TLS handshake never reached the front door.
      for (const socket of handshaking) socket.destroy();
      await closed;
    },
  };
}
