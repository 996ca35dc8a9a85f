import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { ATTACH_UPGRADE, AttachFrameDecoder } from '@slipway/core';
import { errorFromResponse, SlipwayApiError, unreachable } from './errors.js';

export interface AttachStreams {
  /** Sent to the command as it comes; its end is the command's EOF. Left out: the command's stdin is closed at once. */
  stdin?: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Called once the server has switched protocols: the dyno is starting. */
  onAttached?: () => void;
}

/**
 * Where to attach: the `attach_url` the API gave, but always on the API the
 * client was configured with, so the key never goes anywhere else. Its path
 * (and query) are kept; a different origin is replaced by the API URL.
 */
export function resolveAttachUrl(attachUrl: string, apiUrl: string): URL {
  const given = new URL(attachUrl, apiUrl);
  const api = new URL(apiUrl);
  if (given.origin === api.origin) return given;
  return new URL(`${api.pathname.replace(/\/+$/, '')}${given.pathname}${given.search}`, api.origin);
}

/**
 * Attaches to a one-off dyno (the `slipway-attach` upgrade on its
 * `attach_url`), pipes `stdin` to it and its output to `stdout`/`stderr`, and
 * resolves with the command's exit code. A refused attach throws
 * `SlipwayApiError` with the server's id; a connection that ends before the
 * exit frame throws `service_unavailable`.
 */
export function attachDyno(attachUrl: string, apiUrl: string, apiKey: string, streams: AttachStreams): Promise<number> {
  const url = resolveAttachUrl(attachUrl, apiUrl);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<number>((resolve, reject) => {
    const req = request(url, {
      method: 'GET',
      headers: { Connection: 'Upgrade', Upgrade: ATTACH_UPGRADE, Authorization: `Bearer ${apiKey}`, 'User-Agent': 'slipway-client/0.1.0' },
    });
    req.on('error', (err) => reject(unreachable(url.origin, err)));
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => reject(errorFromResponse(res.statusCode ?? 0, res.statusMessage ?? '', Buffer.concat(chunks).toString('utf8'), url.origin)));
      res.on('error', (err) => reject(unreachable(url.origin, err)));
    });
    req.on('upgrade', (_res: IncomingMessage, socket: Socket, head: Buffer) => {
      streams.onAttached?.();
      session(socket, head, streams).then(resolve, reject);
    });
    req.end();
  });
}

function session(socket: Socket, head: Buffer, streams: AttachStreams): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const decoder = new AttachFrameDecoder();
    let exitCode: number | null = null;
    const { stdin } = streams;

    const onStdin = (chunk: Buffer | string): void => {
      if (!socket.write(chunk) && stdin) {
        stdin.pause();
        socket.once('drain', () => stdin.resume());
      }
    };
    const onStdinEnd = (): void => void socket.end();
    const stopStdin = (): void => {
      if (!stdin) return;
      stdin.off('data', onStdin);
      stdin.off('end', onStdinEnd);
      stdin.pause();
    };

    const onBytes = (chunk: Buffer): void => {
      let frames;
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        socket.destroy();
        finish(err);
        return;
      }
      for (const frame of frames) {
        if (frame.type === 'exit') {
          exitCode = frame.code;
          continue;
        }
        if (frame.data.length === 0) continue; // a heartbeat
        const target = frame.type === 'stdout' ? streams.stdout : streams.stderr;
        if (!target.write(frame.data)) {
          socket.pause();
          target.once('drain', () => socket.resume());
        }
      }
    };

    let settled = false;
    const finish = (err?: unknown): void => {
      if (settled) return;
      settled = true;
      stopStdin();
      if (err) reject(err);
      else if (exitCode === null) reject(new SlipwayApiError('service_unavailable', 'The connection to the dyno closed before the command exited.', null));
      else resolve(exitCode);
    };

    socket.on('data', onBytes);
    socket.on('end', () => {
      socket.destroy();
      finish();
    });
    socket.on('close', () => finish());
    socket.on('error', (err) => finish(exitCode === null ? new SlipwayApiError('service_unavailable', `The connection to the dyno broke: ${err.message}`, null) : undefined));
    if (head.length > 0) onBytes(head);

    if (stdin) {
      stdin.on('data', onStdin);
      stdin.once('end', onStdinEnd);
      stdin.resume();
    } else {
      socket.end();
    }
  });
}
