/** The two ends of a TCP connection, as a `net.Socket` reports them. */
export interface SocketEnds {
  localPort?: number | undefined;
  remotePort?: number | undefined;
  localAddress?: string | undefined;
  remoteAddress?: string | undefined;
}

/**
 * A connection to itself: same address and port at both ends. When nothing
 * listens on a port inside the kernel's ephemeral range, a connect that picks
 * that same port as its source connects to itself (a TCP simultaneous open);
 * for a readiness probe or a router that counts as refused, not as up.
 */
export function isSelfConnected(socket: SocketEnds): boolean {
  return socket.localPort === socket.remotePort && socket.localAddress === socket.remoteAddress;
}
