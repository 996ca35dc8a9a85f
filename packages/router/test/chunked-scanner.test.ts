import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChunkedScanner } from '../src/http1.js';

/** Feeds `body` (then `after`) to a scanner in pieces cut at `cuts`, and returns where it says the body ends, in whole-input terms. */
function scanInPieces(body: string, after: string, cuts: number[]): number {
  const input = Buffer.from(body + after, 'latin1');
  const scanner = new ChunkedScanner();
  const bounds = [0, ...cuts.filter((c) => c > 0 && c < input.length).sort((a, b) => a - b), input.length];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const piece = input.subarray(bounds[k], bounds[k + 1]);
    const end = scanner.scan(piece, 0);
    if (end === -2) return -2;
    if (end >= 0) return (bounds[k] as number) + end;
  }
  return -1;
}

const BODIES: Record<string, string> = {
  'one chunk': '5\r\nhello\r\n0\r\n\r\n',
  'several chunks, upper and lower hex': 'A\r\n0123456789\r\nf\r\nabcdefghijklmno\r\n0\r\n\r\n',
  'a chunk extension': '5;name=value\r\nhello\r\n0;last\r\n\r\n',
  'trailers': '3\r\nabc\r\n0\r\nX-Checksum: 1234\r\nX-Other: yes\r\n\r\n',
  'data that looks like framing': '7\r\n0\r\n\r\n\r\n\r\n0\r\n\r\n',
  'an empty body': '0\r\n\r\n',
};

describe('ChunkedScanner', () => {
  for (const [name, body] of Object.entries(BODIES)) {
    it(`finds the end of ${name}, however the bytes are split`, () => {
      const next = 'GET /next HTTP/1.1\r\n\r\n';
      assert.equal(scanInPieces(body, next, []), body.length);
      for (let cut = 1; cut < body.length; cut++) assert.equal(scanInPieces(body, next, [cut]), body.length, `cut at ${cut}`);
      const every = Array.from({ length: body.length }, (_, k) => k + 1);
      assert.equal(scanInPieces(body, next, every), body.length, 'one byte at a time');
    });
  }

  it('says the body goes on when it has not ended', () => {
    assert.equal(scanInPieces('5\r\nhel', '', []), -1);
    assert.equal(scanInPieces('5\r\nhello\r\n0\r\n', '', []), -1);
    assert.equal(scanInPieces('5\r\nhello\r\n0\r\nX-Trailer: 1\r\n', '', []), -1);
  });

  it('refuses malformed framing', () => {
    for (const bad of ['\r\n', 'zz\r\n', '5\r\nhelloX\r\n', '5\r\nhello\rX', '5\nhello', '1234567890abc\r\n', '0\r\nX: 1\rX']) {
      assert.equal(scanInPieces(bad, '', []), -2, JSON.stringify(bad));
    }
  });

  it('refuses an extension or trailer line over 8192 bytes', () => {
    assert.equal(scanInPieces(`1;${'x'.repeat(9000)}\r\na\r\n0\r\n\r\n`, '', [100, 5000]), -2);
    assert.equal(scanInPieces(`0\r\nX: ${'y'.repeat(9000)}\r\n\r\n`, '', [4000]), -2);
  });

  it('can be reused after reset', () => {
    const scanner = new ChunkedScanner();
    assert.equal(scanner.scan(Buffer.from('5\r\nhel'), 0), -1);
    scanner.reset();
    assert.equal(scanner.scan(Buffer.from('0\r\n\r\n'), 0), 5);
    assert.equal(scanner.scan(Buffer.from('xx1\r\na\r\n0\r\n\r\nnext'), 2), 13);
  });
});
