import assert from 'node:assert/strict';
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

describe('route sync', () => {
  const redisServer = new TestRedis();
  let redis: RedisConnection;
  let router: Router;
  const routers: Router[] = [];
  const dynos: Array<{ close(): Promise<void> }> = [];
  const lines: string[] = [];
  let web1: RouteTarget;
  let web2: RouteTarget;

  /** Polls the router until `host` answers as `expect` says. */
  async function until(host: string, expect: (status: number, dyno: string | undefined) => boolean, what: string, via: Router = router): Promise<void> {
    await eventually(async () => {
      const reply = await request(via.port, host);
      const dyno = reply.status === 200 ? (JSON.parse(reply.body) as Echo).dyno : undefined;
      return expect(reply.status, dyno) ? true : undefined;
    }, what);
  }

  before(async () => {
    await redisServer.start();
    redis = connectRedis(redisServer.url, 'router-sync-test');
    const a = await startDyno('web.1');
    const b = await startDyno('web.2');
    dynos.push(a, b);
    web1 = { dyno: 'web.1', port: a.port, release: 1 };
    web2 = { dyno: 'web.2', port: b.port, release: 2 };
    await putAppRoutes(redis, routes('demo', [web1]));
    // A long resync interval: these tests must pass through the watch alone.
    router = await startRouter({ redis, domain: DOMAIN, port: 0, host: '127.0.0.1', log: (line) => lines.push(line), resyncMs: 600_000 });
    routers.push(router);
  });

  after(async () => {
    await Promise.all(routers.map((r) => r.close()));
    await Promise.all(dynos.map((d) => d.close()));
    redis?.disconnect();
    await redisServer.destroy();
  });

  it('says when it serves a given set of targets (what the dyno manager waits on before stopping a dyno)', async () => {
    const wanted = routes('rotating', [web1, web2]);
    const served = router.serving(wanted, 10_000);
    await putAppRoutes(redis, wanted);
    assert.equal(await served, true);
    assert.deepEqual(router.table().app('rotating')?.targets.map((t) => t.dyno), ['web.1', 'web.2']);
    // Out of rotation: true only once the table has dropped web.2; a set never written times out with false.
    const dropped = router.serving(routes('rotating', [web1]), 10_000);
    await putAppRoutes(redis, routes('rotating', [web1]));
    assert.equal(await dropped, true);
    for (let i = 0; i < 6; i++) assert.equal((JSON.parse((await request(router.port, 'rotating.slipway.test')).body) as Echo).dyno, 'web.1');
    assert.equal(await router.serving(routes('rotating', [web2]), 50), false);
  });

  it('serves an app added after it started', async () => {
    assert.equal((await request(router.port, 'fresh.slipway.test')).status, 404);
    await putAppRoutes(redis, routes('fresh', [web2]));
    await until('fresh.slipway.test', (status, dyno) => status === 200 && dyno === 'web.2', 'the new app to be routed');
  });

  it('follows a route change written with putAppRoutes', async () => {
    await putAppRoutes(redis, routes('demo', [web2]));
    await until('demo.slipway.test', (status, dyno) => status === 200 && dyno === 'web.2', 'demo to move to web.2');
    await putAppRoutes(redis, routes('demo', [web1], { hostnames: ['demo.example.com'] }));
    await until('demo.example.com', (status, dyno) => status === 200 && dyno === 'web.1', 'demo.example.com to be routed');
    await putAppRoutes(redis, routes('demo', [web1], { maintenance: true }));
    await until('demo.slipway.test', (status) => status === 503, 'maintenance to take effect');
    await until('demo.example.com', (status) => status === 404, 'the removed hostname to stop routing');
    await putAppRoutes(redis, routes('demo', []));
    await until('demo.slipway.test', (status) => status === 503, 'no targets to give 503');
    assert.match((await request(router.port, 'demo.slipway.test')).body, /H14/);
    await putAppRoutes(redis, routes('demo', [web1]));
    await until('demo.slipway.test', (status, dyno) => status === 200 && dyno === 'web.1', 'demo to come back');
  });

  it('keeps the last good routes of an app when its new record is invalid', async () => {
    await putAppRoutes(redis, routes('demo', [{ dyno: 'web.1', port: 0, release: 1 }]));
    await eventually(() => lines.find((l) => l.includes('invalid routes ignored') && l.includes('app=demo')), 'the invalid record to be logged');
    const reply = await request(router.port, 'demo.slipway.test');
    assert.equal(reply.status, 200);
    assert.equal(router.table().app('demo')?.targets[0]?.port, web1.port);
  });

  it('keeps serving while Redis is away, and catches up when it is back', async () => {
    await redisServer.stop();
    for (let i = 0; i < 3; i++) assert.equal((await request(router.port, 'demo.slipway.test')).status, 200);
    await redisServer.start();
    // The restarted Redis is empty (no persistence): write the routes again.
    await putAppRoutes(redis, routes('demo', [web2]));
    await until('demo.slipway.test', (status, dyno) => status === 200 && dyno === 'web.2', 'the change after the outage');
  });

  it('waits for Redis before it listens, then serves what Redis holds', async () => {
    await redisServer.stop();
    const starting = startRouter({ redis, domain: DOMAIN, port: 0, host: '127.0.0.1', log: () => undefined, resyncMs: 600_000 });
    await redisServer.start();
    await putAppRoutes(redis, routes('late', [web1]));
    const late = await starting;
    routers.push(late);
    assert.ok(late.port > 0);
    await until('late.slipway.test', (status, dyno) => status === 200 && dyno === 'web.1', 'the late router to serve', late);
  });
});
