import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decideRefUpdates, parseRefUpdates } from '@slipway/git';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const Z = '0'.repeat(40);

describe('decideRefUpdates', () => {
  it('deploys a push to main or master', () => {
    for (const ref of ['refs/heads/main', 'refs/heads/master']) {
      const d = decideRefUpdates(parseRefUpdates(`${A} ${B} ${ref}\n`));
      assert.deepEqual(d, { kind: 'deploy', update: { oldRev: A, newRev: B, ref } });
    }
  });

  it('deploys the first push (old rev all zeros)', () => {
    assert.equal(decideRefUpdates(parseRefUpdates(`${Z} ${B} refs/heads/main`)).kind, 'deploy');
  });

  it('refuses other branches and tags with a message', () => {
    const d = decideRefUpdates(parseRefUpdates(`${A} ${B} refs/heads/feature\n${A} ${B} refs/tags/v1`));
    assert.equal(d.kind, 'reject');
    assert.match(d.kind === 'reject' ? d.message : '', /Pushed to feature, refs\/tags\/v1: only the main \(or master\) branch deploys/);
  });

  it('refuses deleting the deploy branch', () => {
    const d = decideRefUpdates(parseRefUpdates(`${A} ${Z} refs/heads/main`));
    assert.equal(d.kind, 'reject');
  });

  it('refuses main and master together', () => {
    assert.equal(decideRefUpdates(parseRefUpdates(`${A} ${B} refs/heads/main\n${A} ${B} refs/heads/master`)).kind, 'reject');
  });
});
