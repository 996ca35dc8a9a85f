import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ATTACH_UPGRADE, encodeAttachExit, encodeAttachHeartbeat, encodeAttachOutput, isSlipwayError, SlipwayError } from '@slipway/core';
import { getApp, type RedisConnection } from '@slipway/store';
import { requestHasKey } from './auth.js';
import type { ApiOperations, ApiSettings, DynoAttachment } from './operations.js';

/** How often an empty stdout frame goes to the client, so that a client that has gone is noticed. */
const HEARTBEAT_MS = 5000;
const HEARTBEAT = encodeAttachHeartbeat();
const ATTACH_PATH = /^\/apps\/([^/]+)\/dynos\/([^/]+)\/attach$/;

/**
 * The attach endpoint of one-off dynos, for the HTTP server's `upgrade` event:
 * `GET /apps/{app}/dynos/{name}/attach` with `Upgrade: slipway-attach` and the
 * API key. After `101 Switching Protocols` the client's bytes are the
 * command's stdin (its half-close is EOF) and the server sends frames
 * (core's `encodeAttachOutput`, `encodeAttachExit`): stdout, stderr, and last
 * the exit code, then closes. A client that goes away kills the dyno.
 * Anything refused before the upgrade is answered as plain HTTP with
 * Heroku's `{id, message}`.
 */
export function createAttachHandler(
  redis: RedisConnection,
  settings: Pick<ApiSettings, 'apiKey'>,
  ops: Pick<ApiOperations, 'attachDyno'>,
  log: (line: string) => void = () => undefined,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    socket.on('error', () => undefined);
    let upgraded = false;
    const attach = async (): Promise<void> => {
      const path = new URL(req.url ?? '/', 'http://slipway.invalid').pathname;
      const match = ATTACH_PATH.exec(path);
      if (!match) throw new SlipwayError('not_found', `No such endpoint: ${req.method} ${path}`);
      if (!requestHasKey(req, settings.apiKey)) throw new SlipwayError('unauthorized', 'Invalid credentials provided: use Authorization: Bearer <api key>.');
      if ((req.headers.upgrade ?? '').toLowerCase() !== ATTACH_UPGRADE) throw new SlipwayError('bad_request', `Attach with "Upgrade: ${ATTACH_UPGRADE}".`);
      const app = await getApp(redis, decodeURIComponent(match[1] as string));
      const attachment = await ops.attachDyno(app.name, decodeURIComponent(match[2] as string));
      if (socket.destroyed) {
        attachment.kill();
        return;
      }
      upgraded = true;
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${ATTACH_UPGRADE}\r\n\r\n`);
      await pipeSession(socket, head, attachment);
    };
    attach().catch((err: unknown) => {
      if (upgraded) {
        log(`api: attach ${req.url}: ${err instanceof Error ? err.message : String(err)}`);
        socket.destroy();
        return;
      }
      if (!isSlipwayError(err)) log(`api: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      const error = isSlipwayError(err) ? err : new SlipwayError('internal_server_error', 'Internal server error.');
      const body = JSON.stringify({ id: error.id, message: error.message, ...(error.resource ? { resource: error.resource } : {}) });
      socket.end(
        `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
  };
}

/** Moves bytes both ways with back-pressure until the command exits, then sends the exit frame and closes. */
async function pipeSession(socket: Duplex, head: Buffer, a: DynoAttachment): Promise<void> {
  let done = false;
  // A client that half-closed (stdin EOF) and then died sends nothing more, and a quiet
  // command writes nothing that would fail: an empty stdout frame now and then does.
  const heartbeat = setInterval(() => socket.write(HEARTBEAT), HEARTBEAT_MS);
  heartbeat.unref();
  socket.once('close', () => {
    clearInterval(heartbeat);
    if (done) return;
    a.kill();
    // Nobody reads any more: let the rest of the output drain away so the session can end.
    a.stdout.resume();
    a.stderr.resume();
  });

  if (head.length > 0) a.stdin.write(head);
  socket.on('data', (chunk: Buffer) => {
    if (!a.stdin.write(chunk)) {
      socket.pause();
      a.stdin.once('drain', () => socket.resume());
    }
  });
  socket.once('end', () => a.stdin.end());

  const forward = (stream: NodeJS.ReadableStream, name: 'stdout' | 'stderr'): Promise<void> =>
    new Promise((resolve) => {
      stream.on('data', (chunk: Buffer) => {
        if (!socket.write(encodeAttachOutput(name, chunk))) {
          stream.pause();
          socket.once('drain', () => stream.resume());
        }
      });
      stream.once('end', resolve);
      stream.once('error', () => resolve());
    });
  const output = Promise.all([forward(a.stdout, 'stdout'), forward(a.stderr, 'stderr')]);

  let code: number;
  try {
    code = await a.exited;
  } catch (err) {
    socket.write(encodeAttachOutput('stderr', Buffer.from(`slipway: ${err instanceof Error ? err.message : String(err)}\n`)));
    code = 1;
  }
  await output;
  done = true;
  clearInterval(heartbeat);
  socket.end(encodeAttachExit(code));
}
