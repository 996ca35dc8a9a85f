import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SlipwayError } from '@slipway/core';
import { SlipwayApiError, SlipwayClient } from '../src/index.js';

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Reply = { status?: number; headers?: Record<string, string>; body?: unknown; raw?: string };

/** A tiny fake API: records every request and answers from `reply`. */
class FakeApi {
  readonly requests: Recorded[] = [];
  reply: (req: Recorded) => Reply = () => ({ body: {} });
  #server: Server = createServer((req, res) => this.#handle(req, res));

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
      this.requests.push(recorded);
      const { status = 200, headers = {}, body, raw } = this.reply(recorded);
      const text = raw ?? (body === undefined ? '' : JSON.stringify(body));
      res.writeHead(status, { 'Content-Type': raw === undefined ? 'application/json' : 'text/html', ...headers });
      res.end(text);
    });
  }
}

describe('SlipwayClient', () => {
  const api = new FakeApi();
  let url = '';
  let client: SlipwayClient;

  before(async () => {
    url = await api.start();
    client = new SlipwayClient({ apiUrl: url, apiKey: 'secret-key' });
  });
  after(() => api.stop());
  beforeEach(() => {
    api.requests.length = 0;
    api.reply = () => ({ body: {} });
  });

  it('sends the Heroku v3 Accept header and a Bearer key on every request', async () => {
    await client.account();
    api.reply = () => ({ body: [] });
    await client.listApps();
    for (const req of api.requests) {
      assert.equal(req.headers.accept, 'application/vnd.heroku+json; version=3');
      assert.equal(req.headers.authorization, 'Bearer secret-key');
    }
    assert.equal(api.requests.length, 2);
  });

  it('maps each method to its Heroku path and body', async () => {
    api.reply = (req) => ({ body: req.method === 'GET' && !/\/(account|apps\/demo|releases\/\w+)$/.test(req.url) ? [] : {} });
    const calls: [() => Promise<unknown>, string, string, unknown][] = [
      [() => client.account(), 'GET', '/account', undefined],
      [() => client.listApps(), 'GET', '/apps', undefined],
      [() => client.createApp('demo'), 'POST', '/apps', { name: 'demo' }],
      [() => client.createApp(), 'POST', '/apps', {}],
      [() => client.getApp('demo'), 'GET', '/apps/demo', undefined],
      [() => client.destroyApp('demo'), 'DELETE', '/apps/demo', undefined],
      [() => client.listReleases('demo'), 'GET', '/apps/demo/releases', undefined],
      [() => client.getRelease('demo', 3), 'GET', '/apps/demo/releases/3', undefined],
      [() => client.rollback('demo', 'f0e1'), 'POST', '/apps/demo/releases', { release: 'f0e1' }],
      [() => client.getConfigVars('demo'), 'GET', '/apps/demo/config-vars', undefined],
      [() => client.updateConfigVars('demo', { A: '1', B: null }), 'PATCH', '/apps/demo/config-vars', { A: '1', B: null }],
      [() => client.listFormation('demo'), 'GET', '/apps/demo/formation', undefined],
      [
        () => client.updateFormation('demo', [{ type: 'web', quantity: 2, size: 'standard-2x' }, { type: 'worker', quantity: 0 }]),
        'PATCH',
        '/apps/demo/formation',
        { updates: [{ type: 'web', quantity: 2, size: 'standard-2x' }, { type: 'worker', quantity: 0 }] },
      ],
      [() => client.listDynos('demo'), 'GET', '/apps/demo/dynos', undefined],
      [() => client.restartDynos('demo'), 'DELETE', '/apps/demo/dynos', undefined],
      [() => client.restartDynos('demo', 'web'), 'DELETE', '/apps/demo/dynos/web', undefined],
      [() => client.restartDynos('demo', 'web.1'), 'DELETE', '/apps/demo/dynos/web.1', undefined],
      [() => client.stopDyno('demo', 'web.2'), 'POST', '/apps/demo/dynos/web.2/actions/stop', undefined],
    ];
    for (const [call, method, path, body] of calls) {
      api.requests.length = 0;
      await call();
      assert.equal(api.requests.length, 1, `${method} ${path}`);
      const req = api.requests[0]!;
      assert.equal(`${req.method} ${req.url}`, `${method} ${path}`);
      if (body === undefined) {
        assert.equal(req.body, '', `${method} ${path} sends no body`);
        assert.equal(req.headers['content-type'], undefined);
      } else {
        assert.deepEqual(JSON.parse(req.body), body, `${method} ${path} body`);
        assert.equal(req.headers['content-type'], 'application/json');
      }
    }
  });

  it('returns the parsed JSON body', async () => {
    api.reply = () => ({ status: 201, body: { name: 'demo', git_url: 'http://x/demo.git' } });
    const app = await client.createApp('demo');
    assert.equal(app.name, 'demo');
    assert.equal(app.git_url, 'http://x/demo.git');
  });

  it('accepts an empty 204 answer', async () => {
    api.reply = () => ({ status: 204 });
    assert.equal(await client.restartDynos('demo'), undefined);
  });

  it('encodes path segments', async () => {
    api.reply = () => ({ body: {} });
    await client.getApp('a b/../c');
    assert.equal(api.requests[0]!.url, '/apps/a%20b%2F..%2Fc');
  });

  it('keeps a path prefix and drops a trailing slash of the API URL', async () => {
    const prefixed = new SlipwayClient({ apiUrl: `${url}/api/`, apiKey: 'k' });
    await prefixed.account();
    assert.equal(api.requests[0]!.url, '/api/account');
  });

  it('does not change its arguments', async () => {
    const updates = Object.freeze([Object.freeze({ type: 'web', quantity: 1 })]);
    const patch = Object.freeze({ A: 'x' });
    api.reply = () => ({ body: [] });
    await client.updateFormation('demo', updates);
    api.reply = () => ({ body: {} });
    await client.updateConfigVars('demo', patch);
    assert.deepEqual(updates, [{ type: 'web', quantity: 1 }]);
    assert.deepEqual(patch, { A: 'x' });
  });

  it('follows Next-Range across 206 pages of a list', async () => {
    api.reply = (req) =>
      req.headers.range === undefined
        ? { status: 206, headers: { 'Next-Range': ']v2..; max=2' }, body: [{ version: 1 }, { version: 2 }] }
        : { status: 200, body: [{ version: 3 }] };
    const releases = await client.listReleases('demo');
    assert.deepEqual(releases.map((r) => r.version), [1, 2, 3]);
    assert.equal(api.requests.length, 2);
    assert.equal(api.requests[1]!.headers.range, ']v2..; max=2');
  });

  it('throws a SlipwayError with the id, message and status of an error body', async () => {
    api.reply = () => ({ status: 404, body: { id: 'not_found', message: "Couldn't find that app.", resource: 'app' } });
    await assert.rejects(client.getApp('nope'), (err: unknown) => {
      assert.ok(err instanceof SlipwayError);
      assert.ok(err instanceof SlipwayApiError);
      assert.equal(err.id, 'not_found');
      assert.equal(err.message, "Couldn't find that app.");
      assert.equal(err.status, 404);
      assert.equal(err.httpStatus, 404);
      assert.equal(err.resource, 'app');
      return true;
    });
  });

  it('keeps the real status when the id is one Slipway has no status for', async () => {
    api.reply = () => ({ status: 409, body: { id: 'conflict', message: 'Name demo is already taken.' } });
    await assert.rejects(client.createApp('demo'), { id: 'conflict', status: 409, message: 'Name demo is already taken.' });
    api.reply = () => ({ status: 418, body: { id: 'teapot', message: 'I am a teapot.' } });
    await assert.rejects(client.account(), { id: 'bad_request', status: 418, message: 'I am a teapot.' });
  });

  it('derives the id from the status when the error body is not JSON', async () => {
    api.reply = () => ({ status: 502, raw: '<html><body>Bad Gateway</body></html>' });
    await assert.rejects(client.listApps(), (err: unknown) => {
      assert.ok(err instanceof SlipwayApiError);
      assert.equal(err.id, 'internal_server_error');
      assert.equal(err.status, 502);
      assert.match(err.message, new RegExp(`^The Slipway API at ${url} answered 502 Bad Gateway: <html><body>Bad Gateway`));
      return true;
    });
    api.reply = () => ({ status: 401, raw: '' });
    await assert.rejects(client.listApps(), { id: 'unauthorized', status: 401, message: `The Slipway API at ${url} answered 401 Unauthorized` });
  });

  it('rejects a 2xx answer whose body is not JSON', async () => {
    api.reply = () => ({ status: 200, raw: 'hello' });
    await assert.rejects(client.account(), { id: 'internal_server_error', message: /answered GET \/account with a body that is not JSON/ });
  });

  it('names the API URL when the API cannot be reached', async () => {
    const closed = new FakeApi();
    const deadUrl = await closed.start();
    await closed.stop();
    const dead = new SlipwayClient({ apiUrl: deadUrl, apiKey: 'k' });
    await assert.rejects(dead.listApps(), (err: unknown) => {
      assert.ok(err instanceof SlipwayApiError);
      assert.equal(err.id, 'service_unavailable');
      assert.equal(err.httpStatus, null);
      assert.match(err.message, new RegExp(`^Could not reach the Slipway API at ${deadUrl}: connect ECONNREFUSED`));
      return true;
    });
  });

  it('uses an injected fetch', async () => {
    const seen: string[] = [];
    const fake: typeof fetch = async (input, init) => {
      seen.push(`${init?.method} ${String(input)}`);
      return new Response(JSON.stringify({ id: 'u', email: 'a@b', name: 'a' }), { status: 200 });
    };
    const account = await new SlipwayClient({ apiUrl: 'http://api.test', apiKey: 'k', fetch: fake }).account();
    assert.equal(account.email, 'a@b');
    assert.deepEqual(seen, ['GET http://api.test/account']);
  });

  it('rejects an API URL that is not http(s)', () => {
    assert.throws(() => new SlipwayClient({ apiUrl: 'localhost:5000', apiKey: 'k' }), { id: 'bad_request', message: /must start with http/ });
    assert.throws(() => new SlipwayClient({ apiUrl: 'not a url', apiKey: 'k' }), { id: 'bad_request', message: /is not a valid URL/ });
  });
});
