import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseProcfile, SlipwayError } from '@slipway/core';

describe('parseProcfile', () => {
  it('reads types and commands in order', () => {
    assert.deepEqual(parseProcfile('web: node server.js\nworker: node worker.js\n'), { web: 'node server.js', worker: 'node worker.js' });
  });

  it('skips comments and blank lines', () => {
    const text = '# the web process\n\n   \nweb: node server.js\n  # indented comment\n';
    assert.deepEqual(parseProcfile(text), { web: 'node server.js' });
  });

  it('keeps colons inside the command', () => {
    assert.deepEqual(parseProcfile('web: cmd --flag=a:b http://x:1'), { web: 'cmd --flag=a:b http://x:1' });
  });

  it('accepts CRLF line endings, a BOM and no space after the colon', () => {
    assert.deepEqual(parseProcfile('\uFEFFweb:node a.js\r\nclock:  ./clock\r\n'), { web: 'node a.js', clock: './clock' });
  });

  it('rejects a duplicate type with its line number', () => {
    assert.throws(() => parseProcfile('web: a\n\nweb: b'), (err: unknown) => {
      assert.ok(err instanceof SlipwayError);
      assert.equal(err.id, 'invalid_params');
      assert.match(err.message, /^Procfile line 3: process type "web" is declared twice/);
      return true;
    });
  });

  it('rejects a line that is not type: command', () => {
    assert.throws(() => parseProcfile('web: a\nthis is not a procfile line'), /Procfile line 2: expected "type: command"/);
  });

  it('rejects a bad process type name', () => {
    assert.throws(() => parseProcfile('we.b: a'), /Procfile line 1: process type "we\.b"/);
    assert.throws(() => parseProcfile('web;rm: a'), /Procfile line 1/);
  });

  it('rejects a type with no command', () => {
    assert.throws(() => parseProcfile('web:'), /Procfile line 1: .*expected|has no command/);
    assert.throws(() => parseProcfile('web:    '), /has no command/);
  });

  it('returns no types for an empty file', () => {
    assert.deepEqual(parseProcfile(''), {});
  });
});
