/**
 * Just enough HTTP/1.1 for the fast path: request and response heads parsed
 * from raw bytes, and a chunked-body scanner that finds where a body ends
 * without copying it. Nothing here does I/O, and nothing allocates more than
 * the strings the router actually keeps: the scratch arrays are reused
 * (the router is single-threaded, and a parse never yields).
 */

/** Heroku's limits: a request line or one header line at most 8192 bytes, at most 1000 headers. */
export const MAX_LINE = 8192;
export const MAX_HEADERS = 1000;
/** The whole head, so a flood of long headers cannot hold megabytes per connection. */
export const MAX_HEAD = 1024 * 1024;

/** A head that is not acceptable: the status to answer with and why (for the log). */
export interface HeadError {
  status: 400 | 414 | 431 | 501 | 505;
  reason: string;
}

export interface RequestHead {
  method: string;
  /** The request target as sent (origin-form `/path?q`, or absolute-form). */
  target: string;
  /** The origin-form path sent on to the dyno. */
  path: string;
  /** 1 for HTTP/1.1, 0 for HTTP/1.0. */
  minor: 0 | 1;
  /** The raw Host value, undefined when absent. */
  host: string | undefined;
  /** -1 when there is none. */
  contentLength: number;
  chunked: boolean;
  /** `Connection: close` (or HTTP/1.0 without keep-alive). */
  close: boolean;
  expectContinue: boolean;
  /** The lowercased `Upgrade` value when `Connection: upgrade` names it. */
  upgrade: string | undefined;
  requestId: string | undefined;
  /**
   * The header lines that go on to the dyno, each followed by CRLF: hop-by-hop
   * headers, those `Connection` names, and the forwarding headers the router
   * sets itself are already gone.
   */
  kept: string;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) ([\x21-\x7e\x80-\xff]+) HTTP\/1\.([01])$/;
/** A field value may not carry a bare CR, LF or NUL (we split on CRLF, so those would smuggle lines). */
const BAD_VALUE = /[\r\n\0]/;

/** Never passed on (RFC 9110 §7.6.1), or set by the router itself, replacing the client's. */
const DROP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'upgrade', 'expect',
  'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-port', 'x-request-start', 'x-request-id', 'via',
]);
/** Never dropped even when `Connection` names them: the body's framing and the routing depend on them. */
const FRAMING = new Set(['host', 'content-length', 'transfer-encoding']);

// Scratch space reused by every parse.
const names: string[] = [];
const lines: string[] = [];

/**
 * Where the head that starts at `start` ends (the index just past its blank
 * line), -1 when more bytes are needed, or an error when what arrived already
 * breaks a limit.
 */
export function findHeadEnd(buf: Buffer, start: number, searchFrom: number): number | HeadError {
  const end = buf.indexOf('\r\n\r\n', Math.max(start, searchFrom - 3), 'latin1');
  if (end >= 0) return end + 4;
  const size = buf.length - start;
  if (size > MAX_HEAD) return { status: 431, reason: 'head too large' };
  if (size > MAX_LINE) {
    const firstLineEnd = buf.indexOf('\r\n', start, 'latin1');
    if (firstLineEnd < 0) return { status: 414, reason: 'request line too long' };
    const lastLineEnd = buf.lastIndexOf('\r\n', buf.length, 'latin1');
    if (buf.length - lastLineEnd - 2 > MAX_LINE) return { status: 431, reason: 'header line too long' };
  }
  return -1;
}

