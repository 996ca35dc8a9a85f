import {
  DEFAULT_LOG_LINES, logTimeNow, matchesLogFilter, splitLogText,
  type AppName, type LogFilter, type LogLine, type LogSource,
} from '@slipway/core';
import type { ChainableCommander, Redis } from 'ioredis';
import { keys } from './keys.js';

/**
 * Per-app logs: one capped stream per app (`slipway:apps:<app>:logs`), one
 * entry per line, with fields `t` (time), `s` (source), `d` (dyno), `m` (text).
 * Readers keep the stream id of the last entry they saw, so a reader that
 * reconnects (to Redis, or the CLI to the API) loses nothing and sees nothing twice.
 */
export interface LogEntry extends LogLine {
  /** Stream id: where a tail resumes. */
  id: string;
}

/** About how many lines each app keeps (`XADD MAXLEN ~`). */
export const DEFAULT_LOG_CAP = 1500;
/** Longer lines are cut, as Heroku cuts at 10 000 bytes. */
export const MAX_LOG_TEXT = 10_000;

export interface AppendLogOptions {
  maxLen?: number;
  /** The shipper's position in a container's output, written in the same transaction as the lines. */
  cursor?: { instance: string; container: string; position: string };
}

/**
 * Appends lines in one transaction (one round trip). Text with newlines becomes
 * several lines; very long text is cut.
 */
export async function appendLogLines(redis: Redis, app: AppName | string, lines: readonly LogLine[], opts: AppendLogOptions = {}): Promise<void> {
  if (lines.length === 0 && !opts.cursor) return;
  const tx = redis.multi();
  for (const line of lines) queueLogLine(tx, app, line, opts.maxLen);
  if (opts.cursor) tx.hset(keys.logCursors(opts.cursor.instance), opts.cursor.container, opts.cursor.position);
  const results = await tx.exec();
  const failed = results?.find(([err]) => err);
  if (failed) throw failed[0];
}

/** Adds a line to a transaction or pipeline, so it is written together with what it reports (a release, say). */
export function queueLogLine(tx: ChainableCommander, app: AppName | string, line: LogLine, maxLen = DEFAULT_LOG_CAP): void {
  for (const text of splitLogText(line.text)) {
    tx.xadd(keys.logs(app), 'MAXLEN', '~', String(maxLen), '*', 't', line.time, 's', line.source, 'd', line.dyno, 'm', text.length > MAX_LOG_TEXT ? text.slice(0, MAX_LOG_TEXT) : text);
  }
}

/** One platform line now: `slipway[web.1]: State changed from starting to up`, `slipway[api]: Release v3 created by user ...`. */
export function appendPlatformLog(redis: Redis, app: AppName | string, dyno: string, text: string): Promise<void> {
  return appendLogLines(redis, app, [{ time: logTimeNow(), source: 'slipway', dyno, text }]);
}

/**
 * A sink for many small writers (router lines, platform events): lines are
 * collected and written per app on the next turn of the event loop, in the
 * order they came, so a burst costs one round trip rather than one per line.
 */
export function createLogSink(redis: Redis, onError: (err: unknown) => void = () => undefined, maxLen?: number): (app: AppName | string, line: LogLine) => void {
  let pending = new Map<string, LogLine[]>();
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    const batch = pending;
    pending = new Map();
    for (const [app, lines] of batch) appendLogLines(redis, app, lines, { maxLen }).catch(onError);
  };
  return (app, line) => {
    const lines = pending.get(app);
    if (lines) lines.push(line);
    else pending.set(app, [line]);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
}

export interface ReadLogsOptions extends LogFilter {
  /** How many of the newest matching lines; default 100. */
  lines?: number;
}

/**
 * The newest `lines` lines that match, oldest first, and the id of the newest
 * entry in the stream when the read began: tail from there and nothing is
 * missed or repeated.
 */
export async function readLogs(redis: Redis, app: AppName | string, opts: ReadLogsOptions = {}): Promise<{ entries: LogEntry[]; lastId: string }> {
  const want = opts.lines ?? DEFAULT_LOG_LINES;
  const key = keys.logs(app);
  const PAGE = 500;
  const found: LogEntry[] = [];
  let lastId: string | null = null;
  let end = '+';
  while (found.length < want) {
    const page = await redis.xrevrange(key, end, '-', 'COUNT', PAGE);
    lastId ??= page[0]?.[0] ?? '0-0';
    for (const [id, fields] of page) {
      const entry = toEntry(id, fields);
      if (entry && matchesLogFilter(entry, opts)) found.push(entry);
      if (found.length >= want) break;
    }
    const oldest = page[page.length - 1];
    if (page.length < PAGE || !oldest) break;
    end = `(${oldest[0]}`;
  }
  return { entries: found.reverse(), lastId: lastId ?? '0-0' };
}

