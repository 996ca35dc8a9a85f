import type { AppRoutes } from '@slipway/core';
import { startWorkers } from './cluster.js';
import { startListeners, type CertPair, type ServeSettings, type SniCertificate } from './listener.js';
import { deliverLocally, RequestLog } from './request-log.js';
import type { RouteTable } from './route-table.js';
import { startRouteSync, type Redis } from './sync.js';

export { RouteTable, buildRouteTable, normalizeHost, parseAppRoutes } from './route-table.js';
export { Balancer, targetKey, type Lease } from './balancer.js';
export { ROUTER_ERRORS, errorPage, type RouterErrorKind } from './errors.js';
export { formatRouterLine, type RequestRecord } from './log-line.js';
export { ChunkedScanner, parseRequestHead, parseResponseHead, MAX_HEADERS, MAX_LINE } from './http1.js';
export type { CertPair, SniCertificate } from './listener.js';
export type { Redis } from './sync.js';

export interface RouterOptions {
  /** A store connection (from `connectRedis`); the router never closes it. */
  redis: Redis;
  /** Apps answer at `<app>.<domain>` as well as at their custom hostnames. */
  domain: string;
  /** 0 picks a free port; `Router.port` says which. */
  port: number;
  /** Default `0.0.0.0`. */
  host?: string;
  /** Sync, listener and error lines (`at=... fn=sync|router|proxy`); also request lines that have no app, or every request line when `appLog` is not given. Default: stdout. */
  log?: (line: string) => void;
  /**
   * One Heroku router line per request, for the app's log stream. Called in
   * batches from a timer, never on the request path; under pressure lines are
   * dropped (and the count logged) before requests slow down.
   */
  appLog?: (app: string, line: string) => void;
  /**
   * Serving processes. 1 (the default) serves in this process; more forks
   * that many workers with node:cluster, each running the fast path, while
   * this process keeps the Redis sync and forwards every table change to them.
   */
  processes?: number;
  /** An HTTPS listener on this port (0 picks a free one), with SNI from uploaded certificates. */
  tlsPort?: number;
  /** The certificate served when no uploaded one matches (normally `*.<domain>`). */
  defaultCert?: CertPair;
  /**
   * Issues a certificate for an exact hostname the router serves (an app's
   * own or a custom domain) that no uploaded certificate covers, on the first
   * handshake that asks for it; the router keeps it in memory. Undefined
   * from it, or no issuer, means the default certificate.
   */
  issueCertificate?: (hostname: string) => Promise<CertPair | undefined>;
  /** Full route re-read interval. Default 30 s. */
  resyncMs?: number;
  /** Address the dynos' ports are on. Default `127.0.0.1` (dynos share the host network). */
  upstreamHost?: string;
  /** H12: time from the request reaching the dyno to the first response byte. Default 30 s. */
  firstByteTimeoutMs?: number;
  /** H15: the longest a started response (or a request body upload) may stall. Default 55 s. */
  idleTimeoutMs?: number;
  /** A client still sending its request head after this long is cut off (slowloris). Default 30 s. */
  headTimeoutMs?: number;
  /** Idle keep-alive client connections are closed after this long. Default 60 s. */
  keepAliveTimeoutMs?: number;
  /** A dyno that does not accept a connection within this long counts as refusing it. Default 5 s. */
  connectTimeoutMs?: number;
  /** How long `close()` waits for requests in flight. Default 10 s. */
  closeGraceMs?: number;
  /**
   * Serve from forked worker processes even when `processes` is 1, so that
   * nothing else this process does (builds, log shipping, the API) delays a
   * request. Default false: the caller's process serves when `processes` is 1.
   */
  separateProcess?: boolean;
  /** Extra flags for the worker processes' node (for profiling, say: `--cpu-prof`). */
  workerNodeArgs?: string[];
  /**
   * Router log lines an app may write per second, per router process (default
   * 1,000). Past it the rest of that second's lines are dropped and the app's
   * log says so once (`Error L10 (output buffer overflow)`), as Heroku's does.
   */
  logLinesPerSecond?: number;
}

export interface Router {
  port: number;
  /** The HTTPS port, when `tlsPort` was given. */
  tlsPort: number | undefined;
  /** Processes serving requests (this one, or the cluster workers). */
  processes: number;
  close(): Promise<void>;
  table(): RouteTable;
  /**
   * Resolves true once this router sends the app's requests to exactly these
   * targets (false after `timeoutMs`). The dyno manager waits on it before it
   * stops a dyno it has taken out of the routes, so no request reaches a
   * dyno that has been told to stop.
   */
  serving(routes: Pick<AppRoutes, 'app' | 'targets'>, timeoutMs?: number): Promise<boolean>;
}

export type { ServeSettings } from './listener.js';

