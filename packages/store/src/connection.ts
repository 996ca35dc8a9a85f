import { Redis } from 'ioredis';

export type RedisConnection = Redis;

/**
 * ioredis retries forever by default, which is what a daemon wants; commands
 * issued while disconnected queue until it is back.
 */
export function connectRedis(url: string, name: string): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    lazyConnect: false,
  });
  // Without a listener ioredis logs every reconnect failure as an unhandled error.
  redis.on('error', () => undefined);
  return redis;
}
