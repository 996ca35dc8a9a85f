import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatLogTime, type LogLine } from '@slipway/core';
import {
  appendLogLines, appendPlatformLog, connectRedis, createLogSink, deleteLogCursors, getLogSession, listLogCursors, markLogCursorDone, putLogSession,
  readLogs, tailLogs, type LogEntry, type LogTail, type RedisConnection,
} from '@slipway/store';
import { TestRedis } from './support/redis-server.js';

let seq = 0;
function line(text: string, dyno = 'web.1', source: LogLine['source'] = 'app'): LogLine {
  return { time: formatLogTime(Date.UTC(2026, 0, 2, 3, 4, 5) + seq++), source, dyno, text };
}

/** Reads a tail in the background; `until` waits (bounded) for a line. */
function collect(tail: LogTail): { seen: LogEntry[]; until(text: string, timeoutMs?: number): Promise<void>; done: Promise<void> } {
  const seen: LogEntry[] = [];
  const done = (async () => {
    for await (const e of tail) seen.push(e);
  })();
  return {
    seen,
    done,
    async until(text, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!seen.some((e) => e.text === text)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${text}; saw ${JSON.stringify(seen.map((e) => e.text))}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

describe('app logs in Redis', () => {
  const server = new TestRedis();
  let redis: RedisConnection;

  before(async () => {
    await server.start();
    redis = connectRedis(server.url, 'store-logs-test');
  });
  after(async () => {
    redis.disconnect();
    await server.destroy();
  });

  it('reads the newest lines, oldest first', async () => {
    await appendLogLines(redis, 'newest', ['one', 'two', 'three', 'four'].map((t) => line(t)));
    const { entries } = await readLogs(redis, 'newest', { lines: 2 });
    assert.deepEqual(entries.map((e) => e.text), ['three', 'four']);
    assert.equal(entries[0]?.source, 'app');
    assert.equal(entries[0]?.dyno, 'web.1');
    assert.match(entries[0]?.time ?? '', /^2026-01-02T03:04:05\.\d{6}\+00:00$/);
  });

  it('filters by process type, dyno and source', async () => {
    await appendLogLines(redis, 'filtered', [
      line('w1', 'web.1'), line('w2', 'web.2'), line('k1', 'worker.1'), line('up', 'web.1', 'slipway'), line('r', 'router', 'slipway'),
    ]);
    const texts = async (opts: Parameters<typeof readLogs>[2]) => (await readLogs(redis, 'filtered', opts)).entries.map((e) => e.text);
    assert.deepEqual(await texts({ dyno: 'web' }), ['w1', 'w2', 'up']);
    assert.deepEqual(await texts({ dyno: 'web.1' }), ['w1', 'up']);
    assert.deepEqual(await texts({ source: 'slipway' }), ['up', 'r']);
    assert.deepEqual(await texts({ source: 'app', dyno: 'web.1' }), ['w1']);
    assert.deepEqual(await texts({ dyno: 'router' }), ['r']);
  });

  it('finds filtered lines beyond the first page it reads', async () => {
    const lines = [line('old-worker', 'worker.1'), ...Array.from({ length: 1200 }, (_, i) => line(`web ${i}`))];
    await appendLogLines(redis, 'paged', lines);
    const { entries } = await readLogs(redis, 'paged', { dyno: 'worker', lines: 10 });
    assert.deepEqual(entries.map((e) => e.text), ['old-worker']);
  });

  it('splits text with newlines into lines and cuts very long ones', async () => {
    await appendLogLines(redis, 'split', [line('first\nsecond\r\n'), line('x'.repeat(20_000))]);
    const { entries } = await readLogs(redis, 'split');
    assert.deepEqual(entries.slice(0, 2).map((e) => e.text), ['first', 'second']);
    assert.equal(entries[2]?.text.length, 10_000);
  });

  it('keeps about as many lines as the cap', async () => {
    for (let i = 0; i < 30; i++) {
      await appendLogLines(redis, 'capped', Array.from({ length: 100 }, (_, j) => line(`line ${i * 100 + j}`)), { maxLen: 200 });
    }
    const { entries } = await readLogs(redis, 'capped', { lines: 1500 });
    assert.ok(entries.length >= 200 && entries.length < 600, `kept ${entries.length}`);
    assert.equal(entries[entries.length - 1]?.text, 'line 2999');
  });

  it('writes a platform line with the current time', async () => {
    await appendPlatformLog(redis, 'platform', 'web.1', 'State changed from starting to up');
    const { entries } = await readLogs(redis, 'platform');
    assert.equal(entries.length, 1);
    assert.equal(entries[0]?.source, 'slipway');
    assert.equal(entries[0]?.text, 'State changed from starting to up');
    assert.ok(Math.abs(Date.parse(entries[0]!.time.replace('+00:00', 'Z')) - Date.now()) < 10_000);
  });

  it('collects lines from many callers and writes them per app, in order', async () => {
    const sink = createLogSink(redis);
    for (let i = 0; i < 50; i++) sink(i % 2 ? 'sink-a' : 'sink-b', line(`line ${i}`, 'router', 'slipway'));
    await new Promise((r) => setTimeout(r, 200));
    const a = (await readLogs(redis, 'sink-a')).entries.map((e) => e.text);
    const b = (await readLogs(redis, 'sink-b')).entries.map((e) => e.text);
    assert.equal(a.length, 25);
    assert.equal(b.length, 25);
    assert.deepEqual(a.slice(0, 3), ['line 1', 'line 3', 'line 5']);
    assert.deepEqual(b.slice(-2), ['line 46', 'line 48']);
  });

  it('tails from the id the read ended at: nothing missed, nothing twice', async () => {
    await appendLogLines(redis, 'tail', [line('before 1'), line('before 2')]);
    const { entries, lastId } = await readLogs(redis, 'tail');
    assert.deepEqual(entries.map((e) => e.text), ['before 1', 'before 2']);
    // Written between the read and the tail: still seen.
    await appendLogLines(redis, 'tail', [line('between')]);
    const tail = tailLogs(redis, 'tail', lastId, { blockMs: 500 });
    const c = collect(tail);
    await appendLogLines(redis, 'tail', [line('after', 'web.2'), line('state', 'web.1', 'slipway')]);
    await c.until('state');
    tail.close();
    await c.done;
    assert.deepEqual(c.seen.map((e) => e.text), ['between', 'after', 'state']);
  });

  it('tails only what matches the filter', async () => {
    const tail = tailLogs(redis, 'tail-filter', '0-0', { dyno: 'web', source: 'app', blockMs: 500 });
    const c = collect(tail);
    await appendLogLines(redis, 'tail-filter', [line('a', 'web.1'), line('b', 'worker.1'), line('c', 'web.1', 'slipway'), line('d', 'web.2')]);
    await c.until('d');
    tail.close();
    await c.done;
    assert.deepEqual(c.seen.map((e) => e.text), ['a', 'd']);
  });

  it('ends a blocked tail at once when closed', async () => {
    const tail = tailLogs(redis, 'idle', '0-0', { blockMs: 60_000 });
    const c = collect(tail);
    await new Promise((r) => setTimeout(r, 100));
    tail.close();
    await Promise.race([c.done, new Promise((_, reject) => setTimeout(() => reject(new Error('tail did not end')), 5000))]);
    assert.deepEqual(c.seen, []);
  });

  it('stores shipper cursors with the lines, marks them done and deletes them', async () => {
    await appendLogLines(redis, 'cursor', [line('shipped')], { cursor: { instance: 'i1', container: 'c1', position: '2026-01-02T03:04:05.000000001Z' } });
    await appendLogLines(redis, 'cursor', [], { cursor: { instance: 'i1', container: 'c2', position: '2026-01-02T03:04:06Z' } });
    assert.deepEqual(await listLogCursors(redis, 'i1'), { c1: '2026-01-02T03:04:05.000000001Z', c2: '2026-01-02T03:04:06Z' });
    await markLogCursorDone(redis, 'i1', 'c1');
    await deleteLogCursors(redis, 'i1', ['c2']);
    assert.deepEqual(await listLogCursors(redis, 'i1'), { c1: 'done' });
    await deleteLogCursors(redis, 'i1', ['c1']);
  });

  it('keeps log sessions until their TTL runs out', async () => {
    const session = { id: 's1', app: 'demo', token: 'secret', tail: true, lines: 10, dyno: null, source: null, createdAt: new Date().toISOString() };
    await putLogSession(redis, session, 1);
    assert.deepEqual(await getLogSession(redis, 's1'), session);
    assert.equal(await getLogSession(redis, 'nope'), null);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await getLogSession(redis, 's1'), null);
  });
});

describe('a log tail across a Redis restart', () => {
  const server = new TestRedis({ aof: true });
  let redis: RedisConnection;

  before(async () => {
    await server.start();
    redis = connectRedis(server.url, 'store-logs-restart-test');
  });
  after(async () => {
    redis.disconnect();
    await server.destroy();
  });

  it('sees every line exactly once', async () => {
    await appendLogLines(redis, 'restart', [line('old 1'), line('old 2')]);
    const { lastId } = await readLogs(redis, 'restart');
    const errors: unknown[] = [];
    const tail = tailLogs(redis, 'restart', lastId, { blockMs: 1000, onError: (err) => errors.push(err) });
    const c = collect(tail);
    await appendLogLines(redis, 'restart', [line('before 1'), line('before 2'), line('before 3')]);
    await c.until('before 3');

    await server.stop();
    await new Promise((r) => setTimeout(r, 300));
    await server.start();

    // The writer reconnects too; these wait in its queue until Redis is back.
    await appendLogLines(redis, 'restart', [line('after 1'), line('after 2')]);
    await c.until('after 2', 30_000);
    await appendLogLines(redis, 'restart', [line('after 3')]);
    await c.until('after 3', 30_000);
    tail.close();
    await c.done;

    assert.deepEqual(c.seen.map((e) => e.text), ['before 1', 'before 2', 'before 3', 'after 1', 'after 2', 'after 3']);
    const ids = c.seen.map((e) => e.id);
    assert.equal(new Set(ids).size, ids.length);
    // The lines from before the restart are still in the stream (AOF).
    const { entries } = await readLogs(redis, 'restart');
    assert.deepEqual(entries.map((e) => e.text), ['old 1', 'old 2', 'before 1', 'before 2', 'before 3', 'after 1', 'after 2', 'after 3']);
  });
});
