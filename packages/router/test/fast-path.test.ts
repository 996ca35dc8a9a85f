import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { AppName, AppRoutes, RouteTarget } from '@slipway/core';
import { connectRedis, putAppRoutes, type RedisConnection } from '@slipway/store';
import { startRouter, type Router } from '../src/index.js';
import { eventually, request, startDyno, type Echo } from './support/http.js';
import { TestRedis } from './support/redis-server.js';

const DOMAIN = 'slipway.test';

function routes(app: string, targets: RouteTarget[], extra: Partial<AppRoutes> = {}): AppRoutes {
  return { app: app as AppName, hostnames: [], maintenance: false, targets, ...extra };
}

/**
 * Writes `parts` to the router over one raw connection (waiting for `waitFor`
 * to show up in what came back before each part after the first, when given)
 * and resolves with everything read until the router closes the connection
 * or `done` says the answer is complete.
 */
function raw(port: number, parts: Array<string | Buffer>, opts: { waitFor?: RegExp; done?: (data: string) => boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    let next = 0;
    const writeNext = (): void => {
      while (next < parts.length) {
        socket.write(parts[next] as string | Buffer);
        next++;
        if (opts.waitFor && next < parts.length && !opts.waitFor.test(data)) return;
      }
    };
    socket.on('connect', writeNext);
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      if (next < parts.length && opts.waitFor?.test(data)) writeNext();
      if (opts.done?.(data)) {
        socket.destroy();
        resolve(data);
      }
    });
    socket.on('close', () => resolve(data));
    socket.on('error', reject);
  });
}

/** Splits raw HTTP/1.1 responses (Content-Length or chunked), decoding chunked bodies. */
function responses(data: string): Array<{ status: number; head: string; body: string }> {
  const out: Array<{ status: number; head: string; body: string }> = [];
  let rest = data;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return out;
    const head = rest.slice(0, end);
    rest = rest.slice(end + 4);
    let body = '';
    if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
      for (;;) {
        const lineEnd = rest.indexOf('\r\n');
        if (lineEnd < 0) return out;
        const size = parseInt(rest.slice(0, lineEnd), 16);
        if (size === 0) {
          const trailerEnd = rest.indexOf('\r\n\r\n');
          if (trailerEnd < 0) return out;
          rest = rest.slice(trailerEnd + 4);
          break;
        }
        if (rest.length < lineEnd + 2 + size + 2) return out;
        body += rest.slice(lineEnd + 2, lineEnd + 2 + size);
        rest = rest.slice(lineEnd + 2 + size + 2);
      }
    } else {
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (rest.length < length) return out;
      body = rest.slice(0, length);
      rest = rest.slice(length);
    }
    out.push({ status: Number(head.slice(9, 12)), head, body });
  }
}

