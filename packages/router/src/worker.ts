/**
 * A cluster worker: serves the fast path with routes the primary sends it.
 * It never talks to Redis; see cluster.ts.
 */
import type { AppRoutes } from '@slipway/core';
import type { FromWorker, ToWorker } from './cluster.js';
import { startListeners, type CertPair, type Listeners } from './listener.js';
import { RequestLog } from './request-log.js';
import { RouteTable } from './route-table.js';

let domain = '';
const routes = new Map<string, AppRoutes>();
let table: RouteTable | undefined;
let listeners: Listeners | undefined;
let pendingSends = 0;

function send(m: FromWorker, onSent?: () => void): boolean {
  if (!process.connected || !process.send) return false;
  return process.send(m, undefined, {}, () => onSent?.());
}

const log = (line: string): void => void send({ t: 'line', line });
function createRequestLog(perAppPerSecond: number | undefined): RequestLog {
  const requestLog: RequestLog = new RequestLog({
    deliver: (apps, lines) => {
      // The primary is behind: drop this batch rather than queue without bound.
      if (pendingSends > 8) return requestLog.drop(lines.length);
      pendingSends++;
      send({ t: 'log', apps, lines }, () => pendingSends--);
    },
    log,
    ...(perAppPerSecond === undefined ? {} : { perAppPerSecond }),
  });
  return requestLog;
}
let requestLog: RequestLog | undefined;

/** Certificates come from the primary, which holds the issuer. */
let nextIssue = 0;
const issuing = new Map<number, (cert: CertPair | undefined) => void>();
function issue(hostname: string): Promise<CertPair | undefined> {
  return new Promise((resolve) => {
    const id = nextIssue++;
    issuing.set(id, resolve);
    if (!send({ t: 'issue', id, hostname })) {
      issuing.delete(id);
      resolve(undefined);
    }
  });
}

function rebuild(): void {
  table = RouteTable.build(domain, [...routes.values()]);
  listeners?.balancer.forgetApps(new Set(routes.keys()));
}

process.on('message', (m: ToWorker) => {
  switch (m.t) {
    case 'start':
      domain = m.settings.domain;
      for (const r of m.routes) routes.set(r.app, r);
      rebuild();
      requestLog = createRequestLog(m.settings.logLinesPerSecond);
      startListeners({ ...m.settings, table: () => table as RouteTable, log, requestLog, issue }).then(
        (l) => {
          listeners = l;
          l.setCertificates(m.certs);
          send({ t: 'listening', port: l.port, tlsPort: l.tlsPort });
        },
        (err: unknown) => {
          send({ t: 'failed', error: err instanceof Error ? err.message : String(err) }, () => process.exit(1));
        },
      );
      break;
    case 'apps':
      for (const r of m.set) routes.set(r.app, r);
      for (const name of m.gone) routes.delete(name);
      rebuild();
      break;
    case 'certs':
      listeners?.setCertificates(m.certs);
      break;
    case 'issued':
      issuing.get(m.id)?.(m.cert);
      issuing.delete(m.id);
      break;
    case 'close':
      void (async () => {
        await listeners?.close(m.graceMs);
        requestLog?.flush();
        // Let the last log batch reach the primary, then go.
        setImmediate(() => process.disconnect());
      })();
      break;
  }
});

send({ t: 'ready' });

// The primary went away: nothing will send routes any more.
process.on('disconnect', () => process.exit(0));
