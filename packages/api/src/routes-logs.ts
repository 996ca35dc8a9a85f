import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import {
  DEFAULT_LOG_LINES, formatLogLine, parseLogDyno, parseLogLineCount, parseLogSource, SlipwayError, type HerokuLogSession,
} from '@slipway/core';
import { getApp, getLogSession, putLogSession, readLogs, tailLogs, type LogEntry, type LogSessionRecord, type RedisConnection } from '@slipway/store';
import type { ApiSettings } from './operations.js';

export const LOG_SESSION_PATH = '/log-sessions';
/** How long a `logplex_url` can be opened after it was handed out. */
export const LOG_SESSION_TTL_SECONDS = 300;
const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

/**
 * `POST /apps/{app}/log-sessions {tail, lines, dyno, source}` answers a
 * `logplex_url` that points back here with a short-lived token, because
 * clients (Heroku's CLI too) fetch it without the Authorization header.
 */
export function logSessionsRoutes(redis: RedisConnection, settings: ApiSettings): Router {
  const r = Router();
  r.post('/apps/:app/log-sessions', async (req: Request, res: Response) => {
    const app = await getApp(redis, String(req.params.app));
    const body = (req.body ?? {}) as { tail?: unknown; lines?: unknown; dyno?: unknown; source?: unknown };
    if (body.tail !== undefined && typeof body.tail !== 'boolean') throw new SlipwayError('invalid_params', 'tail must be true or false.');
    const session: LogSessionRecord = {
      id: randomUUID(),
      app: app.name,
      token: randomBytes(24).toString('hex'),
      tail: body.tail === true,
      lines: body.lines === undefined || body.lines === null ? DEFAULT_LOG_LINES : parseLogLineCount(body.lines),
      dyno: body.dyno === undefined || body.dyno === null || body.dyno === '' ? null : parseLogDyno(body.dyno),
      source: body.source === undefined || body.source === null || body.source === '' ? null : parseLogSource(body.source),
      createdAt: new Date().toISOString(),
    };
    await putLogSession(redis, session, LOG_SESSION_TTL_SECONDS);
    // The URL goes back to wherever the client reached us (a remote CLI must not get 127.0.0.1).
    // `srv` tells Heroku's CLI the URL streams plain text, as logplex's v1 sessions did.
    const host = req.get('host');
    const base = host && /^[A-Za-z0-9.:[\]-]+$/.test(host) ? `${req.protocol}://${host}` : settings.apiUrl;
    const answer: HerokuLogSession = {
      id: session.id,
      logplex_url: `${base}${LOG_SESSION_PATH}/${session.id}?srv=slipway&token=${session.token}`,
      created_at: session.createdAt,
      updated_at: session.createdAt,
    };
    res.status(201).json(answer);
  });
  return r;
}

/**
 * `GET /log-sessions/{id}?token=...`, mounted before auth: the token is the
 * credential. Sends the newest `lines` lines as `text/plain`, then, for a tail,
 * every new line until the client goes away (which closes the blocking reader).
 * A client asking for `text/event-stream` gets the same lines as server-sent
 * events with the stream id as the event id, and a reconnect with
 * `Last-Event-ID` resumes right after it.
 */
export function logSessionStreamRoute(redis: RedisConnection): Router {
  const r = Router();
  r.get(`${LOG_SESSION_PATH}/:id`, async (req: Request, res: Response) => {
    const session = await getLogSession(redis, String(req.params.id));
    if (!session || !sameSecret(req.query.token, session.token)) {
      throw new SlipwayError('not_found', 'No such log session; it may have expired. Ask for a new one with POST /apps/{app}/log-sessions.');
    }
    const filter = { dyno: session.dyno ?? undefined, source: session.source ?? undefined };
    const sse = (req.headers.accept ?? '').includes('text/event-stream');
    const lastEventId = req.headers['last-event-id'];
    const resumeFrom = sse && typeof lastEventId === 'string' && STREAM_ID.test(lastEventId) ? lastEventId : null;

    let closed = false;
    res.on('close', () => {
      closed = true;
    });
    res.status(200).setHeader('Content-Type', sse ? 'text/event-stream; charset=utf-8' : 'text/plain; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    const send = async (entries: LogEntry[]): Promise<void> => {
      if (entries.length === 0 || closed) return;
      const text = entries.map((e) => (sse ? `id: ${e.id}\ndata: ${formatLogLine(e)}\n\n` : `${formatLogLine(e)}\n`)).join('');
      if (!res.write(text)) await new Promise<void>((resolve) => {
        res.once('drain', resolve);
        res.once('close', resolve);
      });
    };

    let from = resumeFrom;
    if (from === null) {
      const { entries, lastId } = await readLogs(redis, session.app, { lines: session.lines, ...filter });
      await send(entries);
      from = lastId;
    }
    if (!session.tail || closed) {
      res.end();
      return;
    }
    const tail = tailLogs(redis, session.app, from, filter);
    res.on('close', () => tail.close());
    if (closed) tail.close();
    for await (const entry of tail) await send([entry]);
    res.end();
  });
  return r;
}

function sameSecret(presented: unknown, expected: string): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
