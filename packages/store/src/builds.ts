import { randomBytes, randomUUID } from 'node:crypto';
import { notFound, type AppName, type BuildRecord } from '@slipway/core';
import type { Redis } from 'ioredis';
import { keys } from './keys.js';

const OUTPUT_MAX_ENTRIES = '20000';
/** Build output is kept a week; the build record itself lives as long as the app. */
const OUTPUT_TTL_SECONDS = 7 * 24 * 3600;

export async function createBuild(redis: Redis, app: AppName, source: BuildRecord['sourceBlob'], user: string): Promise<BuildRecord> {
  const at = new Date().toISOString();
  const build: BuildRecord = {
    id: randomUUID(), app, status: 'pending', sourceBlob: source, releaseVersion: null, releaseId: null,
    createdAt: at, updatedAt: at, user, outputToken: randomBytes(16).toString('hex'),
  };
  await redis.hset(keys.builds(app), build.id, JSON.stringify(build));
  return build;
}

export async function finishBuild(redis: Redis, build: BuildRecord, status: 'succeeded' | 'failed', release: { id: string; version: number } | null): Promise<BuildRecord> {
  const next: BuildRecord = { ...build, status, releaseId: release?.id ?? null, releaseVersion: release?.version ?? null, updatedAt: new Date().toISOString() };
  await redis
    .multi()
    .hset(keys.builds(build.app), build.id, JSON.stringify(next))
    .xadd(keys.buildOutput(build.id), 'MAXLEN', '~', OUTPUT_MAX_ENTRIES, '*', 'end', status)
    .expire(keys.buildOutput(build.id), OUTPUT_TTL_SECONDS)
    .exec();
  return next;
}

export async function listBuilds(redis: Redis, app: AppName): Promise<BuildRecord[]> {
  const all = await redis.hvals(keys.builds(app));
  return all.map((json) => JSON.parse(json) as BuildRecord).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

export async function getBuild(redis: Redis, app: AppName, id: string): Promise<BuildRecord> {
  const json = await redis.hget(keys.builds(app), id);
  if (!json) throw notFound('build', id);
  return JSON.parse(json) as BuildRecord;
}

export async function appendBuildOutput(redis: Redis, id: string, text: string): Promise<void> {
  await redis.xadd(keys.buildOutput(id), 'MAXLEN', '~', OUTPUT_MAX_ENTRIES, '*', 'out', text);
}

/**
 * Replays a build's output from the start and follows it until the build
 * ends; a reader that joins late sees everything, once.
 */
export async function* followBuildOutput(redis: Redis, id: string, signal?: AbortSignal): AsyncGenerator<string> {
  const reader = redis.duplicate();
  reader.on('error', () => undefined);
  const onAbort = () => reader.disconnect();
  signal?.addEventListener('abort', onAbort, { once: true });
  let cursor = '0-0';
  try {
    while (!signal?.aborted) {
      const result = await reader.xread('COUNT', 1000, 'BLOCK', 5000, 'STREAMS', keys.buildOutput(id), cursor).catch((err: unknown) => {
        if (signal?.aborted) return null;
        throw err;
      });
      if (!result) {
        // Nothing new: stop if the stream is gone (expired or never written).
        if ((await redis.exists(keys.buildOutput(id))) === 0) return;
        continue;
      }
      for (const [, entries] of result) {
        for (const [entryId, fields] of entries) {
          cursor = entryId;
          if (fields[0] === 'end') return;
          if (fields[0] === 'out') yield fields[1] ?? '';
        }
      }
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    reader.disconnect();
  }
}
