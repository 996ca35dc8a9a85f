import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually, httpRequest, Instance, ROOT } from './helpers/instance.js';

const run = promisify(execFile);
const LINE_FORMAT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00 (app|slipway)\[[A-Za-z0-9_.-]+\]: /;

function count(text: string, pattern: RegExp): number {
  return text.split('\n').filter((l) => pattern.test(l)).length;
}

describe('app logs', () => {
  const slipway = new Instance();
  const app = `logs-${Date.now().toString(36)}`;

  before(async () => {
    await slipway.start();
    const created = await slipway.api('POST', '/apps', { name: app });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const pushed = await slipway.pushFixture('node-express', app);
    assert.equal(pushed.code, 0, `${pushed.output}\n--- daemon log ---\n${slipway.log}`);
  });
  after(async () => {
    await slipway.stop();
  });

  it('(logs) shows what the app printed, its state changes and the release', async () => {
    const res = await slipway.viaRouter(app, '/');
    assert.equal(res.status, 200);
    const shown = await eventually('the request line in slipway logs', async () => {
      const r = await slipway.cli(['logs', '-a', app, '-n', '100']);
      return r.code === 0 && /^\S+ app\[web\.1\]: GET \/$/m.test(r.stdout) ? r.stdout : undefined;
    }, 60_000);
    const lines = shown.trimEnd().split('\n');
    for (const l of lines) assert.match(l, LINE_FORMAT);
    assert.match(shown, /^\S+ app\[web\.1\]: listening on \d+$/m);
    assert.match(shown, /^\S+ slipway\[web\.1\]: Starting process with command `node server\.js`$/m);
    assert.match(shown, /^\S+ slipway\[web\.1\]: State changed from starting to up$/m);
    assert.match(shown, /^\S+ slipway\[api\]: Deploy [0-9a-f]{7} by user \S+$/m);
    assert.match(shown, /^\S+ slipway\[api\]: Release v1 created by user \S+$/m);
    const routed = await eventually('the router line in slipway logs', async () => {
      const r = await slipway.cli(['logs', '-a', app, '-n', '100', '--dyno', 'router']);
      return /^\S+ slipway\[router\]: at=info method=GET path="\/" host=\S+ request_id=\S+ fwd="[^"]*" dyno=web\.1 connect=\d+ms service=\d+ms status=200 bytes=\d+ protocol=http$/m.test(r.stdout) ? r.stdout : undefined;
    }, 30_000);
    for (const l of routed.trimEnd().split('\n')) assert.match(l, /^\S+ slipway\[router\]: at=/);
    // Oldest first: the dyno started before it came up, and came up before it was asked anything.
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    assert.ok(at(/Starting process/) < at(/State changed from starting to up/));
    assert.ok(at(/State changed from starting to up/) < at(/app\[web\.1\]: GET \/$/));
  });

  it('(logs) -n, --source and --dyno narrow what is shown', async () => {
    const one = await slipway.cli(['logs', '-a', app, '-n', '1']);
    assert.equal(one.code, 0, one.stderr);
    assert.equal(one.stdout.trimEnd().split('\n').length, 1);
    const appOnly = await slipway.cli(['logs', '-a', app, '-s', 'app']);
    assert.equal(appOnly.code, 0, appOnly.stderr);
    assert.ok(appOnly.stdout.trim().length > 0);
    for (const l of appOnly.stdout.trimEnd().split('\n')) assert.match(l, /^\S+ app\[web\.1\]: /);
    const api = await slipway.cli(['logs', '-a', app, '--dyno', 'api']);
    assert.equal(api.code, 0, api.stderr);
    for (const l of api.stdout.trimEnd().split('\n')) assert.match(l, /^\S+ slipway\[api\]: /);
    const bad = await slipway.cli(['logs', '-a', app, '-n', '0']);
    assert.equal(bad.code, 1);
  });

  it('(logs --tail) prints a line the app writes after the tail started', async () => {
    const marker = `/tail-${Date.now().toString(36)}`;
    const child = spawn(process.execPath, [join(ROOT, 'packages/cli/dist/main.js'), 'logs', '-a', app, '--tail', '-n', '1'], {
      env: { ...process.env, SLIPWAY_API_URL: slipway.apiUrl, SLIPWAY_API_KEY: slipway.apiKey, SLIPWAY_HOME: slipway.home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      // The one line of backlog shows the session is open and tailing.
      await eventually('the tail to print its backlog', async () => stdout.includes('\n') || (child.exitCode !== null && Promise.reject(new Error(`exited: ${stderr}`))), 30_000);
      assert.equal(child.exitCode, null, stderr);
      const res = await slipway.viaRouter(app, marker);
      assert.equal(res.status, 404);
      await eventually('the new line in the tail', async () => stdout.includes(`app[web.1]: GET ${marker}\n`), 30_000);
      assert.equal(count(stdout, new RegExp(`app\\[web\\.1\\]: GET ${marker}$`)), 1);
      assert.equal(child.exitCode, null, 'a tail keeps running');
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('(ps:scale) logs the scaling and the new dyno starting', async () => {
    const scaled = await slipway.cli(['ps:scale', 'web=2', '-a', app]);
    assert.equal(scaled.code, 0, scaled.stderr);
    const shown = await eventually('web.2 to come up in the logs', async () => {
      const r = await slipway.cli(['logs', '-a', app, '-n', '200']);
      return /slipway\[web\.2\]: State changed from starting to up$/m.test(r.stdout) ? r.stdout : undefined;
    }, 90_000);
    assert.match(shown, /^\S+ slipway\[api\]: Scaled to web@2:standard-1x by user \S+$/m);
    assert.match(shown, /^\S+ app\[web\.2\]: listening on \d+$/m);
    const down = await slipway.cli(['ps:scale', 'web=1', '-a', app]);
    assert.equal(down.code, 0, down.stderr);
    await eventually('web.2 to be stopped in the logs', async () => {
      const r = await slipway.cli(['logs', '-a', app, '-n', '200', '-d', 'web.2']);
      return /slipway\[web\.2\]: Stopping all processes with SIGTERM$/m.test(r.stdout) ? r.stdout : undefined;
    }, 60_000);
  });

  it('(log-sessions) the session URL works without the API key, and only with its token', async () => {
    const created = await slipway.api('POST', `/apps/${app}/log-sessions`, { lines: 5, source: 'slipway' });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.deepEqual(Object.keys(created.json).sort(), ['created_at', 'id', 'logplex_url', 'updated_at']);
    const url = new URL(created.json.logplex_url as string);
    const local = `${slipway.apiUrl}${url.pathname}${url.search}`;
    const ok = await httpRequest(local);
    assert.equal(ok.status, 200);
    assert.match(String(ok.headers['content-type']), /^text\/plain/);
    const lines = ok.body.trimEnd().split('\n');
    assert.ok(lines.length >= 1 && lines.length <= 5, ok.body);
    for (const l of lines) assert.match(l, /^\S+ slipway\[/);
    // Heroku's CLI reads the URL as server-sent events; the stream id is the event id.
    const events = await httpRequest(local, { headers: { Accept: 'text/event-stream' } });
    assert.equal(events.status, 200);
    assert.match(String(events.headers['content-type']), /^text\/event-stream/);
    assert.match(events.body, /^id: \d+-\d+\ndata: \S+ slipway\[/);
    url.searchParams.set('token', 'wrong');
    const wrong = await httpRequest(`${slipway.apiUrl}${url.pathname}${url.search}`);
    assert.equal(wrong.status, 404);
    const bad = await slipway.api('POST', `/apps/${app}/log-sessions`, { lines: 5000 });
    assert.equal(bad.status, 422);
    assert.equal(bad.json.id, 'invalid_params');
    const noKey = await slipway.api('POST', `/apps/${app}/log-sessions`, {}, null);
    assert.equal(noKey.status, 401);
  });

  it('(daemon restart) output written while the daemon was down is shipped once, and nothing twice', async () => {
    const { stdout: id } = await run('docker', ['ps', '-q', '--filter', `label=io.slipway.instance=${slipway.instanceId}`, '--filter', `label=io.slipway.app=${app}`, '--filter', 'label=io.slipway.dyno=web.1']);
    const { stdout: port } = await run('docker', ['inspect', '--format', '{{index .Config.Labels "io.slipway.port"}}', id.trim()]);
    const before = `/before-restart-${Date.now().toString(36)}`;
    const during = `/while-down-${Date.now().toString(36)}`;
    await slipway.viaRouter(app, before);
    await eventually('the line before the restart', async () => (await slipway.cli(['logs', '-a', app, '-n', '50'])).stdout.includes(`GET ${before}\n`), 30_000);

    await slipway.stopDaemon();
    // The dyno keeps running; ask it directly, since the router is part of the daemon.
    const direct = await httpRequest(`http://127.0.0.1:${port.trim()}${during}`);
    assert.equal(direct.status, 404);
    await slipway.startDaemon();

    const shown = await eventually('the line written while the daemon was down', async () => {
      const r = await slipway.cli(['logs', '-a', app, '-n', '1500', '-d', 'web.1', '-s', 'app']);
      return r.stdout.includes(`GET ${during}\n`) ? r.stdout : undefined;
    }, 60_000);
    assert.equal(count(shown, new RegExp(`app\\[web\\.1\\]: GET ${during}$`)), 1);
    assert.equal(count(shown, new RegExp(`app\\[web\\.1\\]: GET ${before}$`)), 1);
    assert.equal(count(shown, /app\[web\.1\]: listening on \d+$/), 1);
  });

  it('(ps) a dyno that dies is logged as crashed and started again', async () => {
    const { stdout: id } = await run('docker', ['ps', '-q', '--filter', `label=io.slipway.instance=${slipway.instanceId}`, '--filter', `label=io.slipway.app=${app}`, '--filter', 'label=io.slipway.dyno=web.1']);
    await run('docker', ['kill', id.trim()]);
    const shown = await eventually('the crash and the restart in the logs', async () => {
      const r = await slipway.cli(['logs', '-a', app, '-n', '20', '-d', 'web.1', '-s', 'slipway']);
      const lines = r.stdout.trimEnd().split('\n');
      const crashed = lines.findIndex((l) => /slipway\[web\.1\]: State changed from up to crashed$/.test(l));
      return crashed >= 0 && lines.slice(crashed).some((l) => /State changed from starting to up$/.test(l)) ? r.stdout : undefined;
    }, 90_000);
    assert.match(shown, /^\S+ slipway\[web\.1\]: Process exited with status 137$/m);
  });
});
