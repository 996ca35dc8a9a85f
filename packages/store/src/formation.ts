import type { AppName, Formation } from '@slipway/core';
import type { Redis } from 'ioredis';
import { keys } from './keys.js';

export async function getFormation(redis: Redis, app: AppName): Promise<Formation> {
  const json = await redis.get(keys.formation(app));
  return json ? (JSON.parse(json) as Formation) : {};
}

/** Writes the formation and tells the dyno manager in the same transaction. */
export async function putFormation(redis: Redis, app: AppName, formation: Formation): Promise<void> {
  await redis
    .multi()
    .set(keys.formation(app), JSON.stringify(formation))
    .xadd(keys.desiredEvents(), 'MAXLEN', '~', '10000', '*', 'app', app)
    .exec();
}

/**
 * Asks for a rolling restart of all dynos (`*`), one process type or one
 * dyno: every matching dyno started before now is replaced, new ones first.
 */
export async function requestRestart(redis: Redis, app: AppName, target: string): Promise<void> {
  await redis
    .multi()
    .hset(keys.restarts(app), target, new Date().toISOString())
    .xadd(keys.desiredEvents(), 'MAXLEN', '~', '10000', '*', 'app', app)
    .exec();
}

export async function getRestarts(redis: Redis, app: AppName): Promise<Record<string, string>> {
  return redis.hgetall(keys.restarts(app));
}
