import { isAppName, type AppName, type AppRoutes } from '@slipway/core';
import { X509Certificate } from 'node:crypto';
import { getAppRoutes, listRoutes, listSniEndpoints, watchRoutes, type SniEndpointRecord, type Watch } from '@slipway/store';
import type { SniCertificate } from './listener.js';
import { buildRouteTable, parseAppRoutes, RouteTable } from './route-table.js';

/** The connection `store` works with, named without importing ioredis here. */
export type Redis = Parameters<typeof listRoutes>[0];

export interface RouteSyncOptions {
  redis: Redis;
  domain: string;
  log: (line: string) => void;
  /** Full re-read of every route, in case an event was missed. */
  resyncMs: number;
  /** How long one Redis call may take before it counts as failed (the connection queues commands while Redis is down). */
  redisTimeoutMs?: number;
  /** Called with every table that is swapped in. */
  onTable?: (table: RouteTable) => void;
  /** Called with every new set of uploaded certificates. */
  onCertificates?: (certs: SniCertificate[]) => void;
}

export interface RouteSync {
  /** The current table: always a complete one, never a half-applied change. */
  table(): RouteTable;
  /** The uploaded certificates, for the HTTPS listener's SNI. */
  certificates(): SniCertificate[];
  close(): Promise<void>;
}

const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 5000;

/**
 * Watch, then list, then serve (Flynn's `router/sync.go`). The watch is opened
 * before the list, so a change written in between shows up as an event and is
 * applied again; applying is idempotent because it re-reads the app.
 *
 * Resolves once the first table is in place, retrying with a backoff until
 * Redis answers. After that a failure never empties the table: the last good
 * one keeps serving while the sync retries.
 */
