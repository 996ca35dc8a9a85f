import { Router } from 'express';
import { parseOneOffRequest, type AppRecord, type HerokuDyno } from '@slipway/core';
import { findRelease, getApp, type DynoStatus, type RedisConnection } from '@slipway/store';
import type { ApiOperations, ApiSettings } from './operations.js';

/**
 * `POST /apps/{app}/dynos`: a one-off dyno (`slipway run`). With `attach: true`
 * the answer carries `attach_url`, where the client upgrades the connection
 * (see `attach.ts`); the dyno starts once it is attached. Without, it starts
 * at once and its output goes to the app's log.
 */
export function runRoutes(redis: RedisConnection, settings: ApiSettings, ops: ApiOperations): Router {
  const r = Router();
  r.post('/apps/:app/dynos', async (req, res) => {
    const app = await getApp(redis, req.params.app);
    const request = parseOneOffRequest(req.body);
    const status = await ops.runDyno(app.name, request);
    const release = await findRelease(redis, app.name, status.release);
    const attachUrl = request.attach ? `${settings.apiUrl}/apps/${encodeURIComponent(app.name)}/dynos/${encodeURIComponent(status.name)}/attach` : null;
    res.status(201).json(toHerokuDyno(status, app, release?.id ?? '', attachUrl));
  });
  return r;
}

/** A dyno status as Heroku's dyno shape; the id is the container id in UUID form. */
export function toHerokuDyno(s: DynoStatus, app: AppRecord, releaseId: string, attachUrl: string | null = null): HerokuDyno {
  return {
    id: s.containerId.slice(0, 32).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5'),
    name: s.name,
    type: s.type,
    state: s.state,
    command: s.command,
    size: s.size,
    release: { id: releaseId, version: s.release },
    app: { id: app.id, name: app.name },
    attach_url: attachUrl,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}
