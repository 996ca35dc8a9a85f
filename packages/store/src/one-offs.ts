import type { AppName } from '@slipway/core';
import type { Redis } from 'ioredis';
import { keys } from './keys.js';

/** The number of the app's next one-off dyno (`run.N`): 1, 2, 3, ... never reused while the app exists. */
export async function nextOneOffNumber(redis: Redis, app: AppName): Promise<number> {
  return redis.incr(keys.runSeq(app));
}
