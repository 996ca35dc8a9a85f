import { Router, type Request, type Response } from 'express';
import { isAppName, SlipwayError, toHerokuBuild, type AppRecord, type BuildRecord } from '@slipway/core';
import { followBuildOutput, getApp, getBuild, listBuilds, getBuildpacks, setBuildpacks, type RedisConnection } from '@slipway/store';
import type { ApiOperations, ApiSettings } from './operations.js';
import { sendRange } from './range.js';

export const BUILD_OUTPUT_PATH = '/build-output';

/**
 * output_stream_url carries a per-build token instead of needing the API key,
 * because Heroku's CLI fetches it as a plain URL.
 */
function outputUrl(settings: ApiSettings, build: BuildRecord): string {
  return `${settings.apiUrl}${BUILD_OUTPUT_PATH}/${build.app}/${build.id}?token=${build.outputToken}`;
}

/** Streams a build's output: the whole of it so far, then live until the build ends. Mounted before auth. */
export function buildOutputRoute(redis: RedisConnection): Router {
  const r = Router();
  r.get(`${BUILD_OUTPUT_PATH}/:app/:id`, async (req: Request, res: Response) => {
    const appName = String(req.params.app);
    const build = isAppName(appName) ? await getBuild(redis, appName, String(req.params.id)).catch(() => null) : null;
    if (!build || req.query.token !== build.outputToken) throw new SlipwayError('not_found', 'No such build output.');
    res.status(200).setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache');
    res.flushHeaders();
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    for await (const chunk of followBuildOutput(redis, build.id, controller.signal)) {
      if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  });
  return r;
}

export function buildsRoutes(redis: RedisConnection, settings: ApiSettings, ops: ApiOperations): Router {
  const r = Router();
  const render = (build: BuildRecord, app: AppRecord) => toHerokuBuild(build, app, outputUrl(settings, build));

  r.get('/apps/:app/builds', async (req, res) => {
    const app = await getApp(redis, req.params.app);
    sendRange(req, res, (await listBuilds(redis, app.name)).map((b) => ({ ...render(b, app) })), 'created_at');
  });

  r.get('/apps/:app/builds/:id', async (req, res) => {
    const app = await getApp(redis, req.params.app);
    res.json(render(await getBuild(redis, app.name, req.params.id), app));
  });

  /** Tarball deploys: answers at once with the pending build; output_stream_url follows it. */
  r.post('/apps/:app/builds', async (req, res) => {
    const app = await getApp(redis, req.params.app);
    const blob = (req.body as { source_blob?: { url?: unknown; version?: unknown; checksum?: unknown } } | undefined)?.source_blob;
    if (!blob || typeof blob.url !== 'string' || !/^https?:\/\//.test(blob.url)) {
      throw new SlipwayError('invalid_params', 'Expected {"source_blob": {"url": "https://.../source.tar.gz", "version": "..."}}.');
    }
    const version = typeof blob.version === 'string' ? blob.version : null;
    const checksum = typeof blob.checksum === 'string' ? blob.checksum : null;
    const build = await ops.startSourceBuild(app.name, { url: blob.url, version, checksum });
    res.status(201).json(render(build, app));
  });

  /** Heroku's buildpack installations: the app's ordered buildpack list. */
  r.get('/apps/:app/buildpack-installations', async (req, res) => {
    const app = await getApp(redis, req.params.app);
    res.json((await getBuildpacks(redis, app.name)).map((url, i) => ({ ordinal: i, buildpack: { url, name: url } })));
  });

  r.put('/apps/:app/buildpack-installations', async (req, res) => {
    const app = await getApp(redis, req.params.app);
    const updates = (req.body as { updates?: unknown } | undefined)?.updates;
    if (!Array.isArray(updates)) throw new SlipwayError('invalid_params', 'Expected {"updates": [{"buildpack": "<name or url>"}]}.');
    const list = updates.map((u: unknown) => {
      const bp = (u as { buildpack?: unknown } | null)?.buildpack;
      if (typeof bp !== 'string' || bp.trim() === '' || bp.length > 2048) throw new SlipwayError('invalid_params', 'Each update needs a buildpack name or URL.');
      return bp.trim();
    });
    ops.validateBuildpacks(list);
    await setBuildpacks(redis, app.name, list);
    res.json(list.map((url, i) => ({ ordinal: i, buildpack: { url, name: url } })));
  });
  return r;
}
