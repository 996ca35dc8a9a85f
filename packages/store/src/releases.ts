import { randomUUID } from 'node:crypto';
import { logTimeNow, notFound, type AppName, type ReleaseRecord, type ConfigVars, type Formation } from '@slipway/core';
import type { Redis } from 'ioredis';
import { keys } from './keys.js';
import { queueLogLine } from './logs.js';

export type NewRelease = Omit<ReleaseRecord, 'id' | 'version' | 'createdAt'>;

/** The version the next release will get; stable while the app's lock is held. */
export async function peekNextVersion(redis: Redis, app: AppName): Promise<number> {
  const seq = await redis.get(keys.releaseSeq(app));
  return Number(seq ?? 0) + 1;
}

/**
 * Records a release, makes it current and sets the formation in one
 * transaction, so a crash leaves either the old release live or the new one.
 */
export async function recordRelease(redis: Redis, release: NewRelease, formation: Formation | null): Promise<ReleaseRecord> {
  const version = await redis.incr(keys.releaseSeq(release.app));
  const record: ReleaseRecord = { ...release, id: randomUUID(), version, createdAt: new Date().toISOString() };
  const tx = redis.multi().hset(keys.releases(release.app), String(version), JSON.stringify(record));
  if (record.status === 'succeeded') {
    tx.set(keys.currentRelease(release.app), String(version));
    if (formation) tx.set(keys.formation(release.app), JSON.stringify(formation));
    tx.xadd(keys.desiredEvents(), 'MAXLEN', '~', '10000', '*', 'app', release.app);
    // The app's log says so in the same transaction: `slipway[api]: Deploy 3f2a1c9 by user ...`, `Release v3 created by user ...`.
    const time = logTimeNow();
    queueLogLine(tx, release.app, { time, source: 'slipway', dyno: 'api', text: `${record.description} by user ${record.user}` });
    queueLogLine(tx, release.app, { time, source: 'slipway', dyno: 'api', text: `Release v${version} created by user ${record.user}` });
  }
  await tx.exec();
  return record;
}

export async function listReleases(redis: Redis, app: AppName): Promise<ReleaseRecord[]> {
  const all = await redis.hvals(keys.releases(app));
  return all.map((json) => JSON.parse(json) as ReleaseRecord).sort((a, b) => a.version - b.version);
}

export async function findRelease(redis: Redis, app: AppName, idOrVersion: string | number): Promise<ReleaseRecord | null> {
  const asVersion = String(idOrVersion).replace(/^v/, '');
  if (/^\d+$/.test(asVersion)) {
    const json = await redis.hget(keys.releases(app), asVersion);
    return json ? (JSON.parse(json) as ReleaseRecord) : null;
  }
  const all = await listReleases(redis, app);
  return all.find((r) => r.id === idOrVersion) ?? null;
}

export async function getRelease(redis: Redis, app: AppName, idOrVersion: string | number): Promise<ReleaseRecord> {
  const release = await findRelease(redis, app, idOrVersion);
  if (!release) throw notFound('release', String(idOrVersion));
  return release;
}

export async function currentReleaseVersion(redis: Redis, app: AppName): Promise<number | null> {
  const v = await redis.get(keys.currentRelease(app));
  return v === null ? null : Number(v);
}

export async function getCurrentRelease(redis: Redis, app: AppName): Promise<ReleaseRecord | null> {
  const v = await currentReleaseVersion(redis, app);
  return v === null ? null : findRelease(redis, app, v);
}

export async function getConfigVars(redis: Redis, app: AppName): Promise<ConfigVars> {
  return redis.hgetall(keys.config(app));
}

export async function setConfigVars(redis: Redis, app: AppName, vars: ConfigVars): Promise<void> {
  const tx = redis.multi().del(keys.config(app));
  if (Object.keys(vars).length) tx.hset(keys.config(app), vars);
  await tx.exec();
}

/**
 * A release whose dynos never came up: marked failed, and the previous
 * release is made current again, in one transaction, so the dyno manager
 * removes the new dynos and the old ones go on serving.
 */
export async function revertRelease(redis: Redis, app: AppName, failed: ReleaseRecord, previousVersion: number): Promise<void> {
  const record: ReleaseRecord = { ...failed, status: 'failed', description: `${failed.description} (dynos did not start)` };
  const tx = redis
    .multi()
    .hset(keys.releases(app), String(failed.version), JSON.stringify(record))
    .set(keys.currentRelease(app), String(previousVersion))
    .xadd(keys.desiredEvents(), 'MAXLEN', '~', '10000', '*', 'app', app);
  queueLogLine(tx, app, { time: logTimeNow(), source: 'slipway', dyno: 'api', text: `Release v${failed.version} failed to start; v${previousVersion} stays current` });
  await tx.exec();
}
