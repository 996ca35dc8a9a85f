import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { eventually, Instance } from './helpers/instance.js';

const run = promisify(execFile);

/** The first line a long-running command prints (then it is stopped), or '' after 120 s. */
function firstLine(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args);
    let out = '';
    const timer = setTimeout(() => finish(''), 120_000);
    const finish = (line: string) => {
      clearTimeout(timer);
      child.kill();
      resolve(line);
    };
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) finish(out.split('\n')[0] ?? '');
    });
  });
}

describe('the dyno manager', () => {
  const slipway = new Instance();
  const stamp = Date.now().toString(36);
  const web = `web-${stamp}`;

  const containers = async (app: string) =>
    (await run('docker', ['ps', '-q', '--filter', `label=io.slipway.app=${app}`, '--filter', `label=io.slipway.instance=${slipway.instanceId}`, '--filter', 'label=io.slipway.role=dyno'])).stdout
      .split('\n')
      .filter(Boolean);
  const dynos = async (app: string) => (await slipway.api('GET', `/apps/${app}/dynos`)).json as { name: string; state: string; release: { version: number } }[];

  before(async () => {
    // The real grace period: the slow-boot case checks SIGKILL after about 30 s.
    // Boot timeout 20 s here (60 s by default): the slow app binds after 8 s, the R10 case never does.
    await slipway.start({ SLIPWAY_STOP_GRACE: '30', SLIPWAY_BOOT_TIMEOUT: '20' });
    assert.equal((await slipway.api('POST', '/apps', { name: web })).status, 201);
    const pushed = await slipway.pushFixture('node-express', web);
    assert.equal(pushed.code, 0, pushed.output);
  });
  after(async () => {
    await slipway.stop();
  });

  it('(ps:scale) scales up to 3 and down to 1, by container count and by answering dynos', async () => {
    assert.equal((await slipway.cli(['ps:scale', 'web=3', '-a', web])).code, 0);
    await eventually('three dynos to answer', async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 15; i++) seen.add((await slipway.viaRouter(web)).body);
      return seen.size === 3 ? seen : undefined;
    });
    assert.equal((await containers(web)).length, 3);
    assert.equal((await slipway.cli(['ps:scale', 'web-2', '-a', web])).code, 0);
    await eventually('one container to remain', async () => ((await containers(web)).length === 1 ? true : undefined), 90_000);
    for (let i = 0; i < 5; i++) assert.equal((await slipway.viaRouter(web)).body, 'hello from web.1');
  });

  it('(ps:scale) refuses a type the Procfile does not declare, and a bad count', async () => {
    const worker = await slipway.cli(['ps:scale', 'worker=1', '-a', web]);
    assert.notEqual(worker.code, 0);
    assert.match(worker.stderr, /No such process type worker/);
    const api = await slipway.api('PATCH', `/apps/${web}/formation`, { updates: [{ type: 'web', quantity: -1 }] });
    assert.equal(api.status, 422);
  });

  it('(ps:restart) replaces every dyno without failing a request', async () => {
    const before = await containers(web);
    let failures = 0;
    let served = 0;
    let done = false;
    const load = (async () => {
      while (!done) {
        const r = await slipway.viaRouter(web).catch(() => null);
        if (r?.status === 200) served++;
        else failures++;
      }
    })();
    assert.equal((await slipway.cli(['ps:restart', '-a', web])).code, 0);
    await eventually('the dyno to be replaced', async () => {
      const now = await containers(web);
      return now.length === 1 && now[0] !== before[0] ? true : undefined;
    }, 90_000);
    done = true;
    await load;
    assert.equal(failures, 0, `${failures} requests failed during the restart (${served} served)`);
    assert.ok(served > 0);
  });

  it('(docker rm) a dyno removed by hand comes back', async () => {
    const [id] = await containers(web);
    await run('docker', ['rm', '-f', id!]);
    await eventually('the dyno to come back', async () => {
      const now = await containers(web);
      return now.length === 1 && now[0] !== id && (await slipway.viaRouter(web)).status === 200 ? true : undefined;
    }, 60_000);
  });

  it('(ps) a crash-looping app shows crashed and restarts with a growing back-off', async () => {
    const app = `crash-${stamp}`;
    assert.equal((await slipway.api('POST', '/apps', { name: app })).status, 201);
    const pushed = await slipway.pushFixture('node-crash', app);
    assert.notEqual(pushed.code, 0, 'the first release never comes up, so the push reports it');
    assert.match(pushed.output, /did not start/);
    const crashed = await eventually('ps to show crashed', async () => {
      const r = await slipway.cli(['ps', '-a', app]);
      return /web\.1: crashed/.test(r.stdout) ? r.stdout : undefined;
    });
    assert.match(crashed, /web\.1: crashed/);
    const router = await slipway.viaRouter(app);
    assert.equal(router.status, 503);
    // The back-off grows: starts are spaced further apart each time.
    const starts = await eventually('four restarts in the log', async () => {
      const lines = slipway.log.split('\n').filter((l) => l.includes(`dynos: ${app}: started web.1`));
      return lines.length >= 4 ? lines.map((l) => Date.parse(l.slice(0, 24))) : undefined;
    }, 90_000);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    assert.ok(gaps[gaps.length - 1]! > gaps[0]!, `gaps should grow: ${gaps.join(', ')} ms`);
  });

  it('(ps:stop) a slow app that binds after 8 s and ignores SIGTERM is served once bound, and killed after the grace period', async () => {
    const app = `slow-${stamp}`;
    assert.equal((await slipway.api('POST', '/apps', { name: app })).status, 201);
    const pushed = await slipway.pushFixture('node-slow-boot', app);
    assert.equal(pushed.code, 0, pushed.output);
    assert.equal((await slipway.viaRouter(app)).body, 'slow boot on web.1');
    const [id] = await containers(app);
    // Watch for the container's death before asking for the stop.
    const died = firstLine('docker', ['events', '--filter', `container=${id}`, '--filter', 'event=die', '--format', '{{.Actor.Attributes.exitCode}}']);
    const stopping = slipway.cli(['ps:stop', 'web.1', '-a', app]);
    // SIGTERM arrives and is ignored: the dyno is still running while the grace period lasts.
    await eventually('the dyno to log SIGTERM', async () => ((await run('docker', ['logs', id!])).stdout.includes('got SIGTERM, ignoring it') ? true : undefined));
    assert.equal((await run('docker', ['inspect', '--format', '{{.State.Running}}', id!])).stdout.trim(), 'true');
    const stop = await stopping;
    assert.equal(stop.code, 0, stop.stderr);
    const exitCode = await died;
    assert.equal(exitCode, '137', 'killed with SIGKILL after the grace period');
  });

  it('(git push) a web dyno that never binds $PORT is killed at the boot timeout and logged as R10', async () => {
    const app = `r10-${stamp}`;
    assert.equal((await slipway.api('POST', '/apps', { name: app })).status, 201);
    assert.equal((await slipway.api('PATCH', `/apps/${app}/config-vars`, { BOOT_DELAY_MS: '600000' })).status, 200);
    const pushed = await slipway.pushFixture('node-slow-boot', app);
    assert.notEqual(pushed.code, 0);
    assert.match(pushed.output, /Error R10 \(Boot timeout\) -> Web process failed to bind to \$PORT within 20 seconds of launch/);
    const logs = await slipway.cli(['logs', '-a', app, '-n', '200']);
    assert.match(logs.stdout, /slipway\[web\.1\]: Error R10 \(Boot timeout\)/);
    assert.match(logs.stdout, /Stopping process with SIGKILL/);
  });
});
