import { Router, type Request, type Response } from 'express';
import { generateAppName, parseAppName, SlipwayError, toHerokuApp, OWNER } from '@slipway/core';
import { createApp, deleteApp, findApp, getApp, listApps, releaseAppDomains, setRoutesMaintenance, updateApp, type RedisConnection } from '@slipway/store';
import type { ApiOperations, ApiSettings } from './operations.js';

export function appsRoutes(redis: RedisConnection, settings: ApiSettings, ops: ApiOperations): Router {
  const r = Router();
  const urls = { gitUrl: settings.gitUrl, webUrl: settings.webUrl };

  r.get('/account', (_req, res) => {
    res.json({ id: OWNER.id, email: OWNER.email, name: OWNER.name });
  });

  const list = async (_req: Request, res: Response): Promise<void> => {
    res.json((await listApps(redis)).map((a) => toHerokuApp(a, urls)));
  };
  r.get('/apps', list);
  r.get('/users/~/apps', list);

  r.post('/apps', async (req, res) => {
    const body = (req.body ?? {}) as { name?: unknown };
    let name = body.name === undefined || body.name === null ? undefined : parseAppName(body.name);
    if (!name) {
      for (let i = 0; i < 20 && !name; i++) {
        const candidate = generateAppName();
        if (!(await findApp(redis, candidate))) name = candidate;
      }
      if (!name) throw new SlipwayError('internal_server_error', 'Could not generate a free app name; give one.');
    }
    const app = await createApp(redis, name);
    res.status(201).json(toHerokuApp(app, urls));
  });

  r.get('/apps/:app', async (req, res) => {
    res.json(toHerokuApp(await getApp(redis, req.params.app), urls));
  });

  r.patch('/apps/:app', async (req, res) => {
    const app = await getApp(redis, req.params.app);
    const body = (req.body ?? {}) as { name?: unknown; maintenance?: unknown };
    if (body.name !== undefined && body.name !== app.name) {
      throw new SlipwayError('unprocessable_entity', 'Renaming apps is not supported yet.');
    }
    if (body.maintenance !== undefined && typeof body.maintenance !== 'boolean') {
      throw new SlipwayError('invalid_params', 'maintenance must be true or false.');
    }
    const next = body.maintenance === undefined ? app : await updateApp(redis, app.name, { maintenance: body.maintenance });
    // The router reads only the routes record: it sees maintenance at once, not at the next dyno change.
    if (body.maintenance !== undefined) await setRoutesMaintenance(redis, app.name, body.maintenance);
    res.json(toHerokuApp(next, urls));
  });

  r.delete('/apps/:app', async (req, res) => {
    const app = await getApp(redis, req.params.app);
    await deleteApp(redis, app);
    await releaseAppDomains(redis, app.name);
    await ops.appDestroyed(app);
    res.json(toHerokuApp(app, urls));
  });

  // Asked for by the Heroku CLI's apps:info; we have none of these yet.
  for (const path of ['addons', 'collaborators', 'features', 'webhooks']) {
    r.get(`/apps/:app/${path}`, async (req, res) => {
      await getApp(redis, req.params.app);
      res.json([]);
    });
  }
  return r;
}
