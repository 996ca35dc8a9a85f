import http from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { ROUTER_ERRORS, errorPage } from './errors.js';
import { pickRequestId } from './forwarded-headers.js';
import { formatRouterLine } from './log-line.js';
import type { RouterProxy } from './proxy.js';

/**
 * The listening side: an http.Server that hands requests and WebSocket
 * upgrades to the proxy, and answers what it cannot even parse with a 400.
 * It is created only after the first route sync, and `listen` is called on it
 * only then (Flynn's `router/http.go` does the same).
 */
export function createRouterServer(proxy: RouterProxy, log: (line: string) => void): http.Server {
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => proxy.handleRequest(req, res));
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => proxy.handleUpgrade(req, socket, head));
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => answerClientError(err, socket, log));
  return server;
}

/** Malformed request line or headers, oversized headers, or a timeout: answer if the socket still can, then close it. */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex, log: (line: string) => void): void {
  socket.on('error', () => undefined);
  // A request already being handled on this socket (its body broke off, say)
  // is logged and answered by its own handler: just close the connection.
  const current = (socket as Duplex & { _httpMessage?: unknown })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || current) {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const reason = status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request';
  const requestId = pickRequestId(undefined);
  const remote = (socket as Duplex & { remoteAddress?: string }).remoteAddress ?? '';
  log(formatRouterLine({ error: ROUTER_ERRORS.bad_request, method: '', path: '', host: '', requestId, fwd: remote.replace(/^::ffff:(?=\d)/, ''), status, bytes: 0, protocol: 'http' }));
  const body = errorPage('bad_request', requestId);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}

/** Listens and resolves with the bound port (useful with port 0). */
export function listen(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

/**
 * Stops accepting, lets requests in flight finish for up to `graceMs`, then
 * cuts whatever is left: HTTP connections here, WebSockets (which the server
 * no longer tracks once upgraded) through `cutUpgraded`. Idle keep-alive
 * connections are closed at once.
 */
export async function closeServer(server: http.Server, openCount: () => number, graceMs: number, cutUpgraded: () => void): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const deadline = Date.now() + graceMs;
  while (openCount() > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    server.closeIdleConnections();
  }
  server.closeAllConnections();
  cutUpgraded();
  await closed;
}
