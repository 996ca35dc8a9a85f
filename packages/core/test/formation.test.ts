import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyFormationUpdates, formationForRelease, parseScaleArgs, SlipwayError } from '@slipway/core';

describe('parseScaleArgs', () => {
  it('parses absolute, relative and sized updates', () => {
    assert.deepEqual(parseScaleArgs(['web=2', 'worker+1', 'clock-1', 'Web2=0:standard-2x']), [
      { type: 'web', quantity: 2 },
      { type: 'worker', delta: 1 },
      { type: 'clock', delta: -1 },
      { type: 'web2', quantity: 0, size: 'standard-2x' },
    ]);
  });

  it('throws on anything it cannot read instead of dropping it', () => {
    for (const bad of ['web', 'web=', 'web=abc', 'web=-1', '=2', 'web=2:huge', 'web=1000']) {
      assert.throws(() => parseScaleArgs([bad]), SlipwayError, bad);
    }
  });

  it('throws with no arguments and with a repeated type', () => {
    assert.throws(() => parseScaleArgs([]), /Usage/);
    assert.throws(() => parseScaleArgs(['web=1', 'web=2']), /given twice/);
  });
});

describe('applyFormationUpdates', () => {
  const current = { web: { type: 'web', quantity: 1, size: 'standard-1x' as const } };

  it('sets, adds and never goes below zero', () => {
    assert.equal(applyFormationUpdates(current, [{ type: 'web', quantity: 3 }], ['web']).web?.quantity, 3);
    assert.equal(applyFormationUpdates(current, [{ type: 'web', delta: 2 }], ['web']).web?.quantity, 3);
    assert.throws(() => applyFormationUpdates(current, [{ type: 'web', delta: -2 }], ['web']), /Quantity/);
  });

  it('refuses a type the release does not declare', () => {
    assert.throws(() => applyFormationUpdates(current, [{ type: 'worker', quantity: 1 }], ['web']), (err: unknown) => {
      return err instanceof SlipwayError && err.id === 'not_found' && /No such process type worker/.test(err.message);
    });
  });

  it('leaves its input unchanged', () => {
    applyFormationUpdates(current, [{ type: 'web', quantity: 5 }], ['web']);
    assert.equal(current.web.quantity, 1);
  });
});

describe('formationForRelease', () => {
  it('gives web=1 on the first deploy and 0 to other types', () => {
    assert.deepEqual(formationForRelease({}, ['web', 'worker']), {
      web: { type: 'web', quantity: 1, size: 'standard-1x' },
      worker: { type: 'worker', quantity: 0, size: 'standard-1x' },
    });
  });

  it('keeps existing scale and drops types the release removed', () => {
    const next = formationForRelease({ web: { type: 'web', quantity: 3, size: 'standard-2x' }, old: { type: 'old', quantity: 2, size: 'standard-1x' } }, ['web']);
    assert.deepEqual(next, { web: { type: 'web', quantity: 3, size: 'standard-2x' } });
  });
});
