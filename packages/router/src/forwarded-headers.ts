import { randomUUID } from 'node:crypto';
import type http from 'node:http';

/** A client's own request id is kept when it looks like one (Heroku's rule); anything else gets a fresh UUID. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9+/=-]{20,200}$/;

export function pickRequestId(sent: string | string[] | undefined): string {
  const value = Array.isArray(sent) ? sent[0] : sent;
  return value !== undefined && REQUEST_ID_PATTERN.test(value) ? value : newRequestId();
}

/**
 * A fresh request id in UUID shape: a random version-4 prefix drawn once per
 * process, then a counter in the last 12 hex digits. Unique across processes
 * and restarts (the prefix carries 74 random bits) and, unlike `randomUUID()`,
 * no random bytes and no formatting per request.
 */
let idPrefix = randomUUID().slice(0, 24);
let idCounter = 0;
export function newRequestId(): string {
  if (idCounter === 0xffffffffffff) {
    idPrefix = randomUUID().slice(0, 24);
    idCounter = 0;
  }
  const n = idCounter++;
  return idPrefix + (n < 0x100000000 ? '0000' + (n >>> 0).toString(16).padStart(8, '0') : n.toString(16).padStart(12, '0'));
}

/** `::ffff:10.0.0.9` → `10.0.0.9`; empty when the socket is already gone. */
export function clientAddress(req: http.IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** Meant for one hop only, so never passed on to a dyno (RFC 9110 §7.6.1). */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'upgrade', 'expect'];

export interface ForwardedHeaders {
  requestId: string;
  clientAddress: string;
  listenerPort: number;
  /** When the router received the request (ms since the epoch), for `X-Request-Start`. */
  receivedAt: number;
}

/**
 * Rewrites `req.headers` in place for the dyno: drops hop-by-hop headers and
 * any the client named in `Connection` (keeping `Connection`/`Upgrade` for a
 * WebSocket), then sets the forwarding headers, replacing whatever the client
 * sent for them. `Expect` goes too, because the router has already answered
 * `100 Continue`. `Transfer-Encoding` stays: Node re-frames the body from it.
 */
export function setForwardedHeaders(req: http.IncomingMessage, f: ForwardedHeaders, opts: { upgrade: boolean }): void {
  const headers = req.headers;
  const listed = typeof headers.connection === 'string' ? headers.connection.split(',').map((t) => t.trim().toLowerCase()) : [];
  for (const name of [...HOP_BY_HOP, ...listed]) {
    if (opts.upgrade && (name === 'connection' || name === 'upgrade')) continue;
    if (name === '' || name === 'host' || name === 'transfer-encoding' || name === 'content-length') continue;
    delete headers[name];
  }
  headers['x-forwarded-for'] = f.clientAddress;
  headers['x-forwarded-proto'] = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  headers['x-forwarded-port'] = String(req.socket.localPort ?? f.listenerPort);
  headers['x-request-id'] = f.requestId;
  headers['x-request-start'] = String(f.receivedAt);
  headers['via'] = '1.1 slipway';
}

/** True when the request carries no body, so it can be sent again to another dyno. */
export function hasNoBody(req: http.IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] === undefined && (length === undefined || Number(length) === 0);
}
