import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { eventually, Instance, ROOT, sleep } from './helpers/instance.js';

const run = promisify(execFile);

/**
 * Nothing is lost when the parts restart: the daemon, Redis, dockerd. This
 * file restarts the machine's dockerd, so it runs after the others.
 */
describe('restarts lose nothing', () => {
  const slipway = new Instance();
  const app = `keep-${Date.now().toString(36)}`;

  const containerIds = async () =>
    (await run('docker', ['ps', '-q', '--no-trunc', '--filter', `label=io.slipway.app=${app}`, '--filter', `label=io.slipway.instance=${slipway.instanceId}`, '--filter', 'label=io.slipway.role=dyno'])).stdout
      .split('\n')
      .filter(Boolean)
      .sort();

  before(async () => {
    await slipway.start();
    assert.equal((await slipway.api('POST', '/apps', { name: app })).status, 201);
    assert.equal((await slipway.api('PATCH', `/apps/${app}/config-vars`, { KEPT: 'yes' })).status, 200);
    const pushed = await slipway.pushFixture('node-express', app);
    assert.equal(pushed.code, 0, pushed.output);
    assert.equal((await slipway.cli(['ps:scale', 'web=2', '-a', app])).code, 0);
    await eventually('two dynos', async () => ((await containerIds()).length === 2 ? true : undefined));
  });
  after(async () => {
    await slipway.stop();
  });

  it('(daemon restart) adopts the running dynos without restarting them and serves at once', async () => {
    const before = await containerIds();
    await slipway.stopDaemon();
    await slipway.startDaemon();
    const res = await slipway.viaRouter(app);
    assert.equal(res.status, 200);
    assert.match(res.body, /^hello from web\.[12]$/);
    await sleep(2000); // a reconcile pass has run by now; it must not have replaced anything
    assert.deepEqual(await containerIds(), before, slipway.log.split('\n').filter((l) => l.includes('dynos:')).join('\n'));
  });

  it('(redis restart) with AOF loses no app, release, config var or formation', async () => {
    const snapshot = async () => ({
      app: (await slipway.api('GET', `/apps/${app}`)).json.name,
      releases: (await slipway.api('GET', `/apps/${app}/releases`)).json.map((r: { version: number; description: string }) => [r.version, r.description]),
      config: (await slipway.api('GET', `/apps/${app}/config-vars`)).json,
      formation: (await slipway.api('GET', `/apps/${app}/formation`)).json.map((f: { type: string; quantity: number }) => [f.type, f.quantity]),
    });
    const before = await snapshot();
    await slipway.stopRedis();
    // While Redis is down the router keeps serving from its last table.
    assert.equal((await slipway.viaRouter(app)).status, 200);
    await slipway.startRedis();
    const after = await eventually('the API to answer again', async () => {
      const s = await snapshot().catch(() => undefined);
      return s?.app ? s : undefined;
    });
    assert.deepEqual(after, before);
    assert.deepEqual(before.config, { KEPT: 'yes' });
    // And it keeps working: a config change after the restart makes a release.
    assert.equal((await slipway.api('PATCH', `/apps/${app}/config-vars`, { AFTER: 'restart' })).status, 200);
    await eventually('the new config to serve', async () => ((await slipway.viaRouter(app, '/env/AFTER')).body === 'restart' ? true : undefined));
  });

  it('(dockerd restart) brings the formation back', async () => {
    const pid = (await readFile('/var/run/docker.pid', 'utf8')).trim();
    process.kill(Number(pid), 'SIGTERM');
    await eventually('dockerd to stop', async () => {
      try {
        process.kill(Number(pid), 0);
        return undefined;
      } catch {
        return true;
      }
    }, 60_000);
    await run('bash', ['-c', 'source "$1/scripts/lib/common.sh"; ensure_dockerd /var/log/slipway-test', '_', ROOT]);
    const ids = await eventually('two dynos to run again', async () => {
      const now = await containerIds();
      return now.length === 2 ? now : undefined;
    }, 120_000);
    assert.equal(ids.length, 2);
    const seen = await eventually('both dynos to answer', async () => {
      const names = new Set<string>();
      for (let i = 0; i < 10; i++) names.add((await slipway.viaRouter(app)).body);
      return names.has('hello from web.1') && names.has('hello from web.2') ? names : undefined;
    }, 60_000);
    assert.equal(seen.size, 2);
  });
});
