import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually, FIXTURES, freePort, git, Instance } from './helpers/instance.js';

const run = promisify(execFile);

/** Every built-in buildpack, each with a fixture pushed with the real git client and checked through the router. */
describe('buildpacks', () => {
  const slipway = new Instance();
  const stamp = Date.now().toString(36);
  const cleanup: string[] = [];
  let gitServer: ChildProcess | null = null;

  const deploy = async (fixture: string, name = `${fixture.slice(0, 14)}-${stamp}`) => {
    assert.equal((await slipway.api('POST', '/apps', { name })).status, 201);
    const pushed = await slipway.pushFixture(fixture, name);
    return { app: name, pushed };
  };

  before(async () => {
    await slipway.start();
  });
  after(async () => {
    gitServer?.kill();
    for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
    await slipway.stop();
  });

  it('(python) a standard-library app builds with the stack Python and serves', async () => {
    const { app, pushed } = await deploy('python-stdlib');
    assert.equal(pushed.code, 0, pushed.output);
    assert.match(pushed.output, /-----> Python app detected/);
    assert.match(pushed.output, /Using Python 3\.11\.\d+ from the stack/);
    assert.equal((await slipway.viaRouter(app)).body, 'hello from python on web.1\n');
  });

  it('(python) a runtime.txt the stack cannot satisfy is rejected with the reason', async () => {
    const { app, pushed } = await deploy('python-bad-runtime');
    assert.notEqual(pushed.code, 0);
    assert.match(pushed.output, /remote:  !     Requested python-3\.12\.1 but this stack provides Python 3\.11\.\d+ only\./);
    assert.deepEqual((await slipway.api('GET', `/apps/${app}/releases`)).json, []);
  });

  it('(static) static.json: root, clean URLs, routes, redirects, headers and the error page', async () => {
    const { app, pushed } = await deploy('static-site');
    assert.equal(pushed.code, 0, pushed.output);
    assert.match(pushed.output, /-----> Static app detected|-----> Static HTML app detected|-----> static app detected/i);
    assert.equal((await slipway.viaRouter(app, '/')).status, 200);
    const about = await slipway.viaRouter(app, '/about');
    assert.equal(about.status, 200);
    assert.match(about.body, /about/i);
    const spa = await slipway.viaRouter(app, '/app/some/deep/link');
    assert.equal(spa.status, 200);
    const redirect = await slipway.viaRouter(app, '/old-about');
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.location, '/about');
    const asset = await slipway.viaRouter(app, '/assets/site.css');
    assert.equal(asset.headers['x-slipway-static'], 'asset');
    assert.match(String(asset.headers['content-type']), /text\/css/);
    const missing = await slipway.viaRouter(app, '/nope');
    assert.equal(missing.status, 404);
    const traversal = await slipway.viaRouter(app, '/%2e%2e/%2e%2e/etc/passwd');
    assert.ok([400, 404].includes(traversal.status));
    assert.doesNotMatch(traversal.body, /root:/);
  });

  it('(go) a go.mod app builds with the Debian toolchain and serves', async () => {
    const { app, pushed } = await deploy('go-http');
    assert.equal(pushed.code, 0, pushed.output);
    assert.match(pushed.output, /-----> Go app detected/);
    assert.equal((await slipway.viaRouter(app)).body, 'hello from go on web.1\n');
  });

  it('(procfile) a Procfile with shell scripts runs as it is, worker included', async () => {
    const { app, pushed } = await deploy('procfile-shell');
    assert.equal(pushed.code, 0, pushed.output);
    assert.match(pushed.output, /-----> Procfile app detected/);
    assert.equal((await slipway.viaRouter(app)).body, 'hello from a Procfile app on web.1\n');
    const formation = (await slipway.api('GET', `/apps/${app}/formation`)).json as { type: string; quantity: number }[];
    assert.deepEqual(formation.map((f) => [f.type, f.quantity]).sort(), [['web', 1], ['worker', 0]]);
  });

  it('(nodejs) yarn.lock installs with yarn', async () => {
    const { app, pushed } = await deploy('node-yarn');
    assert.equal(pushed.code, 0, pushed.output);
    assert.match(pushed.output, /yarn/i);
    assert.match((await slipway.viaRouter(app)).body, /^hello from yarn on web\.1/);
  });

  it('(nodejs) with no Procfile the start script is the web process, and engines.node picks the version', async () => {
    const { app, pushed } = await deploy('node-no-lockfile');
    assert.equal(pushed.code, 0, pushed.output);
    assert.match(pushed.output, /Installing node modules \(package\.json\)/);
    assert.match(pushed.output, /Downloading and installing node 22\.\d+\.\d+|Using cached node 22\./);
    const formation = (await slipway.api('GET', `/apps/${app}/formation`)).json as { type: string; command: string }[];
    assert.deepEqual(formation.map((f) => [f.type, f.command]), [['web', 'npm start']]);
    assert.equal((await slipway.viaRouter(app)).status, 200);
  });

  it('(nodejs) config vars reach the build but never its output; devDependencies are pruned; the cache skips the install', async () => {
    const app = `buildscr-${stamp}`;
    assert.equal((await slipway.api('POST', '/apps', { name: app })).status, 201);
    const secret = `s3cr3t-${stamp}`;
    assert.equal((await slipway.api('PATCH', `/apps/${app}/config-vars`, { BUILD_SECRET: secret })).status, 200);
    const dir = await slipway.prepareFixture('node-build-script');
    cleanup.push(dir);
    const first = await slipway.push(dir, app);
    assert.equal(first.code, 0, first.output);
    assert.match(first.output, /BUILD_SECRET is set/);
    assert.ok(!first.output.includes(secret), 'the value never appears in the build output');
    assert.equal((await slipway.viaRouter(app, '/build-secret')).body, 'set\n');
    assert.equal((await slipway.viaRouter(app, '/dev-dependency')).body, 'pruned');
    await run('sh', ['-c', 'echo "// touched" >> server.js'], { cwd: dir });
    await git(dir, ['-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qam', 'source only']);
    const second = await slipway.push(dir, app);
    assert.equal(second.code, 0, second.output);
    assert.match(second.output, /Using cached node_modules \(package-lock\.json unchanged\)/);
    assert.match(second.output, /Using cached node/);
  });

  it('(buildpacks:set) a custom buildpack from a local path runs with the same API', async () => {
    const bp = await mkdtemp(join(tmpdir(), 'custom-bp-'));
    cleanup.push(bp);
    await writeBuildpack(bp);
    const app = `custom-${stamp}`;
    assert.equal((await slipway.api('POST', '/apps', { name: app })).status, 201);
    const set = await slipway.cli(['buildpacks:set', bp, '-a', app]);
    assert.equal(set.code, 0, set.stderr);
    const list = await slipway.cli(['buildpacks', '-a', app]);
    assert.match(list.stdout, new RegExp(bp.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    const pushed = await slipway.pushFixture('no-language', app);
    assert.equal(pushed.code, 0, pushed.output);
    assert.match(pushed.output, /-----> Custom app detected/);
    assert.match(pushed.output, /compiling with a custom buildpack/);
    assert.equal((await slipway.viaRouter(app)).body.trim(), 'custom buildpack on web.1');
    const cleared = await slipway.cli(['buildpacks:clear', '-a', app]);
    assert.equal(cleared.code, 0);
    assert.deepEqual((await slipway.api('GET', `/apps/${app}/buildpack-installations`)).json, []);
  });

  it('(BUILDPACK_URL) a custom buildpack from a git URL is cloned and used', async () => {
    const bp = await mkdtemp(join(tmpdir(), 'custom-bp-git-'));
    cleanup.push(bp);
    await writeBuildpack(join(bp, 'work'));
    await git(join(bp, 'work'), ['init', '-q', '-b', 'main']);
    await git(join(bp, 'work'), ['add', '-A']);
    await git(join(bp, 'work'), ['-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'buildpack']);
    await run('git', ['clone', '-q', '--bare', join(bp, 'work'), join(bp, 'srv', 'custom.git')]);
    await git(join(bp, 'srv', 'custom.git'), ['update-server-info']);
    // Served over dumb HTTP on loopback, which the build container reaches with host networking.
    const port = await freePort();
    gitServer = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1'], { cwd: join(bp, 'srv'), stdio: 'ignore' });
    await eventually('the git server', async () => (await run('git', ['ls-remote', `http://127.0.0.1:${port}/custom.git`]).then(() => true, () => undefined)));
    const app = `custom-git-${stamp}`;
    assert.equal((await slipway.api('POST', '/apps', { name: app })).status, 201);
    assert.equal((await slipway.api('PATCH', `/apps/${app}/config-vars`, { BUILDPACK_URL: `http://127.0.0.1:${port}/custom.git` })).status, 200);
    const pushed = await slipway.pushFixture('no-language', app);
    assert.equal(pushed.code, 0, pushed.output);
    assert.match(pushed.output, /-----> Custom app detected/);
    assert.equal((await slipway.viaRouter(app)).body.trim(), 'custom buildpack on web.1');
  });

  it('(buildpacks:set) rejects something that is not a buildpack reference', async () => {
    const app = `badbp-${stamp}`;
    assert.equal((await slipway.api('POST', '/apps', { name: app })).status, 201);
    const res = await slipway.api('PUT', `/apps/${app}/buildpack-installations`, { updates: [{ buildpack: 'not a buildpack; rm -rf /' }] });
    assert.equal(res.status, 422);
  });
});

/** A minimal classic buildpack: detects anything, writes a tiny server, declares web. */
async function writeBuildpack(dir: string): Promise<void> {
  const { mkdir, writeFile, chmod } = await import('node:fs/promises');
  await mkdir(join(dir, 'bin'), { recursive: true });
  const files: Record<string, string> = {
    'bin/detect': '#!/usr/bin/env bash\necho Custom\n',
    'bin/compile': [
      '#!/usr/bin/env bash',
      'set -euo pipefail',
      'echo "       compiling with a custom buildpack"',
      'cat >"$1/serve.sh" <<\'SH\'',
      '#!/usr/bin/env bash',
      'mkdir -p /tmp/site && echo "custom buildpack on $DYNO" >/tmp/site/index.html',
      'cd /tmp/site && exec python3 -m http.server "$PORT" --bind 0.0.0.0',
      'SH',
      'chmod +x "$1/serve.sh"',
      '',
    ].join('\n'),
    'bin/release': '#!/usr/bin/env bash\nprintf -- "---\\ndefault_process_types:\\n  web: ./serve.sh\\n"\n',
  };
  for (const [name, text] of Object.entries(files)) {
    await writeFile(join(dir, name), text);
    await chmod(join(dir, name), 0o755);
  }
  void cp;
  void FIXTURES;
}
