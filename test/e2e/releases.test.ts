import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eventually, git, Instance } from './helpers/instance.js';

describe('releases, config vars and rollback', () => {
  const slipway = new Instance();
  const app = `rel-${Date.now().toString(36)}`;
  let dir = '';

  const commit = async (message: string) => {
    await git(dir, ['add', '-A']);
    await git(dir, ['-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', message]);
  };
  const serves = (expected: string, path = '/') =>
    eventually(`the app to answer ${expected}`, async () => ((await slipway.viaRouter(app, path)).body === expected ? true : undefined));

  before(async () => {
    await slipway.start();
    assert.equal((await slipway.api('POST', '/apps', { name: app })).status, 201);
    dir = await slipway.prepareFixture('node-release-phase');
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    await slipway.stop();
  });

  it('(git push) runs the release command before the release goes live, streaming its output', async () => {
    const pushed = await slipway.push(dir, app);
    assert.equal(pushed.code, 0, pushed.output);
    assert.match(pushed.output, /-----> Running release command\.\.\./);
    assert.match(pushed.output, /remote: +migrating for code one/);
    assert.ok(pushed.output.indexOf('migrating') < pushed.output.indexOf('released v1'));
    await serves('code one on web.1');
    const formation = await slipway.api('GET', `/apps/${app}/formation`);
    assert.deepEqual(formation.json.map((f: { type: string }) => f.type), ['web'], 'release is not a dyno type');
  });

  it('(config:set) makes a release and the value is visible inside the app', async () => {
    const set = await slipway.cli(['config:set', 'GREETING=hi there', 'OTHER=1', '-a', app]);
    assert.equal(set.code, 0, set.stderr);
    await serves('hi there', '/env/GREETING');
    const releases = (await slipway.api('GET', `/apps/${app}/releases`)).json;
    assert.equal(releases.length, 2);
    assert.equal(releases[1].description, 'Set GREETING, OTHER config vars');
    assert.equal(releases[1].current, true);
    const get = await slipway.cli(['config:get', 'GREETING', '-a', app]);
    assert.equal(get.stdout.trim(), 'hi there');
  });

  it('(config:set) rejects a bad key with a clear error and changes nothing', async () => {
    const bad = await slipway.api('PATCH', `/apps/${app}/config-vars`, { '1BAD': 'x' });
    assert.equal(bad.status, 422);
    assert.equal(bad.json.id, 'invalid_params');
    assert.equal((await slipway.api('GET', `/apps/${app}/releases`)).json.length, 2);
  });

  it('(config:set) runs the release command too; when it fails nothing changes', async () => {
    const before = (await slipway.api('GET', `/apps/${app}/config-vars`)).json;
    const res = await slipway.api('PATCH', `/apps/${app}/config-vars`, { FAIL_RELEASE: 'yes' });
    assert.equal(res.status, 422);
    assert.match(res.json.message, /release command failed/);
    assert.deepEqual((await slipway.api('GET', `/apps/${app}/config-vars`)).json, before);
    const releases = (await slipway.api('GET', `/apps/${app}/releases`)).json;
    assert.equal(releases.length, 3);
    assert.equal(releases[2].status, 'failed');
    assert.equal(releases[1].current, true);
    const logs = await slipway.cli(['logs', '-a', app, '-n', '200']);
    assert.match(logs.stdout, /app\[release\.1\]: migration failed/);
    assert.equal((await slipway.viaRouter(app, '/env/GREETING')).body, 'hi there');
  });

  it('(git push) a failing release command marks the release failed and keeps the old one serving', async () => {
    await writeFile(join(dir, 'VERSION'), 'two\n');
    await writeFile(join(dir, 'FAIL'), '');
    await commit('code two with a failing migration');
    const pushed = await slipway.push(dir, app);
    assert.notEqual(pushed.code, 0);
    assert.match(pushed.output, /migration failed/);
    assert.match(pushed.output, /remote:  !     Release command failed: v4 is marked failed/);
    const releases = (await slipway.api('GET', `/apps/${app}/releases`)).json;
    assert.equal(releases[3].status, 'failed');
    assert.equal(releases[3].current, false);
    assert.equal(releases[1].current, true);
    assert.equal((await slipway.viaRouter(app)).body, 'code one on web.1');
  });

  it('(rollback) brings back both the old code and the old config', async () => {
    await rm(join(dir, 'FAIL'));
    await commit('code two, migration fixed');
    const pushed = await slipway.push(dir, app);
    assert.equal(pushed.code, 0, pushed.output);
    await serves('code two on web.1');
    assert.equal((await slipway.cli(['config:set', 'GREETING=changed', '-a', app])).code, 0);
    await serves('changed', '/env/GREETING');
    // v1 is code one without GREETING; v2 is code one with GREETING=hi there.
    const rolled = await slipway.cli(['rollback', 'v2', '-a', app]);
    assert.equal(rolled.code, 0, rolled.stderr);
    await serves('code one on web.1');
    await serves('hi there', '/env/GREETING');
    const releases = (await slipway.api('GET', `/apps/${app}/releases`)).json;
    const last = releases[releases.length - 1];
    assert.equal(last.description, 'Rollback to v2');
    assert.equal(last.current, true);
    const config = (await slipway.api('GET', `/apps/${app}/config-vars`)).json;
    assert.deepEqual(config, { GREETING: 'hi there', OTHER: '1' });
  });

  it('(rollback) to a failed release is refused', async () => {
    const res = await slipway.api('POST', `/apps/${app}/releases`, { release: '4' });
    assert.equal(res.status, 422);
  });

  it('(git push) a release whose dynos never come up is marked failed and the old one keeps serving', async () => {
    const before = (await slipway.viaRouter(app)).body;
    await writeFile(join(dir, 'server.js'), "console.error('cannot start'); process.exit(1);\n");
    await commit('a web process that crashes at boot');
    const pushed = await slipway.push(dir, app);
    assert.notEqual(pushed.code, 0);
    assert.match(pushed.output, /did not start/);
    const releases = (await slipway.api('GET', `/apps/${app}/releases`)).json;
    const failed = releases[releases.length - 1];
    assert.equal(failed.status, 'failed');
    assert.equal(failed.current, false);
    assert.match(pushed.output, new RegExp(`v${failed.version} is marked failed; v${failed.version - 1} keeps serving`));
    assert.equal(releases[releases.length - 2].current, true);
    assert.equal((await slipway.viaRouter(app)).body, before);
    // No dyno of the failed release is left crash-looping.
    await eventually('only the old release to run', async () => {
      const dynos = (await slipway.api('GET', `/apps/${app}/dynos`)).json as { release: { version: number } }[];
      return dynos.length > 0 && dynos.every((d) => d.release.version !== failed.version) ? true : undefined;
    });
  });
});
