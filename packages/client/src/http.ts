import { SlipwayError } from '@slipway/core';
import { errorFromResponse, unreachable } from './errors.js';

export interface HttpOptions {
  apiUrl: string;
  apiKey: string;
  fetch?: typeof fetch;
}

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** The one place that talks HTTP; every resource file is a thin wrapper around it. */
export interface Http {
  readonly apiUrl: string;
  request<T>(method: Method, path: string, body?: unknown): Promise<T>;
  /** GETs a list, following Heroku's `Next-Range` across 206 pages. */
  list<T>(path: string): Promise<T[]>;
}

export const ACCEPT = 'application/vnd.heroku+json; version=3';
const MAX_PAGES = 1000;

export function createHttp(opts: HttpOptions): Http {
  const apiUrl = normalizeApiUrl(opts.apiUrl);
  const doFetch = opts.fetch ?? globalThis.fetch;
  const headers = {
    Accept: ACCEPT,
    Authorization: `Bearer ${opts.apiKey}`,
    'User-Agent': 'slipway-client/0.1.0',
  };

  async function send(method: Method, path: string, body: unknown, extra: Record<string, string>): Promise<{ res: Response; text: string }> {
    const init: RequestInit = { method, headers: { ...headers, ...extra } };
    if (body !== undefined) {
      init.headers = { ...init.headers, 'Content-Type': 'application/json' };
      init.body = JSON.stringify(body);
    }
    let res: Response;
    let text: string;
    try {
      res = await doFetch(`${apiUrl}${path}`, init);
      text = await res.text();
    } catch (err) {
      throw unreachable(apiUrl, err);
    }
    if (!res.ok) throw errorFromResponse(res.status, res.statusText, text, apiUrl);
    return { res, text };
  }

  function parse<T>(text: string, method: Method, path: string): T {
    if (text.trim() === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new SlipwayError('internal_server_error', `The Slipway API at ${apiUrl} answered ${method} ${path} with a body that is not JSON.`);
    }
  }

  return {
    apiUrl,
    async request<T>(method: Method, path: string, body?: unknown): Promise<T> {
      const { text } = await send(method, path, body, {});
      return parse<T>(text, method, path);
    },
    async list<T>(path: string): Promise<T[]> {
      const items: T[] = [];
      let range: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const { res, text } = await send('GET', path, undefined, range ? { Range: range } : {});
        const body = parse<unknown>(text, 'GET', path);
        if (!Array.isArray(body)) {
          throw new SlipwayError('internal_server_error', `The Slipway API at ${apiUrl} answered GET ${path} with something other than a list.`);
        }
        items.push(...(body as T[]));
        const next = res.headers.get('Next-Range');
        if (res.status !== 206 || !next || next === range) return items;
        range = next;
      }
      throw new SlipwayError('internal_server_error', `The Slipway API at ${apiUrl} kept paging GET ${path} past ${MAX_PAGES} pages.`);
    },
  };
}

function normalizeApiUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new SlipwayError('bad_request', `The Slipway API URL ${JSON.stringify(input)} is not a valid URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SlipwayError('bad_request', `The Slipway API URL ${JSON.stringify(input)} must start with http:// or https://.`);
  }
  return input.replace(/\/+$/, '');
}

/** One encoded path segment: `seg('web.1')`. */
export function seg(value: string | number): string {
  return encodeURIComponent(String(value));
}
