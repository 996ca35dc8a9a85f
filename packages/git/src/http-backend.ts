import { spawn } from 'node:child_process';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { isAppName, type AppName } from '@slipway/core';
import { ensureRepo } from './repos.js';
import { HOOK_PATH, HOOK_TOKEN_HEADER, verdictLine } from './hook/protocol.js';

export interface PushRequest {
  app: AppName;
  ref: string;
  oldRev: string;
  newRev: string;
  /** The pushed tree as a tar with an `app/` prefix. */
  source: Readable;
  /** Build output for the pusher. */
  output: Writable;
  /** Aborted when the pusher goes away. */
  signal: AbortSignal;
}

export interface GitHandlerOptions {
  reposDir: string;
  /** Where the hook reaches the daemon, e.g. http://127.0.0.1:5000 */
  hookBaseUrl: string;
  authenticate(req: IncomingMessage): boolean;
  appExists(app: AppName): Promise<boolean>;
  /** Runs the deploy; resolves true when the push may be accepted. */
  onPush(push: PushRequest): Promise<boolean>;
  /** Upper bound for one git request, builds included. */
  timeoutMs?: number;
  log?(line: string): void;
}

const GIT_PATH = /^\/([^/]+)\.git(\/(?:info\/refs|git-receive-pack|git-upload-pack|HEAD|objects\/.*))$/;

export interface GitHandler {
  /** Returns false when the request is not for git, so the caller can route it elsewhere. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}

/**
 * Smart HTTP through `git http-backend`, with our own checks in front of every
 * request (node-git-server checks only info/refs, and creates repositories on
 * demand; we do neither). Builds happen in the repository's pre-receive hook,
 * which calls back into this handler on HOOK_PATH with a one-push token.
 */
export function createGitHandler(opts: GitHandlerOptions): GitHandler {
  const hookTokens = new Map<string, { app: AppName; controller: AbortController }>();
  const log = opts.log ?? (() => undefined);
  const timeoutMs = opts.timeoutMs ?? 30 * 60 * 1000;

  function handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === HOOK_PATH) {
      void serveHook(req, res, url).catch((err) => endWith(res, 500, `hook failed: ${String(err)}`));
      return true;
    }
    const match = GIT_PATH.exec(url.pathname);
    if (!match) return false;
    void serveGit(req, res, url, match[1] ?? '', match[2] ?? '').catch((err) => {
      log(`git request failed: ${String(err)}`);
      endWith(res, 500, 'Internal error\n');
    });
    return true;
  }

  async function serveGit(req: IncomingMessage, res: ServerResponse, url: URL, name: string, pathInfo: string): Promise<void> {
    if (!opts.authenticate(req)) {
      res.setHeader('WWW-Authenticate', 'Basic realm="Slipway"');
      endWith(res, 401, 'Authentication required: use http://git:<api-key>@host/<app>.git\n');
      req.resume();
      return;
    }
    if (!isAppName(name)) {
      endWith(res, 404, `Invalid app name ${JSON.stringify(name)}.\n`);
      req.resume();
      return;
    }
    if (!(await opts.appExists(name))) {
      endWith(res, 404, `App ${name} does not exist. Create it first with: slipway apps:create ${name}\n`);
      req.resume();
      return;
    }
    const repo = await ensureRepo(opts.reposDir, name);
    const isPush = pathInfo === '/git-receive-pack' || url.searchParams.get('service') === 'git-receive-pack';
    const token = randomBytes(24).toString('hex');
    const controller = new AbortController();
    if (isPush) hookTokens.set(token, { app: name, controller });

    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: opts.reposDir,
      GIT_HTTP_EXPORT_ALL: '1',
      REMOTE_USER: 'git',
      REMOTE_ADDR: req.socket.remoteAddress ?? '',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: `/${name}.git${pathInfo}`,
      QUERY_STRING: url.search.replace(/^\?/, ''),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      SLIPWAY_HOOK_URL: opts.hookBaseUrl,
      SLIPWAY_HOOK_TOKEN: token,
      SLIPWAY_APP: name,
    };
    if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = String(req.headers['content-encoding']);
    if (req.headers['git-protocol']) env.GIT_PROTOCOL = String(req.headers['git-protocol']);
    void repo;

    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    let finished = false;
    const cleanup = () => {
      clearTimeout(timer);
      hookTokens.delete(token);
    };
    // A pusher that disconnects must cost us nothing but this child.
    res.on('close', () => {
      if (!finished) {
        controller.abort();
        child.kill('SIGTERM');
      }
      cleanup();
    });
    req.on('error', () => child.kill('SIGTERM'));
    child.stdin.on('error', () => undefined);
    child.stderr.on('data', (d: Buffer) => log(`git http-backend: ${d.toString().trim()}`));
    req.pipe(child.stdin);
    pipeCgiResponse(child.stdout, res, () => {
      finished = true;
    });
    child.on('error', (err) => endWith(res, 500, `git http-backend failed: ${err.message}\n`));
    child.on('exit', cleanup);
  }

  async function serveHook(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const token = String(req.headers[HOOK_TOKEN_HEADER] ?? '');
    const entry = [...hookTokens.entries()].find(([t]) => safeEqual(t, token))?.[1];
    const app = url.searchParams.get('app') ?? '';
    if (!entry || entry.app !== app) {
      endWith(res, 401, 'Unknown hook token.\n');
      req.resume();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' });
    res.flushHeaders();
    const output = new PassThrough();
    output.pipe(res, { end: false });
    let ok = false;
    try {
      ok = await opts.onPush({
        app: entry.app,
        ref: url.searchParams.get('ref') ?? '',
        oldRev: url.searchParams.get('old') ?? '',
        newRev: url.searchParams.get('new') ?? '',
        source: req,
        output,
        signal: entry.controller.signal,
      });
    } catch (err) {
      output.write(` !     ${err instanceof Error ? err.message : String(err)}\n`);
    }
    output.unpipe(res);
    if (!res.destroyed) res.end(verdictLine(ok ? 0 : 1));
  }

  return { handle };
}

/** Turns CGI output (headers, blank line, body) into an HTTP response. */
function pipeCgiResponse(cgi: Readable, res: ServerResponse, onEnd: () => void): void {
  let head = Buffer.alloc(0);
  let headersDone = false;
  cgi.on('data', (chunk: Buffer) => {
    if (headersDone) {
      if (!res.write(chunk)) {
        cgi.pause();
        res.once('drain', () => cgi.resume());
      }
      return;
    }
    head = Buffer.concat([head, chunk]);
    const sep = findHeaderEnd(head);
    if (!sep) return;
    headersDone = true;
    let status = 200;
    for (const line of head.subarray(0, sep.index).toString('latin1').split(/\r?\n/)) {
      const i = line.indexOf(':');
      if (i < 0) continue;
      const key = line.slice(0, i).trim();
      const value = line.slice(i + 1).trim();
      if (key.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 200;
      else res.setHeader(key, value);
    }
    res.writeHead(status);
    const rest = head.subarray(sep.index + sep.length);
    if (rest.length) res.write(rest);
  });
  cgi.on('end', () => {
    onEnd();
    if (!headersDone && !res.headersSent) res.writeHead(502);
    res.end();
  });
  cgi.on('error', () => res.destroy());
}

function findHeaderEnd(buf: Buffer): { index: number; length: number } | null {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { index: crlf, length: 4 };
  if (lf >= 0) return { index: lf, length: 2 };
  return null;
}

function endWith(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(body);
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
