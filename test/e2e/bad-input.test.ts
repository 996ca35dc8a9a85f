import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { eventually, httpRequest, Instance, sleep } from './helpers/instance.js';

const run = promisify(execFile);

describe('bad input gets a clear error and loses nothing', () => {
  const slipway = new Instance();
  const app = `bad-${Date.now().toString(36)}`;

  before(async () => {
    await slipway.start();
    const created = await slipway.api('POST', '/apps', { name: app });
    assert.equal(created.status, 201);
  });
  after(async () => {
    await slipway.stop();
  });

  it('(api) refuses a request without the key with 401 unauthorized', async () => {
    const none = await slipway.api('GET', '/apps', undefined, null);
    assert.equal(none.status, 401);
    assert.equal(none.json.id, 'unauthorized');
    const wrong = await slipway.api('GET', '/apps', undefined, 'not-the-key');
    assert.equal(wrong.status, 401);
  });

  it('(git) refuses info/refs and a direct POST to git-receive-pack without the key', async () => {
    const refs = await httpRequest(`${slipway.apiUrl}/${app}.git/info/refs?service=git-receive-pack`);
    assert.equal(refs.status, 401);
    const post = await httpRequest(`${slipway.apiUrl}/${app}.git/git-receive-pack`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-git-receive-pack-request' },
      body: '0000',
    });
    assert.equal(post.status, 401);
    const wrongKey = Buffer.from('git:wrong').toString('base64');
    const postWrong = await httpRequest(`${slipway.apiUrl}/${app}.git/git-receive-pack`, {
      method: 'POST',
      headers: { Authorization: `Basic ${wrongKey}`, 'Content-Type': 'application/x-git-receive-pack-request' },
      body: '0000',
    });
    assert.equal(postWrong.status, 401);
  });

  it('(git push) with a wrong key fails and deploys nothing', async () => {
    const dir = await slipway.prepareFixture('node-express');
    const pushed = await slipway.push(dir, app, { key: 'wrong-key' });
    assert.notEqual(pushed.code, 0);
    assert.match(pushed.output, /Authentication failed|401|could not read Username/i);
  });

  it('(git push) to an app that does not exist is refused and creates no repository', async () => {
    const dir = await slipway.prepareFixture('node-express');
    const pushed = await slipway.push(dir, 'no-such-app');
    assert.notEqual(pushed.code, 0);
    assert.match(pushed.output, /no-such-app does not exist|not found/i);
    await assert.rejects(access(join(slipway.home, 'repos', 'no-such-app.git')));
  });

  it('(apps:create) rejects invalid names with 422 invalid_params and creates nothing', async () => {
    for (const name of ['../x', 'A B', 'x;rm -rf /', 'a'.repeat(100), 'Upper', '9lives', '-dash']) {
      const res = await slipway.api('POST', '/apps', { name });
      assert.equal(res.status, 422, `name ${JSON.stringify(name)}`);
      assert.equal(res.json.id, 'invalid_params');
      assert.match(res.json.message, /invalid/);
    }
    const list = await slipway.api('GET', '/apps');
    assert.deepEqual(list.json.map((a: { name: string }) => a.name), [app]);
    const repos = await readdir(join(slipway.home, 'repos')).catch(() => [] as string[]);
    assert.ok(repos.every((r) => r === `${app}.git`), `unexpected repos: ${repos.join(', ')}`);
  });

  it('(apps:create) a taken name is a 409 conflict', async () => {
    const res = await slipway.api('POST', '/apps', { name: app });
    assert.equal(res.status, 409);
    assert.equal(res.json.id, 'conflict');
  });

  it('(api) unknown app is 404 not_found and unknown endpoint is 404', async () => {
    const res = await slipway.api('GET', '/apps/nope-nope');
    assert.equal(res.status, 404);
    assert.equal(res.json.id, 'not_found');
    const endpoint = await slipway.api('GET', '/nothing-here');
    assert.equal(endpoint.status, 404);
    assert.equal(endpoint.json.id, 'not_found');
  });

  it('(git push) an app no buildpack detects is rejected and nothing is released', async () => {
    const other = `nolang-${Date.now().toString(36)}`;
    assert.equal((await slipway.api('POST', '/apps', { name: other })).status, 201);
    const pushed = await slipway.pushFixture('no-language', other);
    assert.notEqual(pushed.code, 0);
    assert.match(pushed.output, /remote:  !     No default language could be detected for this app\./);
    const releases = await slipway.api('GET', `/apps/${other}/releases`);
    assert.deepEqual(releases.json, []);
  });

  it('(git push) a Procfile line that cannot be parsed is rejected with its line number', async () => {
    const other = `badproc-${Date.now().toString(36)}`;
    assert.equal((await slipway.api('POST', '/apps', { name: other })).status, 201);
    const pushed = await slipway.pushFixture('procfile-bad', other);
    assert.notEqual(pushed.code, 0);
    assert.match(pushed.output, /Procfile line 2/);
    const releases = await slipway.api('GET', `/apps/${other}/releases`);
    assert.deepEqual(releases.json, []);
  });

  it('(git push) a push to a branch other than main is refused', async () => {
    const dir = await slipway.prepareFixture('node-express');
    const pushed = await slipway.push(dir, app, { ref: 'main:refs/heads/feature' });
    assert.notEqual(pushed.code, 0);
    assert.match(pushed.output, /only the main \(or master\) branch deploys/);
  });

  it('(router) an unknown host is 404 and an app with no web dyno is 503', async () => {
    const unknown = await slipway.viaRouter('does-not-exist');
    assert.equal(unknown.status, 404);
    const idle = await slipway.viaRouter(app);
    assert.equal(idle.status, 503);
  });

  it('(git push) a client that disconnects mid-push does not crash the daemon', async () => {
    const dir = await slipway.prepareFixture('node-express');
    const controller = new AbortController();
    const pushing = slipway.push(dir, app, {
      signal: controller.signal,
      onOutput: (chunk) => {
        if (chunk.includes('-----> ')) controller.abort();
      },
    });
    const result = await pushing;
    assert.notEqual(result.code, 0);
    await sleep(1000);
    assert.ok(slipway.daemonAlive(), slipway.log);
    const health = await httpRequest(`${slipway.apiUrl}/health`);
    assert.equal(health.status, 200);
    // The server noticed: the build was cancelled and nothing was released.
    await eventually('the aborted deploy to be rejected', async () => slipway.log.includes(`git: push to ${app} rejected`));
    assert.deepEqual((await slipway.api('GET', `/apps/${app}/releases`)).json, []);
    // Nothing is left half-done: no build container remains, and the next push
    // is not refused as "in progress" and deploys.
    const builds = await run('docker', ['ps', '-aq', '--filter', `label=io.slipway.instance=${slipway.instanceId}`, '--filter', 'label=io.slipway.role=build']);
    assert.equal(builds.stdout.trim(), '');
    const again = await slipway.push(dir, app);
    assert.equal(again.code, 0, again.output);
    assert.match(again.output, /released v1/);
  });
});
