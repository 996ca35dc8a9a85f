import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeApi } from '../../helpers/fake-api.js';
import { runSlipway } from '../../helpers/run.js';

const LINES = [
  '2026-01-02T03:04:05.123456+00:00 slipway[web.1]: State changed from starting to up',
  '2026-01-02T03:04:06.000001+00:00 app[web.1]: GET /',
];

/** Serves a log session URL as text, as the real API does, and records how it was asked for. */
class FakeSessionServer {
  readonly requests: IncomingMessage[] = [];
  url = '';
  status = 200;
  readonly #server: Server = createServer((req, res) => {
    this.requests.push(req);
    if (this.status !== 200) {
      res.writeHead(this.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ id: 'not_found', message: 'No such log session; it may have expired.' }));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    // Split mid-line, to check lines are put back together.
    const text = `${LINES.join('\n')}\n`;
    res.write(text.slice(0, 30));
    setTimeout(() => res.end(text.slice(30)), 20);
  });

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

describe('logs', () => {
  const api = new FakeApi();
  const sessions = new FakeSessionServer();
  before(async () => {
    await api.start();
    await sessions.start();
  });
  after(async () => {
    await api.stop();
    await sessions.stop();
  });
  beforeEach(() => {
    sessions.requests.length = 0;
    sessions.status = 200;
    api.reset({
      'POST /apps/demo/log-sessions': () => ({
        status: 201,
        body: { id: 's1', logplex_url: `${sessions.url}/log-sessions/s1?srv=slipway&token=t`, created_at: '2026-01-02T03:04:05Z', updated_at: '2026-01-02T03:04:05Z' },
      }),
    });
  });

  it('asks for a session and prints its lines as they are', async () => {
    const { code, stdout, stderr } = await runSlipway(['logs', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 0, stderr);
    assert.equal(stdout, `${LINES.join('\n')}\n`);
    assert.deepEqual(api.requests.map((r) => [r.path, r.body]), [['/apps/demo/log-sessions', { tail: false, lines: 100 }]]);
    assert.equal(sessions.requests[0]?.url, '/log-sessions/s1?srv=slipway&token=t');
    assert.equal(sessions.requests[0]?.headers.authorization, undefined);
  });

  it('passes --tail, --num, --dyno and --source on', async () => {
    const { code } = await runSlipway(['logs', '-a', 'demo', '-t', '-n', '5', '-d', 'web.1', '-s', 'app'], { apiUrl: api.url });
    assert.equal(code, 0);
    assert.deepEqual(api.requests[0]?.body, { tail: true, lines: 5, dyno: 'web.1', source: 'app' });
    await runSlipway(['logs', '-a', 'demo', '--tail', '--num', '1500', '--dyno', 'router', '--source', 'slipway'], { apiUrl: api.url });
    assert.deepEqual(api.requests[1]?.body, { tail: true, lines: 1500, dyno: 'router', source: 'slipway' });
  });

  it('refuses bad flags and sends nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['-n', '0'], /Use a whole number from 1 to 1500/],
      [['-n', '1501'], /Use a whole number from 1 to 1500/],
      [['-d', 'web/../x'], /Use a dyno such as web\.1/],
      [['-s', 'router'], /Use app or slipway/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await runSlipway(['logs', '-a', 'demo', ...args], { apiUrl: api.url });
      assert.equal(code, 1, args.join(' '));
      assert.match(stderr, message);
    }
    assert.deepEqual(api.requests, []);
  });

  it('reports an expired session with its message', async () => {
    sessions.status = 404;
    const { code, stderr } = await runSlipway(['logs', '-a', 'demo'], { apiUrl: api.url });
    assert.equal(code, 1);
    assert.match(stderr, /^ !    No such log session; it may have expired\./);
  });
});
