import type { AppName } from '@slipway/core';
import type { Redis } from 'ioredis';
import { keys } from './keys.js';

/** The app's buildpack setting (`buildpacks:set`), in order; empty means detect. */
export async function getBuildpacks(redis: Redis, app: AppName): Promise<string[]> {
  const json = await redis.get(keys.buildpacks(app));
  return json ? (JSON.parse(json) as string[]) : [];
}

export async function setBuildpacks(redis: Redis, app: AppName, buildpacks: string[]): Promise<void> {
  if (buildpacks.length === 0) await redis.del(keys.buildpacks(app));
  else await redis.set(keys.buildpacks(app), JSON.stringify(buildpacks));
}
