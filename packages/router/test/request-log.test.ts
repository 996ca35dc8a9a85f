import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RequestLog } from '../src/request-log.js';

function collect(opts: { perAppPerSecond?: number; maxQueued?: number; clock: { t: number } }) {
  const delivered: Array<[string | undefined, string]> = [];
  const said: string[] = [];
  const log = new RequestLog({
    deliver: (apps, lines) => lines.forEach((line, i) => delivered.push([apps[i], line])),
    log: (line) => said.push(line),
    now: () => opts.clock.t,
    ...(opts.perAppPerSecond === undefined ? {} : { perAppPerSecond: opts.perAppPerSecond }),
    ...(opts.maxQueued === undefined ? {} : { maxQueued: opts.maxQueued }),
  });
  const request = (app: string | undefined, line: string) => {
    if (log.admit(app)) log.push(app, line);
  };
  return { log, delivered, said, request };
}

describe('RequestLog', () => {
  it('delivers lines in batches, in order, with their apps', () => {
    const clock = { t: 1_000_000 };
    const { log, delivered, request } = collect({ clock });
    request('a', 'one');
    request(undefined, 'two');
    request('b', 'three');
    assert.deepEqual(delivered, []);
    log.flush();
    assert.deepEqual(delivered, [['a', 'one'], [undefined, 'two'], ['b', 'three']]);
  });

  it("keeps each app to its budget and tells that app's log what it dropped (L10)", () => {
    const clock = { t: 5_000_250 };
    const { log, delivered, request } = collect({ perAppPerSecond: 3, clock });
    for (let i = 0; i < 10; i++) request('busy', `busy ${i}`);
    for (let i = 0; i < 2; i++) request('quiet', `quiet ${i}`);
    log.reportOverflow(); // what the once-a-second timer does
    log.flush();
    assert.deepEqual(delivered, [
      ['busy', 'busy 0'], ['busy', 'busy 1'], ['busy', 'busy 2'], ['quiet', 'quiet 0'], ['quiet', 'quiet 1'],
      ['busy', `Error L10 (output buffer overflow): 7 messages dropped since ${new Date(5_000_250).toISOString()}.`],
    ]);
    delivered.length = 0;
    clock.t += 1000; // a second later the bucket is full again
    for (let i = 0; i < 4; i++) request('busy', `later ${i}`);
    log.flush();
    assert.deepEqual(delivered.map(([, l]) => l), ['later 0', 'later 1', 'later 2']);
  });

  it('spreads the lines it keeps evenly under sustained overload, rather than a burst each second', () => {
    const clock = { t: 7_000_000 };
    const { log, delivered, request } = collect({ perAppPerSecond: 10, clock });
    for (let i = 0; i < 10; i++) request('busy', 'burst');
    for (let i = 0; i < 100; i++) {
      clock.t += 10; // 100 requests a second against a budget of 10
      request('busy', `at ${i}`);
    }
    log.flush();
    const kept = delivered.map(([, l]) => l).filter((l) => l.startsWith('at ')).map((l) => Number(l.slice(3)));
    assert.deepEqual(kept, [9, 19, 29, 39, 49, 59, 69, 79, 89, 99]);
  });

  it('reports an overflow when the second ends even if no request follows', async () => {
    const { delivered, request } = collect({ perAppPerSecond: 1, clock: { get t() { return Date.now(); } } as { t: number } });
    request('burst', 'first');
    request('burst', 'second');
    const deadline = Date.now() + 3000;
    while (!delivered.some(([, l]) => l.startsWith('Error L10')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(delivered.map(([, l]) => l.replace(/ since .*/, '')), ['first', 'Error L10 (output buffer overflow): 1 messages dropped']);
  });

  it('drops lines past the queue limit and says how many in the router log', () => {
    const clock = { t: 9_000_000 };
    const { log, delivered, said, request } = collect({ maxQueued: 5, perAppPerSecond: 100, clock });
    for (let i = 0; i < 8; i++) request('a', `line ${i}`);
    log.flush();
    assert.equal(delivered.length, 5);
    assert.deepEqual(said, ['at=warn fn=router desc="request log lines dropped under load" count=3']);
  });
});
