import { mkdir, mkdtemp, readFile, readdir, rm, writeFile, access } from 'node:fs/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable, type Readable } from 'node:stream';
import { execa } from 'execa';
import { imageName, LABELS, parseProcfile, SlipwayError, isSlipwayError, type AppName, type ConfigVars, type ProcessTypes } from '@slipway/core';
import { createBuildContainer, removeImage, imageSize, type DockerClient } from '@slipway/docker';
import { BuildError } from './errors.js';
import type { BuildOutput } from './output.js';
import { mergeProcessTypes } from './release-info.js';
import { DRIVER_DIR, type BuilderSettings } from './settings.js';
import { chooseBuildpacks, type BuildpackRef } from './buildpacks.js';
import { compileDockerfile, listMembers, wantsDockerfile } from './dockerfile.js';

/** Everything one deploy knows; each stage reads it and fills in its part. */
export interface DeployContext {
  app: AppName;
  commit: string;
  version: number;
  source: Readable;
  config: ConfigVars;
  out: BuildOutput;
  signal: AbortSignal;
  settings: BuilderSettings;
  docker: DockerClient;
  /** The app's buildpack setting (`buildpacks:set`), empty to detect. */
  installedBuildpacks: string[];
  workDir?: string;
  tarPath?: string;
  procfile?: ProcessTypes | null;
  releaseYaml?: string | null;
  processTypes?: ProcessTypes;
  image?: string;
  launcher?: 'slug' | 'image';
  imageCommand?: string | null;
  exposedPort?: number | null;
}

function checkAborted(ctx: DeployContext): void {
  if (ctx.signal.aborted) throw new BuildError('receive', 'The push was cancelled by the client.');
}

/** receive: the pushed tree, as a tar, on local disk. */
export async function receiveSource(ctx: DeployContext): Promise<void> {
  await mkdir(ctx.settings.tmpDir, { recursive: true });
  ctx.workDir = await mkdtemp(join(ctx.settings.tmpDir, `build-${ctx.app}-`));
  ctx.tarPath = join(ctx.workDir, 'source.tar');
  await pipeline(ctx.source, createWriteStream(ctx.tarPath), { signal: ctx.signal });
}

/** The Procfile is checked before anything is built, so a typo fails in a second, not after npm install. */
export async function readProcfile(ctx: DeployContext): Promise<void> {
  const result = await execa('tar', ['-xOf', ctx.tarPath!, 'app/Procfile'], { reject: false, encoding: 'utf8' });
  if (result.exitCode !== 0) {
    ctx.procfile = null;
    return;
  }
  try {
    ctx.procfile = parseProcfile(result.stdout);
  } catch (err) {
    if (isSlipwayError(err)) throw new BuildError('detect', err.message);
    throw err;
  }
}

