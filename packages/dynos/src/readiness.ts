import { connect } from 'node:net';

/**
 * True when something accepts TCP connections on 127.0.0.1:port. A connection
 * to itself does not count: when nothing listens on a port inside the
 * kernel's ephemeral range, a connect that happens to pick that same port as
 * its source port connects to itself (a TCP simultaneous open), and probing
 * every 20 ms for a minute makes that likely enough to matter.
 */
export function portAccepts(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(!isSelfConnected(socket)));
    socket.once('error', () => done(false));
  });
}

/** A socket connected to itself: same address and port at both ends. */
export function isSelfConnected(socket: { localPort?: number | undefined; remotePort?: number | undefined; localAddress?: string | undefined; remoteAddress?: string | undefined }): boolean {
  return socket.localPort === socket.remotePort && socket.localAddress === socket.remoteAddress;
}

/** True when nothing listens on the port and we could bind it ourselves. */
export async function portIsFree(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(true)));
  });
}
