import { randomUUID } from 'node:crypto';
import { SlipwayError } from '@slipway/core';
import type { Redis } from 'ioredis';
import { keys } from './keys.js';

const RELEASE_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

export interface AppLock {
  release(): Promise<void>;
}

/**
 * A per-app lock that serialises deploys, config changes and rollbacks. It
 * expires if the holder dies, and is renewed while held so a long build keeps it.
 */
export async function acquireAppLock(redis: Redis, app: string, what: string, ttlMs = 30_000): Promise<AppLock> {
  const token = `${what}:${randomUUID()}`;
  const ok = await redis.set(keys.lock(app), token, 'PX', ttlMs, 'NX');
  if (ok !== 'OK') {
    const holder = (await redis.get(keys.lock(app))) ?? 'another operation';
    const activity = holder.split(':')[0] ?? 'another operation';
    throw new SlipwayError('conflict', `Another ${activity} is in progress for ${app}; try again when it has finished.`, 'app');
  }
  const timer = setInterval(() => {
    redis.eval(RENEW_SCRIPT, 1, keys.lock(app), token, String(ttlMs)).catch(() => undefined);
  }, ttlMs / 3);
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      await redis.eval(RELEASE_SCRIPT, 1, keys.lock(app), token);
    },
  };
}

export async function withAppLock<T>(redis: Redis, app: string, what: string, fn: () => Promise<T>): Promise<T> {
  const lock = await acquireAppLock(redis, app, what);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
