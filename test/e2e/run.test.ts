import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { SlipwayClient } from '@slipway/client';
import { eventually, Instance, ROOT } from './helpers/instance.js';

const run = promisify(execFile);

describe('one-off dynos', () => {
  const slipway = new Instance();
  const app = `run-${Date.now().toString(36)}`;

  /** The real CLI, with `input` as its stdin (then EOF). `signal` kills it. */
  function cli(args: string[], input = '', signal?: AbortSignal): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [join(ROOT, 'packages/cli/dist/main.js'), ...args], {
        env: { ...process.env, SLIPWAY_API_URL: slipway.apiUrl, SLIPWAY_API_KEY: slipway.apiKey, SLIPWAY_HOME: slipway.home },
      });
      signal?.addEventListener('abort', () => child.kill('SIGKILL'), { once: true });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdin.on('error', () => undefined);
      child.stdin.end(input);
      child.on('close', (code, sig) => resolve({ code: code ?? (sig ? 128 : 1), stdout, stderr }));
    });
  }

  async function oneOffContainers(): Promise<string[]> {
    const { stdout } = await run('docker', ['ps', '-aq', '--filter', `label=io.slipway.instance=${slipway.instanceId}`, '--filter', 'label=io.slipway.role=run']);
    return stdout.split('\n').filter(Boolean);
  }

  before(async () => {
    await slipway.start();
    const created = await slipway.api('POST', '/apps', { name: app });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const pushed = await slipway.pushFixture('node-express', app);
    assert.equal(pushed.code, 0, `${pushed.output}\n--- daemon log ---\n${slipway.log}`);
    const config = await slipway.api('PATCH', `/apps/${app}/config-vars`, { FOO: 'from-config' });
    assert.equal(config.status, 200, JSON.stringify(config.json));
  });
  after(async () => {
    await slipway.stop();
  });

  it('(run) pipes stdin to the command and its stdout back, and exits 0', async () => {
    const result = await cli(['run', '-a', app, '--', 'node', '-e', 'process.stdin.pipe(process.stdout)'], 'hello\n');
    assert.equal(result.code, 0, `${result.stderr}\n--- daemon log ---\n${slipway.log}`);
    assert.equal(result.stdout, 'hello\n');
    assert.match(result.stderr, new RegExp(`Running \`node -e 'process\\.stdin\\.pipe\\(process\\.stdout\\)'\` on ⬢ ${app}\\.\\.\\. up, run\\.\\d+`));
  });

  it('(run) passes stdout and stderr apart and exits with the command\'s code', async () => {
    const result = await cli(['run', '-a', app, '--', 'bash', '-c', 'echo out; echo err >&2; exit 7']);
    assert.equal(result.code, 7, result.stderr);
    assert.equal(result.stdout, 'out\n');
    assert.match(result.stderr, /up, run\.\d+\nerr\n$/);
  });

  it('(run) sees the config vars, -e vars and DYNO', async () => {
    const result = await cli(['run', '-a', app, '-e', 'BAR=from-flag', '-e', 'FOO=overridden=yes', '--', 'bash', '-c', 'echo "$FOO $BAR $DYNO"']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^overridden=yes from-flag run\.\d+\n$/);
    const plain = await cli(['run', '-a', app, 'echo $FOO']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout, 'from-config\n');
  });

  it('(run) exits 127 when the command does not exist, as a shell does', async () => {
    const result = await cli(['run', '-a', app, '--', 'no-such-command-here']);
    assert.equal(result.code, 127, result.stderr);
    assert.match(result.stderr, /not found/);
  });

  it('(run) refuses an unknown app with a clear message', async () => {
    const result = await cli(['run', '-a', 'no-such-app', '--', 'true']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Running `true` on ⬢ no-such-app\.\.\. !\n !    Couldn't find that app/);
  });

  it('(run) refuses an empty command, and an app without a release', async () => {
    const empty = await slipway.api('POST', `/apps/${app}/dynos`, { command: ' ', attach: true });
    assert.equal(empty.status, 422);
    assert.equal(empty.json.id, 'invalid_params');
    const bare = `bare-${Date.now().toString(36)}`;
    assert.equal((await slipway.api('POST', '/apps', { name: bare })).status, 201);
    const noRelease = await slipway.api('POST', `/apps/${bare}/dynos`, { command: 'true' });
    assert.equal(noRelease.status, 422);
    assert.equal(noRelease.json.id, 'unprocessable_entity');
    assert.equal((await slipway.api('POST', `/apps/nope-${Date.now()}/dynos`, { command: 'true' })).status, 404);
  });

  it('(run) attach needs the API key: 401 without it, then works with it', async () => {
    const created = await slipway.api('POST', `/apps/${app}/dynos`, { command: 'echo attached', attach: true, type: 'run' });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.equal(created.json.state, 'starting');
    assert.match(created.json.name, /^run\.\d+$/);
    const url = String(created.json.attach_url);
    assert.match(url, new RegExp(`/apps/${app}/dynos/${created.json.name.replace('.', '\\.')}/attach$`));

    const refused = await new Promise<number>((resolve, reject) => {
      const req = request(url, { headers: { Connection: 'Upgrade', Upgrade: 'slipway-attach' } });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('upgrade', (_res, socket) => {
        socket.destroy();
        reject(new Error('upgraded without a key'));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(refused, 401);

    const client = new SlipwayClient({ apiUrl: slipway.apiUrl, apiKey: slipway.apiKey });
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const code = await client.attach(url, { stdout: out, stderr: new PassThrough().resume() });
    assert.equal(code, 0);
    assert.equal(text, 'attached\n');
    // Once used, the URL is done: the dyno is gone, or going.
    await assert.rejects(client.attach(url, { stdout: new PassThrough(), stderr: new PassThrough() }), (err: { id?: string }) => err.id === 'not_found' || err.id === 'conflict');
  });

  it('(run:detached) answers at once, logs the output, and the dyno is removed after it exits', async () => {
    const result = await cli(['run:detached', '-a', app, '--', 'bash', '-c', 'echo detached-out; sleep 1']);
    assert.equal(result.code, 0, result.stderr);
    const name = /up, (run\.\d+)/.exec(result.stderr)?.[1];
    assert.ok(name, result.stderr);
    assert.equal(result.stdout, `Use 'slipway logs -a ${app} --dyno ${name}' to view the output.\n`);
    await eventually('the detached dyno to be removed', async () => (await oneOffContainers()).length === 0, 60_000);
    const logs = await eventually('the output in the logs', async () => {
      const out = await cli(['logs', '-a', app, '--dyno', name]);
      return /Process exited with status 0/.test(out.stdout) ? out.stdout : undefined;
    }, 30_000);
    assert.match(logs, new RegExp(`app\\[${name.replace('.', '\\.')}\\]: detached-out`));
  });

  it('(ps) lists a running one-off dyno, and ps:stop stops it', async () => {
    const started = await cli(['run:detached', '-a', app, '--', 'sleep', '300']);
    assert.equal(started.code, 0, started.stderr);
    const name = /up, (run\.\d+)/.exec(started.stderr)?.[1] ?? '';
    const ps = await eventually('ps to list the one-off dyno', async () => {
      const out = await cli(['ps', '-a', app]);
      return out.stdout.includes('=== run: one-off processes (1)') ? out.stdout : undefined;
    }, 30_000);
    assert.match(ps, new RegExp(`${name.replace('.', '\\.')} \\(standard-1x\\): up .*: sleep 300`));
    const stopped = await cli(['ps:stop', name, '-a', app]);
    assert.equal(stopped.code, 0, stopped.stderr);
    await eventually('the stopped dyno to be removed', async () => (await oneOffContainers()).length === 0, 60_000);
  });

  it('(run) a client that goes away takes its dyno with it', async () => {
    const abort = new AbortController();
    const running = cli(['run', '-a', app, '--', 'sleep', '300'], '', abort.signal);
    await eventually('the attached dyno to run', async () => {
      const { stdout } = await run('docker', ['ps', '-q', '--filter', `label=io.slipway.instance=${slipway.instanceId}`, '--filter', 'label=io.slipway.role=run']);
      return stdout.trim() !== '';
    }, 30_000);
    abort.abort();
    await running;
    await eventually('the dyno to be removed', async () => (await oneOffContainers()).length === 0, 30_000);
  });

  it('(run) leaves no one-off containers behind', async () => {
    assert.deepEqual(await oneOffContainers(), []);
  });
});
