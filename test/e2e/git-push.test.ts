import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { rm } from 'node:fs/promises';
import { eventually, Instance, git } from './helpers/instance.js';

const run = promisify(execFile);

describe('git push deploys a Node app', () => {
  const slipway = new Instance();
  const app = `demo-${Date.now().toString(36)}`;
  let fixtureDir = '';

  before(async () => {
    await slipway.start();
  });
  after(async () => {
    if (fixtureDir) await rm(fixtureDir, { recursive: true, force: true });
    await slipway.stop();
  });

  it('(apps:create) prints the git URL and the web URL', async () => {
    fixtureDir = await slipway.prepareFixture('node-express');
    const result = await slipway.cli(['apps:create', app], fixtureDir);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`http://${app}\\.localhost:${slipway.routerPort}/`));
    assert.match(result.stdout, new RegExp(`http://127\\.0\\.0\\.1:${slipway.apiPort}/${app}\\.git`));
    const info = await slipway.api('GET', `/apps/${app}`);
    assert.equal(info.status, 200);
    assert.equal(info.json.name, app);
  });

  it('(git push) streams the build in Heroku style and releases v1', async () => {
    const result = await slipway.push(fixtureDir, app);
    assert.equal(result.code, 0, `${result.output}\n--- daemon log ---\n${slipway.log}`);
    const out = result.output;
    assert.match(out, /remote: -----> Node\.js app detected/);
    assert.match(out, /remote: -----> Installing dependencies/);
    assert.match(out, /remote: -----> Launching\.\.\. released v1/);
    assert.ok(out.indexOf('Node.js app detected') < out.indexOf('Installing dependencies'));
    assert.ok(out.indexOf('Installing dependencies') < out.indexOf('released v1'));
    assert.match(out, new RegExp(`remote: +http://${app}\\.localhost:${slipway.routerPort}/ deployed to Slipway`));
  });

  it('(router) answers at the app URL, by Host header and by name', async () => {
    const res = await slipway.viaRouter(app, '/');
    assert.equal(res.status, 200);
    assert.equal(res.body, 'hello from web.1');
    // curl resolves *.localhost to loopback itself, which is how users reach apps here.
    const { stdout } = await run('curl', ['-sS', '-m', '10', `http://${app}.localhost:${slipway.routerPort}/`]);
    assert.equal(stdout, 'hello from web.1');
  });

  it('(releases) records v1 with its process types and the image', async () => {
    const releases = await slipway.api('GET', `/apps/${app}/releases`);
    assert.equal(releases.status, 200);
    assert.equal(releases.json.length, 1);
    assert.equal(releases.json[0].version, 1);
    assert.equal(releases.json[0].status, 'succeeded');
    assert.equal(releases.json[0].current, true);
    const { stdout } = await run('docker', ['image', 'inspect', '--format', '{{.Id}}', `slipway/${app}:v1`]);
    assert.match(stdout, /sha256:/);
  });

  it('(ps:scale) web=2 gives two dynos that both serve requests', async () => {
    const scaled = await slipway.cli(['ps:scale', 'web=2', '-a', app]);
    assert.equal(scaled.code, 0, scaled.stderr);
    const seen = await eventually('both web dynos to answer', async () => {
      const names = new Set<string>();
      for (let i = 0; i < 12; i++) names.add((await slipway.viaRouter(app, '/')).body);
      return names.has('hello from web.1') && names.has('hello from web.2') ? names : undefined;
    }, 90_000);
    assert.deepEqual([...seen].sort(), ['hello from web.1', 'hello from web.2']);
    const { stdout } = await run('docker', ['ps', '-q', '--filter', `label=io.slipway.app=${app}`, '--filter', `label=io.slipway.instance=${slipway.instanceId}`]);
    assert.equal(stdout.trim().split('\n').length, 2);
  });

  it('(ps) lists both web dynos as up', async () => {
    const ps = await eventually('ps to show two up dynos', async () => {
      const r = await slipway.cli(['ps', '-a', app]);
      return (r.stdout.match(/web\.\d: up/g) ?? []).length === 2 ? r : undefined;
    });
    assert.equal(ps.code, 0);
    assert.match(ps.stdout, /=== web \(standard-1x\): node server\.js \(2\)/);
    assert.match(ps.stdout, /web\.1: up/);
    assert.match(ps.stdout, /web\.2: up/);
  });

  it('(git push) a second push of a changed file releases v2 and serves the new code', async () => {
    await run('sed', ['-i', 's/hello from/hi from/', 'server.js'], { cwd: fixtureDir });
    await git(fixtureDir, ['-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qam', 'change greeting']);
    const result = await slipway.push(fixtureDir, app);
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /released v2/);
    const body = await eventually('the new code to serve', async () => {
      const r = await slipway.viaRouter(app, '/');
      return r.body.startsWith('hi from') ? r.body : undefined;
    });
    assert.match(body, /^hi from web\.[12]$/);
  });
});
