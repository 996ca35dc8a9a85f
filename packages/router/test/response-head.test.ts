import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseResponseHead } from '../src/http1.js';

const head = (...lines: string[]): string => lines.join('\r\n');

describe('parseResponseHead', () => {
  it("reads status and framing, and drops the dyno's hop-by-hop headers (keeping the rest in order, as written)", () => {
    const r = parseResponseHead(head('HTTP/1.1 200 OK', 'Content-Type: text/plain', 'Content-Length: 2', 'Date: Sun, 29 Nov 2026 14:00:00 GMT', 'Connection: keep-alive', 'Keep-Alive: timeout=5'));
    assert.deepEqual(r, {
      status: 200, minor: 1, contentLength: 2, chunked: false, close: false,
      head: head('HTTP/1.1 200 OK', 'Content-Type: text/plain', 'Content-Length: 2', 'Date: Sun, 29 Nov 2026 14:00:00 GMT'),
    });
  });

  it('keeps a head with nothing to drop as it is', () => {
    const h = head('HTTP/1.1 404 Not Found', 'X-Thing: a', 'content-length: 0');
    assert.deepEqual(parseResponseHead(h), { status: 404, minor: 1, contentLength: 0, chunked: false, close: false, head: h });
    assert.equal(parseResponseHead('HTTP/1.1 204')?.head, 'HTTP/1.1 204');
  });

  it('sees chunked bodies, and Transfer-Encoding stays (the body passes through as it came)', () => {
    const r = parseResponseHead(head('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', 'TE: trailers', 'Trailer: X-Sum'));
    assert.equal(r?.chunked, true);
    assert.equal(r?.contentLength, -1);
    assert.equal(r?.head, head('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked'));
  });

  it('knows when the dyno will close, in HTTP/1.1 and 1.0', () => {
    assert.equal(parseResponseHead(head('HTTP/1.1 200 OK', 'Connection: close', 'Content-Length: 1'))?.close, true);
    assert.equal(parseResponseHead(head('HTTP/1.0 200 OK', 'Content-Length: 1'))?.close, true);
    const kept = parseResponseHead(head('HTTP/1.0 200 OK', 'Connection: Keep-Alive', 'Content-Length: 1'));
    assert.equal(kept?.close, false);
    assert.equal(kept?.minor, 0);
  });

  it('drops headers the Connection header names, whatever their case, and Upgrade and Proxy-Connection', () => {
    const r = parseResponseHead(head('HTTP/1.1 200 OK', 'Connection: X-Secret, keep-alive', 'x-secret: 1', 'X-SECRET: 2', 'Upgrade: h2c', 'Proxy-Connection: keep-alive', 'X-Public: yes', 'Content-Length: 0'));
    assert.equal(r?.head, head('HTTP/1.1 200 OK', 'X-Public: yes', 'Content-Length: 0'));
  });

  it('refuses what is not a response head', () => {
    for (const bad of [
      'HTTP/2 200 OK',
      'HTTP/1.1 20 OK',
      'hello',
      head('HTTP/1.1 200 OK', 'no colon here'),
      head('HTTP/1.1 200 OK', ': empty name'),
      head('HTTP/1.1 200 OK', 'Content-Length: 2', 'Content-Length: 3'),
      head('HTTP/1.1 200 OK', 'Content-Length: -1'),
      head('HTTP/1.1 200 OK', 'Content-Length: two'),
    ]) assert.equal(parseResponseHead(bad), undefined, JSON.stringify(bad));
    assert.equal(parseResponseHead(head('HTTP/1.1 200 OK', 'Content-Length: 2', 'Content-Length: 2'))?.contentLength, 2);
  });
});
