import { connect } from 'node:net';
import { isSelfConnected } from '@slipway/core';

/**
 * True when something accepts TCP connections on 127.0.0.1:port. A connection
 * to itself does not count (see `isSelfConnected`): probing every 20 ms for a
 * minute makes one likely enough to matter.
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


/** True when nothing listens on the port and we could bind it ourselves. */
export async function portIsFree(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(true)));
  });
}
