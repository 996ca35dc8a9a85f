import { randomUUID } from 'node:crypto';
import { SlipwayError, notFound, type AppName, type AppRecord } from '@slipway/core';
import type { Redis } from 'ioredis';
import { appKeys, keys } from './keys.js';

export async function createApp(redis: Redis, name: AppName, now = new Date()): Promise<AppRecord> {
  const at = now.toISOString();
  const app: AppRecord = { id: randomUUID(), name, createdAt: at, updatedAt: at, releasedAt: null, maintenance: false };
  const created = await redis.hsetnx(keys.apps(), name, JSON.stringify(app));
  if (created === 0) throw new SlipwayError('conflict', `Name ${name} is already taken.`, 'app');
  // The event makes the dyno manager publish the app's (empty) routes, so the
  // router answers 503 "no web dynos" for it rather than 404 "no such app".
  await redis.multi().hset(keys.appIds(), app.id, name).xadd(keys.desiredEvents(), 'MAXLEN', '~', '10000', '*', 'app', name).exec();
  return app;
}

export async function findApp(redis: Redis, nameOrId: string): Promise<AppRecord | null> {
  const direct = await redis.hget(keys.apps(), nameOrId);
  if (direct) return JSON.parse(direct) as AppRecord;
  const name = await redis.hget(keys.appIds(), nameOrId);
  if (!name) return null;
  const byId = await redis.hget(keys.apps(), name);
  return byId ? (JSON.parse(byId) as AppRecord) : null;
}

export async function getApp(redis: Redis, nameOrId: string): Promise<AppRecord> {
  const app = await findApp(redis, nameOrId);
  if (!app) throw notFound('app', nameOrId);
  return app;
}

export async function listApps(redis: Redis): Promise<AppRecord[]> {
  const all = await redis.hvals(keys.apps());
  return all.map((json) => JSON.parse(json) as AppRecord).sort((a, b) => a.name.localeCompare(b.name));
}

export async function updateApp(redis: Redis, name: AppName, patch: Partial<Pick<AppRecord, 'maintenance' | 'releasedAt'>>): Promise<AppRecord> {
  const app = await getApp(redis, name);
  const next: AppRecord = { ...app, ...patch, updatedAt: new Date().toISOString() };
  await redis.hset(keys.apps(), name, JSON.stringify(next));
  return next;
}

/** Removes the app and all of its keys in one transaction; its routes go with it. */
export async function deleteApp(redis: Redis, app: AppRecord): Promise<void> {
  await redis
    .multi()
    .hdel(keys.apps(), app.name)
    .hdel(keys.appIds(), app.id)
    .del(...appKeys(app.name))
    .hdel(keys.routes(), app.name)
    .xadd(keys.routeEvents(), 'MAXLEN', '~', '10000', '*', 'app', app.name)
    .xadd(keys.desiredEvents(), 'MAXLEN', '~', '10000', '*', 'app', app.name)
    .exec();
}
