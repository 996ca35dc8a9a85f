import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

// The static buildpack's server is plain node with no dependencies: these
// tests start the real lib/server.js on a free port, serving a copy of the
// static-site fixture, and make real HTTP requests (raw paths included, which
// fetch would normalise away).
const root = fileURLToPath(new URL('../..', import.meta.url));
const buildpack = join(root, 'buildpacks', 'static');
const server = join(buildpack, 'lib', 'server.js');
const fixture = join(root, 'test', 'fixtures', 'static-site');

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function request(port: number, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Raw bytes on a socket, for request lines node's client would refuse to send. */
function rawRequest(port: number, requestLine: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`${requestLine}\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    });
    let data = '';
    socket.on('data', (c) => (data += c.toString('latin1')));
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(data)?.[1] ?? 0)));
    socket.on('error', reject);
  });
}

async function start(appDir: string, env: Record<string, string> = {}): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [server, appDir], { env: { ...process.env, PORT: String(port), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server.js did not start')), 10_000);
    child.stdout!.on('data', (c: Buffer) => {
      if (c.toString().includes('serving')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`server.js exited with ${code}`)));
  });
  return { port, child };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

describe('buildpack static: server.js', () => {
  let dir = '';
  let app = '';
  let port = 0;
  let child: ChildProcess;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bp-static-'));
    app = join(dir, 'app');
    cpSync(fixture, app, { recursive: true });
    // Things the server must never hand out.
    writeFileSync(join(dir, 'secret.txt'), 'outside the root\n');
    writeFileSync(join(app, 'public', '.env'), 'SECRET=1\n');
    symlinkSync(join(dir, 'secret.txt'), join(app, 'public', 'escape.txt'));
    mkdirSync(join(app, 'public', '.well-known'));
    writeFileSync(join(app, 'public', '.well-known', 'security.txt'), 'Contact: mailto:security@example.com\n');
    mkdirSync(join(app, 'public', 'docs'));
    writeFileSync(join(app, 'public', 'docs', 'index.html'), '<h1>docs</h1>\n');
    writeFileSync(join(app, 'public', 'big.txt'), 'slipway '.repeat(20_000));
    utimesSync(join(app, 'public', 'index.html'), new Date('2026-01-02T03:04:05Z'), new Date('2026-01-02T03:04:05Z'));
    ({ port, child } = await start(app));
  });
  after(async () => {
    if (child) await stop(child);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the root index.html from static.json\'s root with a Content-Type', async () => {
    const r = await request(port, '/');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(r.text, /hello from a static site/);
  });

  it('serves about.html at /about (clean_urls), and about.html itself', async () => {
    const clean = await request(port, '/about');
    assert.equal(clean.status, 200);
    assert.match(clean.text, /about this site/);
    assert.equal((await request(port, '/about.html')).status, 200);
  });

  it('answers any /app/... path with app/index.html (routes), but serves files that exist', async () => {
    assert.equal((await request(port, '/app')).status, 301, 'app/ is a directory with an index.html');
    for (const path of ['/app/', '/app/users/42', '/app/a/b/c?x=1', '/app/no-such-file.js']) {
      const r = await request(port, path);
      assert.equal(r.status, 200, path);
      assert.match(r.text, /single-page app shell/, path);
    }
    const js = await request(port, '/assets/app.js');
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
  });

  it('redirects /old-about to /about with 301 (redirects)', async () => {
    const r = await request(port, '/old-about');
    assert.equal(r.status, 301);
    assert.equal(r.headers.location, '/about');
  });

  it('adds the custom headers to matching paths only', async () => {
    const css = await request(port, '/assets/site.css');
    assert.equal(css.status, 200);
    assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
    assert.equal(css.headers['x-slipway-static'], 'asset');
    assert.equal(css.headers['cache-control'], 'public, max-age=31536000, immutable');
    const page = await request(port, '/');
    assert.equal(page.headers['x-slipway-static'], undefined);
  });

  it('answers a missing path with 404.html and status 404 (error_page)', async () => {
    const r = await request(port, '/no/such/page');
    assert.equal(r.status, 404);
    assert.match(r.text, /custom 404/);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
  });

  it('refuses directory traversal, encoded or not, and NUL bytes', async () => {
    assert.equal(await rawRequest(port, 'GET /../secret.txt HTTP/1.1'), 400);
    assert.equal(await rawRequest(port, 'GET /../../../../etc/passwd HTTP/1.1'), 400);
    assert.equal((await request(port, '/%2e%2e/secret.txt')).status, 400);
    assert.equal((await request(port, '/%2E%2E/%2E%2E/etc/passwd')).status, 400);
    assert.equal((await request(port, '/assets/%2e%2e/%2e%2e/static.json')).status, 400);
    assert.equal((await request(port, '/..%2f..%2fsecret.txt')).status, 400);
    assert.equal((await request(port, '/..%5c..%5csecret.txt')).status, 400);
    assert.equal((await request(port, '/index.html%00.css')).status, 400);
    assert.equal((await request(port, '/%E0%A4%A')).status, 400);
  });

  it('does not follow a symlink out of the root, nor serve dotfiles, but serves .well-known', async () => {
    const escape = await request(port, '/escape.txt');
    assert.equal(escape.status, 404);
    assert.doesNotMatch(escape.text, /outside the root/);
    assert.equal((await request(port, '/.env')).status, 404);
    assert.equal((await request(port, '/.well-known/security.txt')).status, 200);
  });

  it('serves a directory\'s index.html, redirecting /dir to /dir/', async () => {
    const bare = await request(port, '/docs?x=1');
    assert.equal(bare.status, 301);
    assert.equal(bare.headers.location, '/docs/?x=1');
    const slash = await request(port, '/docs/');
    assert.equal(slash.status, 200);
    assert.match(slash.text, /docs/);
  });

  it('gzips text when the client accepts it, and says Vary: Accept-Encoding', async () => {
    const plain = await request(port, '/big.txt');
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body.length, 160_000);
    const gz = await request(port, '/big.txt', { headers: { 'Accept-Encoding': 'br, gzip;q=0.8' } });
    assert.equal(gz.status, 200);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gz.headers.vary, 'Accept-Encoding');
    assert.ok(gz.body.length < 5_000, `compressed to ${gz.body.length} bytes`);
    assert.equal(Number(gz.headers['content-length']), gz.body.length);
    assert.equal(gunzipSync(gz.body).toString(), 'slipway '.repeat(20_000));
    const refused = await request(port, '/big.txt', { headers: { 'Accept-Encoding': 'gzip;q=0' } });
    assert.equal(refused.headers['content-encoding'], undefined);
  });

  it('answers 304 to a matching If-None-Match or If-Modified-Since', async () => {
    const first = await request(port, '/');
    const etag = first.headers.etag!;
    assert.ok(etag);
    assert.equal(first.headers['last-modified'], 'Fri, 02 Jan 2026 03:04:05 GMT');
    const byTag = await request(port, '/', { headers: { 'If-None-Match': etag } });
    assert.equal(byTag.status, 304);
    assert.equal(byTag.body.length, 0);
    const byDate = await request(port, '/', { headers: { 'If-Modified-Since': 'Fri, 02 Jan 2026 03:04:05 GMT' } });
    assert.equal(byDate.status, 304);
    const older = await request(port, '/', { headers: { 'If-Modified-Since': 'Thu, 01 Jan 2026 00:00:00 GMT' } });
    assert.equal(older.status, 200);
    const gz = await request(port, '/assets/site.css', { headers: { 'Accept-Encoding': 'gzip' } });
    const gzAgain = await request(port, '/assets/site.css', { headers: { 'Accept-Encoding': 'gzip', 'If-None-Match': gz.headers.etag! } });
    assert.equal(gzAgain.status, 304);
  });

  it('answers HEAD with the headers and no body, ranges with 206, and other methods with 405', async () => {
    const head = await request(port, '/about', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.ok(Number(head.headers['content-length']) > 0);
    assert.equal(head.body.length, 0);
    const range = await request(port, '/big.txt', { headers: { Range: 'bytes=8-14' } });
    assert.equal(range.status, 206);
    assert.equal(range.text, 'slipway');
    assert.equal(range.headers['content-range'], 'bytes 8-14/160000');
    assert.equal((await request(port, '/big.txt', { headers: { Range: 'bytes=999999-' } })).status, 416);
    const post = await request(port, '/', { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
  });
});

describe('buildpack static: server.js configuration', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bp-static-config-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function check(app: string): { code: number | null; out: string } {
    const r = spawnSync(process.execPath, [server, '--check', app], { encoding: 'utf8' });
    return { code: r.status, out: r.stdout + r.stderr };
  }

  it('serves public_html/ by default when it exists, else the app directory, without static.json', async () => {
    const app = join(dir, 'plain');
    mkdirSync(join(app, 'public_html'), { recursive: true });
    writeFileSync(join(app, 'public_html', 'index.html'), 'from public_html\n');
    assert.match(check(app).out, /^root: public_html\/$/m);
    const bare = join(dir, 'bare');
    mkdirSync(bare);
    writeFileSync(join(bare, 'index.html'), 'from the root\n');
    writeFileSync(join(bare, 'static.json'), '{"routes": {"/**": "index.html"}}');
    const { port, child } = await start(bare);
    try {
      assert.match((await request(port, '/')).text, /from the root/);
      assert.match((await request(port, '/deep/link')).text, /from the root/, 'an SPA catch-all route');
      const config = await request(port, '/static.json');
      assert.equal(config.status, 200, 'static.json is not served, so the catch-all route answers');
      assert.match(config.text, /from the root/);
    } finally {
      await stop(child);
    }
  });

  it('refuses static.json that is not JSON, or names a root that does not exist', () => {
    const bad = join(dir, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'static.json'), '{"root": ');
    const r = check(bad);
    assert.equal(r.code, 1);
    assert.match(r.out, /static\.json is not valid JSON/);
    writeFileSync(join(bad, 'static.json'), '{"root": "nope"}');
    assert.match(check(bad).out, /the root "nope" is not a directory/);
    writeFileSync(join(bad, 'static.json'), '{"root": ".", "redirects": {"/a": {"url": "/b", "status": 200}}}');
    assert.match(check(bad).out, /has status 200/);
  });

  it('expands ${VAR} in redirect urls from the environment', async () => {
    const app = join(dir, 'redirect');
    mkdirSync(app);
    writeFileSync(join(app, 'static.json'), '{"redirects": {"/docs/**": {"url": "https://${DOCS_HOST}/", "status": 302}}}');
    const { port, child } = await start(app, { DOCS_HOST: 'docs.example.com' });
    try {
      const r = await request(port, '/docs/a/b');
      assert.equal(r.status, 302);
      assert.equal(r.headers.location, 'https://docs.example.com/');
    } finally {
      await stop(child);
    }
  });
});

describe('buildpack static: bin/detect and bin/release', () => {
  it('detects static.json or index.html, and nothing else', () => {
    const detect = join(buildpack, 'bin', 'detect');
    const r = spawnSync(detect, [fixture], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.equal(r.stdout, 'Static\n');
    assert.equal(spawnSync(detect, [join(root, 'test', 'fixtures', 'no-language')]).status, 1);
  });

  it('declares the web process as the static server', () => {
    const r = spawnSync(join(buildpack, 'bin', 'release'), [fixture], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.equal(r.stdout, '---\ndefault_process_types:\n  web: node /app/.heroku/static/server.js /app\n');
  });
});
