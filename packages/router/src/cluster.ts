import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import type { AppRoutes } from '@slipway/core';
import type { ServeSettings } from './listener.js';
import type { CertPair, SniCertificate } from './listener.js';
import type { RouteTable } from './route-table.js';

/** What the primary tells a worker. */
export type ToWorker =
  | { t: 'start'; settings: ServeSettings; routes: AppRoutes[]; certs: SniCertificate[] }
  | { t: 'apps'; set: AppRoutes[]; gone: string[] }
  | { t: 'certs'; certs: SniCertificate[] }
  | { t: 'close'; graceMs: number }
  | { t: 'issued'; id: number; cert: CertPair | undefined };

/** What a worker tells the primary. */
export type FromWorker =
  | { t: 'ready' }
  | { t: 'listening'; port: number; tlsPort: number | undefined }
  | { t: 'failed'; error: string }
  | { t: 'log'; apps: Array<string | undefined>; lines: string[] }
  | { t: 'line'; line: string }
  | { t: 'issue'; id: number; hostname: string };

export interface WorkersOptions {
  count: number;
  settings: ServeSettings;
  table: RouteTable;
  certificates: SniCertificate[];
  log: (line: string) => void;
  /** Request log batches from the workers. */
  deliver: (apps: Array<string | undefined>, lines: string[]) => void;
  /** Certificates the workers ask for (`ServeSettings.tls.issuing`). */
  issue?: (hostname: string) => Promise<CertPair | undefined>;
  /** Extra flags for the workers' node (after this process's own). */
  nodeArgs?: string[];
}

export interface Workers {
  port: number;
  tlsPort: number | undefined;
  sendTable(table: RouteTable): void;
  sendCertificates(certs: SniCertificate[]): void;
  close(graceMs: number): Promise<void>;
}

/**
 * Forks `count` serving processes with node:cluster. They share the listening
 * port (with several, the primary hands out connections round-robin), each runs the fast
 * path on its own, and none of them talks to Redis: this process keeps the
 * one route sync and sends each worker what changed (apps set or gone), so a
 * change reaches every worker within one IPC message. A worker that dies is
 * replaced after a second.
 */
export async function startWorkers(o: WorkersOptions): Promise<Workers> {
  const here = fileURLToPath(import.meta.url);
  const typescript = here.endsWith('.ts');
  const exec = here.replace(/cluster\.(ts|js)$/, typescript ? 'worker.ts' : 'worker.js');
  const execArgv = [...(typescript && !process.execArgv.some((a) => a.includes('tsx')) ? [...process.execArgv, '--import', 'tsx'] : process.execArgv), ...(o.nodeArgs ?? [])];
  // One worker accepts its own connections: with round-robin this process would accept each one and pass it on,
  // putting its own event loop (the daemon's builds and API) back in the path of every new connection.
  // It is settled by the first fork in a process, so a later call with more workers keeps it.
  if (o.count === 1 && Object.keys(cluster.workers ?? {}).length === 0) cluster.schedulingPolicy = cluster.SCHED_NONE;
  cluster.setupPrimary({ exec, execArgv, args: [] });

  const settings: ServeSettings = { ...o.settings };
  let table = o.table;
  let certs = o.certificates;
  let sent = new Map<string, AppRoutes>(table.apps.map((a) => [a.app, a]));
  const workers = new Set<Worker>();
  let closing = false;

  function send(w: Worker, m: ToWorker): void {
    if (w.isConnected()) w.send(m, undefined, () => undefined);
  }

  function fork(): Promise<{ port: number; tlsPort: number | undefined }> {
    return new Promise((resolve, reject) => {
      const w = cluster.fork({ SLIPWAY_ROUTER_WORKER: '1' });
      workers.add(w);
      let started = false;
      w.on('message', (m: FromWorker) => {
        switch (m.t) {
          case 'ready':
            // Only now: a message sent before the worker listens for messages is lost.
            send(w, { t: 'start', settings, routes: [...table.apps], certs });
            break;
          case 'listening':
            started = true;
            resolve({ port: m.port, tlsPort: m.tlsPort });
            break;
          case 'failed':
            reject(new Error(`router worker failed to start: ${m.error}`));
            break;
          case 'log':
            o.deliver(m.apps, m.lines);
            break;
          case 'line':
            o.log(m.line);
            break;
          case 'issue': {
            const answer = (cert: CertPair | undefined): void => send(w, { t: 'issued', id: m.id, cert });
            if (o.issue === undefined) answer(undefined);
            else o.issue(m.hostname).then(answer, () => answer(undefined));
            break;
          }
        }
      });
      w.on('error', () => undefined);
      w.on('exit', (code, signal) => {
        workers.delete(w);
        if (!started) reject(new Error(`router worker exited before listening (code ${code}, signal ${signal})`));
        else if (!closing) {
          o.log(`at=error fn=router desc="worker exited, replacing it" pid=${w.process.pid} code=${code} signal=${signal}`);
          setTimeout(() => {
            if (!closing) fork().catch((err: unknown) => o.log(`at=error fn=router desc="could not replace a worker" error=${JSON.stringify(String(err))}`));
          }, 1000).unref();
        }
      });
    });
  }

  const first = await fork();
  // Port 0 stays 0 for the others: the cluster primary keys shared handles by
  // the requested address and port, so they get the handle the first one got.
  try {
    await Promise.all(Array.from({ length: o.count - 1 }, () => fork()));
  } catch (err) {
    closing = true;
    for (const w of workers) w.kill();
    throw err;
  }

  return {
    port: first.port,
    tlsPort: first.tlsPort,
    sendTable(next) {
      table = next;
      const set: AppRoutes[] = [];
      const gone: string[] = [];
      const now = new Map<string, AppRoutes>();
      for (const app of next.apps) {
        now.set(app.app, app);
        const before = sent.get(app.app);
        if (before !== app && (before === undefined || JSON.stringify(before) !== JSON.stringify(app))) set.push(app);
      }
      for (const name of sent.keys()) if (!now.has(name)) gone.push(name);
      sent = now;
      if (set.length === 0 && gone.length === 0) return;
      for (const w of workers) send(w, { t: 'apps', set, gone });
    },
    sendCertificates(next) {
      certs = next;
      for (const w of workers) send(w, { t: 'certs', certs: next });
    },
    async close(graceMs) {
      closing = true;
      await Promise.all(
        [...workers].map(
          (w) =>
            new Promise<void>((resolve) => {
              if (w.isDead()) return resolve();
              const kill = setTimeout(() => w.kill('SIGKILL'), graceMs + 2000);
              w.once('exit', () => {
                clearTimeout(kill);
                resolve();
              });
              send(w, { t: 'close', graceMs });
            }),
        ),
      );
    },
  };
}
