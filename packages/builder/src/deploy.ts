import { Writable, type Readable } from 'node:stream';
import { formationForRelease, type AppName, type BuildRecord, type ReleaseRecord } from '@slipway/core';
import { removeImage, runTask, type DockerClient } from '@slipway/docker';
import {
  acquireAppLock, appendBuildOutput, getBuildpacks, createBuild, finishBuild, getConfigVars, getCurrentRelease, getFormation, listReleases,
  peekNextVersion, recordRelease, revertRelease, updateApp, type RedisConnection,
} from '@slipway/store';
import { BuildError } from './errors.js';
import { buildOutput, type BuildOutput } from './output.js';
import { recordingOutput } from './output-recorder.js';
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
  /** The commit (git) or the source version (tarball), shown in the release description. */
  commit: string;
  source: Readable;
  output: Writable;
  signal: AbortSignal;
  user?: string;
  /** A build already recorded (tarball deploys make it before answering the API call). */
  build?: BuildRecord;
}

export interface DeployResult {
  build: BuildRecord;
  release: ReleaseRecord | null;
  /** The commit was already live, so nothing was built. */
  unchanged: boolean;
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
 * One deploy: build, record the release, roll it out. A failure at any stage
 * is reported with ` !     ` and leaves the previous release live.
 */
export async function deploy(deps: DeployDeps, req: DeployRequest): Promise<DeployResult> {
  const user = req.user ?? 'admin@slipway.local';
  const build = req.build ?? (await createBuild(deps.redis, req.app, { url: null, version: req.commit, checksum: null }, user));
  const recorder = recordingOutput(req.output, (text) => appendBuildOutput(deps.redis, build.id, text));
  const out = buildOutput(recorder.stream);
  const finish = async (status: 'succeeded' | 'failed', release: ReleaseRecord | null, unchanged = false): Promise<DeployResult> => {
    await recorder.flush();
    const done = await finishBuild(deps.redis, build, status, release);
    return { build: done, release, unchanged };
  };

  let lock;
  try {
    lock = await acquireAppLock(deps.redis, req.app, 'build');
  } catch (err) {
    req.source.resume();
    out.error(describeFailure(err));
    return finish('failed', null);
  }
  const ctx: DeployContext = {
    app: req.app,
    commit: req.commit,
    version: await peekNextVersion(deps.redis, req.app),
    source: req.source,
    config: await getConfigVars(deps.redis, req.app),
    installedBuildpacks: await getBuildpacks(deps.redis, req.app),
    out,
    signal: req.signal,
    settings: deps.settings,
    docker: deps.docker,
  };
  let failed = true;
  try {
    const current = await getCurrentRelease(deps.redis, req.app);
    if (current?.commit && current.commit === req.commit && current.image) {
      req.source.resume();
      out.step(`Commit ${req.commit.slice(0, 7)} is already live as v${current.version}; nothing to deploy.`);
      failed = false;
      return await finish('succeeded', current, true);
    }
    out.step(`Building on the bookworm stack`);
    for (const stage of BUILD_STAGES) await stage.run(ctx);
    if (!(await runReleasePhase(deps, ctx))) {
      const failedRelease = await recordDeployRelease(deps, ctx, user, 'failed');
      out.error(`Release command failed: v${failedRelease.version} is marked failed and the previous release keeps serving.`);
      failed = false; // the image stays: the failed release names it, for inspection and rollback refusal alike
      return await finish('failed', null);
    }
    const previous = await getCurrentRelease(deps.redis, req.app);
    const release = await recordDeployRelease(deps, ctx, user, 'succeeded');
    try {
      await deps.rollOut(req.app, release, out);
    } catch (err) {
      // The old release stays live: the new one is marked failed and the old one current again.
      // A first deploy has nothing to go back to, so its dynos keep trying (and show as crashed).
      if (previous) {
        await revertRelease(deps.redis, req.app, release, previous.version);
        out.error(`v${release.version} is marked failed; v${previous.version} keeps serving.`);
      }
      throw err;
    }
    failed = false;
    out.step(`Launching... released v${release.version}`);
    out.info(`${deps.settings.webUrl(req.app)} deployed to Slipway`);
    await pruneImages(deps, req.app).catch(() => undefined);
    return await finish('succeeded', release);
  } catch (err) {
    if (!(err instanceof BuildError && err.reported)) out.error(describeFailure(err));
    const recorded = await isRecorded(deps, ctx);
    out.error(recorded ? 'Push rejected: the release was recorded but its dynos did not start.' : 'Push rejected, failed to compile app.');
    return await finish('failed', null);
  } finally {
    await cleanUp(ctx, failed && !(await isRecorded(deps, ctx))).catch(() => undefined);
    await lock.release().catch(() => undefined);
  }
}

/**
 * The release phase: a Procfile `release:` command (migrations, say) runs in
 * a one-off container with the new image and config before anything goes
 * live. Its output streams to the push. Resolves false when it fails.
 */
async function runReleasePhase(deps: DeployDeps, ctx: DeployContext): Promise<boolean> {
  const command = ctx.processTypes?.release;
  if (!command || !ctx.image) return true;
  ctx.out.step('Running release command...');
  const code = await runTask(
    deps.docker,
    {
      instance: deps.settings.instance, app: ctx.app, release: ctx.version, image: ctx.image, command,
      launcher: ctx.launcher ?? 'slug', env: { ...ctx.config, DYNO: 'release.1' }, role: 'release',
      memoryMb: 512, timeoutMs: deps.settings.timeoutMs,
    },
    indented(ctx.out.raw),
    ctx.signal,
  );
  if (code === 0) return true;
  ctx.out.error(code === 124 ? 'The release command timed out.' : `The release command exited with status ${code}.`);
  return false;
}

/** Indents a command's output under the current `----->` step, line by line. */
function indented(target: Writable): Writable {
  let atLineStart = true;
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      let text = '';
      for (const ch of chunk.toString()) {
        if (atLineStart) text += '       ';
        text += ch;
        atLineStart = ch === '\n';
      }
      if (target.destroyed || !target.writable) return done();
      if (target.write(text)) done();
      else target.once('drain', () => done());
    },
  });
}