/** detect + compile + release, inside a container from the stack image. */
export async function compile(ctx: DeployContext): Promise<void> {
  checkAborted(ctx);
  if (await wantsDockerfile(ctx, await listMembers(ctx.tarPath!))) return compileDockerfile(ctx);
  const s = ctx.settings;
  const outDir = join(ctx.workDir!, 'out');
  const envDir = join(ctx.workDir!, 'env');
  const cacheDir = join(s.cacheDir, ctx.app);
  await Promise.all([mkdir(outDir, { recursive: true }), mkdir(envDir, { recursive: true }), mkdir(cacheDir, { recursive: true })]);
  // ENV_DIR: one file per config var; values never go on a command line or into the output.
  await Promise.all(Object.entries(ctx.config).map(([k, v]) => writeFile(join(envDir, k), v, { mode: 0o600 })));

  const refs = chooseBuildpacks({
    installed: ctx.installedBuildpacks,
    buildpackUrl: ctx.config.BUILDPACK_URL,
    dotBuildpacks: await readSourceFile(ctx.tarPath!, 'app/.buildpacks'),
    builtins: await builtinBuildpacks(s.buildpacksDir),
  });
  const { args, extraBinds } = await driverArgs(refs);
  const timeoutMs = buildTimeoutMs(ctx.config, s.timeoutMs);
  const binds = [
    ...extraBinds,
    `${s.buildpacksDir}:/buildpacks:ro`,
    `${DRIVER_DIR}:/slipway/builder:ro`,
    `${cacheDir}:/cache`,
    `${envDir}:/env:ro`,
    `${outDir}:/out`,
  ];
  const env: Record<string, string> = { HOME: '/app', STACK: 'bookworm', SOURCE_VERSION: ctx.commit };
  if (s.caBundle) {
    binds.push(`${s.caBundle}:/etc/ssl/certs/ca-certificates.crt:ro`);
    env.NODE_EXTRA_CA_CERTS = '/etc/ssl/certs/ca-certificates.crt';
    env.SSL_CERT_FILE = '/etc/ssl/certs/ca-certificates.crt';
  }
  const build = await createBuildContainer(ctx.docker, {
    instance: s.instance,
    app: ctx.app,
    image: s.stackImage,
    cmd: ['/slipway/builder/build', ...args],
    env,
    binds,
    memoryMb: s.memoryMb,
  });
  const onAbort = () => void build.remove().catch(() => undefined);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const progress = withProgress(ctx.out.raw);
    const code = await build.run(createReadStream(ctx.tarPath!), progress.stream, timeoutMs).finally(() => progress.stop());
    checkAborted(ctx);
    if (code === 124) throw new BuildError('compile', `Build timed out after ${formatDuration(timeoutMs)} (set SLIPWAY_BUILD_TIMEOUT, in seconds, to change it).`);
    if (code !== 0) throw new BuildError('compile', 'Build failed', true);
    ctx.releaseYaml = await readFile(join(outDir, 'release.yml'), 'utf8').catch(() => null);
    ctx.processTypes = mergeProcessTypes(ctx.procfile ?? null, ctx.releaseYaml);
    ctx.image = imageName(ctx.app, ctx.version);
    ctx.out.step('Compressing...');
    await build.commit(`slipway/${ctx.app}`, `v${ctx.version}`, [
      'ENTRYPOINT ["/slipway/launch"]',
      'CMD []',
      'WORKDIR /app',
      `LABEL ${LABELS.instance}=${s.instance} ${LABELS.app}=${ctx.app} ${LABELS.release}=${ctx.version}`,
    ]);
    // The slug is what the build added on top of the stack, as Heroku reports it.
    const size = (await imageSize(ctx.docker, ctx.image)) - (await imageSize(ctx.docker, s.stackImage));
    ctx.out.info(`Done: ${(size / 1024 / 1024).toFixed(1)}M`);
    const maxSlugBytes = maxSlugBytesFor(ctx.config, s.maxSlugBytes);
    if (size > maxSlugBytes) {
      throw new BuildError('compile', `Compiled slug size ${(size / 1024 / 1024).toFixed(0)}M is too large (max is ${(maxSlugBytes / 1024 / 1024).toFixed(0)}M).`);
    }
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    await build.remove();
  }
}

async function readSourceFile(tarPath: string, member: string): Promise<string | null> {
  const result = await execa('tar', ['-xOf', tarPath, member], { reject: false, encoding: 'utf8' });
  return result.exitCode === 0 ? result.stdout : null;
}

/** Built-in buildpacks are the directories of buildpacksDir that have bin/detect. */
async function builtinBuildpacks(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const found: string[] = [];
  for (const name of names) {
    if (await access(join(dir, name, 'bin', 'detect')).then(() => true, () => false)) found.push(name);
  }
  return found;
}

/**
 * Driver arguments for the chosen buildpacks: built-ins by their mounted path,
 * local paths mounted read-only, git URLs cloned inside the build container.
 * No arguments means "detect over every built-in, in buildpacks/ORDER".
 */
