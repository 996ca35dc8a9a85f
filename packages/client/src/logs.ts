import type { HerokuLogSession, LogSource } from '@slipway/core';
import { errorFromResponse, unreachable } from './errors.js';
import { seg, type Http } from './http.js';

export interface LogSessionOptions {
  /** Keep the stream open and send new lines as they come. */
  tail?: boolean;
  /** How many of the newest lines first (1 to 1500; the server's default is 100). */
  lines?: number;
  /** A dyno (`web.1`), a process type (`web`) or `router`. */
  dyno?: string;
  source?: LogSource;
}

export function createLogSession(http: Http, app: string, opts: LogSessionOptions = {}): Promise<HerokuLogSession> {
  const body: Record<string, unknown> = { tail: opts.tail ?? false };
  if (opts.lines !== undefined) body.lines = opts.lines;
  if (opts.dyno !== undefined) body.dyno = opts.dyno;
  if (opts.source !== undefined) body.source = opts.source;
  return http.request('POST', `/apps/${seg(app)}/log-sessions`, body);
}

/**
 * Reads a `logplex_url` and yields its lines (without the newline) as they
 * arrive. The URL carries its own token, so no key is sent. Ends when the
 * server ends the stream, or quietly when `signal` aborts.
 */
export async function* streamLogSession(url: string, doFetch: typeof fetch, signal?: AbortSignal): AsyncGenerator<string> {
  let res: Response;
  try {
    res = await doFetch(url, { headers: { Accept: 'text/plain' }, signal });
  } catch (err) {
    if (signal?.aborted) return;
    throw unreachable(new URL(url).origin, err);
  }
  if (!res.ok || !res.body) throw errorFromResponse(res.status, res.statusText, await res.text().catch(() => ''), new URL(url).origin);
  const decoder = new TextDecoder();
  let partial = '';
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      const lines = (partial + decoder.decode(chunk, { stream: true })).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) yield line;
    }
  } catch (err) {
    if (signal?.aborted) return;
    throw unreachable(new URL(url).origin, err);
  }
  partial += decoder.decode();
  if (partial) yield partial;
}
