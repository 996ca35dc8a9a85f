import { dockerTimestampNanos, logTimeFromDocker, type ActualDyno, type LogLine } from '@slipway/core';
import { followDynoLogs, isContainerRunning, listDynos, type DockerClient, type DynoLogFollower, type DynoOutputLine } from '@slipway/docker';
import { appendLogLines, deleteLogCursors, listLogCursors, LOG_CURSOR_DONE, markLogCursorDone, type RedisConnection } from '@slipway/store';

export interface LogShipperOptions {
  redis: RedisConnection;
  docker: DockerClient;
  instance: string;
  /** How often to look for new dyno containers. Default 1 s. */
  pollMs?: number;
  /** Lines are written at most this long after they were read... Default 50 ms. */
  flushMs?: number;
  /** ...or as soon as this many are waiting. Default 100. */
  batchLines?: number;
  /** Per-app stream cap (`XADD MAXLEN ~`). Default the store's (1500). */
  maxLen?: number;
  log?: (line: string) => void;
}

/** Past this many unwritten lines a container's output is paused until Redis catches up. */
const HIGH_WATER = 5000;

interface Attachment {
  dyno: ActualDyno;
  follower: DynoLogFollower | null;
  /** Lines read but not yet in Redis, with their Docker timestamps. */
  buffer: { line: LogLine; timestamp: string; nanos: bigint }[];
  /** The newest Docker timestamp shipped so far: the cursor stored with each batch. */
  shipped: { timestamp: string; nanos: bigint } | null;
  timer: NodeJS.Timeout | null;
  chain: Promise<void>;
}

/**
 * Ships every dyno's stdout and stderr into its app's log stream as
 * `app[web.1]` lines. It attaches to each dyno container of this instance
 * (found with `listDynos`), batches lines, and writes each batch together with
 * the Docker timestamp of its newest line. After a daemon restart it resumes
 * every container from that timestamp, so no line is lost or written twice.
 * Once a container has exited and its output is drained, its cursor is marked
 * `done`; cursors of containers that are gone are deleted.
 */
export class LogShipper {
  private readonly attached = new Map<string, Attachment>();
  private readonly runs = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> | null = null;
  private stopped = false;
  private readonly log: (line: string) => void;

  constructor(private readonly opts: LogShipperOptions) {
    this.log = opts.log ?? (() => undefined);
  }

