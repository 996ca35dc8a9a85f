#!/usr/bin/env node
/**
 * The Slipway daemon. Wired in the order a push flows through it:
 * git (receive) -> builder (build, release) -> dynos (roll out) -> router (serve),
 * with the API on top calling the same operations.
 */
import { createServer, type Server } from 'node:http';
import { rm } from 'node:fs/promises';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { PassThrough, Writable } from 'node:stream';
import { join } from 'node:path';
import { createApi, createAttachHandler, requestHasKey, type ApiOperations } from '@slipway/api';
import { deploy, fetchSourceTarball, parseBuildpackRef, type BuilderSettings, type DeployDeps } from '@slipway/builder';
import { imageName, logTimeNow, parseDynoName, SlipwayError, type AppName, type BuildRecord } from '@slipway/core';
import { runTask, connectDocker, imageExists, listDynos, pingDocker, removeImage, removeStaleBuildContainers } from '@slipway/docker';
import { DynoManager, LogShipper, OneOffDynos } from '@slipway/dynos';
import { createGitHandler, removeRepo } from '@slipway/git';
import { startRouter, type Router } from '@slipway/router';
import { appendBuildOutput, requestRestart, connectRedis, createLogSink, createBuild, findApp, finishBuild, listReleases } from '@slipway/store';
import { readSettings } from './settings.js';
import { LocalCa } from './local-ca.js';

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

