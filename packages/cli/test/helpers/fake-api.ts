import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface Reply {
  status?: number;
  body?: unknown;
}

/** `'PATCH /apps/demo/formation'` to a reply, or to a function of the request. */
export type Routes = Record<string, Reply | ((req: RecordedRequest) => Reply)>;

/**
 * A small fake of the Slipway API: answers from a route table and records
 * every request it gets. An unknown route answers 404 `not_found`, like the
 * real API.
 */
export class FakeApi {
  readonly requests: RecordedRequest[] = [];
  routes: Routes = {};
  url = '';
  readonly #server: Server;

  constructor() {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        const recorded: RecordedRequest = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: text === '' ? undefined : JSON.parse(text),
        };
        this.requests.push(recorded);
        const route = this.routes[`${recorded.method} ${recorded.path}`];
        const reply = typeof route === 'function' ? route(recorded) : route ?? { status: 404, body: { id: 'not_found', message: `No route ${recorded.method} ${recorded.path} in the fake API.` } };
        res.writeHead(reply.status ?? 200, { 'Content-Type': 'application/json' });
        res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  reset(routes: Routes = {}): void {
    this.requests.length = 0;
    this.routes = routes;
  }

  /** The requests as `METHOD /path` strings, for short assertions. */
  calls(): string[] {
    return this.requests.map((r) => `${r.method} ${r.path}`);
  }
}
