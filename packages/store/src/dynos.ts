import type { AppName, DynoState } from '@slipway/core';
import type { Redis } from 'ioredis';
import { keys } from './keys.js';

/** The dyno manager's view of one dyno, kept so the API can answer without asking Docker. */
export interface DynoStatus {
  name: string;
  type: string;
  state: DynoState;
  release: number;
  port: number | null;
  containerId: string;
  command: string;
  size: string;
  createdAt: string;
  updatedAt: string;
}

export async function putDynoStatuses(redis: Redis, app: AppName, statuses: DynoStatus[]): Promise<void> {
  const tx = redis.multi().del(keys.dynos(app));
  for (const s of statuses) tx.hset(keys.dynos(app), s.containerId, JSON.stringify(s));
  await tx.exec();
}

export async function listDynoStatuses(redis: Redis, app: AppName): Promise<DynoStatus[]> {
  const all = await redis.hvals(keys.dynos(app));
  return all.map((json) => JSON.parse(json) as DynoStatus);
}