async function main(): Promise<void> {
  const s = readSettings();
  const redis = connectRedis(s.redisUrl, 'slipway-daemon');
  await redis.ping().catch((err: unknown) => {
    throw new Error(`cannot reach Redis (${s.redisUrl.replace(/:[^:@/]*@/, ':***@')}): ${String(err)}`);
  });
  const docker = connectDocker(s.dockerHost);
  await pingDocker(docker).catch((err: unknown) => {
    throw new Error(`cannot reach dockerd${s.dockerHost ? ` at ${s.dockerHost}` : ''}: ${String(err)}`);
  });
  if (!(await imageExists(docker, s.stackImage))) log(`warning: stack image ${s.stackImage} is missing; builds will fail until ./scripts/up builds it`);
  const stale = await removeStaleBuildContainers(docker, s.instance);
  if (stale) log(`removed ${stale} build containers left by an earlier run`);

  const webUrl = (app: string) => `http://${app}.${s.domain}${s.routerPort === 80 ? '' : `:${s.routerPort}`}/`;
  const gitUrl = (app: string) => `http://${s.publicHost}:${s.apiPort}/${app}.git`;

  // Every dyno's stdout/stderr goes to its app's log stream; platform events go there too.
  const shipper = new LogShipper({ redis, docker, instance: s.instance, log });
  await shipper.start();
  const logSink = createLogSink(redis, (err) => log(`logs: could not write platform lines: ${String(err)}`));
  const appLog = (app: string, dyno: string, text: string): void => logSink(app, { time: logTimeNow(), source: 'slipway', dyno, text });
  // One-off dynos (`slipway run`): role=run containers, beside the formation and never reconciled.
  const oneOffs = new OneOffDynos({ redis, docker, instance: s.instance, appendLog: logSink, stopGraceSeconds: s.stopGraceSeconds, log });
  await oneOffs.start();

  let router: Router | undefined;
  const dynos = new DynoManager({
    redis, docker, instance: s.instance, portRange: s.portRange,
    bootTimeoutMs: s.bootTimeoutMs, stopGraceSeconds: s.stopGraceSeconds, log,
    // The router starts after the dyno manager (it needs the first routes); until then nothing is served to wait for.
    routed: (routes) => router?.serving(routes) ?? Promise.resolve(true),
    onEvent: (app, dyno, text) => {
      appLog(app, dyno, text);
      if (text.startsWith('Starting process')) void shipper.syncNow().catch(() => undefined);
    },
  });
  await dynos.start();

  // HTTPS: the operator's certificate when given; otherwise the local CA's, per hostname (see local-ca.ts).
  const ownCert = s.routerTlsCert && s.routerTlsKey ? { cert: readFileSync(s.routerTlsCert, 'utf8'), key: readFileSync(s.routerTlsKey, 'utf8') } : undefined;
  const localCa = s.routerTlsPort === undefined || ownCert ? undefined : new LocalCa(s.home);
  const tls =
    s.routerTlsPort === undefined
      ? {}
      : localCa
        ? { tlsPort: s.routerTlsPort, defaultCert: await localCa.defaultCert(s.domain), issueCertificate: (hostname: string) => localCa.forHost(hostname) }
        : { tlsPort: s.routerTlsPort, defaultCert: ownCert };
  router = await startRouter({
    redis, domain: s.domain, port: s.routerPort, host: s.bindHost, log,
    appLog: (app, line) => appLog(app, 'router', line),
    processes: s.routerProcesses,
    // Requests never wait behind a build, a log shipment or an API call: the router serves from its own process(es).
    separateProcess: true,
    logLinesPerSecond: s.routerLogRate,
    ...tls,
  });

  const builderSettings: BuilderSettings = {
    instance: s.instance,
    stackImage: s.stackImage,
    buildpacksDir: s.buildpacksDir,
    cacheDir: join(s.home, 'cache'),
    tmpDir: join(s.home, 'tmp'),
    caBundle: s.caBundle,
    memoryMb: s.buildMemoryMb,
    timeoutMs: s.buildTimeoutMs,
    maxSlugBytes: s.maxSlugMb * 1024 * 1024,
    keepReleases: s.keepReleases,
    webUrl,
  };
  const deployDeps: DeployDeps = {
    redis, docker, settings: builderSettings,
    rollOut: async (app, rel, out) => {
      try {
        await dynos.rollOut(app, rel);
      } catch (err) {
        out.error(`The new release did not start: ${err instanceof Error ? err.message : String(err)}`);
        throw new Error(`Release v${rel.version} failed to start.`);
      }
    },
  };

  const git = createGitHandler({
    reposDir: join(s.home, 'repos'),
    hookBaseUrl: `http://127.0.0.1:${s.apiPort}`,
    authenticate: (req) => requestHasKey(req, s.apiKey),
    appExists: async (app) => (await findApp(redis, app)) !== null,
    log,
    onPush: async (push) => {
      log(`git: push to ${push.app} ${push.ref} ${push.newRev.slice(0, 7)}`);
      const result = await deploy(deployDeps, { app: push.app, commit: push.newRev, source: push.source, output: push.output, signal: push.signal });
      const outcome = result.unchanged ? 'already live' : result.release ? `released v${result.release.version}` : 'rejected';
      log(`git: push to ${push.app} ${outcome}`);
      return result.build.status === 'succeeded';
    },
  });

  const ops: ApiOperations = {
    async appDestroyed(app) {
      await oneOffs.removeApp(app.name);
      await dynos.reconcileApp(app.name);
      const releases = await listReleases(redis, app.name).catch(() => []);
      for (const r of releases) await removeImage(docker, imageName(app.name, r.version)).catch(() => undefined);
      await removeRepo(join(s.home, 'repos'), app.name);
      await rm(join(s.home, 'cache', app.name), { recursive: true, force: true });
    },
    async restartDynos(app, target) {
      // Rolling: replacements start first and old dynos stop once they are up.
      const all = (await listDynos(docker, s.instance)).filter((d) => d.app === app);
      const chosen = all.filter((d) => !target || d.name === target || (parseDynoName(target) === null && d.type === target));
      if (target && chosen.length === 0) throw new SlipwayError('not_found', `No such dyno or process type: ${target}.`, 'dyno');
      for (const d of chosen) appLog(app, d.name, 'Restarting');
      await requestRestart(redis, app, target ?? '*');
    },
    async stopDyno(app, name) {
      if (await oneOffs.stopDyno(app, name)) return;
      const chosen = (await listDynos(docker, s.instance)).filter((d) => d.app === app && d.name === name);
      if (chosen.length === 0) throw new SlipwayError('not_found', `No such dyno: ${name}.`, 'dyno');
      await dynos.stopDynos(app, chosen.map((d) => d.containerId));
    },
    async rollOut(app) {
      void dynos.reconcileApp(app).catch((err) => log(`roll-out ${app}: ${String(err)}`));
    },
    async runReleasePhase(app, release) {
      // The output goes to the app's log as release.1, as a release dyno's would.
      let pending = '';
      const out = new Writable({
        write(chunk: Buffer, _enc, done) {
          pending += chunk.toString();
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) logSink(app, { time: logTimeNow(), source: 'app', dyno: 'release.1', text: line });
          done();
        },
      });
      const code = await runTask(docker, {
        instance: s.instance, app, release: 0, image: release.image, command: release.command, launcher: release.launcher,
        env: { ...release.configVars, DYNO: 'release.1' }, role: 'release', memoryMb: 512, timeoutMs: s.buildTimeoutMs,
      }, out);
      if (pending) logSink(app, { time: logTimeNow(), source: 'app', dyno: 'release.1', text: pending });
      appLog(app, 'release.1', `Process exited with status ${code}`);
      return code === 0;
    },
    async startSourceBuild(app, sourceBlob) {
      const build = await createBuild(redis, app, sourceBlob, 'admin@slipway.local');
      void runSourceBuild(app, build).catch((err) => log(`build ${build.id}: ${String(err)}`));
      return build;
    },
    validateBuildpacks(list) {
      const builtins = readdirSync(s.buildpacksDir).filter((n) => existsSync(join(s.buildpacksDir, n, 'bin', 'detect')));
      for (const b of list) parseBuildpackRef(b, builtins);
    },
    runDyno: (app, request) => oneOffs.run(app, request),
    attachDyno: (app, name) => oneOffs.attach(app, name),
    listOneOffDynos: (app) => oneOffs.list(app),
  };

  /** A tarball deploy: the same stages as a push, with the source fetched from a URL. */
  async function runSourceBuild(app: AppName, build: BuildRecord): Promise<void> {
    const output = new PassThrough();
    output.resume();
    let fetched;
    try {
      fetched = await fetchSourceTarball(build.sourceBlob.url ?? '', builderSettings.tmpDir);
    } catch (err) {
      await appendBuildOutput(redis, build.id, ` !     ${err instanceof Error ? err.message : String(err)}\n`);
      await finishBuild(redis, build, 'failed', null);
      return;
    }
    try {
      const version = build.sourceBlob.version ?? build.id.slice(0, 8);
      const result = await deploy(deployDeps, { app, commit: version, source: fetched.source, output, signal: new AbortController().signal, build });
      log(`build ${build.id} for ${app}: ${result.build.status}`);
    } finally {
      await fetched.cleanup();
    }
  }
  const api = createApi(redis, { apiKey: s.apiKey, apiUrl: `http://${s.publicHost}:${s.apiPort}`, gitUrl, webUrl }, ops, log);

  const server: Server = createServer((req, res) => {
    if (!git.handle(req, res)) api(req, res);
  });
  server.on('upgrade', createAttachHandler(redis, { apiKey: s.apiKey }, ops, log)); // slipway run's attach
  // Builds can take minutes; the git handler has its own upper bound.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(s.apiPort, s.bindHost, resolve);
  });
  log(`api and git listening on http://${s.bindHost}:${s.apiPort}, router on :${router.port}${router.tlsPort === undefined ? "" : ` (https :${router.tlsPort})`}, domain ${s.domain}, instance ${s.instance}`);

  const shutdown = async (signal: string) => {
    log(`${signal}: shutting down (dynos keep running and are adopted on the next start)`);
    server.close();
    oneOffs.stop();
    await Promise.allSettled([router.close(), dynos.stop(), shipper.stop()]);
    redis.disconnect();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

process.on('unhandledRejection', (err) => log(`unhandled rejection: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));

main().catch((err: unknown) => {
  log(`fatal: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
