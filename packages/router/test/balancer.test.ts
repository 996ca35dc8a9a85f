import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RouteTarget } from '@slipway/core';
import { Balancer, targetKey } from '../src/balancer.js';

const web1: RouteTarget = { dyno: 'web.1', port: 5001, release: 1 };
const web2: RouteTarget = { dyno: 'web.2', port: 5002, release: 1 };
const web3: RouteTarget = { dyno: 'web.3', port: 5003, release: 1 };

describe('balancer', () => {
  it('spreads sequential requests over two targets', () => {
    const b = new Balancer();
    const picked: string[] = [];
    for (let i = 0; i < 4; i++) {
      const lease = b.pick('demo', [web1, web2]);
      assert.ok(lease);
      picked.push(lease.target.dyno);
      lease.release();
    }
    assert.deepEqual(picked, ['web.1', 'web.2', 'web.1', 'web.2']);
  });

  it('picks the target with the fewest requests in flight', () => {
    const b = new Balancer();
    const a = b.pick('demo', [web1, web2, web3]);
    const c = b.pick('demo', [web1, web2, web3]);
    assert.ok(a && c);
    assert.deepEqual([a.target.dyno, c.target.dyno], ['web.1', 'web.2']);
    // web.1 and web.2 are busy: web.3 is the only one at zero, whatever the cursor says.
    assert.equal(b.pick('demo', [web1, web2, web3])?.target.dyno, 'web.3');
    a.release();
    // Now web.1 is idle again while web.2 and web.3 are not.
    assert.equal(b.pick('demo', [web1, web2, web3])?.target.dyno, 'web.1');
    assert.equal(b.load(targetKey('demo', web2)), 1);
  });

  it('keeps counts per app', () => {
    const b = new Balancer();
    b.pick('one', [web1, web2]);
    assert.equal(b.pick('two', [web1, web2])?.target.dyno, 'web.1');
  });

  it('stops picking a removed target and still releases its leases', () => {
    const b = new Balancer();
    const onRemoved = b.pick('demo', [web1, web2]);
    assert.equal(onRemoved?.target.dyno, 'web.1');
    for (let i = 0; i < 3; i++) {
      const lease = b.pick('demo', [web2]);
      assert.equal(lease?.target.dyno, 'web.2');
      lease?.release();
    }
    onRemoved?.release();
    assert.equal(b.load(targetKey('demo', web1)), 0);
  });

  it('skips excluded targets and returns nothing when none is left', () => {
    const b = new Balancer();
    assert.equal(b.pick('demo', [web1, web2], new Set([targetKey('demo', web1)]))?.target.dyno, 'web.2');
    assert.equal(b.pick('demo', [web1], new Set([targetKey('demo', web1)])), undefined);
    assert.equal(b.pick('demo', []), undefined);
  });

  it('tries a target that just refused a connection last, until its cooldown is over', () => {
    const b = new Balancer();
    b.reportFailure(targetKey('demo', web1), 1000, 2000);
    for (let i = 0; i < 3; i++) {
      const lease = b.pick('demo', [web1, web2], undefined, 1500);
      assert.equal(lease?.target.dyno, 'web.2');
      lease?.release();
    }
    // Still picked when it is the only one left.
    const last = b.pick('demo', [web1, web2], new Set([targetKey('demo', web2)]), 1500);
    assert.equal(last?.target.dyno, 'web.1');
    last?.release();
    const after = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const lease = b.pick('demo', [web1, web2], undefined, 3001);
      after.add(lease?.target.dyno ?? '');
      lease?.release();
    }
    assert.deepEqual(after, new Set(['web.1', 'web.2']));
  });

  it('ignores a second release of the same lease', () => {
    const b = new Balancer();
    const first = b.pick('demo', [web1]);
    const second = b.pick('demo', [web1]);
    first?.release();
    first?.release();
    assert.equal(b.load(targetKey('demo', web1)), 1);
    second?.release();
    assert.equal(b.load(targetKey('demo', web1)), 0);
  });
});

describe('Balancer per-dyno limit', () => {
  it('stops picking a dyno at its in-flight limit and says the backlog is full', () => {
    const b = new Balancer(2);
    const only = [{ dyno: 'web.1', port: 1, release: 1 }];
    const first = b.pick('app', only);
    const second = b.pick('app', only);
    assert.ok(first && second);
    assert.equal(b.pick('app', only), undefined);
    assert.equal(b.lastPickFull, true);
    first.release();
    assert.ok(b.pick('app', only));
    assert.equal(b.lastPickFull, false);
  });

  it('sends the overflow to a dyno that still has room', () => {
    const b = new Balancer(1);
    const two = [{ dyno: 'web.1', port: 1, release: 1 }, { dyno: 'web.2', port: 2, release: 1 }];
    const a = b.pick('app', two);
    const c = b.pick('app', two);
    assert.notEqual(a?.target.dyno, c?.target.dyno);
    assert.equal(b.pick('app', two), undefined);
    assert.equal(b.lastPickFull, true);
  });
});