/**
 * Watches the routes, loads them, and only then listens: the first request
 * the router answers already sees every app. Resolves once it is listening.
 */
export async function startRouter(opts: RouterOptions): Promise<Router> {
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new Error(`router port ${opts.port} is not a port number`);
  if (opts.tlsPort !== undefined && (!Number.isInteger(opts.tlsPort) || opts.tlsPort < 0 || opts.tlsPort > 65535)) throw new Error(`router TLS port ${opts.tlsPort} is not a port number`);
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const processes = Math.max(1, Math.floor(opts.processes ?? 1));
  const settings: ServeSettings = {
    domain: opts.domain,
    port: opts.port,
    host: opts.host ?? '0.0.0.0',
    upstreamHost: opts.upstreamHost ?? '127.0.0.1',
    firstByteTimeoutMs: opts.firstByteTimeoutMs ?? 30_000,
    idleTimeoutMs: opts.idleTimeoutMs ?? 55_000,
    headTimeoutMs: opts.headTimeoutMs ?? 30_000,
    keepAliveTimeoutMs: opts.keepAliveTimeoutMs ?? 60_000,
    connectTimeoutMs: opts.connectTimeoutMs ?? 5_000,
    ...(opts.logLinesPerSecond === undefined ? {} : { logLinesPerSecond: opts.logLinesPerSecond }),
    ...(opts.tlsPort === undefined ? {} : { tls: { port: opts.tlsPort, ...(opts.defaultCert ? { defaultCert: opts.defaultCert } : {}), issuing: opts.issueCertificate !== undefined } }),
  };
  const closeGraceMs = opts.closeGraceMs ?? 10_000;
  const deliver = deliverLocally(log, opts.appLog);
  const requestLog = new RequestLog({ deliver, log, ...(opts.logLinesPerSecond === undefined ? {} : { perAppPerSecond: opts.logLinesPerSecond }) });

  let onTable: ((table: RouteTable) => void) | undefined;
  const waiters = new Set<() => void>();
  let onCertificates: ((certs: SniCertificate[]) => void) | undefined;
  const sync = await startRouteSync({
    redis: opts.redis,
    domain: opts.domain,
    log,
    resyncMs: opts.resyncMs ?? 30_000,
    onTable: (table) => {
      onTable?.(table);
      for (const check of waiters) check();
    },
    onCertificates: (certs) => onCertificates?.(certs),
  });

  const serving = (routes: Pick<AppRoutes, 'app' | 'targets'>, timeoutMs = 1000): Promise<boolean> =>
    new Promise((resolve) => {
      const want = targetsKey(routes.targets);
      const check = (): void => {
        if (targetsKey(sync.table().app(routes.app)?.targets ?? []) !== want) return;
        done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        waiters.delete(check);
        resolve(ok);
      };
      waiters.add(check);
      check();
    });

  /** The router, once `server` (this process's listeners, or the workers) is listening. */
  const serve = (server: { port: number; tlsPort: number | undefined; close(graceMs: number): Promise<void> }, count: number): Router => {
    log(`at=info fn=router desc="listening" port=${server.port}${server.tlsPort === undefined ? '' : ` tls_port=${server.tlsPort}`} domain=${sync.table().domain} processes=${count}`);
    let closing: Promise<void> | undefined;
    return {
      port: server.port,
      tlsPort: server.tlsPort,
      processes: count,
      table: sync.table,
      serving,
      close() {
        closing ??= (async () => {
          await server.close(closeGraceMs);
          await sync.close();
          requestLog.flush();
        })();
        return closing;
      },
    };
  };

  try {
    if (processes === 1 && !opts.separateProcess) {
      const listeners = await startListeners({ ...settings, table: sync.table, log, requestLog, ...(opts.issueCertificate ? { issue: opts.issueCertificate } : {}) });
      listeners.setCertificates(sync.certificates());
      onTable = (table) => listeners.balancer.forgetApps(new Set(table.apps.map((a) => a.app)));
      onCertificates = (certs) => listeners.setCertificates(certs);
      return serve(listeners, 1);
    }

    const workers = await startWorkers({ count: processes, settings, table: sync.table(), certificates: sync.certificates(), log, deliver, ...(opts.workerNodeArgs ? { nodeArgs: opts.workerNodeArgs } : {}), ...(opts.issueCertificate ? { issue: opts.issueCertificate } : {}) });
    onTable = (table) => workers.sendTable(table);
    onCertificates = (certs) => workers.sendCertificates(certs);
    return serve(workers, processes);
  } catch (err) {
    await sync.close();
    throw err;
  }
}

function targetsKey(targets: AppRoutes['targets']): string {
  return targets.map((t) => `${t.dyno}:${t.port}`).sort().join(',');
}
