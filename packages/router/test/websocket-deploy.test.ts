import assert from 'node:assert/strict';
import http from 'node:http';
import type net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { AppName, RouteTarget } from '@slipway/core';
import { connectRedis, putAppRoutes, type RedisConnection } from '@slipway/store';
import { startRouter, type Router } from '../src/index.js';
import { eventually, request, startDyno, type Echo } from './support/http.js';
import { TestRedis } from './support/redis-server.js';

const DOMAIN = 'slipway.test';
const HOST = 'live.slipway.test';

/** A web dyno that echoes HTTP requests and, after a real 101, echoes WebSocket bytes back prefixed with its name. */
async function startWsDyno(dyno: string): Promise<{ port: number; sockets: Set<net.Socket>; stop(): Promise<void>; close(): Promise<void> }> {
  const d = await startDyno(dyno);
  const sockets = new Set<net.Socket>();
  d.server.on('upgrade', (_req: http.IncomingMessage, socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    socket.on('data', (chunk: Buffer) => socket.write(`${dyno}:${chunk.toString()}`));
    socket.on('end', () => socket.end());
  });
  return {
    port: d.port,
    sockets,
    // A graceful stop: no new connections, and each open WebSocket is closed by the dyno itself.
    stop: async () => {
      const closed = new Promise<void>((resolve) => d.server.close(() => resolve()));
      for (const socket of sockets) socket.end();
      await closed;
    },
    close: d.close,
  };
}

function target(dyno: string, port: number): RouteTarget {
  return { dyno, port, release: 1 };
}

interface Ws {
  socket: net.Socket;
  /** Sends `text` and resolves with what comes back first. */
  roundTrip(text: string): Promise<string>;
  /** Resolves when the connection closes, with whether it ended cleanly (a FIN, not a reset). */
  closed: Promise<boolean>;
  isOpen(): boolean;
}

function openWebSocket(port: number): Promise<Ws> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/socket', headers: { host: HOST, connection: 'Upgrade', upgrade: 'websocket' }, agent: false });
    req.on('upgrade', (res: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      assert.equal(res.statusCode, 101);
      assert.equal(head.length, 0);
      let open = true;
      let ended = false;
      socket.on('end', () => {
        ended = true;
        socket.end();
      });
      const closed = new Promise<boolean>((done) => socket.on('close', () => ((open = false), done(ended))));
      socket.on('error', () => undefined);
      resolve({
        socket,
        roundTrip: (text) =>
          new Promise<string>((done, fail) => {
            socket.once('data', (chunk: Buffer) => done(chunk.toString()));
            socket.once('close', () => fail(new Error('closed before an answer')));
            socket.write(text);
          }),
        closed,
        isOpen: () => open,
      });
    });
    req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
    req.on('error', reject);
    req.end();
  });
}

describe('a WebSocket held across a deploy', () => {
  const redisServer = new TestRedis();
  let redis: RedisConnection;
  let router: Router;
  let oldDyno: Awaited<ReturnType<typeof startWsDyno>>;
  let newDyno: Awaited<ReturnType<typeof startWsDyno>>;

  before(async () => {
    await redisServer.start();
    redis = connectRedis(redisServer.url, 'router-ws-deploy-test');
    oldDyno = await startWsDyno('old');
    newDyno = await startWsDyno('new');
    await putAppRoutes(redis, { app: 'live' as AppName, hostnames: [], maintenance: false, targets: [target('web.1', oldDyno.port)] });
    router = await startRouter({ redis, domain: DOMAIN, port: 0, host: '127.0.0.1', log: () => undefined, resyncMs: 60_000 });
  });

  after(async () => {
    await router?.close();
    await oldDyno?.close();
    await newDyno?.close();
    redis?.disconnect();
    await redisServer.destroy();
  });

  it('stays open to the old dyno until that dyno closes it, while new connections go to the new one', async () => {
    const held = await openWebSocket(router.port);
    try {
      assert.equal(await held.roundTrip('before'), 'old:before');

      // The deploy: the app's routes now name only the new dyno.
      await putAppRoutes(redis, { app: 'live' as AppName, hostnames: [], maintenance: false, targets: [target('web.1', newDyno.port)] });
      await eventually(async () => {
        const reply = await request(router.port, HOST);
        return reply.status === 200 && (JSON.parse(reply.body) as Echo).dyno === 'new' ? true : undefined;
      }, 'plain requests to reach the new dyno');

      // The WebSocket opened before the switch still talks to the old dyno.
      assert.ok(held.isOpen());
      assert.equal(await held.roundTrip('after the switch'), 'old:after the switch');
      assert.equal(oldDyno.sockets.size, 1);

      // A new WebSocket goes to the new dyno.
      const fresh = await openWebSocket(router.port);
      try {
        assert.equal(await fresh.roundTrip('hello'), 'new:hello');
      } finally {
        fresh.socket.destroy();
      }

      // Still open, still the old dyno, a while later.
      assert.equal(await held.roundTrip('still there'), 'old:still there');

      // The old dyno stops gracefully: it closes its WebSocket, and only then does the client's close.
      await oldDyno.stop();
      assert.equal(await held.closed, true, 'the client saw a clean close (FIN), not a reset');
      assert.equal(held.isOpen(), false);
    } finally {
      held.socket.destroy();
    }
  });
});
