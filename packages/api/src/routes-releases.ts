import { Router } from 'express';
import { parseConfigPatch, SlipwayError, toHerokuRelease, type AppRecord, type ConfigVars, type ReleaseRecord } from '@slipway/core';
import {
  currentReleaseVersion, getApp, getConfigVars, getCurrentRelease, getRelease, listReleases, recordRelease, withAppLock,
  getFormation, setConfigVars, type RedisConnection,
} from '@slipway/store';
import type { ApiOperations } from './operations.js';
import { sendRange } from './range.js';

export function releasesRoutes(redis: RedisConnection, ops: ApiOperations): Router {
  const r = Router();

  r.get('/apps/:app/releases', async (req, res) => {
    const app = await getApp(redis, req.params.app);
    const [releases, current] = await Promise.all([listReleases(redis, app.name), currentReleaseVersion(redis, app.name)]);
    sendRange(req, res, releases.map((rel) => ({ ...toHerokuRelease(rel, app, current) })), 'version');
  });

  r.get('/apps/:app/releases/:release', async (req, res) => {
    const app = await getApp(redis, req.params.app);
    const release = await getRelease(redis, app.name, req.params.release);
    res.json(toHerokuRelease(release, app, await currentReleaseVersion(redis, app.name)));
  });

  /** Rollback: a new release with the old image and the old config. */
  r.post('/apps/:app/releases', async (req, res) => {
    const app = await getApp(redis, req.params.app);
    const target = (req.body as { release?: unknown } | undefined)?.release;
    if (typeof target !== 'string' && typeof target !== 'number') throw new SlipwayError('invalid_params', 'Expected {"release": "<id or version>"}.');
    const release = await withAppLock(redis, app.name, 'rollback', async () => {
      const old = await getRelease(redis, app.name, target);
      if (!old.image) throw new SlipwayError('unprocessable_entity', `Release v${old.version} has no slug to roll back to.`);
      if (old.status !== 'succeeded') throw new SlipwayError('unprocessable_entity', `Release v${old.version} ${old.status === 'failed' ? 'failed' : 'is not finished'}; roll back to a release that succeeded.`);
      await releasePhase(app, old, old.configVars, `Rollback to v${old.version}`);
      await setConfigVars(redis, app.name, old.configVars);
      return newRelease(app, old, old.configVars, `Rollback to v${old.version}`);
    });
    await ops.rollOut(app.name);
    res.status(201).json(toHerokuRelease(release, app, release.version));
  });

  r.get('/apps/:app/config-vars', async (req, res) => {
    const app = await getApp(redis, req.params.app);
    res.json(await getConfigVars(redis, app.name));
  });

  /** Setting config makes a release when there is code to run it with (Heroku's rule). */
  r.patch('/apps/:app/config-vars', async (req, res) => {
    const app = await getApp(redis, req.params.app);
    const patch = parseConfigPatch(req.body);
    const { config, released } = await withAppLock(redis, app.name, 'config change', async () => {
      const next: ConfigVars = { ...(await getConfigVars(redis, app.name)) };
      for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete next[k];
        else next[k] = v;
      }
      const current = await getCurrentRelease(redis, app.name);
      if (!current) {
        await setConfigVars(redis, app.name, next);
        return { config: next, released: false };
      }
      const set = Object.keys(patch).filter((k) => patch[k] !== null);
      const unset = Object.keys(patch).filter((k) => patch[k] === null);
      const words = [set.length ? `Set ${set.join(', ')}` : '', unset.length ? `Remove ${unset.join(', ')}` : ''].filter(Boolean).join(' and ');
      await releasePhase(app, current, next, `${words} config vars`);
      await setConfigVars(redis, app.name, next);
      await newRelease(app, current, next, `${words} config vars`);
      return { config: next, released: true };
    });
    if (released) await ops.rollOut(app.name);
    res.json(config);
  });

  /**
   * Heroku runs the release phase for config changes and rollbacks too. When
   * it fails, a failed release is recorded and nothing else changes: the
   * config vars stay as they were and the current release keeps running.
   */
  async function releasePhase(app: AppRecord, base: ReleaseRecord, configVars: ConfigVars, description: string): Promise<void> {
    if (!base.processTypes.release || !base.image) return;
    const ok = await ops.runReleasePhase(app.name, { image: base.image, launcher: base.launcher ?? 'slug', command: base.processTypes.release, configVars });
    if (ok) return;
    const failed = await newRelease(app, base, configVars, `${description} (release command failed)`, 'failed');
    throw new SlipwayError('unprocessable_entity', `The release command failed, so v${failed.version} is marked failed and nothing changed; see slipway logs --dyno release.`, 'release');
  }

  async function newRelease(app: AppRecord, base: ReleaseRecord, configVars: ConfigVars, description: string, status: 'succeeded' | 'failed' = 'succeeded'): Promise<ReleaseRecord> {
    return recordRelease(
      redis,
      {
        app: app.name, image: base.image, processTypes: base.processTypes, configVars, description, status, user: 'admin@slipway.local', commit: base.commit,
        launcher: base.launcher ?? 'slug', imageCommand: base.imageCommand ?? null, exposedPort: base.exposedPort ?? null,
      },
      await getFormation(redis, app.name),
    );
  }
  return r;
}
