import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { LABELS } from '@slipway/core';
import { connectDocker } from '@slipway/docker';
import { LogShipper } from '@slipway/dynos';
import { connectRedis, listLogCursors, readLogs, type RedisConnection } from '@slipway/store';
import { TestRedis } from '../../store/test/support/redis-server.js';

const STACK_IMAGE = process.env.SLIPWAY_STACK_IMAGE ?? 'slipway/stack:bookworm';

async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Against a real dockerd and Redis: a labelled "dyno" prints numbered lines
 * while the shipper is stopped and started again, and every line must arrive
 * exactly once, in order.
 */
describe('LogShipper', () => {
  const server = new TestRedis();
  const docker = connectDocker(process.env.DOCKER_HOST);
  const instance = `test-${randomBytes(4).toString('hex')}`;
  let redis: RedisConnection;

  before(async () => {
    await server.start();
    redis = connectRedis(server.url, 'log-shipper-test');
  });
  after(async () => {
    const list = await docker.listContainers({ all: true, filters: { label: [`${LABELS.instance}=${instance}`] } });
    await Promise.all(list.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    redis.disconnect();
    await server.destroy();
  });

  it('ships every line once across a shipper restart, then marks the exited container done', async () => {
    const container = await docker.createContainer({
      Image: STACK_IMAGE,
      Cmd: ['bash', '-c', 'for i in $(seq 1 400); do echo "line $i"; if [ $((i % 3)) = 0 ]; then echo "err $i" >&2; fi; sleep 0.01; done; printf "last words"'],
      Labels: { [LABELS.instance]: instance, [LABELS.role]: 'dyno', [LABELS.app]: 'shipped', [LABELS.dyno]: 'web.1', [LABELS.processType]: 'web', [LABELS.release]: '1' },
      HostConfig: { NetworkMode: 'none' },
    });
    await container.start();

    const first = new LogShipper({ redis, docker, instance, pollMs: 200 });
    await first.start();
    await until('some lines shipped', async () => (await readLogs(redis, 'shipped', { lines: 1500 })).entries.length >= 50);
    await first.stop();

    // The container keeps printing while no shipper runs.
    await new Promise((r) => setTimeout(r, 500));
    const second = new LogShipper({ redis, docker, instance, pollMs: 200 });
    await second.start();
    try {
      await until('the container to finish and be marked done', async () => (await listLogCursors(redis, instance))[container.id] === 'done');
    } finally {
      await second.stop();
    }

    const { entries } = await readLogs(redis, 'shipped', { lines: 1500 });
    const out = entries.filter((e) => e.text.startsWith('line ')).map((e) => e.text);
    const err = entries.filter((e) => e.text.startsWith('err ')).map((e) => e.text);
    assert.deepEqual(out, Array.from({ length: 400 }, (_, i) => `line ${i + 1}`));
    assert.deepEqual(err, Array.from({ length: 133 }, (_, i) => `err ${(i + 1) * 3}`));
    assert.equal(entries.filter((e) => e.text === 'last words').length, 1);
    assert.equal(entries.length, 400 + 133 + 1);
    for (const e of entries) {
      assert.equal(e.source, 'app');
      assert.equal(e.dyno, 'web.1');
      assert.match(e.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/);
    }
  });

  it('forgets the cursor of a container that is gone', async () => {
    const container = await docker.createContainer({
      Image: STACK_IMAGE,
      Cmd: ['bash', '-c', 'echo hello'],
      Labels: { [LABELS.instance]: instance, [LABELS.role]: 'dyno', [LABELS.app]: 'forgotten', [LABELS.dyno]: 'worker.1', [LABELS.processType]: 'worker', [LABELS.release]: '1' },
      HostConfig: { NetworkMode: 'none' },
    });
    await container.start();
    const shipper = new LogShipper({ redis, docker, instance, pollMs: 200 });
    await shipper.start();
    try {
      await until('the container to be marked done', async () => (await listLogCursors(redis, instance))[container.id] === 'done');
      await container.remove({ force: true });
      await until('its cursor to be deleted', async () => !(container.id in (await listLogCursors(redis, instance))));
    } finally {
      await shipper.stop();
    }
    const { entries } = await readLogs(redis, 'forgotten');
    assert.deepEqual(entries.map((e) => [e.dyno, e.text]), [['worker.1', 'hello']]);
  });
});