  /** Attaches to every dyno now, then keeps looking every `pollMs`. */
  async start(): Promise<void> {
    await this.syncNow();
    const tick = (): void => {
      if (this.stopped) return;
      this.syncNow()
        .catch((err) => this.log(`logs: sync failed: ${String(err)}`))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.opts.pollMs ?? 1000);
        });
    };
    this.timer = setTimeout(tick, this.opts.pollMs ?? 1000);
  }

  /** Detaches from every container after writing what was read (bounded by `waitMs`). */
  async stop(waitMs = 5000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const a of this.attached.values()) a.follower?.stop();
    await Promise.race([Promise.allSettled([...this.runs]), new Promise((r) => setTimeout(r, waitMs).unref())]);
  }

  /** Looks for dynos to attach to right away (say, after the dyno manager started one). */
  syncNow(): Promise<void> {
    this.syncing ??= this.sync().finally(() => {
      this.syncing = null;
    });
    return this.syncing;
  }

  private async sync(): Promise<void> {
    if (this.stopped) return;
    const [dynos, cursors] = await Promise.all([
      listDynos(this.opts.docker, this.opts.instance),
      listLogCursors(this.opts.redis, this.opts.instance),
    ]);
    for (const d of dynos) {
      const cursor = cursors[d.containerId];
      if (this.attached.has(d.containerId) || cursor === LOG_CURSOR_DONE) continue;
      this.attach(d, cursor ?? null);
    }
    const present = new Set(dynos.map((d) => d.containerId));
    const gone = Object.keys(cursors).filter((id) => !present.has(id) && !this.attached.has(id));
    await deleteLogCursors(this.opts.redis, this.opts.instance, gone);
  }

  private attach(dyno: ActualDyno, cursor: string | null): void {
    const a: Attachment = { dyno, follower: null, buffer: [], shipped: null, timer: null, chain: Promise.resolve() };
    if (cursor) {
      try {
        a.shipped = { timestamp: cursor, nanos: dockerTimestampNanos(cursor) };
      } catch {
        a.shipped = null; // unreadable cursor: start over rather than never ship
      }
    }
    this.attached.set(dyno.containerId, a);
    const run = this.follow(a)
      .catch((err) => this.log(`logs: ${dyno.app} ${dyno.name}: ${String(err)}`))
      .finally(() => {
        this.attached.delete(dyno.containerId);
        this.runs.delete(run);
      });
    this.runs.add(run);
  }

  /**
   * Follows until the output ends. If the container has exited, reads once
   * more from the last line shipped (Docker may write a last unterminated line
   * after the follow ended), then marks the container done. If it still runs,
   * the connection broke: the next sync attaches again from the cursor.
   */
  private async follow(a: Attachment): Promise<void> {
    const id = a.dyno.containerId;
    for (let pass = 0; pass < 2 && !this.stopped; pass++) {
      const floor = a.shipped?.nanos ?? null;
      let follower: DynoLogFollower;
      try {
        follower = await followDynoLogs(this.opts.docker, id, a.shipped?.timestamp ?? null, (line) => this.onLine(a, line, floor));
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return; // removed: the next sync deletes its cursor
        throw err;
      }
      a.follower = follower;
      await follower.ended;
      a.follower = null;
      await this.flush(a);
      if (this.stopped) return;
      if (await isContainerRunning(this.opts.docker, id).catch(() => true)) return;
    }
    if (!this.stopped) await markLogCursorDone(this.opts.redis, this.opts.instance, id);
  }

  private onLine(a: Attachment, out: DynoOutputLine, floor: bigint | null): void {
    let nanos: bigint;
    let time: string;
    try {
      nanos = dockerTimestampNanos(out.timestamp);
      time = logTimeFromDocker(out.timestamp);
    } catch {
      return;
    }
    // Docker's `since` includes lines at exactly that time: those were shipped before.
    if (floor !== null && nanos <= floor) return;
    a.buffer.push({ line: { time, source: 'app', dyno: a.dyno.name, text: out.text }, timestamp: out.timestamp, nanos });
    if (a.buffer.length >= (this.opts.batchLines ?? 100)) void this.flush(a);
    else a.timer ??= setTimeout(() => void this.flush(a), this.opts.flushMs ?? 50);
    if (a.buffer.length >= HIGH_WATER) a.follower?.pause();
  }

  /** Writes everything buffered, one batch (and its cursor) per transaction, in order. */
  private flush(a: Attachment): Promise<void> {
    if (a.timer) clearTimeout(a.timer);
    a.timer = null;
    a.chain = a.chain.then(async () => {
      let backoff = 100;
      while (a.buffer.length > 0) {
        const batch = a.buffer.slice(0, Math.max(this.opts.batchLines ?? 100, 100));
        let newest = a.shipped;
        for (const b of batch) if (!newest || b.nanos > newest.nanos) newest = { timestamp: b.timestamp, nanos: b.nanos };
        try {
          await appendLogLines(this.opts.redis, a.dyno.app, batch.map((b) => b.line), {
            maxLen: this.opts.maxLen,
            cursor: newest ? { instance: this.opts.instance, container: a.dyno.containerId, position: newest.timestamp } : undefined,
          });
        } catch (err) {
          this.log(`logs: ${a.dyno.app} ${a.dyno.name}: could not write ${batch.length} lines: ${String(err)}`);
          if (this.stopped) return;
          await new Promise((r) => setTimeout(r, backoff));
          backoff = Math.min(backoff * 2, 5000);
          continue;
        }
        a.buffer.splice(0, batch.length);
        a.shipped = newest;
      }
      a.follower?.resume();
    });
    return a.chain;
  }
}
