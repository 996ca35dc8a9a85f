import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { AppName } from '@slipway/core';
import { connectRedis, putAppRoutes, type RedisConnection } from '@slipway/store';
import { startRouter, type Router } from '../src/index.js';
import { TestRedis } from './support/redis-server.js';

/**
 * Both sides read into one shared buffer and copy out of it: bytes must come
 * through intact when a response head arrives in pieces, when a large body
 * streams while other connections read, and when a request body is large.
 */
const BODY = Buffer.alloc(1024 * 1024 + 7);
for (let i = 0; i < BODY.length; i++) BODY[i] = (i * 31 + (i >> 9)) & 0xff;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('large bodies and split heads', () => {
  const redisServer = new TestRedis();
  let redis: RedisConnection;
  let router: Router;
  let dyno: net.Server;

  before(async () => {
    await redisServer.start();
    redis = connectRedis(redisServer.url, 'router-read-buffers-test');
    // Raw HTTP: the head of `/big` in three writes, then the body in uneven slices; `/upload` answers with the sha256 of what it got.
    dyno = net.createServer((socket) => {
      socket.on('error', () => undefined);
      let buffered = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffered.subarray(0, end).toString('latin1');
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        const body = buffered.subarray(end + 4, end + 4 + length);
        buffered = Buffer.alloc(0);
        if (head.startsWith('POST /upload')) {
          const digest = sha(body);
          socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${digest.length}\r\n\r\n${digest}`);
          return;
        }
        const parts = ['HTTP/1.1 200 OK\r\nConte', `nt-Length: ${BODY.length}\r\nX-A: 1\r`, '\n\r\n'];
        void (async () => {
          for (const p of parts) {
            socket.write(p);
            await new Promise((r) => setTimeout(r, 5));
          }
          for (let i = 0; i < BODY.length; ) {
            const n = 1 + ((i * 7919) % 70_000);
            socket.write(BODY.subarray(i, i + n));
            i += n;
          }
        })();
      });
    });
    await new Promise<void>((resolve) => dyno.listen(0, '127.0.0.1', () => resolve()));
    const port = (dyno.address() as net.AddressInfo).port;
    await putAppRoutes(redis, { app: 'bytes' as AppName, hostnames: [], maintenance: false, targets: [{ dyno: 'web.1', port, release: 1 }] });
    router = await startRouter({ redis, domain: 'slipway.test', port: 0, host: '127.0.0.1', log: () => undefined, resyncMs: 60_000 });
  });

  after(async () => {
    await router?.close();
    await new Promise<void>((resolve) => dyno.close(() => resolve()));
    redis?.disconnect();
    await redisServer.destroy();
  });

  function fetch(path: string, method = 'GET', body?: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: router.port, path, method, headers: { host: 'bytes.slipway.test' }, agent: false }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve(Buffer.concat(parts)));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  it('passes large bodies through intact, several at once, both ways', async () => {
    const results = await Promise.all([fetch('/big'), fetch('/big'), fetch('/upload', 'POST', BODY), fetch('/big'), fetch('/upload', 'POST', BODY)]);
    const want = sha(BODY);
    assert.equal(sha(results[0] as Buffer), want);
    assert.equal(sha(results[1] as Buffer), want);
    assert.equal((results[2] as Buffer).toString(), want);
    assert.equal(sha(results[3] as Buffer), want);
    assert.equal((results[4] as Buffer).toString(), want);
  });
});
