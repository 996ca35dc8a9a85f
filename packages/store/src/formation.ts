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
