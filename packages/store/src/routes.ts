import type { AppName, AppRoutes } from '@slipway/core';
import type { Redis } from 'ioredis';
import { keys } from './keys.js';

/** Replaces one app's routes and appends a route event in the same transaction. */
export async function putAppRoutes(redis: Redis, routes: AppRoutes): Promise<void> {
  await redis
    .multi()
    .hset(keys.routes(), routes.app, JSON.stringify(routes))
    .xadd(keys.routeEvents(), 'MAXLEN', '~', '10000', '*', 'app', routes.app)
    .exec();
}

export async function getAppRoutes(redis: Redis, app: AppName): Promise<AppRoutes | null> {
  const json = await redis.hget(keys.routes(), app);
  return json ? (JSON.parse(json) as AppRoutes) : null;
}

/** Every app's routes. A record that is not JSON is skipped (and reported), so one bad record cannot stop routing for all. */
export async function listRoutes(redis: Redis, onBadRecord: (app: string, err: unknown) => void = () => undefined): Promise<AppRoutes[]> {
  const all = await redis.hgetall(keys.routes());
  const routes: AppRoutes[] = [];
  for (const [app, json] of Object.entries(all)) {
    try {
      routes.push(JSON.parse(json) as AppRoutes);
    } catch (err) {
      onBadRecord(app, err);
    }
  }
  return routes;
}
