import type { Redis } from 'ioredis';
import { keys } from './keys.js';

export interface AppChange {
  /** Stream id, so a reader can resume exactly where it stopped. */
  id: string;
  app: string;
}

export interface Watch extends AsyncIterable<AppChange> {
  /** The id the watch started from: everything after it will be seen. */
  readonly startId: string;
  close(): void;
}

/**
 * Watches a stream of app changes from the id it was at when the watch opened.
 * Open the watch first, then list, then serve (Flynn's order), and no change is
 * lost in between. A blocking read needs its own connection, so one is
 * duplicated; a reconnect resumes from the last id seen, never from "now".
 */
async function watchStream(redis: Redis, stream: string, onError: (err: unknown) => void): Promise<Watch> {
  const reader = redis.duplicate();
  reader.on('error', () => undefined);
  const last = await redis.xrevrange(stream, '+', '-', 'COUNT', 1);
  const startId = last[0]?.[0] ?? '0-0';
  let closed = false;
  let cursor = startId;

  async function* iterate(): AsyncGenerator<AppChange> {
    let backoff = 100;
    while (!closed) {
      try {
        const result = await reader.xread('COUNT', 500, 'BLOCK', 2000, 'STREAMS', stream, cursor);
        backoff = 100;
        for (const [, entries] of result ?? []) {
          for (const [id, fields] of entries) {
            cursor = id;
            const appIndex = fields.indexOf('app');
            yield { id, app: appIndex >= 0 ? (fields[appIndex + 1] ?? '') : '' };
          }
        }
      } catch (err) {
        if (closed) break;
        onError(err);
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  return {
    startId,
    [Symbol.asyncIterator]: iterate,
    close() {
      closed = true;
      reader.disconnect();
    },
  };
}

export function watchRoutes(redis: Redis, onError: (err: unknown) => void = () => undefined): Promise<Watch> {
  return watchStream(redis, keys.routeEvents(), onError);
}

/** Formation and release changes, for the dyno manager. */
export function watchDesired(redis: Redis, onError: (err: unknown) => void = () => undefined): Promise<Watch> {
  return watchStream(redis, keys.desiredEvents(), onError);
}