export interface LogTail extends AsyncIterable<LogEntry> {
  /** The id of the last entry read; a new tail from here continues exactly. */
  readonly lastId: string;
  /** Ends the iteration and drops the blocking connection. Safe to call twice. */
  close(): void;
}

export interface TailLogsOptions extends LogFilter {
  /** How long one blocking read waits; only matters for how soon `close` is noticed by Redis. */
  blockMs?: number;
  onError?: (err: unknown) => void;
}

/**
 * Every line appended after `fromId`, as it comes. A blocking read needs its
 * own connection, so one is duplicated; if Redis goes away the read is retried
 * from the last id seen (never from "now"), so a restart loses nothing and
 * repeats nothing.
 */
export function tailLogs(redis: Redis, app: AppName | string, fromId: string, opts: TailLogsOptions = {}): LogTail {
  const reader = redis.duplicate();
  reader.on('error', () => undefined);
  const key = keys.logs(app);
  let cursor = fromId;
  let closed = false;

  const close = (): void => {
    if (closed) return;
    closed = true;
    reader.disconnect();
  };

  async function* iterate(): AsyncGenerator<LogEntry> {
    let backoff = 100;
    try {
      while (!closed) {
        let result: [string, [string, string[]][]][] | null;
        try {
          result = (await reader.xread('COUNT', 500, 'BLOCK', opts.blockMs ?? 5000, 'STREAMS', key, cursor)) as typeof result;
          backoff = 100;
        } catch (err) {
          if (closed) return;
          opts.onError?.(err);
          await new Promise((r) => setTimeout(r, backoff));
          backoff = Math.min(backoff * 2, 5000);
          continue;
        }
        for (const [, entries] of result ?? []) {
          for (const [id, fields] of entries) {
            cursor = id;
            const entry = toEntry(id, fields);
            if (entry && matchesLogFilter(entry, opts)) yield entry;
            if (closed) return;
          }
        }
      }
    } finally {
      close();
    }
  }

  return {
    [Symbol.asyncIterator]: iterate,
    get lastId() {
      return cursor;
    },
    close,
  };
}

function toEntry(id: string, fields: string[]): LogEntry | null {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i] as string] = fields[i + 1] as string;
  const { t, s, d, m } = f;
  if (t === undefined || d === undefined || m === undefined || (s !== 'app' && s !== 'slipway')) return null;
  return { id, time: t, source: s as LogSource, dyno: d, text: m };
}

// --- The log shipper's position in each container's output -----------------

export const LOG_CURSOR_DONE = 'done';

/** Per daemon instance: container id -> the Docker timestamp of the last line shipped, or `done` once the container has exited and all of it is shipped. */
export async function listLogCursors(redis: Redis, instance: string): Promise<Record<string, string>> {
  return redis.hgetall(keys.logCursors(instance));
}

export async function markLogCursorDone(redis: Redis, instance: string, container: string): Promise<void> {
  await redis.hset(keys.logCursors(instance), container, LOG_CURSOR_DONE);
}

export async function deleteLogCursors(redis: Redis, instance: string, containers: readonly string[]): Promise<void> {
  if (containers.length) await redis.hdel(keys.logCursors(instance), ...containers);
}

// --- Log sessions: what a `logplex_url` reads ------------------------------

export interface LogSessionRecord {
  id: string;
  app: AppName;
  /** The secret in the session URL; the URL is fetched without an Authorization header. */
  token: string;
  tail: boolean;
  lines: number;
  dyno: string | null;
  source: LogSource | null;
  createdAt: string;
}

export async function putLogSession(redis: Redis, session: LogSessionRecord, ttlSeconds: number): Promise<void> {
  await redis.set(keys.logSession(session.id), JSON.stringify(session), 'EX', ttlSeconds);
}

export async function getLogSession(redis: Redis, id: string): Promise<LogSessionRecord | null> {
  const json = await redis.get(keys.logSession(id));
  if (!json) return null;
  try {
    return JSON.parse(json) as LogSessionRecord;
  } catch {
    return null;
  }
}
