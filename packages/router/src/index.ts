import type http from 'node:http';
import { createProxy, type RouterProxy } from './proxy.js';
import type { RouteTable } from './route-table.js';
import { closeServer, createRouterServer, listen } from './server.js';
import { startRouteSync, type Redis } from './sync.js';

export { RouteTable, buildRouteTable, normalizeHost, parseAppRoutes } from './route-table.js';
export { Balancer, targetKey, type Lease } from './balancer.js';
export { ROUTER_ERRORS, errorPage, type RouterErrorKind } from './errors.js';
export { formatRouterLine, type RequestRecord } from './log-line.js';
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
  /** One line per request in Heroku's router format, plus sync errors as `at=error fn=sync` lines. Default: stdout. */
  log?: (line: string) => void;
  /** Full route re-read interval. Default 30 s. */
  resyncMs?: number;
  /** Address the dynos' ports are on. Default `127.0.0.1` (dynos share the host network). */
  upstreamHost?: string;
  /** H12: time from the request reaching the dyno to the first response byte. Default 30 s. */
  firstByteTimeoutMs?: number;
  /** H15: the longest a started response may stall. Default 55 s. */
  idleTimeoutMs?: number;
  /** How long `close()` waits for requests in flight. Default 10 s. */
  closeGraceMs?: number;
}

export interface Router {
  server: http.Server;
  port: number;
  close(): Promise<void>;
  table(): RouteTable;
}

/**
 * Watches the routes, loads them, and only then listens: the first request
 * the router answers already sees every app. Resolves once it is listening.
 */
export async function startRouter(opts: RouterOptions): Promise<Router> {
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new Error(`router port ${opts.port} is not a port number`);
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  let proxy: RouterProxy | undefined;
  const sync = await startRouteSync({
    redis: opts.redis,
    domain: opts.domain,
    log,
    resyncMs: opts.resyncMs ?? 30_000,
    onTable: (table) => proxy?.balancer.forgetApps(new Set(table.apps.map((a) => a.app))),
  });

  let port = opts.port;
  const p = createProxy({
    table: sync.table,
    log,
    listenerPort: () => port,
    upstreamHost: opts.upstreamHost ?? '127.0.0.1',
    firstByteTimeoutMs: opts.firstByteTimeoutMs ?? 30_000,
    idleTimeoutMs: opts.idleTimeoutMs ?? 55_000,
  });
  proxy = p;
  const server = createRouterServer(p, log);
  try {
    port = await listen(server, opts.port, opts.host ?? '0.0.0.0');
  } catch (err) {
    p.close();
    await sync.close();
    throw err;
  }
  log(`at=info fn=router desc="listening" port=${port} domain=${sync.table().domain}`);

  let closing: Promise<void> | undefined;
  return {
    server,
    port,
    table: sync.table,
    close() {
      closing ??= (async () => {
        await closeServer(server, p.openCount, opts.closeGraceMs ?? 10_000, () => p.close());
        await sync.close();
      })();
      return closing;
    },
  };
}