describe('router fast path', () => {
  const redisServer = new TestRedis();
  let redis: RedisConnection;
  let router: Router;
  let quickRouter: Router;
  const lines: string[] = [];
  const appLines: Array<[string, string]> = [];
  const dynos: Array<{ close(): Promise<void> }> = [];

  before(async () => {
    await redisServer.start();
    redis = connectRedis(redisServer.url, 'router-fast-path-test');
    const echo = await startDyno('web.1');
    // Streams a chunked body in three writes, with a hop-by-hop header the client must not see.
    const chunky = await startDyno('web.1', (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', connection: 'keep-alive, x-hop', 'x-hop': 'secret', 'x-kept': 'yes' });
      res.write('one,');
      setTimeout(() => res.write('two,'), 10);
      setTimeout(() => res.end('three'), 20);
    });
    // Starts a response and then stalls.
    const stalling = await startDyno('web.1', (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('started');
    });
    // Server-sent events: the second event is written only when /next is asked for, so a router that held
    // the stream back until more bytes (or the end) came would never deliver the first one.
    let sendSecond: (() => void) | undefined;
    const events = await startDyno('web.1', (req, res) => {
      if (req.url === '/next') {
        sendSecond?.();
        res.end('sent');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write('data: one\n\n');
      sendSecond = () => res.end('data: two\n\n');
    });
    dynos.push(echo, chunky, stalling, events);
    await putAppRoutes(redis, routes('events', [{ dyno: 'web.1', port: events.port, release: 1 }]));
    await putAppRoutes(redis, routes('demo', [{ dyno: 'web.1', port: echo.port, release: 1 }]));
    await putAppRoutes(redis, routes('chunky', [{ dyno: 'web.1', port: chunky.port, release: 1 }]));
    await putAppRoutes(redis, routes('stalling', [{ dyno: 'web.1', port: stalling.port, release: 1 }]));
    router = await startRouter({
      redis,
      domain: DOMAIN,
      port: 0,
      host: '127.0.0.1',
      log: (line) => lines.push(line),
      appLog: (app, line) => appLines.push([app, line]),
      resyncMs: 60_000,
    });
    quickRouter = await startRouter({ redis, domain: DOMAIN, port: 0, host: '127.0.0.1', log: (line) => lines.push(line), headTimeoutMs: 300, idleTimeoutMs: 300 });
  });

  after(async () => {
    await router?.close();
    await quickRouter?.close();
    await Promise.all(dynos.map((d) => d.close()));
    redis?.disconnect();
    await redisServer.destroy();
  });

  it('answers pipelined requests in order on one connection', async () => {
    const head = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: demo.slipway.test\r\n\r\n`;
    const data = await raw(router.port, [head('/first') + head('/second') + head('/third')], { done: (d) => responses(d).length === 3 && /"url":"\/third"/.test(d) });
    const got = responses(data);
    assert.deepEqual(got.map((r) => r.status), [200, 200, 200]);
    assert.deepEqual(got.map((r) => (JSON.parse(r.body) as Echo).url), ['/first', '/second', '/third']);
  });

  it('forwards a chunked request body', async () => {
    const data = await raw(router.port, [
      'POST /upload HTTP/1.1\r\nHost: demo.slipway.test\r\nTransfer-Encoding: chunked\r\n\r\n',
      '5\r\nhello\r\n',
      '7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n',
      'GET /after HTTP/1.1\r\nHost: demo.slipway.test\r\n\r\n',
    ], { done: (d) => responses(d).length === 2 && /"url":"\/after"/.test(d) });
    const [upload, afterwards] = responses(data);
    assert.equal(upload?.status, 200);
    const seen = JSON.parse(upload?.body ?? '') as Echo;
    assert.equal(seen.body, 'hello, world');
    assert.equal(seen.headers['transfer-encoding'], 'chunked');
    assert.equal(afterwards?.status, 200);
  });

  it('answers 100 Continue, then forwards the body', async () => {
    const data = await raw(
      router.port,
      ['POST /expect HTTP/1.1\r\nHost: demo.slipway.test\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n', 'body'],
      { waitFor: /^HTTP\/1\.1 100 Continue\r\n\r\n/, done: (d) => /"body":"body"/.test(d) },
    );
    assert.match(data, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
    const seen = JSON.parse(responses(data.slice('HTTP/1.1 100 Continue\r\n\r\n'.length))[0]?.body ?? '') as Echo;
    assert.equal(seen.body, 'body');
    assert.equal(seen.headers.expect, undefined);
  });

  it('passes a chunked response through and drops hop-by-hop headers both ways', async () => {
    const reply = await request(router.port, 'chunky.slipway.test', { headers: { connection: 'keep-alive, x-private', 'x-private': 'no', te: 'trailers', 'proxy-authorization': 'Basic eA==' } });
    assert.equal(reply.status, 200);
    assert.equal(reply.body, 'one,two,three');
    assert.equal(reply.headers['x-hop'], undefined);
    assert.equal(reply.headers['x-kept'], 'yes');
    assert.match(String(reply.headers.via), /1\.1 slipway/);
    const seen = JSON.parse((await request(router.port, 'demo.slipway.test', { headers: { connection: 'keep-alive, x-private', 'x-private': 'no', te: 'trailers', 'proxy-authorization': 'Basic eA==' } })).body) as Echo;
    assert.equal(seen.headers['x-private'], undefined);
    assert.equal(seen.headers.te, undefined);
    assert.equal(seen.headers['proxy-authorization'], undefined);
  });

  it('logs each request once with its status and bytes, to the app log', async () => {
    const reply = await request(router.port, 'demo.slipway.test', { path: '/logged', headers: { 'x-request-id': 'fast-path-log-line-0001' } });
    const entry = await eventually(() => appLines.find(([, l]) => l.includes('request_id=fast-path-log-line-0001')), 'the app log line');
    assert.equal(entry[0], 'demo');
    assert.match(entry[1], new RegExp(`^at=info method=GET path="/logged" host=demo\\.slipway\\.test request_id=fast-path-log-line-0001 fwd="127\\.0\\.0\\.1" dyno=web\\.1 connect=\\d+ms service=\\d+ms status=200 bytes=(\\d+) protocol=http$`));
    // The body bytes as sent (the echo dyno answers chunked, so framing included).
    assert.ok(Number(/bytes=(\d+)/.exec(entry[1])?.[1]) >= Buffer.byteLength(reply.body));
    assert.equal(lines.filter((l) => l.includes('fast-path-log-line-0001')).length, 0);
    await request(router.port, 'nope.slipway.test', { headers: { 'x-request-id': 'fast-path-log-line-0002' } });
    // No app: the line goes to the router's own log.
    await eventually(() => lines.find((l) => l.includes('request_id=fast-path-log-line-0002') && l.includes('status=404')), 'the no-such-app line');
  });

  it('passes server-sent events through as they are written', async () => {
    const seen: string[] = [];
    const whole = await new Promise<string>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: router.port, path: '/stream', headers: { host: `events.${DOMAIN}`, accept: 'text/event-stream' }, agent: false }, (res) => {
        assert.equal(res.headers['content-type'], 'text/event-stream');
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          seen.push(chunk);
          // The first event arrived on its own: only now may the dyno send the second.
          if (body === 'data: one\n\n') void request(router.port, `events.${DOMAIN}`, { path: '/next' }).catch(reject);
        });
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
    });
    assert.equal(whole, 'data: one\n\ndata: two\n\n');
    assert.equal(seen[0], 'data: one\n\n');
  });

  it('answers 414 to a request line over 8192 bytes', async () => {
    const data = await raw(router.port, [`GET /${'a'.repeat(9000)} HTTP/1.1\r\nHost: demo.slipway.test\r\n\r\n`]);
    assert.match(data, /^HTTP\/1\.1 414 /);
  });

  it('answers 431 to a header over 8192 bytes, and to more than 1000 headers', async () => {
    const long = await raw(router.port, [`GET / HTTP/1.1\r\nHost: demo.slipway.test\r\nX-Big: ${'b'.repeat(9000)}\r\n\r\n`]);
    assert.match(long, /^HTTP\/1\.1 431 /);
    const flood = Array.from({ length: 1001 }, (_, i) => `X-H${i}: v\r\n`).join('');
    const many = await raw(router.port, [`GET / HTTP/1.1\r\nHost: demo.slipway.test\r\n${flood}\r\n`]);
    assert.match(many, /^HTTP\/1\.1 431 /);
    // 998 of these, plus Host and Connection: exactly 1000.
    const fine = Array.from({ length: 998 }, (_, i) => `X-H${i}: v\r\n`).join('');
    const ok = await raw(router.port, [`GET / HTTP/1.1\r\nHost: demo.slipway.test\r\nConnection: close\r\n${fine}\r\n`]);
    assert.match(ok, /^HTTP\/1\.1 200 /);
  });

  it('answers 400 to a second Host header and to an absolute URL for another host', async () => {
    const twice = await raw(router.port, ['GET / HTTP/1.1\r\nHost: demo.slipway.test\r\nHost: other.slipway.test\r\n\r\n']);
    assert.match(twice, /^HTTP\/1\.1 400 /);
    const mismatch = await raw(router.port, ['GET http://other.slipway.test/x HTTP/1.1\r\nHost: demo.slipway.test\r\n\r\n']);
    assert.match(mismatch, /^HTTP\/1\.1 400 /);
    const absolute = await raw(router.port, ['GET http://demo.slipway.test/abs?q=1 HTTP/1.1\r\nHost: demo.slipway.test\r\nConnection: close\r\n\r\n']);
    assert.match(absolute, /^HTTP\/1\.1 200 /);
    assert.match(absolute, /"url":"\/abs\?q=1"/);
  });

  it('answers 400 to a body with both Content-Length and Transfer-Encoding', async () => {
    const data = await raw(router.port, ['POST / HTTP/1.1\r\nHost: demo.slipway.test\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n']);
    assert.match(data, /^HTTP\/1\.1 400 /);
  });

  it('cuts off a client that sends its headers too slowly', async () => {
    const started = Date.now();
    const data = await raw(quickRouter.port, ['GET / HTTP/1.1\r\nHost: demo.slipway.test\r\n', 'X-Slow: 1\r\n']);
    assert.match(data, /^HTTP\/1\.1 408 /);
    assert.ok(Date.now() - started < 20_000);
  });

  it('cuts off a response that stalls (H15)', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port: quickRouter.port, path: '/', headers: { host: 'stalling.slipway.test' }, agent: false }, (res) => {
        res.on('error', () => resolve('error'));
        res.on('aborted', () => resolve('aborted'));
        res.on('end', () => resolve('end'));
        res.resume();
      });
      req.on('error', () => resolve('error'));
    });
    assert.notEqual(outcome, 'end');
    await eventually(() => lines.find((l) => l.includes('host=stalling.slipway.test') && l.includes('code=H15')), 'the H15 log line');
  });

  it('answers HTTP/1.0 with the whole body and closes', async () => {
    const data = await raw(router.port, ['GET /old HTTP/1.0\r\nHost: chunky.slipway.test\r\n\r\n']);
    assert.match(data, /^HTTP\/1\.1 200 /);
    assert.match(data, /\r\nConnection: close\r\n/i);
    assert.ok(data.endsWith('one,two,three'), data);
  });
});

describe('router with cluster workers', () => {
  const redisServer = new TestRedis();
  let redis: RedisConnection;
  let router: Router;
  const appLines: Array<[string, string]> = [];
  const dynos: Array<{ close(): Promise<void> }> = [];
  let web2 = 0;

  before(async () => {
    await redisServer.start();
    redis = connectRedis(redisServer.url, 'router-cluster-test');
    const a = await startDyno('web.1');
    const b = await startDyno('web.2');
    dynos.push(a, b);
    web2 = b.port;
    await putAppRoutes(redis, routes('demo', [{ dyno: 'web.1', port: a.port, release: 1 }]));
    router = await startRouter({ redis, domain: DOMAIN, port: 0, host: '127.0.0.1', processes: 2, log: () => undefined, appLog: (app, line) => appLines.push([app, line]) });
  });

  after(async () => {
    await router?.close();
    await Promise.all(dynos.map((d) => d.close()));
    redis?.disconnect();
    await redisServer.destroy();
  });

  it('serves from every worker and brings their log lines back', async () => {
    assert.equal(router.processes, 2);
    for (let i = 0; i < 6; i++) assert.equal((await request(router.port, 'demo.slipway.test')).status, 200);
    await eventually(() => (appLines.filter(([app]) => app === 'demo').length >= 6 ? true : undefined), 'six log lines from the workers');
  });

  it('passes route changes on to every worker', async () => {
    await putAppRoutes(redis, routes('demo', [{ dyno: 'web.2', port: web2, release: 2 }]));
    await putAppRoutes(redis, routes('fresh', [{ dyno: 'web.2', port: web2, release: 1 }]));
    // Several connections, so both workers answer.
    await eventually(async () => {
      const replies = await Promise.all(Array.from({ length: 8 }, () => request(router.port, 'demo.slipway.test')));
      return replies.every((r) => r.status === 200 && (JSON.parse(r.body) as Echo).dyno === 'web.2') ? true : undefined;
    }, 'every worker to route demo to web.2');
    const fresh = await Promise.all(Array.from({ length: 8 }, () => request(router.port, 'fresh.slipway.test')));
    assert.ok(fresh.every((r) => r.status === 200));
  });

  it('keeps 10,000 idle connections open and still answers', { timeout: 120_000 }, async () => {
    const sockets: net.Socket[] = [];
    try {
      for (let i = 0; i < 10_000; i++) {
        const socket = net.connect(router.port, '127.0.0.1');
        socket.on('error', () => undefined);
        sockets.push(socket);
        if (i % 500 === 499) await new Promise((r) => setTimeout(r, 20)); // let the accepts keep up
      }
      await eventually(() => (sockets.every((s) => !s.connecting) ? true : undefined), 'every connection to be accepted', 60_000);
      const reply = await request(router.port, 'demo.slipway.test');
      assert.equal(reply.status, 200);
      assert.ok(sockets.filter((s) => !s.destroyed).length >= 9_900);
    } finally {
      for (const s of sockets) s.destroy();
    }
  });
});
