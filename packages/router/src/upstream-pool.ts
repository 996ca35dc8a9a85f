import net from 'node:net';
import { isSelfConnected } from '@slipway/core';

/**
 * What an upstream connection reports to whoever holds it. An exchange holds
 * one connection from dispatch until its response is over; an idle pooled
 * connection has no owner.
 */
export interface UpstreamOwner {
  onUpstreamConnect(up: Upstream): void;
  onUpstreamData(up: Upstream, chunk: Buffer): void;
  onUpstreamClose(up: Upstream): void;
  onUpstreamDrain(up: Upstream): void;
}

/**
 * One TCP connection to a dyno, with its listeners attached once for its whole
 * life (adding and removing listeners per request costs more than the request).
 */
export class Upstream {
  owner: UpstreamOwner | null = null;
  /** True while the TCP handshake is still under way. */
  connecting = true;
  /** True when this connection already carried a request (a stale one may have been closed by the dyno meanwhile). */
  reused = false;
  /** The error that closed it, if any (ECONNREFUSED, ECONNRESET, ...). */
  errorCode: string | undefined;
  /** performance.now() when it went back to the pool. */
  idleSince = 0;

  constructor(readonly socket: net.Socket, readonly port: number, private readonly pool: UpstreamPool) {
    socket.on('connect', () => {
      // As good as refused; the request must not be sent to the router itself.
      if (isSelfConnected(socket)) {
        this.errorCode = 'ECONNREFUSED';
        socket.destroy();
        return;
      }
      this.connecting = false;
      this.owner?.onUpstreamConnect(this);
    });
    socket.on('drain', () => this.owner?.onUpstreamDrain(this));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.errorCode ??= err.code ?? 'EUNKNOWN';
    });
    socket.on('close', () => {
      if (this.owner) this.owner.onUpstreamClose(this);
      else this.pool.forget(this);
    });
  }

  /**
   * Bytes from the dyno, read into the pool's one shared buffer (`onread`, so
   * no Readable stream bookkeeping and no allocation per read). `chunk` is
   * only valid during the call: whoever keeps or writes it on must copy it.
   */
  onRead(chunk: Buffer): void {
    if (this.owner) this.owner.onUpstreamData(this, chunk);
    else this.socket.destroy(); // an idle connection has nothing to say
  }
}

/**
 * Keep-alive connections to the dynos, idle ones kept per port, newest first
 * (LIFO keeps few connections busy and lets the rest time out).
 */
export class UpstreamPool {
  private readonly idle = new Map<number, Upstream[]>();
  private readonly all = new Set<Upstream>();
  /** Every upstream read lands here (one process, one read at a time); see `Upstream.onRead`. */
  private readonly readBuffer = Buffer.allocUnsafe(64 * 1024);

  constructor(
    private readonly host: string,
    private readonly maxIdlePerPort = 256,
    private readonly idleTimeoutMs = 30_000,
  ) {}

  /** A pooled connection to `port`, or a new one (still connecting). */
  acquire(port: number): Upstream {
    const list = this.idle.get(port);
    if (list !== undefined) {
      while (list.length > 0) {
        const up = list.pop() as Upstream;
        if (!up.socket.destroyed && up.socket.writable) {
          up.reused = true;
          return up;
        }
      }
    }
    let up: Upstream | undefined;
    const readBuffer = this.readBuffer;
    const socket = net.connect({
      port,
      host: this.host,
      noDelay: true,
      onread: {
        buffer: readBuffer,
        callback: (n: number): boolean => {
          (up as Upstream).onRead(readBuffer.subarray(0, n));
          return true;
        },
      },
    });
    up = new Upstream(socket, port, this);
    this.all.add(up);
    return up;
  }

  /** Back to the pool after a complete response on a connection the dyno keeps open. */
  release(up: Upstream, now: number): void {
    up.owner = null;
    if (up.socket.destroyed) {
      this.all.delete(up);
      return;
    }
    if (up.socket.isPaused()) up.socket.resume();
    let list = this.idle.get(up.port);
    if (list === undefined) {
      list = [];
      this.idle.set(up.port, list);
    }
    if (list.length >= this.maxIdlePerPort) {
      up.socket.destroy();
      return;
    }
    up.idleSince = now;
    list.push(up);
  }

  /** Called when an idle connection closes. */
  forget(up: Upstream): void {
    this.all.delete(up);
    const list = this.idle.get(up.port);
    if (list === undefined) return;
    const i = list.indexOf(up);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.idle.delete(up.port);
  }

  /** Drops the owner's claim: the connection is closed and never reused. */
  discard(up: Upstream): void {
    up.owner = null;
    this.all.delete(up);
    up.socket.destroy();
  }

  /** Closes idle connections older than the idle timeout; called by the router's sweep. */
  sweep(now: number): void {
    for (const list of this.idle.values()) {
      // Oldest first: the list is LIFO, so they sit at the front.
      while (list.length > 0 && now - (list[0] as Upstream).idleSince > this.idleTimeoutMs) (list.shift() as Upstream).socket.destroy();
    }
  }

  idleCount(): number {
    let n = 0;
    for (const list of this.idle.values()) n += list.length;
    return n;
  }

  destroyAll(): void {
    for (const up of this.all) up.socket.destroy();
    this.all.clear();
    this.idle.clear();
  }
}
