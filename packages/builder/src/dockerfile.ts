import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createReadStream } from 'node:fs';
import { execa } from 'execa';
import { imageName } from '@slipway/core';
import { buildDockerfile } from '@slipway/docker';
import { BuildError } from './errors.js';
import type { DeployContext } from './stages.js';

/** Files that make a built-in buildpack detect the app (mirrors their bin/detect). */
const BUILDPACK_MARKERS = ['package.json', 'requirements.txt', 'setup.py', 'pyproject.toml', 'Pipfile', 'runtime.txt', 'go.mod', 'static.json', 'index.html'];

/**
 * A Dockerfile builds the app when heroku.yml or app.json ask for it, or when
 * there is a Dockerfile and nothing a buildpack would detect (a Procfile alone
 * does not count: it names processes, it does not build anything).
 */
export async function wantsDockerfile(ctx: DeployContext, members: Set<string>): Promise<boolean> {
  if (!members.has('app/Dockerfile')) return false;
  const herokuYml = members.has('app/heroku.yml') ? await member(ctx, 'app/heroku.yml') : null;
  if (herokuYml && /^build:\s*\n(\s+.*\n)*?\s+docker:/m.test(`${herokuYml}\n`)) return true;
  const appJson = members.has('app/app.json') ? await member(ctx, 'app/app.json') : null;
  if (appJson && /"stack"\s*:\s*"container"/.test(appJson)) return true;
  if (ctx.installedBuildpacks.length || ctx.config.BUILDPACK_URL || members.has('app/.buildpacks')) return false;
  return !BUILDPACK_MARKERS.some((m) => members.has(`app/${m}`));
}

export async function listMembers(tarPath: string): Promise<Set<string>> {
  const { stdout } = await execa('tar', ['-tf', tarPath], { maxBuffer: 64 * 1024 * 1024 });
  return new Set(stdout.split('\n').map((l) => l.replace(/\/$/, '')));
}

async function member(ctx: DeployContext, name: string): Promise<string | null> {
  const r = await execa('tar', ['-xOf', ctx.tarPath!, name], { reject: false, encoding: 'utf8' });
  return r.exitCode === 0 ? r.stdout : null;
}

/**
 * Builds the app's Dockerfile into slipway/<app>:v<N>. The web process is the
 * image's own ENTRYPOINT/CMD unless the Procfile says otherwise, and a port it
 * EXPOSEs is where its web dyno is reached.
 */
export async function compileDockerfile(ctx: DeployContext): Promise<void> {
  const s = ctx.settings;
  ctx.out.step('Building Docker image from Dockerfile');
  const contextDir = join(ctx.workDir!, 'context');
  await mkdir(contextDir, { recursive: true });
  await execa('tar', ['-xf', ctx.tarPath!, '-C', contextDir, '--no-same-owner']);
  // A file, not a pipe: Node discards a child's unread stdout when it exits.
  const contextTar = join(ctx.workDir!, 'context.tar');
  await execa('tar', ['-C', join(contextDir, 'app'), '-cf', contextTar, '.']);
  ctx.image = imageName(ctx.app, ctx.version);
  let config;
  try {
    config = await buildDockerfile(
      ctx.docker,
      createReadStream(contextTar),
      { tag: ctx.image, instance: s.instance, app: ctx.app, release: ctx.version, memoryMb: s.memoryMb, timeoutMs: s.timeoutMs, signal: ctx.signal },
      (line) => ctx.out.info(line),
    );
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new BuildError('compile', message === 'timeout' ? 'Docker build timed out.' : `Docker build failed: ${message}`);
  }
  const command = [...config.entrypoint, ...config.cmd].map(shellWord).join(' ');
  ctx.imageCommand = command || null;
  ctx.exposedPort = config.exposedPorts[0] ?? null;
  ctx.processTypes = { ...(command ? { web: command } : {}), ...(ctx.procfile ?? {}) };
  ctx.launcher = 'image';
  ctx.out.step('Discovering process types');
  const types = Object.keys(ctx.processTypes);
  ctx.out.info(types.length ? `Process types -> ${types.join(', ')}${ctx.exposedPort ? ` (web on EXPOSEd port ${ctx.exposedPort})` : ''}` : 'No process types: add a CMD or a Procfile.');
}

function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
