import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
  workDir?: string;
  tarPath?: string;
  procfile?: ProcessTypes | null;
  releaseYaml?: string | null;
  processTypes?: ProcessTypes;
  image?: string;
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
  const s = ctx.settings;
  const outDir = join(ctx.workDir!, 'out');
  const envDir = join(ctx.workDir!, 'env');
  const cacheDir = join(s.cacheDir, ctx.app);
  await Promise.all([mkdir(outDir, { recursive: true }), mkdir(envDir, { recursive: true }), mkdir(cacheDir, { recursive: true })]);
  // ENV_DIR: one file per config var; values never go on a command line or into the output.
  await Promise.all(Object.entries(ctx.config).map(([k, v]) => writeFile(join(envDir, k), v, { mode: 0o600 })));

  const binds = [
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
    cmd: ['/slipway/builder/build', ...s.defaultBuildpacks.map((b) => `/buildpacks/${b}`)],
    env,
    binds,
    memoryMb: s.memoryMb,
  });
  const onAbort = () => void build.remove().catch(() => undefined);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const code = await build.run(createReadStream(ctx.tarPath!), forwardTo(ctx.out.raw), s.timeoutMs);
    checkAborted(ctx);
    if (code === 124) throw new BuildError('compile', `Build timed out after ${Math.round(s.timeoutMs / 60000)} minutes.`);
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
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    await build.remove();
  }
}

/** Undo what a failed deploy made, so no half-made image is left behind. */
export async function cleanUp(ctx: DeployContext, failed: boolean): Promise<void> {
  if (ctx.workDir) await rm(ctx.workDir, { recursive: true, force: true });
  if (failed && ctx.image) await removeImage(ctx.docker, ctx.image).catch(() => undefined);
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
