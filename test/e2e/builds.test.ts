import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { eventually, FIXTURES, git, httpRequest, Instance } from './helpers/instance.js';

const run = promisify(execFile);

describe('builds', () => {
  const slipway = new Instance();
  const app = `builds-${Date.now().toString(36)}`;
  let fixtureDir = '';
  let tarballServer: Server | null = null;

  before(async () => {
    await slipway.start({ SLIPWAY_KEEP_RELEASES: '2' });
    assert.equal((await slipway.api('POST', '/apps', { name: app })).status, 201);
    fixtureDir = await slipway.prepareFixture('node-express');
    const first = await slipway.push(fixtureDir, app);
    assert.equal(first.code, 0, first.output);
  });
  after(async () => {
    tarballServer?.close();
    if (fixtureDir) await rm(fixtureDir, { recursive: true, force: true });
    await slipway.stop();
  });

  it('(builds) a push is recorded as a succeeded build whose output can be replayed', async () => {
    const builds = await slipway.api('GET', `/apps/${app}/builds`);
    assert.equal(builds.status, 200);
    assert.equal(builds.json.length, 1);
    const build = builds.json[0];
    assert.equal(build.status, 'succeeded');
    assert.equal(build.release.version, 1);
    const output = await httpRequest(build.output_stream_url);
    assert.equal(output.status, 200);
    assert.match(output.body, /-----> Node\.js app detected/);
    assert.match(output.body, /-----> Launching\.\.\. released v1/);
    const cli = await slipway.cli(['builds:output', '-a', app]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /Node\.js app detected/);
  });

  it('(builds) output_stream_url needs its token', async () => {
    const build = (await slipway.api('GET', `/apps/${app}/builds`)).json[0];
    const url = new URL(build.output_stream_url);
    url.searchParams.set('token', 'wrong');
    assert.equal((await httpRequest(url.toString())).status, 404);
  });

  it('(git push) the commit that is already live says so and redeploys nothing', async () => {
    const pushed = await slipway.push(fixtureDir, app, { ref: 'main:refs/heads/master' });
    assert.equal(pushed.code, 0, pushed.output);
    assert.match(pushed.output, /already live as v1; nothing to deploy/);
    const releases = await slipway.api('GET', `/apps/${app}/releases`);
    assert.equal(releases.json.length, 1);
  });

  it('(git push) a failing build is rejected and the previous release keeps serving throughout', async () => {
    const dir = await slipway.prepareFixture('node-fail-install');
    let failures = 0;
    let served = 0;
    let done = false;
    const load = (async () => {
      while (!done) {
        const r = await slipway.viaRouter(app).catch(() => null);
        if (r?.status === 200 && r.body.startsWith('hello from')) served++;
        else failures++;
      }
    })();
    const pushed = await slipway.push(dir, app, { ref: 'main:refs/heads/main' });
    // A force push: the fixture's history is unrelated to the app's.
    const forced = pushed.code === 0 ? pushed : await run('git', ['push', '--force', slipway.gitUrl(app), 'main'], { cwd: dir }).then(
      (r) => ({ code: 0, output: r.stdout + r.stderr }),
      (e: { stdout: string; stderr: string }) => ({ code: 1, output: e.stdout + e.stderr }),
    );
    done = true;
    await load;
    await rm(dir, { recursive: true, force: true });
    assert.notEqual(forced.code, 0);
    assert.match(forced.output, /remote:  !     /);
    assert.match(forced.output, /Push rejected, failed to compile app/);
    assert.equal(failures, 0, 'every request during the failed push was served by v1');
    assert.ok(served > 0);
    const after = await slipway.viaRouter(app);
    assert.equal(after.body, 'hello from web.1');
    const releases = await slipway.api('GET', `/apps/${app}/releases`);
    assert.equal(releases.json.length, 1);
    const builds = (await slipway.api('GET', `/apps/${app}/builds`)).json;
    assert.equal(builds[builds.length - 1].status, 'failed');
    const { stdout } = await run('docker', ['ps', '-aq', '--filter', `label=io.slipway.instance=${slipway.instanceId}`, '--filter', 'label=io.slipway.role=build']);
    assert.equal(stdout.trim(), '', 'no build container is left behind');
  });

  it('(git push) two pushes at once: one builds, the other is told a build is in progress', async () => {
    await run('sed', ['-i', 's/hello from/hey from/', 'server.js'], { cwd: fixtureDir });
    await git(fixtureDir, ['-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qam', 'concurrent']);
    const [a, b] = await Promise.all([slipway.push(fixtureDir, app), slipway.push(fixtureDir, app, { ref: 'main:refs/heads/master' })]);
    const results = [a, b];
    const ok = results.filter((r) => r.code === 0);
    const refused = results.filter((r) => r.code !== 0);
    assert.equal(ok.length, 1, results.map((r) => r.output).join('\n----\n'));
    assert.equal(refused.length, 1);
    assert.match(refused[0]!.output, /Another build is in progress/);
    const body = await eventually('the new code', async () => {
      const r = await slipway.viaRouter(app);
      return r.body.startsWith('hey from') ? r.body : undefined;
    });
    assert.equal(body, 'hey from web.1');
  });

  it('(builds) a tarball deploy from a URL builds, releases and serves', async () => {
    const src = join(tmpdir(), `tarball-${Date.now()}`);
    await run('cp', ['-r', join(FIXTURES, 'node-express'), src]);
    await run('sed', ['-i', 's/hello from/tarball from/', join(src, 'server.js')]);
    const tarball = `${src}.tar.gz`;
    // A top-level directory, as GitHub archives have: it is unwrapped.
    await run('tar', ['-czf', tarball, '-C', tmpdir(), src.split('/').pop()!]);
    const bytes = await readFile(tarball);
    tarballServer = createServer((_req, res) => res.end(bytes));
    await new Promise<void>((r) => tarballServer!.listen(0, '127.0.0.1', r));
    const port = (tarballServer.address() as { port: number }).port;
    const created = await slipway.api('POST', `/apps/${app}/builds`, { source_blob: { url: `http://127.0.0.1:${port}/source.tar.gz`, version: 'v-tarball' } });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.equal(created.json.status, 'pending');
    const output = await httpRequest(created.json.output_stream_url);
    assert.match(output.body, /Launching\.\.\. released v\d/);
    const build = await eventually('the build to finish', async () => {
      const r = await slipway.api('GET', `/apps/${app}/builds/${created.json.id}`);
      return r.json.status !== 'pending' ? r.json : undefined;
    });
    assert.equal(build.status, 'succeeded');
    const body = await eventually('the tarball code', async () => {
      const r = await slipway.viaRouter(app);
      return r.body.startsWith('tarball from') ? r.body : undefined;
    });
    assert.equal(body, 'tarball from web.1');
    await rm(src, { recursive: true, force: true });
    await rm(tarball, { force: true });
  });

  it('(builds) a tarball URL that fails is a failed build with the reason', async () => {
    const created = await slipway.api('POST', `/apps/${app}/builds`, { source_blob: { url: 'http://127.0.0.1:1/nothing.tar.gz' } });
    assert.equal(created.status, 201);
    const output = await httpRequest(created.json.output_stream_url);
    assert.match(output.body, / !     /);
    const bad = await slipway.api('POST', `/apps/${app}/builds`, { source_blob: { url: 'ftp://x/y' } });
    assert.equal(bad.status, 422);
  });

  it('(releases) only the last SLIPWAY_KEEP_RELEASES images are kept', async () => {
    const releases = (await slipway.api('GET', `/apps/${app}/releases`)).json as { version: number }[];
    assert.ok(releases.length >= 3);
    const images = (await run('docker', ['images', '--format', '{{.Tag}}', `slipway/${app}`])).stdout.split('\n').filter(Boolean).sort();
    const newest = releases.slice(-2).map((r) => `v${r.version}`).sort();
    assert.deepEqual(images, newest);
  });

  it('(git push) SLIPWAY_BUILD_TIMEOUT in the config stops a build that runs too long, with progress while it runs', async () => {
    const slow = `slow-${Date.now().toString(36)}`;
    assert.equal((await slipway.api('POST', '/apps', { name: slow })).status, 201);
    assert.equal((await slipway.api('PATCH', `/apps/${slow}/config-vars`, { SLIPWAY_BUILD_TIMEOUT: '25' })).status, 200);
    const dir = await slipway.prepareFixture('node-express');
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'slow', version: '1.0.0', scripts: { build: 'sleep 30' } }));
    await rm(join(dir, 'package-lock.json'), { force: true });
    await git(dir, ['add', '-A']);
    await git(dir, ['-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'slow build']);
    const pushed = await slipway.push(dir, slow);
    await rm(dir, { recursive: true, force: true });
    assert.notEqual(pushed.code, 0);
    assert.match(pushed.output, /Build timed out after 25 seconds/);
    // A step that stays quiet gets progress lines, so it never looks like a hang.
    assert.match(pushed.output, /remote: +\.\.\. still build \(\d+s\)/);
    assert.deepEqual((await slipway.api('GET', `/apps/${slow}/releases`)).json, []);
  });

  it('(git push) every failure leaves the running release serving: missing Node version, over-size slug', async () => {
    const before = (await slipway.viaRouter(app)).body;
    const releasesBefore = (await slipway.api('GET', `/apps/${app}/releases`)).json.length;
    const dir = await slipway.prepareFixture('node-express');
    const { readFile: read, writeFile: write } = await import('node:fs/promises');
    const pkg = JSON.parse(await read(join(dir, 'package.json'), 'utf8'));
    await write(join(dir, 'package.json'), JSON.stringify({ ...pkg, engines: { node: '99.x' } }, null, 2));
    await git(dir, ['-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qam', 'impossible node']);
    const noNode = await slipway.push(dir, app, { ref: '+main:refs/heads/main' });
    assert.notEqual(noNode.code, 0);
    assert.match(noNode.output, /remote:  !     Could not resolve node version 99\.x/);

    assert.equal((await slipway.api('PATCH', `/apps/${app}/config-vars`, { SLIPWAY_MAX_SLUG_MB: '1' })).status, 200);
    await write(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
    await git(dir, ['-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qam', 'back to normal, but the slug limit is 1 MB']);
    const tooBig = await slipway.push(dir, app, { ref: '+main:refs/heads/main' });
    assert.notEqual(tooBig.code, 0);
    assert.match(tooBig.output, /remote:  !     Compiled slug size \d+M is too large \(max is 1M\)/);
    assert.equal((await slipway.api('PATCH', `/apps/${app}/config-vars`, { SLIPWAY_MAX_SLUG_MB: null })).status, 200);
    await rm(dir, { recursive: true, force: true });

    // Config changes made releases; failed builds made none, and the same code serves.
    const releases = (await slipway.api('GET', `/apps/${app}/releases`)).json as { description: string }[];
    assert.equal(releases.length, releasesBefore + 2);
    assert.ok(releases.slice(releasesBefore).every((r) => /config vars/.test(r.description)));
    assert.equal((await slipway.viaRouter(app)).body, before);
    const images = (await run('docker', ['images', '--format', '{{.Tag}}', `slipway/${app}`])).stdout.split('\n').filter(Boolean);
    assert.ok(images.length <= 2, `no half-made images: ${images.join(', ')}`);
  });

  it('(git push) a force push deploys, and pushes to different apps build at the same time', async () => {
    const other = `other-${Date.now().toString(36)}`;
    assert.equal((await slipway.api('POST', '/apps', { name: other })).status, 201);
    const fresh = await slipway.prepareFixture('node-express');
    await run('sed', ['-i', 's/hello from/forced from/', 'server.js'], { cwd: fresh });
    await git(fresh, ['-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qam', 'unrelated history']);
    const [forced, parallel] = await Promise.all([slipway.push(fresh, app, { ref: '+main:refs/heads/main' }), slipway.push(fresh, other)]);
    await rm(fresh, { recursive: true, force: true });
    assert.equal(forced.code, 0, forced.output);
    assert.equal(parallel.code, 0, parallel.output);
    assert.doesNotMatch(forced.output + parallel.output, /Another build is in progress/);
    await eventually('the forced code to serve', async () => ((await slipway.viaRouter(app)).body === 'forced from web.1' ? true : undefined));
    assert.equal((await slipway.viaRouter(other)).body, 'forced from web.1');
  });

  it('(git push) .buildpacks in the source chooses the buildpacks', async () => {
    const chosen = `dotbp-${Date.now().toString(36)}`;
    assert.equal((await slipway.api('POST', '/apps', { name: chosen })).status, 201);
    const dir = await slipway.prepareFixture('procfile-shell');
    // package.json would make it a Node.js app; .buildpacks says procfile only.
    await writeFile(join(dir, 'package.json'), '{"name":"x","version":"1.0.0"}');
    await writeFile(join(dir, '.buildpacks'), '# only the Procfile\nheroku/procfile\n');
    await git(dir, ['add', '-A']);
    await git(dir, ['-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'choose buildpacks']);
    const pushed = await slipway.push(dir, chosen);
    await rm(dir, { recursive: true, force: true });
    assert.equal(pushed.code, 0, pushed.output);
    assert.doesNotMatch(pushed.output, /Node\.js app detected/);
    assert.match(pushed.output, /Procfile app detected/);
  });
});