async function driverArgs(refs: BuildpackRef[]): Promise<{ args: string[]; extraBinds: string[] }> {
  const args: string[] = [];
  const extraBinds: string[] = [];
  for (const [i, ref] of refs.entries()) {
    if (ref.kind === 'builtin') args.push(`/buildpacks/${ref.name}`);
    else if (ref.kind === 'url') args.push(ref.url);
    else {
      const ok = await access(join(ref.path, 'bin', 'compile')).then(() => true, () => false);
      if (!ok) throw new BuildError('detect', `Buildpack ${ref.path} has no bin/compile.`);
      extraBinds.push(`${ref.path}:/buildpacks-custom/${i}:ro`);
      args.push(`/buildpacks-custom/${i}`);
    }
  }
  return { args, extraBinds };
}

/** SLIPWAY_BUILD_TIMEOUT (seconds) in the app's config overrides the platform default. */
function buildTimeoutMs(config: ConfigVars, fallbackMs: number): number {
  const raw = config.SLIPWAY_BUILD_TIMEOUT;
  if (raw === undefined) return fallbackMs;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new BuildError('detect', `SLIPWAY_BUILD_TIMEOUT=${raw} is not a number of seconds.`);
  return seconds * 1000;
}

/** SLIPWAY_MAX_SLUG_MB in the app's config lowers or raises the platform's slug size limit. */
function maxSlugBytesFor(config: ConfigVars, fallback: number): number {
  const raw = config.SLIPWAY_MAX_SLUG_MB;
  if (raw === undefined) return fallback;
  const mb = Number(raw);
  if (!Number.isFinite(mb) || mb <= 0) throw new BuildError('compile', `SLIPWAY_MAX_SLUG_MB=${raw} is not a size in MB.`);
  return mb * 1024 * 1024;
}

function formatDuration(ms: number): string {
  return ms >= 120_000 ? `${Math.round(ms / 60_000)} minutes` : `${Math.round(ms / 1000)} seconds`;
}

/** Undo what a failed deploy made, so no half-made image is left behind. */
export async function cleanUp(ctx: DeployContext, failed: boolean): Promise<void> {
  if (ctx.workDir) await rm(ctx.workDir, { recursive: true, force: true });
  if (failed && ctx.image) await removeImage(ctx.docker, ctx.image).catch(() => undefined);
}

/**
 * Build output with progress for slow steps: after 10 s without a line, a
 * `still working` line says which step is running and for how long, so a
 * long install never looks like a hang.
 */
function withProgress(target: Writable, quietMs = 10_000): { stream: Writable; stop(): void } {
  let step = 'building';
  let stepStarted = Date.now();
  let lastWrite = Date.now();
  const inner = forwardTo(target);
  const timer = setInterval(() => {
    if (Date.now() - lastWrite < quietMs) return;
    lastWrite = Date.now();
    const seconds = Math.round((Date.now() - stepStarted) / 1000);
    if (!target.destroyed && target.writable) target.write(`       ... still ${step} (${seconds}s)\n`);
  }, 1000);
  timer.unref();
  const stream = new Writable({
    write(chunk: Buffer, enc, done) {
      lastWrite = Date.now();
      const match = /-----> ([^\n]+)/.exec(chunk.toString());
      if (match) {
        step = match[1]!.trim().replace(/\.+$/, '').toLowerCase();
        stepStarted = Date.now();
      }
      inner.write(chunk, enc, done);
    },
  });
  return { stream, stop: () => clearInterval(timer) };
}

/** A writable that passes build output on without ever ending the pusher's stream. */
function forwardTo(target: Writable): Writable {
  return new Writable({
    write(chunk, _enc, done) {
      if (target.destroyed || !target.writable) return done();
      if (target.write(chunk)) done();
      else target.once('drain', () => done());
    },
  });
}

export function describeFailure(err: unknown): string {
  if (err instanceof BuildError || isSlipwayError(err)) return err.message;
  if (err instanceof SlipwayError) return err.message;
  return err instanceof Error ? err.message : String(err);
}
