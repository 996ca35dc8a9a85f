import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { eventually, Instance } from './helpers/instance.js';

/** What the node-rotation fixture answers. */
interface Served {
  dyno: string;
  port: number;
  listeningAt: number;
  sigtermAt: number;
  now: number;
}

interface Routes {
  targets: { dyno: string; port: number; release: number }[];
}

/**
 * Rotation: a dyno is in the router's rotation as soon as it answers, leaves
 * it before it is told to stop, and leaves it at once when it crashes (not
 * when its replacement is up). The latencies are printed for the record; the
 * assertions are about order, never about time.
 */
describe('dynos in and out of rotation', () => {
  const slipway = new Instance();
  const app = `rot-${Date.now().toString(36)}`;
  let redis: Redis;

  const served = async (path = '/'): Promise<Served | null> => {
    const res = await slipway.viaRouter(app, path);
    return res.status === 200 ? (JSON.parse(res.body) as Served) : null;
  };
  const routes = async (): Promise<Routes | null> => {
    const json = await redis.hget('slipway:routes', app);
    return json ? (JSON.parse(json) as Routes) : null;
  };
  const scale = async (quantity: number): Promise<void> => {
    const res = await slipway.cli(['ps:scale', `web=${quantity}`, '-a', app]);
    assert.equal(res.code, 0, res.stderr);
  };

  before(async () => {
    // A long grace period, so the dyno being stopped is still there (draining, and saying so) while requests keep coming.
    await slipway.start({ SLIPWAY_STOP_GRACE: '10' });
    redis = new Redis(slipway.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2 });
    assert.equal((await slipway.api('POST', '/apps', { name: app })).status, 201);
    const pushed = await slipway.pushFixture('node-rotation', app);
    assert.equal(pushed.code, 0, pushed.output);
  });
  after(async () => {
    redis?.disconnect();
    await slipway.stop();
  });

  it('takes a new web dyno into rotation as soon as it answers', async () => {
    await scale(2);
    // Requests one after another: the first answer from web.2 says when it began listening.
    const first = await eventually('web.2 to answer through the router', async () => {
      const s = await served();
      return s?.dyno === 'web.2' ? s : undefined;
    }, 60_000, 0);
    assert.ok(first.listeningAt > 0 && first.now >= first.listeningAt);
    console.log(`# web.2 bound $PORT, first request through the router ${first.now - first.listeningAt} ms later`);
  });

  it('takes a dyno out of rotation before it gets SIGTERM (scale down)', async () => {
    await eventually('both dynos in the routes', async () => ((await routes())?.targets.length === 2 ? true : undefined));
    const seen: Served[] = [];
    let stop = false;
    const load = (async () => {
      while (!stop) {
        const s = await served();
        if (s) seen.push(s);
      }
    })();
    try {
      await scale(1);
      // The draining dyno lives for DRAIN_MS after SIGTERM; keep asking until it is gone, and a little after.
      await eventually('web.2 to be gone', async () => {
        const r = await slipway.api('GET', `/apps/${app}/dynos`);
        return (r.json as { name: string }[]).some((d) => d.name === 'web.2') ? undefined : true;
      });
    } finally {
      stop = true;
      await load;
    }
    const fromWeb2 = seen.filter((s) => s.dyno === 'web.2');
    assert.ok(seen.length > 20, `only ${seen.length} requests were made`);
    assert.ok(fromWeb2.length > 0, 'web.2 should have served before the scale-down');
    const whileDraining = seen.filter((s) => s.sigtermAt > 0);
    assert.deepEqual(whileDraining, [], 'no request may reach a dyno after it got SIGTERM');
    assert.ok(seen.slice(-5).every((s) => s.dyno === 'web.1'));
  });

  it('takes a crashed dyno out of the routes at once, before its replacement is up', async () => {
    // Replacements bind $PORT only after 3 s, so a crashed dyno still in the routes would show in that window.
    assert.equal((await slipway.cli(['config:set', 'BOOT_DELAY_MS=3000', '-a', app])).code, 0);
    const current = Math.max(...((await slipway.api('GET', `/apps/${app}/releases`)).json as { version: number }[]).map((r) => r.version));
    await scale(2);
    await eventually('two dynos of the new release in the routes', async () => {
      const r = await routes();
      return r?.targets.length === 2 && r.targets.every((t) => t.release === current) ? r : undefined;
    }, 90_000);
    const before = (await routes()) as Routes;
    const crashed = await served('/crash');
    assert.ok(crashed, 'the /crash request is answered before the dyno exits');
    const survivor = before.targets.find((t) => t.dyno !== crashed.dyno);
    assert.ok(survivor);

    // Watch the routes record until the crashed dyno's replacement is in it.
    const states: { at: number; targets: string }[] = [];
    await eventually('the replacement to be in the routes', async () => {
      const r = await routes();
      const targets = (r?.targets ?? []).map((t) => `${t.dyno}:${t.port}`).sort().join(',');
      if (states.at(-1)?.targets !== targets) states.push({ at: Date.now(), targets });
      return r?.targets.some((t) => t.dyno === crashed.dyno && t.port !== crashed.port) && r.targets.length === 2 ? true : undefined;
    }, 60_000, 5);
    const alone = states.find((s) => s.targets === `${survivor.dyno}:${survivor.port}`);
    assert.ok(alone, `the routes should have held only ${survivor.dyno} between the crash and the replacement: ${JSON.stringify(states)}`);
    console.log(`# ${crashed.dyno} crashed; out of the routes ${Math.max(0, alone.at - crashed.now)} ms later (polling every 5 ms)`);
    // Meanwhile nothing failed: the survivor took every request.
    for (let i = 0; i < 5; i++) assert.equal((await served())?.dyno !== undefined, true);
  });
});
