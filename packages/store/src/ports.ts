import type { Redis } from 'ioredis';
import { keys } from './keys.js';

/**
 * Claims a port from the pool for `owner`. `isFree` lets the caller check the
 * host as well, since dynos share the host network with everything else.
 */
export async function claimPort(redis: Redis, owner: string, range: { min: number; max: number }, isFree: (port: number) => Promise<boolean>): Promise<number> {
  const size = range.max - range.min + 1;
  const start = Math.floor(Math.random() * size);
  for (let i = 0; i < size; i++) {
    const port = range.min + ((start + i) % size);
    if ((await redis.hsetnx(keys.ports(), String(port), owner)) === 0) continue;
    if (await isFree(port)) return port;
    await redis.hdel(keys.ports(), String(port));
  }
  throw new Error(`no free port in ${range.min}-${range.max}`);
}

export async function releasePort(redis: Redis, port: number): Promise<void> {
  await redis.hdel(keys.ports(), String(port));
}

export async function listClaimedPorts(redis: Redis): Promise<Map<number, string>> {
  const all = await redis.hgetall(keys.ports());
  return new Map(Object.entries(all).map(([port, owner]) => [Number(port), owner]));
}
