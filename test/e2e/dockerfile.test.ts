import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, Instance } from './helpers/instance.js';

describe('Dockerfile deploys', () => {
  const slipway = new Instance();
  const stamp = Date.now().toString(36);

  before(async () => {
    await slipway.start();
  });
  after(async () => {
    await slipway.stop();
  });

  it('(git push) a Dockerfile app builds with its Dockerfile and its CMD serves on $PORT', async () => {
    const app = `docker-${stamp}`;
    assert.equal((await slipway.api('POST', '/apps', { name: app })).status, 201);
    const pushed = await slipway.pushFixture('dockerfile-python', app);
    assert.equal(pushed.code, 0, `${pushed.output}\n${slipway.log}`);
    assert.match(pushed.output, /-----> Building Docker image from Dockerfile/);
    assert.match(pushed.output, /Process types -> web/);
    assert.match(pushed.output, /released v1/);
    const res = await slipway.viaRouter(app);
    assert.equal(res.status, 200);
    assert.equal(res.body, 'hello from a Dockerfile on web.1');
    const formation = await slipway.api('GET', `/apps/${app}/formation`);
    assert.equal(formation.json[0].command, 'python3 /srv/server.py');
    // Scaling works as for any app: each dyno gets its own $PORT.
    assert.equal((await slipway.cli(['ps:scale', 'web=2', '-a', app])).code, 0);
    await eventually('web.2 to serve', async () => {
      for (let i = 0; i < 6; i++) if ((await slipway.viaRouter(app)).body.endsWith('web.2')) return true;
      return false;
    });
  });

  it('(git push) a Dockerfile app that EXPOSEs a port is reached on that port, and redeploys', async () => {
    const app = `expose-${stamp}`;
    assert.equal((await slipway.api('POST', '/apps', { name: app })).status, 201);
    const pushed = await slipway.pushFixture('dockerfile-expose', app);
    assert.equal(pushed.code, 0, `${pushed.output}\n${slipway.log}`);
    assert.match(pushed.output, /web on EXPOSEd port 47213/);
    assert.equal((await slipway.viaRouter(app)).body, 'exposed port 47213');
    // A config change rolls the dyno: the old one must free the port first.
    assert.equal((await slipway.api('PATCH', `/apps/${app}/config-vars`, { A: '1' })).status, 200);
    const dynos = await eventually('the v2 dyno to be up', async () => {
      const r = await slipway.api('GET', `/apps/${app}/dynos`);
      return r.json.length === 1 && r.json[0].release.version === 2 && r.json[0].state === 'up' ? r.json : undefined;
    });
    assert.equal(dynos[0].name, 'web.1', slipway.log);
    assert.equal((await slipway.viaRouter(app)).body, 'exposed port 47213');
  });

  it('(git push) a failing Dockerfile step rejects the push with the reason', async () => {
    const app = `dockerbad-${stamp}`;
    assert.equal((await slipway.api('POST', '/apps', { name: app })).status, 201);
    const dir = await slipway.prepareFixture('dockerfile-python');
    const { writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { git } = await import('./helpers/instance.js');
    await writeFile(join(dir, 'Dockerfile'), 'FROM slipway/stack:bookworm\nRUN exit 3\n');
    await git(dir, ['-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qam', 'broken']);
    const pushed = await slipway.push(dir, app);
    assert.notEqual(pushed.code, 0);
    assert.match(pushed.output, /remote:  !     Docker build failed: .*exit 3|returned a non-zero code: 3/);
    assert.deepEqual((await slipway.api('GET', `/apps/${app}/releases`)).json, []);
  });

  it('(git push) heroku.yml asking for docker wins over a buildpack match', async () => {
    const app = `dockeryml-${stamp}`;
    assert.equal((await slipway.api('POST', '/apps', { name: app })).status, 201);
    const dir = await slipway.prepareFixture('dockerfile-python');
    const { writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { git } = await import('./helpers/instance.js');
    // package.json alone would make this a Node.js app.
    await writeFile(join(dir, 'package.json'), '{"name":"x","version":"1.0.0"}\n');
    await writeFile(join(dir, 'heroku.yml'), 'build:\n  docker:\n    web: Dockerfile\n');
    await git(dir, ['add', '-A']);
    await git(dir, ['-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'heroku.yml']);
    const pushed = await slipway.push(dir, app);
    assert.equal(pushed.code, 0, pushed.output);
    assert.match(pushed.output, /Building Docker image from Dockerfile/);
    assert.doesNotMatch(pushed.output, /Node\.js app detected/);
    assert.equal((await slipway.viaRouter(app)).body, 'hello from a Dockerfile on web.1');
  });
});