/** Parses a complete request head (`head` is its latin1 text, without the final CRLFCRLF). */
export function parseRequestHead(head: string): RequestHead | HeadError {
  let lineEnd = head.indexOf('\r\n');
  if (lineEnd < 0) lineEnd = head.length;
  if (lineEnd > MAX_LINE) return { status: 414, reason: 'request line too long' };
  const m = REQUEST_LINE.exec(head.slice(0, lineEnd));
  if (!m) {
    return /^[A-Za-z]+ \S+ HTTP\/\d/.test(head.slice(0, lineEnd)) ? { status: 505, reason: 'unsupported HTTP version' } : { status: 400, reason: 'malformed request line' };
  }
  const method = m[1] as string;
  const target = m[2] as string;
  const minor = m[3] === '1' ? 1 : 0;

  let count = 0;
  let host: string | undefined;
  let hosts = 0;
  let contentLength = -1;
  let transferEncoding: string | undefined;
  let connection = '';
  let expect: string | undefined;
  let upgrade: string | undefined;
  let requestId: string | undefined;
  let pos = lineEnd + 2;
  while (pos < head.length) {
    let next = head.indexOf('\r\n', pos);
    if (next < 0) next = head.length;
    if (next - pos > MAX_LINE) return { status: 431, reason: 'header line too long' };
    if (++count > MAX_HEADERS) return { status: 431, reason: 'too many headers' };
    const line = head.slice(pos, next);
    pos = next + 2;
    const colon = line.indexOf(':');
    if (colon <= 0) return { status: 400, reason: 'malformed header line' };
    const rawName = line.slice(0, colon);
    if (!TOKEN.test(rawName)) return { status: 400, reason: 'malformed header name' };
    if (BAD_VALUE.test(line)) return { status: 400, reason: 'invalid character in a header value' };
    const name = rawName.toLowerCase();
    names[count - 1] = name;
    lines[count - 1] = line;
    switch (name) {
      case 'host':
        hosts++;
        host = line.slice(colon + 1).trim();
        break;
      case 'content-length': {
        const value = line.slice(colon + 1).trim();
        if (!/^\d{1,15}$/.test(value)) return { status: 400, reason: 'invalid Content-Length' };
        const n = Number(value);
        if (contentLength >= 0 && contentLength !== n) return { status: 400, reason: 'conflicting Content-Length' };
        contentLength = n;
        break;
      }
      case 'transfer-encoding':
        transferEncoding = transferEncoding === undefined ? line.slice(colon + 1).trim() : `${transferEncoding}, ${line.slice(colon + 1).trim()}`;
        break;
      case 'connection':
        connection += `${line.slice(colon + 1)},`;
        break;
      case 'expect':
        expect = line.slice(colon + 1).trim().toLowerCase();
        break;
      case 'upgrade':
        upgrade = line.slice(colon + 1).trim().toLowerCase();
        break;
      case 'x-request-id':
        requestId = line.slice(colon + 1).trim();
        break;
    }
  }

  if (hosts > 1) return { status: 400, reason: 'more than one Host header' };
  if (hosts === 0 && minor === 1) return { status: 400, reason: 'missing Host header' };
  let chunked = false;
  if (transferEncoding !== undefined) {
    // Only `chunked`, and only once: anything else cannot be framed safely.
    if (transferEncoding.toLowerCase() !== 'chunked') return { status: transferEncoding.toLowerCase().endsWith('chunked') ? 501 : 400, reason: 'unsupported Transfer-Encoding' };
    if (contentLength >= 0) return { status: 400, reason: 'both Content-Length and Transfer-Encoding' };
    if (minor === 0) return { status: 400, reason: 'Transfer-Encoding in an HTTP/1.0 request' };
    chunked = true;
  }

  let path = target;
  if (target[0] !== '/') {
    if (target === '*' && method === 'OPTIONS') path = '*';
    else {
      const abs = /^https?:\/\/([^/?#]+)([^#]*)/i.exec(target);
      if (!abs) return { status: 400, reason: 'malformed request target' };
      const authority = (abs[1] as string).toLowerCase();
      if (host !== undefined && stripPort(authority) !== stripPort(host.toLowerCase())) return { status: 400, reason: 'absolute URL host differs from Host' };
      host ??= authority;
      path = abs[2] || '/';
      if (path[0] !== '/') path = `/${path}`;
    }
  }

  // Connection tokens: close, upgrade, and headers to drop. An HTTP/1.0
  // client's connection is always closed after its response: it cannot take
  // a chunked body, and keeping it alive is not worth the bookkeeping.
  let close = minor === 0;
  let upgradeNamed = false;
  let listed: string[] | undefined;
  if (connection !== '') {
    for (const raw of connection.split(',')) {
      const token = raw.trim().toLowerCase();
      if (token === '') continue;
      if (token === 'close') close = true;
      else if (token === 'upgrade') upgradeNamed = true;
      if (!DROP.has(token) && !FRAMING.has(token)) (listed ??= []).push(token);
    }
  }

  let kept = '';
  for (let i = 0; i < count; i++) {
    const name = names[i] as string;
    if (DROP.has(name) || (listed !== undefined && listed.includes(name))) continue;
    kept += `${lines[i] as string}\r\n`;
  }
  return {
    method,
    target,
    path,
    minor,
    host,
    contentLength,
    chunked,
    close,
    expectContinue: expect === '100-continue' && minor === 1,
    upgrade: upgradeNamed ? upgrade : undefined,
    requestId,
    kept,
  };
}

function stripPort(authority: string): string {
  if (authority.startsWith('[')) return authority.slice(0, authority.indexOf(']') + 1);
  const colon = authority.indexOf(':');
  return colon >= 0 ? authority.slice(0, colon) : authority;
}

export interface ResponseHead {
  status: number;
  /** 1 for HTTP/1.1. */
  minor: 0 | 1;
  contentLength: number;
  chunked: boolean;
  /** The dyno will close the connection after this response. */
  close: boolean;
  /**
   * The head for the client, without its final CRLF: the status line and the
   * dyno's headers minus hop-by-hop ones (`Transfer-Encoding` stays: the body
   * is passed through as it came).
   */
  head: string;
}

const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: [^\r\n]*)?$/;
const RESPONSE_DROP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade']);

/** Where each header line of the head being parsed starts and ends, and which ones go: reused, no allocation per response. */
const lineStarts: number[] = [];
const lineEnds: number[] = [];
const dropped: boolean[] = [];

/** Lower-cased first letters of every header name the router may drop or read (c, k, p, t, u). */
function mayMatter(code: number): boolean {
  const c = code | 0x20;
  return c === 99 || c === 107 || c === 112 || c === 116 || c === 117;
}

/**
 * Only the names that start with c, k, p, t or u are looked at (and only those
 * lower-cased); the head is rebuilt from slices of the original only when a
 * line goes, so a response with nothing hop-by-hop costs no copy at all.
 */
export function parseResponseHead(head: string): ResponseHead | undefined {
  let lineEnd = head.indexOf('\r\n');
  if (lineEnd < 0) lineEnd = head.length;
  const m = STATUS_LINE.exec(lineEnd === head.length ? head : head.slice(0, lineEnd));
  if (!m) return undefined;
  const minor = m[1] === '1' ? 1 : 0;
  const status = Number(m[2]);
  let contentLength = -1;
  let chunked = false;
  let close = minor === 0;
  let listed: string[] | undefined;
  let drops = 0;
  let count = 0;
  let pos = lineEnd + 2;
  while (pos < head.length) {
    let next = head.indexOf('\r\n', pos);
    if (next < 0) next = head.length;
    const colon = head.indexOf(':', pos);
    if (colon <= pos || colon > next) return undefined;
    let drop = false;
    if (mayMatter(head.charCodeAt(pos))) {
      const name = head.slice(pos, colon).toLowerCase();
      if (name === 'content-length') {
        const n = Number(head.slice(colon + 1, next).trim());
        if (!Number.isSafeInteger(n) || n < 0 || (contentLength >= 0 && n !== contentLength)) return undefined;
        contentLength = n;
      } else if (name === 'transfer-encoding') {
        if (head.slice(colon + 1, next).trim().toLowerCase().endsWith('chunked')) chunked = true;
      } else if (name === 'connection') {
        for (const raw of head.slice(colon + 1, next).split(',')) {
          const token = raw.trim().toLowerCase();
          if (token === 'close') close = true;
          else if (token === 'keep-alive' && minor === 0) close = false;
          else if (token !== '' && !RESPONSE_DROP.has(token) && token !== 'content-length' && token !== 'transfer-encoding') (listed ??= []).push(token);
        }
      }
      drop = RESPONSE_DROP.has(name);
    }
    lineStarts[count] = pos;
    lineEnds[count] = next;
    dropped[count] = drop;
    if (drop) drops++;
    count++;
    pos = next + 2;
  }
  // Headers the Connection header named (rare): every name has to be compared.
  if (listed !== undefined) {
    for (let i = 0; i < count; i++) {
      if (dropped[i]) continue;
      const start = lineStarts[i] as number;
      if (listed.includes(head.slice(start, head.indexOf(':', start)).toLowerCase())) {
        dropped[i] = true;
        drops++;
      }
    }
  }
  if (chunked) contentLength = -1;
  if (drops === 0) return { status, minor, contentLength, chunked, close, head };
  // Copy runs of kept lines: each run from its first line's start to its last line's end.
  let out = head.slice(0, lineEnd);
  let runStart = -1;
  for (let i = 0; i <= count; i++) {
    if (i < count && !dropped[i]) {
      if (runStart < 0) runStart = lineStarts[i] as number;
      continue;
    }
    if (runStart >= 0) {
      out += `\r\n${head.slice(runStart, lineEnds[i - 1] as number)}`;
      runStart = -1;
    }
  }
  return { status, minor, contentLength, chunked, close, head: out };
}

const enum Chunk {
  /** Hex digits of a chunk size. */
  Size,
  /** The rest of a line that is skipped (a chunk extension or a trailer field), up to its CR. */
  SkipLine,
  /** The LF after a size line. */
  SizeLf,
  Data,
  DataCr,
  DataLf,
  /** Start of a trailer line: CR here is the blank line that ends the body. */
  TrailerStart,
  /** The LF after a trailer line. */
  TrailerLf,
  /** The LF of the blank line that ends the body. */
  FinalLf,
}

/**
 * Follows a chunked body byte by byte through its size lines, data and
 * trailers, without copying anything, to find where it ends. One instance per
 * body; `reset()` makes it ready for the next.
 */
export class ChunkedScanner {
  private state = Chunk.Size;
  /** Where a skipped line leads once its CR is found. */
  private afterLine = Chunk.SizeLf;
  private remaining = 0;
  private digits = 0;
  private lineLength = 0;

  reset(): void {
    this.state = Chunk.Size;
    this.remaining = 0;
    this.digits = 0;
    this.lineLength = 0;
  }

  private skipLine(next: Chunk.SizeLf | Chunk.TrailerLf): void {
    this.state = Chunk.SkipLine;
    this.afterLine = next;
    this.lineLength = 0;
  }

  /**
   * Scans `buf[start..]`. Returns the index just past the end of the body,
   * -1 when the body goes on past this buffer, or -2 when it is malformed.
   */
  scan(buf: Buffer, start: number): number {
    let i = start;
    const n = buf.length;
    while (i < n) {
      switch (this.state) {
        case Chunk.Size: {
          const c = buf[i] as number;
          const v = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
          if (v >= 0) {
            if (++this.digits > 12) return -2;
            this.remaining = this.remaining * 16 + v;
            i++;
          } else if (this.digits === 0) return -2;
          else if (c === 13) {
            this.state = Chunk.SizeLf;
            i++;
          } else if (c === 59 || c === 32 || c === 9) {
            this.skipLine(Chunk.SizeLf);
            i++;
          } else return -2;
          break;
        }
        case Chunk.SkipLine: {
          const cr = buf.indexOf(13, i);
          const stop = cr < 0 ? n : cr;
          this.lineLength += stop - i;
          if (this.lineLength > MAX_LINE) return -2;
          i = stop;
          if (cr >= 0) {
            this.state = this.afterLine;
            i++;
          }
          break;
        }
        case Chunk.SizeLf:
          if (buf[i] !== 10) return -2;
          i++;
          this.digits = 0;
          this.state = this.remaining === 0 ? Chunk.TrailerStart : Chunk.Data;
          break;
        case Chunk.Data: {
          const take = Math.min(this.remaining, n - i);
          this.remaining -= take;
          i += take;
          if (this.remaining === 0) this.state = Chunk.DataCr;
          break;
        }
        case Chunk.DataCr:
          if (buf[i] !== 13) return -2;
          this.state = Chunk.DataLf;
          i++;
          break;
        case Chunk.DataLf:
          if (buf[i] !== 10) return -2;
          this.state = Chunk.Size;
          i++;
          break;
        case Chunk.TrailerStart:
          if (buf[i] === 13) {
            this.state = Chunk.FinalLf;
            i++;
          } else this.skipLine(Chunk.TrailerLf);
          break;
        case Chunk.TrailerLf:
          if (buf[i] !== 10) return -2;
          this.state = Chunk.TrailerStart;
          i++;
          break;
        case Chunk.FinalLf:
          if (buf[i] !== 10) return -2;
          this.reset();
          return i + 1;
      }
    }
    return -1;
  }
}
