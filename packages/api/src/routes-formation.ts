import { Router, type Request, type Response } from 'express';
import { createHash } from 'node:crypto';
import {
  applyFormationUpdates, OWNER, parseDynoSize, parseQuantity, SlipwayError, toHerokuFormation,
  type AppRecord, type Formation, type FormationUpdate, type HerokuDyno,
} from '@slipway/core';
import { appendPlatformLog, getApp, getCurrentRelease, getFormation, listDynoStatuses, listReleases, putFormation, withAppLock, type RedisConnection } from '@slipway/store';
import type { ApiOperations } from './operations.js';
import { toHerokuDyno } from './routes-run.js';

/** Formation ids are stable per app and type, as Heroku's are. */
function formationId(app: AppRecord, type: string): string {
  const h = createHash('sha1').update(`${app.id}:${type}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function parseUpdates(body: unknown, typeFromPath?: string): FormationUpdate[] {
  const raw = typeFromPath ? [{ ...(body as object), type: typeFromPath }] : (body as { updates?: unknown })?.updates;
  if (!Array.isArray(raw) || raw.length === 0) throw new SlipwayError('invalid_params', 'Expected {"updates": [{"type": "web", "quantity": 1}]}.');
  return raw.map((u: unknown) => {
    const { type, quantity, size } = (u ?? {}) as { type?: unknown; quantity?: unknown; size?: unknown };
    if (typeof type !== 'string' || type === '') throw new SlipwayError('invalid_params', 'Each update needs a process type.');
    const update: FormationUpdate = { type: type.toLowerCase() };
    if (quantity !== undefined) update.quantity = parseQuantity(quantity);
    if (size !== undefined) update.size = parseDynoSize(size);
    return update;
  });
}

export function formationRoutes(redis: RedisConnection, ops: ApiOperations): Router {
  const r = Router();

  async function render(app: AppRecord, formation: Formation) {
    const release = await getCurrentRelease(redis, app.name);
    return Object.values(formation).map((e) => toHerokuFormation(e, release?.processTypes[e.type] ?? '', app, formationId(app, e.type)));
  }

  r.get('/apps/:app/formation', async (req, res) => {
    const app = await getApp(redis, req.params.app);
    res.json(await render(app, await getFormation(redis, app.name)));
  });

  r.get('/apps/:app/formation/:type', async (req, res) => {
    const app = await getApp(redis, req.params.app);
    const all = await render(app, await getFormation(redis, app.name));
    const one = all.find((f) => f.type === req.params.type);
    if (!one) throw new SlipwayError('not_found', `Couldn't find that formation: ${req.params.type}.`, 'formation');
    res.json(one);
  });

  const patch = (single: boolean) => async (req: Request, res: Response): Promise<void> => {
    const app = await getApp(redis, String(req.params.app));
    const updates = parseUpdates(req.body, single ? String(req.params.type) : undefined);
    const next = await withAppLock(redis, app.name, 'scale', async () => {
      const release = await getCurrentRelease(redis, app.name);
      const formation = applyFormationUpdates(await getFormation(redis, app.name), updates, Object.keys(release?.processTypes ?? {}));
      await putFormation(redis, app.name, formation);
      return formation;
    });
    const scaled = updates.flatMap((u) => (next[u.type] ? [`${u.type}@${next[u.type]!.quantity}:${next[u.type]!.size}`] : []));
    await appendPlatformLog(redis, app.name, 'api', `Scaled to ${scaled.join(' ')} by user ${OWNER.email}`);
    const rendered = await render(app, next);
    const changed = rendered.filter((f) => updates.some((u) => u.type === f.type));
    res.json(single ? changed[0] : changed);
  };
  r.patch('/apps/:app/formation', patch(false));
  r.patch('/apps/:app/formation/:type', patch(true));

  r.get('/apps/:app/dynos', async (req, res) => {
    const app = await getApp(redis, req.params.app);
    const [formationDynos, oneOffs, releases] = await Promise.all([listDynoStatuses(redis, app.name), ops.listOneOffDynos(app.name), listReleases(redis, app.name)]);
    const statuses = [...formationDynos, ...oneOffs];
    const releaseId = new Map(releases.map((rel) => [rel.version, rel.id]));
    const dynos: HerokuDyno[] = statuses
      .sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }) || b.release - a.release)
      .map((s) => toHerokuDyno(s, app, releaseId.get(s.release) ?? ''));
    res.json(dynos);
  });

  r.delete('/apps/:app/dynos', async (req, res) => {
    const app = await getApp(redis, req.params.app);
    await ops.restartDynos(app.name);
    res.status(202).json({});
  });

  r.delete('/apps/:app/dynos/:dyno', async (req, res) => {
    const app = await getApp(redis, req.params.app);
    await ops.restartDynos(app.name, req.params.dyno);
    res.status(202).json({});
  });

  r.post('/apps/:app/dynos/:dyno/actions/stop', async (req, res) => {
    const app = await getApp(redis, req.params.app);
    await ops.stopDyno(app.name, req.params.dyno);
    res.status(202).json({});
  });
  return r;
}
