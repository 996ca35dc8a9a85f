import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateAppName, parseAppName, SlipwayError } from '@slipway/core';

describe('parseAppName', () => {
  it('accepts lowercase names with digits and dashes', () => {
    for (const name of ['demo', 'my-app-2', 'ab', 'a'.repeat(30)]) assert.equal(parseAppName(name), name);
  });

  it('rejects names that could escape a path or a command, with invalid_params', () => {
    for (const bad of ['../x', 'A B', 'x;rm -rf /', 'a'.repeat(100), 'a', 'Demo', '9lives', '-x', 'a_b', 'a.git', '', 'a'.repeat(31)]) {
      assert.throws(() => parseAppName(bad), (err: unknown) => err instanceof SlipwayError && err.id === 'invalid_params' && err.status === 422, bad);
    }
  });

  it('rejects non-strings', () => {
    assert.throws(() => parseAppName(42), SlipwayError);
    assert.throws(() => parseAppName(null), SlipwayError);
  });

  it('generates a valid Heroku-style name', () => {
    let n = 0;
    const fake = () => [0, 0.5, 0.25][n++ % 3] as number;
    const name = generateAppName(fake);
    assert.equal(name, 'fierce-meadow-1000');
    assert.equal(parseAppName(name), name);
  });
});