async function recordDeployRelease(deps: DeployDeps, ctx: DeployContext, user: string, status: 'succeeded' | 'failed'): Promise<ReleaseRecord> {
  const types = ctx.processTypes ?? {};
  const formation = formationForRelease(await getFormation(deps.redis, ctx.app), Object.keys(types));
  const release = await recordRelease(
    deps.redis,
    {
      app: ctx.app,
      image: ctx.image ?? null,
      processTypes: types,
      configVars: ctx.config,
      description: `Deploy ${ctx.commit.slice(0, 7)}${status === 'failed' ? ' (release command failed)' : ''}`,
      status,
      user,
      commit: ctx.commit,
      launcher: ctx.launcher ?? 'slug',
      imageCommand: ctx.imageCommand ?? null,
      exposedPort: ctx.exposedPort ?? null,
    },
    formation,
  );
  if (status === 'succeeded') await updateApp(deps.redis, ctx.app, { releasedAt: release.createdAt });
  return release;
}

/**
 * Keeps the images of the last `keepReleases` releases (so rollback stays
 * instant) and removes older ones, so the disk does not fill.
 */
async function pruneImages(deps: DeployDeps, app: AppName): Promise<void> {
  const releases = await listReleases(deps.redis, app);
  const images = [...new Set(releases.map((r) => r.image).filter((i): i is string => i !== null))];
  const keep = new Set(releases.slice(-deps.settings.keepReleases).map((r) => r.image));
  for (const image of images) {
    if (!keep.has(image) && image.startsWith(`slipway/${app}:`)) await removeImage(deps.docker, image);
  }
}

async function isRecorded(deps: DeployDeps, ctx: DeployContext): Promise<boolean> {
  const next = await peekNextVersion(deps.redis, ctx.app).catch(() => ctx.version);
  return next > ctx.version;
}
