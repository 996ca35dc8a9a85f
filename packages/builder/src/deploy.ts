import type { Readable, Writable } from 'node:stream';
import { formationForRelease, type AppName, type ReleaseRecord } from '@slipway/core';
import type { DockerClient } from '@slipway/docker';
import { acquireAppLock, getConfigVars, getFormation, peekNextVersion, recordRelease, updateApp, type RedisConnection } from '@slipway/store';
import { BuildError } from './errors.js';
import { buildOutput, type BuildOutput } from './output.js';
import type { BuilderSettings } from './settings.js';
import { cleanUp, compile, describeFailure, readProcfile, receiveSource, type DeployContext } from './stages.js';

export interface DeployDeps {
  redis: RedisConnection;
  docker: DockerClient;
  settings: BuilderSettings;
  /** Starts the release's dynos and resolves once its web dynos are up (the dyno manager's job). */
  rollOut(app: AppName, release: ReleaseRecord, out: BuildOutput): Promise<void>;
}

export interface DeployRequest {
  app: AppName;
  commit: string;
  source: Readable;
  output: Writable;
  signal: AbortSignal;
  user?: string;
}

interface Stage {
  name: string;
  run(ctx: DeployContext): Promise<void>;
}

/** The build stages in push order; `deploy` runs them and stops at the first failure. */
const BUILD_STAGES: readonly Stage[] = [
  { name: 'receive', run: receiveSource },
  { name: 'detect', run: readProcfile },
  { name: 'compile', run: compile },
];

/**
 * One git push: build, record the release, roll it out. A failure at any stage
 * is reported with ` !     ` and leaves the previous release live.
 */
export async function deploy(deps: DeployDeps, req: DeployRequest): Promise<ReleaseRecord | null> {
  const out = buildOutput(req.output);
  let lock;
  try {
    lock = await acquireAppLock(deps.redis, req.app, 'build');
  } catch (err) {
    req.source.resume();
    out.error(describeFailure(err));
    return null;
  }
  const ctx: DeployContext = {
    app: req.app,
    commit: req.commit,
    version: await peekNextVersion(deps.redis, req.app),
    source: req.source,
    config: await getConfigVars(deps.redis, req.app),
    out,
    signal: req.signal,
    settings: deps.settings,
    docker: deps.docker,
  };
  let failed = true;
  try {
    out.step(`Building on the bookworm stack`);
    for (const stage of BUILD_STAGES) await stage.run(ctx);
    const release = await recordDeployRelease(deps, ctx, req.user ?? 'admin@slipway.local');
    await deps.rollOut(req.app, release, out);
    failed = false;
    out.step(`Launching... released v${release.version}`);
    out.info(`${deps.settings.webUrl(req.app)} deployed to Slipway`);
    return release;
  } catch (err) {
    if (!(err instanceof BuildError && err.reported)) out.error(describeFailure(err));
    const recorded = await isRecorded(deps, ctx);
    out.error(recorded ? 'Push rejected: the release was recorded but its dynos did not start.' : 'Push rejected, failed to compile app.');
    return null;
  } finally {
    await cleanUp(ctx, failed && !(await isRecorded(deps, ctx))).catch(() => undefined);
    await lock.release().catch(() => undefined);
  }
}

async function recordDeployRelease(deps: DeployDeps, ctx: DeployContext, user: string): Promise<ReleaseRecord> {
  const types = ctx.processTypes ?? {};
  const formation = formationForRelease(await getFormation(deps.redis, ctx.app), Object.keys(types));
  const release = await recordRelease(
    deps.redis,
    {
      app: ctx.app,
      image: ctx.image ?? null,
      processTypes: types,
      configVars: ctx.config,
      description: `Deploy ${ctx.commit.slice(0, 7)}`,
      status: 'succeeded',
      user,
      commit: ctx.commit,
    },
    formation,
  );
  await updateApp(deps.redis, ctx.app, { releasedAt: release.createdAt });
  return release;
}

async function isRecorded(deps: DeployDeps, ctx: DeployContext): Promise<boolean> {
  const next = await peekNextVersion(deps.redis, ctx.app).catch(() => ctx.version);
  return next > ctx.version;
}