export async function startRouteSync(opts: RouteSyncOptions): Promise<RouteSync> {
  const { redis, domain, log, resyncMs } = opts;
  const redisTimeoutMs = opts.redisTimeoutMs ?? 5000;
  let current = RouteTable.empty(domain);
  let certificates: SniCertificate[] = [];
  let certificatesKey = '[]';
  const certNames = new Map<string, string[]>();

  /**
   * Uploaded certificates, each served for the hostnames of its app (custom
   * ones and `<app>.<domain>`) that it covers. Re-read with every batch of
   * changes: the API announces a certificate change as a route event.
   */
  async function refreshCertificates(): Promise<void> {
    const endpoints: SniEndpointRecord[] = await withTimeout(listSniEndpoints(redis), redisTimeoutMs, 'listing certificates');
    const next: SniCertificate[] = [];
    for (const e of endpoints) {
      let names = certNames.get(e.id);
      if (names === undefined) {
        try {
          const cert = new X509Certificate(e.certificateChain);
          names = (cert.subjectAltName ?? '').split(',').map((n) => n.trim()).filter((n) => n.startsWith('DNS:')).map((n) => n.slice(4).toLowerCase());
        } catch {
          names = [];
        }
        certNames.set(e.id, names);
      }
      const app = current.app(e.app);
      if (!app) continue;
      const covered = [`${app.app}.${current.domain}`, ...app.hostnames].filter((h) => (names as string[]).some((n) => n === h || (n.startsWith('*.') && h.endsWith(n.slice(1)) && !h.slice(0, -n.length + 1).includes('.'))));
      if (covered.length > 0) next.push({ hostnames: covered, cert: e.certificateChain, key: e.privateKey });
    }
    const key = JSON.stringify(next.map((c) => [c.hostnames, c.cert.length]));
    if (key === certificatesKey) return;
    certificatesKey = key;
    certificates = next;
    opts.onCertificates?.(next);
  }
  let closed = false;
  let watch: Watch | undefined;
  let resyncTimer: NodeJS.Timeout | undefined;
  let failures = 0;

  // Every change to the table goes through this chain, one at a time, so a slow
  // full resync can never overwrite a newer per-app change with an older list.
  let chain: Promise<unknown> = Promise.resolve();
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = chain.then(fn);
    chain = next.catch(() => undefined);
    return next;
  }

  function swap(next: RouteTable): void {
    if (next === current) return;
    for (const conflict of next.conflicts) if (!current.conflicts.includes(conflict)) log(`at=warn fn=sync desc="hostname conflict" detail=${JSON.stringify(conflict)}`);
    current = next;
    opts.onTable?.(next);
  }

  async function fullSync(): Promise<void> {
    const all = await withTimeout(listRoutes(redis), redisTimeoutMs, 'listing routes');
    const next: AppRoutes[] = [];
    for (const raw of all as unknown[]) {
      const parsed = parseAppRoutes(raw);
      if (parsed.ok) {
        next.push(parsed.routes);
        continue;
      }
      // One bad record must not freeze routing for every other app: keep that
      // app's last good routes and use the new ones for the rest.
      const name = appNameOf(raw);
      const previous = name === undefined ? undefined : current.app(name);
      logInvalid(name, parsed.problems, previous !== undefined);
      if (previous) next.push(previous);
    }
    swap(buildRouteTable(domain, next));
    await refreshCertificates();
  }

  /**
   * Change events are collected and applied together: one read per app and
   * one new table per batch, so a burst of thousands of events (a restart of
   * every app, say) costs a few table builds, not one per event.
   */
  const pending = new Set<string>();
  let applyScheduled = false;
  function enqueue(app: string): void {
    if (!isAppName(app)) {
      log(`at=warn fn=sync desc="route event without a valid app" app=${JSON.stringify(app)}`);
      return;
    }
    pending.add(app);
    if (applyScheduled) return;
    applyScheduled = true;
    setImmediate(() => {
      applyScheduled = false;
      serial(applyPending).catch((err: unknown) => {
        logError('applying route changes failed, resyncing', err);
        scheduleResync(backoff(1));
      });
    });
  }

  async function applyPending(): Promise<void> {
    if (pending.size === 0) return;
    const apps = [...pending];
    pending.clear();
    const raws = await withTimeout(Promise.all(apps.map((app) => getAppRoutes(redis, app as AppName))), redisTimeoutMs, `reading routes of ${apps.length} apps`);
    const next = new Map(current.apps.map((a) => [a.app as string, a]));
    apps.forEach((app, i) => {
      const raw = raws[i];
      if (raw === null || raw === undefined) {
        next.delete(app);
        return;
      }
      const parsed = parseAppRoutes(raw);
      if (!parsed.ok) logInvalid(app, parsed.problems, current.app(app) !== undefined);
      else next.set(app, parsed.routes);
    });
    swap(buildRouteTable(domain, [...next.values()]));
    await refreshCertificates();
  }

  function logInvalid(app: string | undefined, problems: string[], kept: boolean): void {
    log(`at=error fn=sync desc="invalid routes ignored" app=${app ?? '?'} kept_previous=${kept} problems=${JSON.stringify(problems.join('; '))}`);
  }

  function logError(what: string, err: unknown): void {
    log(`at=error fn=sync desc=${JSON.stringify(what)} error=${JSON.stringify(errorText(err))}`);
  }

  function scheduleResync(delayMs: number): void {
    if (closed) return;
    if (resyncTimer) clearTimeout(resyncTimer);
    resyncTimer = setTimeout(() => void resync(), delayMs);
    resyncTimer.unref();
  }

  async function resync(): Promise<void> {
    resyncTimer = undefined;
    try {
      await serial(fullSync);
      failures = 0;
      scheduleResync(resyncMs);
    } catch (err) {
      failures++;
      logError('resync failed, serving the last good table', err);
      scheduleResync(backoff(failures));
    }
  }

  async function openWatch(): Promise<Watch> {
    let abandoned = false;
    const opening = watchRoutes(redis, (err) => logError('route watch failed, retrying', err));
    // A watch that opens after we gave up on it still holds a connection: close it.
    opening.then((w) => abandoned && w.close(), () => undefined);
    try {
      return await withTimeout(opening, redisTimeoutMs, 'opening the route watch');
    } catch (err) {
      abandoned = true;
      throw err;
    }
  }

  /** Opens the watch and loads every route, retrying until both have worked once. */
  async function watchThenList(): Promise<void> {
    for (let attempt = 1; !closed; attempt++) {
      try {
        watch ??= await openWatch();
        await serial(fullSync);
        return;
      } catch (err) {
        logError('sync failed, serving the last good table and retrying', err);
        await sleep(backoff(attempt));
      }
    }
  }

  /** Applies change events until closed; reopens the watch (and lists again) if it ever ends. */
  async function follow(): Promise<void> {
    while (!closed) {
      const w = watch;
      if (!w) {
        await watchThenList();
        continue;
      }
      for await (const change of w) {
        if (closed) break;
        enqueue(change.app);
      }
      watch = undefined;
      w.close();
    }
  }

  await watchThenList();
  if (closed) throw new Error('route sync closed before it started');
  log(`at=info fn=sync desc="routes loaded" apps=${current.size}`);
  scheduleResync(resyncMs);
  const following = follow().catch((err) => logError('route sync stopped', err));

  return {
    table: () => current,
    certificates: () => certificates,
    async close() {
      if (closed) return;
      closed = true;
      if (resyncTimer) clearTimeout(resyncTimer);
      watch?.close();
      await Promise.race([following, sleep(1000)]);
    },
  };
}

function appNameOf(raw: unknown): string | undefined {
  const app = typeof raw === 'object' && raw !== null ? (raw as { app?: unknown }).app : undefined;
  return typeof app === 'string' ? app : undefined;
}

function backoff(attempt: number): number {
  return Math.min(BACKOFF_MIN_MS * 2 ** Math.max(0, attempt - 1), BACKOFF_MAX_MS);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: Redis did not answer within ${ms}ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
