import { randomUUID } from 'node:crypto';
import { SlipwayError, type AppName, type AppRoutes } from '@slipway/core';
import type { Redis } from 'ioredis';
import { keys } from './keys.js';
import { withAppLock } from './locks.js';
import { getAppRoutes, putAppRoutes } from './routes.js';

/**
 * Custom domains, maintenance as the router sees it, and uploaded TLS
 * certificates (`sni-endpoints`). A hostname belongs to one app only: the
 * `slipway:hostnames` hash (hostname -> app) is the owner of record, taken
 * with HSETNX so two apps racing for one name cannot both win. Every change
 * is also written into the app's routes record (with a route event), which is
 * all the router reads.
 */

const domainsKey = keys.domains;
const sniKey = keys.sniEndpoints;

export interface DomainRecord {
  id: string;
  hostname: string;
  app: string;
  createdAt: string;
  updatedAt: string;
}

export interface SniEndpointRecord {
  id: string;
  app: string;
  name: string;
  certificateChain: string;
  privateKey: string;
  createdAt: string;
  updatedAt: string;
}

/** Lowercase labels of letters, digits and dashes, at least two of them; a leading `*.` for a wildcard. */
const HOSTNAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function parseHostname(input: unknown): string {
  const name = typeof input === 'string' ? input.trim().toLowerCase().replace(/\.$/, '') : '';
  if (name.length > 253 || !HOSTNAME.test(name)) {
    throw new SlipwayError('invalid_params', `${JSON.stringify(input)} is not a hostname: use letters, digits, dashes and dots, like www.example.com.`, 'domain');
  }
  return name;
}

export async function listDomains(redis: Redis, app: string): Promise<DomainRecord[]> {
  const all = await redis.hvals(domainsKey(app));
  return all.map((json) => JSON.parse(json) as DomainRecord).sort((a, b) => a.hostname.localeCompare(b.hostname));
}

/** Which app owns `hostname`, if any. */
export async function hostnameOwner(redis: Redis, hostname: string): Promise<string | null> {
  return redis.hget(keys.hostnames(), hostname);
}

/** Rewrites the app's routes record (and announces it), keeping its targets. Call under the app lock. */
async function rewriteRoutes(redis: Redis, app: AppName, change: (routes: AppRoutes) => AppRoutes): Promise<void> {
  const previous = await getAppRoutes(redis, app);
  const base: AppRoutes = previous ?? { app, hostnames: [], maintenance: false, targets: [] };
  await putAppRoutes(redis, change(base));
}

export async function addDomain(redis: Redis, app: AppName, hostname: string, now = new Date()): Promise<DomainRecord> {
  const name = parseHostname(hostname);
  return withAppLock(redis, app, 'domain change', async () => {
    const taken = await redis.hsetnx(keys.hostnames(), name, app);
    if (taken === 0) {
      const owner = await hostnameOwner(redis, name);
      if (owner === app) throw new SlipwayError('conflict', `${name} is already added to ${app}.`, 'domain');
      throw new SlipwayError('conflict', `${name} is already in use by another app.`, 'domain');
    }
    try {
      const record: DomainRecord = { id: randomUUID(), hostname: name, app, createdAt: now.toISOString(), updatedAt: now.toISOString() };
      await redis.hset(domainsKey(app), name, JSON.stringify(record));
      await rewriteRoutes(redis, app, (r) => ({ ...r, hostnames: [...r.hostnames.filter((h) => h !== name), name] }));
      return record;
    } catch (err) {
      await redis.hdel(keys.hostnames(), name).catch(() => undefined);
      throw err;
    }
  });
}

export async function removeDomain(redis: Redis, app: AppName, hostname: string): Promise<DomainRecord> {
  const name = parseHostname(hostname);
  return withAppLock(redis, app, 'domain change', async () => {
    const json = await redis.hget(domainsKey(app), name);
    if (json === null) throw new SlipwayError('not_found', `${name} is not a domain of ${app}.`, 'domain');
    await rewriteRoutes(redis, app, (r) => ({ ...r, hostnames: r.hostnames.filter((h) => h !== name) }));
    await redis.multi().hdel(domainsKey(app), name).hdel(keys.hostnames(), name).exec();
    return JSON.parse(json) as DomainRecord;
  });
}

/** Lets go of every hostname and certificate of an app that is being destroyed. */
export async function releaseAppDomains(redis: Redis, app: string): Promise<void> {
  const names = await redis.hkeys(domainsKey(app));
  const m = redis.multi().del(domainsKey(app));
  for (const name of names) m.hdel(keys.hostnames(), name);
  for (const e of await listSniEndpoints(redis, app)) m.hdel(sniKey(), e.id);
  await m.exec();
}

/**
 * Sets `maintenance` in the app's routes record, so the router answers 503
 * without waiting for the dyno manager to republish the routes.
 */
export async function setRoutesMaintenance(redis: Redis, app: AppName, on: boolean): Promise<void> {
  await rewriteRoutes(redis, app, (r) => ({ ...r, maintenance: on }));
}

/** Every uploaded certificate, or one app's. */
export async function listSniEndpoints(redis: Redis, app?: string): Promise<SniEndpointRecord[]> {
  const all = (await redis.hvals(sniKey())).map((json) => JSON.parse(json) as SniEndpointRecord);
  return all.filter((e) => app === undefined || e.app === app).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/** Stores a certificate (already checked by the caller) and announces it to the router with a route event. */
export async function addSniEndpoint(redis: Redis, app: AppName, cert: { certificateChain: string; privateKey: string }, now = new Date()): Promise<SniEndpointRecord> {
  return withAppLock(redis, app, 'certificate change', async () => {
    const id = randomUUID();
    const record: SniEndpointRecord = { id, app, name: `sni-${id.slice(0, 8)}`, certificateChain: cert.certificateChain, privateKey: cert.privateKey, createdAt: now.toISOString(), updatedAt: now.toISOString() };
    await redis.hset(sniKey(), id, JSON.stringify(record));
    await rewriteRoutes(redis, app, (r) => r);
    return record;
  });
}

export async function removeSniEndpoint(redis: Redis, app: AppName, idOrName: string): Promise<SniEndpointRecord> {
  return withAppLock(redis, app, 'certificate change', async () => {
    const found = (await listSniEndpoints(redis, app)).find((e) => e.id === idOrName || e.name === idOrName);
    if (!found) throw new SlipwayError('not_found', `No certificate ${idOrName} on ${app}.`, 'sni-endpoint');
    await redis.hdel(sniKey(), found.id);
    await rewriteRoutes(redis, app, (r) => r);
    return found;
  });
}
