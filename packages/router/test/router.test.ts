import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { AppName, AppRoutes, RouteTarget } from '@slipway/core';
import { connectRedis, putAppRoutes, type RedisConnection } from '@slipway/store';
import { startRouter, type Router } from '../src/index.js';
import { eventually, request, startDyno, type Echo } from './support/http.js';
import { freePort, TestRedis } from './support/redis-server.js';

const DOMAIN = 'slipway.test';

/**
 * A dyno speaking raw HTTP/1.1, to misbehave precisely: `answer(n)` says
 * whether the n-th request on a connection gets `200 ok` or a dropped connection.
 */
async function startRawDyno(answer: (count: number) => boolean): Promise<{ port: number; requests(): number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let requests = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    let count = 0;
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      let end: number;
      while ((end = buffered.indexOf('\r\n\r\n')) >= 0) {
        buffered = buffered.slice(end + 4);
        count++;
        requests++;
        if (answer(count)) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok');
        else {
          socket.destroy();
          return;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as net.AddressInfo).port,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function routes(app: string, targets: RouteTarget[], extra: Partial<AppRoutes> = {}): AppRoutes {
  return { app: app as AppName, hostnames: [], maintenance: false, targets, ...extra };
}

function target(dyno: string, port: number): RouteTarget {
  return { dyno, port, release: 1 };
}

describe('router', () => {
  const redisServer = new TestRedis();
  let redis: RedisConnection;
  let router: Router;
  let slowRouter: Router;
  const lines: string[] = [];
  const dynos: Array<{ close(): Promise<void> }> = [];
  let web1: number;
  let web2: number;
  let deadPort: number;
  let slowSeen = 0;
  let slowClosed = 0;
  let staleRequests = (): number => 0;

  before(async () => {
    await redisServer.start();
    redis = connectRedis(redisServer.url, 'router-test');

    const a = await startDyno('web.1');
    const b = await startDyno('web.2');
    // Echoes WebSocket frames back, after a real 101.
    a.server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => {
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Seen-Forwarded-For: ${String(req.headers['x-forwarded-for'])}\r\n\r\n`);
      socket.pipe(socket);
    });
    const breaking = await startDyno('web.1', (req, res) => {
      res.writeHead(200, { 'content-length': '100000' });
      res.write('the first part of a long body');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const slow = await startDyno('web.1', (req, res) => {
      slowSeen++;
      res.on('close', () => slowClosed++);
    });
    // Answers the first request on each connection, then drops the connection
    // at the next one without a byte: a kept-alive socket gone stale.
    const staleOnReuse = await startRawDyno((count) => count === 1);
    staleRequests = staleOnReuse.requests;
    // Drops every connection as soon as a request arrives.
    const resetting = await startRawDyno(() => false);
    dynos.push(a, b, breaking, slow, staleOnReuse, resetting);
    web1 = a.port;
    web2 = b.port;
    deadPort = await freePort();

    await putAppRoutes(redis, routes('demo', [target('web.1', web1)], { hostnames: ['www.example.com'] }));
    await putAppRoutes(redis, routes('pair', [target('web.1', web1), target('web.2', web2)]));
    await putAppRoutes(redis, routes('idle', []));
    await putAppRoutes(redis, routes('closed', [target('web.1', web1)], { maintenance: true }));
    await putAppRoutes(redis, routes('flaky', [target('web.1', deadPort), target('web.2', web2)]));
    await putAppRoutes(redis, routes('flaky-post', [target('web.1', await freePort()), target('web.2', web2)]));
    await putAppRoutes(redis, routes('stale', [target('web.1', staleOnReuse.port)]));
    await putAppRoutes(redis, routes('resetting', [target('web.1', resetting.port), target('web.2', web2)]));
    await putAppRoutes(redis, routes('crashed', [target('web.1', deadPort)]));
    await putAppRoutes(redis, routes('breaking', [target('web.1', breaking.port)]));
    await putAppRoutes(redis, routes('slow', [target('web.1', slow.port)]));

    router = await startRouter({ redis, domain: DOMAIN, port: 0, host: '127.0.0.1', log: (line) => lines.push(line), resyncMs: 60_000 });
    slowRouter = await startRouter({ redis, domain: DOMAIN, port: 0, host: '127.0.0.1', log: () => undefined, firstByteTimeoutMs: 300 });
  });

  after(async () => {
    if (process.env.ROUTER_TEST_LOG) console.error(lines.join("\n"));
    await router?.close();
    await slowRouter?.close();
    await Promise.all(dynos.map((d) => d.close()));
    redis?.disconnect();
    await redisServer.destroy();
  });

  it('loads every route before it listens', () => {
    assert.ok(router.port > 0);
    assert.equal(router.table().size, 11);
  });

  it('routes a Host to its app', async () => {
    const reply = await request(router.port, 'demo.slipway.test');
    assert.equal(reply.status, 200);
    assert.equal((JSON.parse(reply.body) as Echo).dyno, 'web.1');
  });

  it('routes regardless of case and port, and by custom hostname', async () => {
    assert.equal((await request(router.port, `DEMO.Slipway.Test:${router.port}`)).status, 200);
    assert.equal((await request(router.port, 'www.example.com')).status, 200);
  });

  it('spreads two sequential requests over two dynos', async () => {
    const first = JSON.parse((await request(router.port, 'pair.slipway.test')).body) as Echo;
    const second = JSON.parse((await request(router.port, 'pair.slipway.test')).body) as Echo;
    assert.deepEqual(new Set([first.dyno, second.dyno]), new Set(['web.1', 'web.2']));
  });

  it('answers 404 No such app for an unknown host', async () => {
    const reply = await request(router.port, 'nope.slipway.test');
    assert.equal(reply.status, 404);
    assert.match(reply.body, /No such app/);
    assert.match(reply.body, new RegExp(`Request ID: ${String(reply.headers['x-request-id'])}`));
  });

  it('answers 503 H14 for an app with no web dynos', async () => {
    const reply = await request(router.port, 'idle.slipway.test');
    assert.equal(reply.status, 503);
    assert.match(reply.body, /H14 No web dynos running/);
    const line = await eventually(() => lines.find((l) => l.includes('host=idle.slipway.test')), 'the H14 log line');
    assert.match(line, /^at=error code=H14 desc="No web processes running" method=GET path="\/" host=idle\.slipway\.test request_id=\S+ fwd="127\.0\.0\.1" dyno= connect= service= status=503 bytes=\d+ protocol=http$/);
  });

  it('answers 503 with a maintenance page for an app in maintenance', async () => {
    const reply = await request(router.port, 'closed.slipway.test');
    assert.equal(reply.status, 503);
    assert.match(reply.body, /maintenance/);
  });

  it('writes one Heroku-style log line per request', async () => {
    const reply = await request(router.port, 'demo.slipway.test', { path: '/hello?x=1', headers: { 'x-request-id': 'log-line-request-id-0001' } });
    assert.equal(reply.status, 200);
    const matching = await eventually(() => {
      const found = lines.filter((l) => l.includes('request_id=log-line-request-id-0001'));
      return found.length > 0 ? found : undefined;
    }, 'the log line');
    assert.equal(matching.length, 1);
    assert.match(matching[0] ?? '', /^at=info method=GET path="\/hello\?x=1" host=demo\.slipway\.test request_id=log-line-request-id-0001 fwd="127\.0\.0\.1" dyno=web\.1 connect=\d+ms service=\d+ms status=200 bytes=\d+ protocol=http$/);
  });

  it('still answers 200 when one of two dynos refuses connections', async () => {
    for (let i = 0; i < 6; i++) {
      const reply = await request(router.port, 'flaky.slipway.test');
      assert.equal(reply.status, 200);
      assert.equal((JSON.parse(reply.body) as Echo).dyno, 'web.2');
    }
  });

  it('sends a small request body to another dyno when the first refuses the connection', async () => {
    // The app's cursor starts at the refusing dyno, so the first request meets it.
    const reply = await request(router.port, 'flaky-post.slipway.test', { method: 'POST', body: 'a small form body', headers: { 'content-type': 'text/plain' } });
    assert.equal(reply.status, 200);
    const seen = JSON.parse(reply.body) as Echo;
    assert.equal(seen.dyno, 'web.2');
    assert.equal(seen.body, 'a small form body');
  });

  it('retries on a fresh connection when a kept-alive one to the dyno was dropped', async () => {
    for (let i = 0; i < 3; i++) {
      const reply = await request(router.port, 'stale.slipway.test');
      assert.equal(reply.status, 200);
      assert.equal(reply.body, 'ok');
    }
    // More requests reached the dyno than were answered: the dropped ones were sent again.
    assert.ok(staleRequests() > 3, `the dyno saw ${staleRequests()} requests`);
  });

  it('sends a GET to another dyno when one drops the connection before answering', async () => {
    for (let i = 0; i < 4; i++) {
      const reply = await request(router.port, 'resetting.slipway.test');
      assert.equal(reply.status, 200);
      assert.equal((JSON.parse(reply.body) as Echo).dyno, 'web.2');
    }
  });

  it('answers 503 H13 when a POST meets a dyno that drops the connection', async () => {
    const reply = await request(router.port, 'resetting.slipway.test', { method: 'POST', body: 'x' });
    // Either the dyno that drops it (not retried: a POST may have been seen) or the good one.
    assert.ok(reply.status === 503 ? /H13/.test(reply.body) : reply.status === 200, `${reply.status} ${reply.body}`);
  });

  it('closes the client connection when the client asks, and answers HTTP/1.0', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(router.port, '127.0.0.1', () => socket.write('GET / HTTP/1.0\r\nHost: demo.slipway.test\r\n\r\n'));
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(answer, /"dyno":"web\.1"/);
    const closed = await request(router.port, 'demo.slipway.test', { headers: { connection: 'close' } });
    assert.equal(closed.headers.connection, 'close');
  });

  it('answers 404 to a request without a Host header', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(router.port, '127.0.0.1', () => socket.write('GET / HTTP/1.0\r\n\r\n'));
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.1 404 /);
  });

  it('answers 503 H10 when every dyno refuses connections', async () => {
    const reply = await request(router.port, 'crashed.slipway.test');
    assert.equal(reply.status, 503);
    assert.match(reply.body, /H10/);
  });

  it('replaces the forwarding headers a client sent', async () => {
    const reply = await request(router.port, 'demo.slipway.test', {
      headers: { 'x-forwarded-for': '6.6.6.6', 'x-forwarded-proto': 'https', 'x-forwarded-port': '1', via: '1.0 evil', 'x-request-id': 'short' },
    });
    const seen = (JSON.parse(reply.body) as Echo).headers;
    assert.equal(seen['x-forwarded-for'], '127.0.0.1');
    assert.equal(seen['x-forwarded-proto'], 'http');
    assert.equal(seen['x-forwarded-port'], String(router.port));
    assert.equal(seen['via'], '1.1 slipway');
    assert.match(String(seen['x-request-id']), /^[0-9a-f-]{36}$/);
    assert.match(String(seen['x-request-start']), /^\d+$/);
    assert.equal(seen['host'], 'demo.slipway.test');
  });

  it('keeps a well-formed client request id', async () => {
    const id = 'abcdefghij0123456789+/=-';
    const seen = (JSON.parse((await request(router.port, 'demo.slipway.test', { headers: { 'x-request-id': id } })).body) as Echo).headers;
    assert.equal(seen['x-request-id'], id);
  });

  it('serves several requests over one keep-alive connection', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await request(router.port, 'demo.slipway.test', { agent });
      const second = await request(router.port, 'demo.slipway.test', { agent });
      const third = await request(router.port, 'nope.slipway.test', { agent });
      assert.deepEqual([first.status, second.status, third.status], [200, 200, 404]);
      assert.equal(second.reusedSocket, true);
      assert.equal(third.reusedSocket, true);
    } finally {
      agent.destroy();
    }
  });

  it('keeps a keep-alive connection usable after answering before the body arrived', { timeout: 20_000 }, async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      // Too big to keep for a retry, so every dyno refusing means an early 503.
      const early = await request(router.port, 'crashed.slipway.test', { method: 'POST', body: 'x'.repeat(2_000_000), agent });
      assert.equal(early.status, 503);
      const next = await request(router.port, 'demo.slipway.test', { agent });
      assert.equal(next.status, 200);
      assert.equal(next.reusedSocket, true);
    } finally {
      agent.destroy();
    }
  });

  it('forwards a request body', async () => {
    const reply = await request(router.port, 'demo.slipway.test', { method: 'POST', body: 'x'.repeat(100_000), headers: { 'content-type': 'text/plain' } });
    const seen = JSON.parse(reply.body) as Echo;
    assert.equal(seen.method, 'POST');
    assert.equal(seen.headers['content-length'], '100000');
    assert.equal(seen.body.length, 100_000);
  });

  it('keeps running after a dyno destroys its socket mid-response', async () => {
    const cut = await new Promise<string>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port: router.port, path: '/', headers: { host: 'breaking.slipway.test' }, agent: false }, (res) => {
        res.on('error', () => resolve('error'));
        res.on('aborted', () => resolve('aborted'));
        res.on('end', () => resolve('end'));
        res.resume();
      });
      req.on('error', () => resolve('error'));
    });
    assert.notEqual(cut, 'end');
    await eventually(() => lines.find((l) => l.includes('host=breaking.slipway.test') && l.includes('code=H18')), 'the H18 log line');
    assert.equal((await request(router.port, 'demo.slipway.test')).status, 200);
  });

  it('cuts the dyno request off when the client goes away', async () => {
    const before = slowClosed;
    const req = http.get({ host: '127.0.0.1', port: router.port, path: '/', headers: { host: 'slow.slipway.test' }, agent: false });
    req.on('error', () => undefined);
    await eventually(() => (slowSeen > 0 ? true : undefined), 'the slow dyno to see the request');
    req.destroy();
    await eventually(() => (slowClosed > before ? true : undefined), 'the dyno request to be closed');
    await eventually(() => lines.find((l) => l.includes('host=slow.slipway.test') && l.includes('code=H27') && l.includes('status=499')), 'the H27 log line');
    assert.equal((await request(router.port, 'demo.slipway.test')).status, 200);
  });

  it('answers 503 H12 when a dyno does not respond in time', async () => {
    const reply = await request(slowRouter.port, 'slow.slipway.test');
    assert.equal(reply.status, 503);
    assert.match(reply.body, /H12 Request timeout/);
  });

  it('answers 400 to a malformed request and keeps serving', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(router.port, '127.0.0.1', () => socket.write('THIS IS NOT HTTP\r\n\r\n'));
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.equal((await request(router.port, 'demo.slipway.test')).status, 200);
  });

  it('survives a client that sends half a request and vanishes', async () => {
    await new Promise<void>((resolve) => {
      const socket = net.connect(router.port, '127.0.0.1', () => {
        socket.write('POST / HTTP/1.1\r\nHost: demo.slipway.test\r\nContent-Length: 1000\r\n\r\nonly a little');
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50);
      });
      socket.on('error', () => undefined);
    });
    assert.equal((await request(router.port, 'demo.slipway.test')).status, 200);
  });

  it('proxies a WebSocket upgrade', async () => {
    const { socket, res } = await new Promise<{ socket: net.Socket; res: http.IncomingMessage }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: router.port, path: '/ws', headers: { host: 'demo.slipway.test', connection: 'Upgrade', upgrade: 'websocket', 'x-forwarded-for': '6.6.6.6' }, agent: false });
      req.on('upgrade', (res: http.IncomingMessage, socket: net.Socket) => resolve({ socket, res }));
      req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
      req.on('error', reject);
      req.end();
    });
    try {
      assert.equal(res.statusCode, 101);
      assert.equal(res.headers['x-seen-forwarded-for'], '127.0.0.1');
      const echoed = await new Promise<string>((resolve) => {
        socket.once('data', (chunk: Buffer) => resolve(chunk.toString()));
        socket.write('ping');
      });
      assert.equal(echoed, 'ping');
    } finally {
      socket.destroy();
    }
  });

  it('answers an upgrade it does not speak (h2c) as a plain request', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(router.port, '127.0.0.1', () =>
        socket.write('GET /h2c HTTP/1.1\r\nHost: demo.slipway.test\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n'),
      );
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.1 200 OK\r\n/);
    // The body is chunked; what the dyno saw is plain enough to match in it.
    assert.match(answer, /"url":"\/h2c"/);
    assert.doesNotMatch(answer, /"upgrade":/);
    assert.doesNotMatch(answer, /"http2-settings":/);
    await eventually(() => lines.find((l) => l.includes('path="/h2c"') && l.startsWith('at=info')), 'the h2c request log line');
  });

  it('refuses a WebSocket upgrade for an unknown host with a 404', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: router.port, headers: { host: 'nope.slipway.test', connection: 'Upgrade', upgrade: 'websocket' }, agent: false });
      req.on('upgrade', () => reject(new Error('upgraded')));
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 404);
  });
});
