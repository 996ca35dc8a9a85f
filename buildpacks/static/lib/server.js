#!/usr/bin/env node
// A static file server for the Slipway static buildpack, with no dependencies.
//
//   node server.js [APP_DIR]          serve APP_DIR (default: the current
//                                     directory) on $PORT (default 5000)
//   node server.js --check [APP_DIR]  read static.json, print what would be
//                                     served, exit 1 if it is invalid
//
// static.json (all optional), as in heroku-buildpack-static:
//   root         directory to serve, relative to APP_DIR (default
//                "public_html/" when it exists, else ".")
//   clean_urls   true: /about serves about.html
//   routes       {"/app/**": "/app/index.html"}: a request for a path that
//                is not a file is answered with the first matching route's
//                file (`*` is one path segment, `**` any number)
//   redirects    {"/old": {"url": "/new", "status": 301}}: ${VAR} in the url
//                is taken from the environment
//   headers      {"/assets/**": {"Cache-Control": "max-age=31536000"}}
//   error_page   file served, with status 404, for paths that do not exist
//   https_only   true: plain http requests (X-Forwarded-Proto: http) are
//                redirected to https
//
// Also: Content-Type by extension, ETag and Last-Modified with 304 answers,
// gzip for text types when the client accepts it (compressed once, kept in a
// small LRU), HEAD, single byte ranges, a directory serves its index.html
// (and /dir redirects to /dir/). Paths are decoded once, and a path with a NUL
// byte, a backslash or a `..` segment is refused with 400; dotfiles (but
// .well-known), static.json and anything a symlink takes outside the root are
// not served.
'use strict';

const fs = require('node:fs');
const fsp = require('node:fs/promises');
const http = require('node:http');
const path = require('node:path');
const zlib = require('node:zlib');

const MIME = {
  html: 'text/html', htm: 'text/html', css: 'text/css', js: 'text/javascript', mjs: 'text/javascript',
  json: 'application/json', map: 'application/json', webmanifest: 'application/manifest+json',
  txt: 'text/plain', md: 'text/markdown', csv: 'text/csv', xml: 'application/xml', rss: 'application/rss+xml',
  atom: 'application/atom+xml', svg: 'image/svg+xml', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg',
  gif: 'image/gif', webp: 'image/webp', avif: 'image/avif', ico: 'image/x-icon', bmp: 'image/bmp',
  woff: 'font/woff', woff2: 'font/woff2', ttf: 'font/ttf', otf: 'font/otf', eot: 'application/vnd.ms-fontobject',
  mp4: 'video/mp4', webm: 'video/webm', ogg: 'audio/ogg', mp3: 'audio/mpeg', wav: 'audio/wav',
  pdf: 'application/pdf', zip: 'application/zip', gz: 'application/gzip', wasm: 'application/wasm',
  ics: 'text/calendar', yaml: 'text/yaml', yml: 'text/yaml', toml: 'text/plain',
};
const COMPRESSIBLE = /^(text\/|application\/(json|javascript|xml|rss\+xml|atom\+xml|manifest\+json|wasm)|image\/svg\+xml|image\/x-icon|font\/(ttf|otf)|application\/vnd\.ms-fontobject)/;
const GZIP_MIN_BYTES = 256;
const GZIP_CACHE_MAX_FILE = 4 * 1024 * 1024; // larger files are compressed as they stream
const GZIP_CACHE_MAX_TOTAL = 32 * 1024 * 1024;

class ConfigError extends Error {}

/** Turns a route glob into a RegExp: `*` is one path segment, `**` any number. */
function globToRegExp(glob) {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        // "/**" also matches the directory itself ("/app/**" matches "/app").
        if (re.endsWith('/')) re = `${re.slice(0, -1)}(?:/.*)?`;
        else re += '.*';
      } else {
        re += '[^/]*';
      }
    } else {
      re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}

function loadConfig(appDir) {
  const file = path.join(appDir, 'static.json');
  let raw = {};
  if (fs.existsSync(file)) {
    try {
      raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError(`static.json is not valid JSON: ${err.message}`);
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('static.json must be a JSON object');
  }
  const isMap = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  let rootName = raw.root;
  if (rootName === undefined) rootName = fs.existsSync(path.join(appDir, 'public_html')) ? 'public_html/' : '.';
  if (typeof rootName !== 'string' || rootName === '') throw new ConfigError('static.json: "root" must be a directory name');
  const root = path.resolve(appDir, rootName);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new ConfigError(`static.json: the root "${rootName}" is not a directory`);

  const routes = [];
  if (raw.routes !== undefined) {
    if (!isMap(raw.routes)) throw new ConfigError('static.json: "routes" must map a path pattern to a file');
    for (const [pattern, target] of Object.entries(raw.routes)) {
      if (typeof target !== 'string') throw new ConfigError(`static.json: the route "${pattern}" must name a file`);
      routes.push({ pattern, re: globToRegExp(pattern), target: `/${target.replace(/^\/+/, '')}` });
    }
  }
  const redirects = [];
  if (raw.redirects !== undefined) {
    if (!isMap(raw.redirects)) throw new ConfigError('static.json: "redirects" must map a path to {"url": ..., "status": ...}');
    for (const [pattern, spec] of Object.entries(raw.redirects)) {
      const url = typeof spec === 'string' ? spec : spec && spec.url;
      const status = (spec && spec.status) || 301;
      if (typeof url !== 'string' || !url) throw new ConfigError(`static.json: the redirect "${pattern}" has no url`);
      if (![301, 302, 303, 307, 308].includes(status)) throw new ConfigError(`static.json: the redirect "${pattern}" has status ${status}, not one of 301, 302, 303, 307, 308`);
      redirects.push({ pattern, re: globToRegExp(pattern), url, status });
    }
  }
  const headers = [];
  if (raw.headers !== undefined) {
    if (!isMap(raw.headers)) throw new ConfigError('static.json: "headers" must map a path pattern to a map of headers');
    for (const [pattern, map] of Object.entries(raw.headers)) {
      if (!isMap(map)) throw new ConfigError(`static.json: the headers for "${pattern}" must be a map of name to value`);
      for (const [name, value] of Object.entries(map)) {
        if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || typeof value !== 'string' || /[\r\n\0]/.test(value)) {
          throw new ConfigError(`static.json: the header "${name}" for "${pattern}" is not a valid header`);
        }
      }
      headers.push({ pattern, re: globToRegExp(pattern), map });
    }
  }
  let errorPage = null;
  if (raw.error_page !== undefined) {
    if (typeof raw.error_page !== 'string') throw new ConfigError('static.json: "error_page" must name a file');
    errorPage = `/${raw.error_page.replace(/^\/+/, '')}`;
  }
  return { root, rootName, cleanUrls: raw.clean_urls === true, routes, redirects, headers, errorPage, httpsOnly: raw.https_only === true };
}

function contentType(file) {
  const ext = path.extname(file).slice(1).toLowerCase();
  const type = MIME[ext] || 'application/octet-stream';
  return /^text\/|^application\/(json|javascript|xml|manifest\+json)|^image\/svg\+xml/.test(type) ? `${type}; charset=utf-8` : type;
}

/** A small LRU of gzipped file contents, keyed by path, size and mtime. */
class GzipCache {
  constructor(maxBytes) {
    this.maxBytes = maxBytes;
    this.bytes = 0;
    this.map = new Map();
  }
  get(key) {
    const value = this.map.get(key);
    if (value) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }
  set(key, value) {
    if (value.length > this.maxBytes) return;
    this.map.set(key, value);
    this.bytes += value.length;
    for (const [k, v] of this.map) {
      if (this.bytes <= this.maxBytes) break;
      this.map.delete(k);
      this.bytes -= v.length;
    }
  }
}

function createServer(appDir, config = loadConfig(appDir)) {
  const gzipCache = new GzipCache(GZIP_CACHE_MAX_TOTAL);
  const pending = new Map();
  let realRoot = fs.realpathSync(config.root);
  const servesAppDir = realRoot === fs.realpathSync(appDir);

  function headersFor(urlPath) {
    const out = {};
    for (const h of config.headers) if (h.re.test(urlPath)) Object.assign(out, h.map);
    return out;
  }

  /** The file for a root-relative URL path, or null. Never leaves the root. */
  async function statInRoot(urlPath) {
    const file = path.join(realRoot, urlPath);
    if (file !== realRoot && !file.startsWith(realRoot + path.sep)) return null;
    let real;
    try {
      real = await fsp.realpath(file);
    } catch {
      return null;
    }
    if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return null;
    try {
      return { file: real, stat: await fsp.stat(real) };
    } catch {
      return null;
    }
  }

  async function findFile(urlPath) {
    const found = await statInRoot(urlPath);
    if (found && found.stat.isFile()) return { ...found };
    if (found && found.stat.isDirectory()) {
      const index = await statInRoot(path.posix.join(urlPath, 'index.html'));
      if (index && index.stat.isFile()) {
        if (!urlPath.endsWith('/')) return { redirect: `${urlPath}/` };
        return index;
      }
    }
    if (config.cleanUrls && !urlPath.endsWith('/')) {
      const html = await statInRoot(`${urlPath}.html`);
      if (html && html.stat.isFile()) return html;
    }
    return null;
  }

  function gzipped(file, stat) {
    const key = `${file}\0${stat.size}\0${stat.mtimeMs}`;
    const hit = gzipCache.get(key);
    if (hit) return Promise.resolve(hit);
    if (pending.has(key)) return pending.get(key);
    const work = fsp
      .readFile(file)
      .then((data) => new Promise((resolve, reject) => zlib.gzip(data, { level: 6 }, (err, out) => (err ? reject(err) : resolve(out)))))
      .then((out) => {
        gzipCache.set(key, out);
        return out;
      })
      .finally(() => pending.delete(key));
    pending.set(key, work);
    return work;
  }

  function acceptsGzip(req) {
    const header = req.headers['accept-encoding'];
    if (!header) return false;
    for (const part of header.split(',')) {
      const [name, ...params] = part.trim().split(';');
      if (name.trim().toLowerCase() !== 'gzip' && name.trim() !== '*') continue;
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return !q || Number(q.slice(2)) > 0;
    }
    return false;
  }

  function send(res, status, headers, body, head) {
    res.writeHead(status, { 'Content-Length': Buffer.byteLength(body), ...headers });
    res.end(head ? undefined : body);
  }

  async function serveFile(req, res, found, status, extraHeaders, head) {
    const { file, stat } = found;
    const type = contentType(file);
    const etag = `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
    const lastModified = stat.mtime.toUTCString();
    const compress = COMPRESSIBLE.test(type) && stat.size >= GZIP_MIN_BYTES;
    const useGzip = compress && acceptsGzip(req);
    const headers = {
      'Content-Type': type,
      'Last-Modified': lastModified,
      ETag: useGzip ? etag.replace(/"$/, '-gz"') : etag,
      ...(compress ? { Vary: 'Accept-Encoding' } : {}),
      ...(status === 200 && !useGzip ? { 'Accept-Ranges': 'bytes' } : {}),
      ...extraHeaders,
    };
    if (status === 200) {
      const inm = req.headers['if-none-match'];
      const ims = req.headers['if-modified-since'];
      const fresh = inm
        ? inm.split(',').some((t) => {
            const tag = t.trim().replace(/^W\//, '');
            return tag === '*' || tag === etag.slice(2) || tag === headers.ETag.slice(2);
          })
        : ims
          ? Math.floor(stat.mtimeMs / 1000) <= Math.floor(Date.parse(ims) / 1000)
          : false;
      if (fresh) {
        delete headers['Content-Type'];
        delete headers['Accept-Ranges'];
        res.writeHead(304, headers);
        res.end();
        return;
      }
    }
    if (useGzip) {
      headers['Content-Encoding'] = 'gzip';
      if (stat.size <= GZIP_CACHE_MAX_FILE) {
        const body = await gzipped(file, stat);
        res.writeHead(status, { ...headers, 'Content-Length': body.length });
        res.end(head ? undefined : body);
      } else {
        res.writeHead(status, headers);
        if (head) return res.end();
        streamFile(res, fs.createReadStream(file).pipe(zlib.createGzip()));
      }
      return;
    }
    let start = 0;
    let end = stat.size - 1;
    const range = status === 200 ? req.headers.range : undefined;
    if (range && (!req.headers['if-range'] || req.headers['if-range'] === etag || req.headers['if-range'] === lastModified)) {
      const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
      if (m && (m[1] || m[2])) {
        if (m[1]) {
          start = Number(m[1]);
          end = m[2] ? Math.min(Number(m[2]), stat.size - 1) : stat.size - 1;
        } else {
          start = Math.max(0, stat.size - Number(m[2]));
        }
        if (start > end || start >= stat.size) {
          send(res, 416, { 'Content-Range': `bytes */${stat.size}`, 'Content-Type': 'text/plain; charset=utf-8' }, 'Range Not Satisfiable\n', head);
          return;
        }
        status = 206;
        headers['Content-Range'] = `bytes ${start}-${end}/${stat.size}`;
      }
    }
    res.writeHead(status, { ...headers, 'Content-Length': stat.size === 0 ? 0 : end - start + 1 });
    if (head || stat.size === 0) return res.end();
    streamFile(res, fs.createReadStream(file, { start, end }));
  }

  function streamFile(res, stream) {
    stream.on('error', () => res.destroy());
    res.on('close', () => stream.destroy());
    stream.pipe(res);
  }

  async function notFound(req, res, urlPath, head) {
    const extra = headersFor(urlPath);
    if (config.errorPage) {
      const page = await statInRoot(config.errorPage);
      if (page && page.stat.isFile()) return serveFile(req, res, page, 404, extra, head);
    }
    send(res, 404, { 'Content-Type': 'text/html; charset=utf-8', ...extra }, '<!doctype html><title>404 Not Found</title><h1>Not Found</h1>\n', head);
  }

  async function handle(req, res) {
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      return send(res, 405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }, 'Method Not Allowed\n', false);
    }
    const rawPath = (req.url || '/').split('?')[0];
    const query = (req.url || '').slice(rawPath.length);
    let urlPath;
    try {
      urlPath = decodeURIComponent(rawPath);
    } catch {
      return send(res, 400, { 'Content-Type': 'text/plain; charset=utf-8' }, 'Bad Request\n', head);
    }
    const segments = urlPath.split('/');
    if (!urlPath.startsWith('/') || urlPath.includes('\0') || urlPath.includes('\\') || segments.includes('..')) {
      return send(res, 400, { 'Content-Type': 'text/plain; charset=utf-8' }, 'Bad Request\n', head);
    }
    if (config.httpsOnly && req.headers['x-forwarded-proto'] === 'http' && req.headers.host) {
      res.writeHead(301, { Location: `https://${req.headers.host}${req.url}`, 'Content-Length': 0 });
      return res.end();
    }
    for (const r of config.redirects) {
      if (r.re.test(urlPath)) {
        const location = r.url.replace(/\$\{(\w+)\}/g, (_, name) => process.env[name] || '');
        return send(res, r.status, { Location: location, 'Content-Type': 'text/plain; charset=utf-8' }, `Redirecting to ${location}\n`, head);
      }
    }
    // Dotfiles stay private (static.json, .git, .profile.d when the root is
    // the app's directory), except /.well-known/.
    if (segments.some((s, i) => s.startsWith('.') && !(i === 1 && s === '.well-known'))) {
      return notFound(req, res, urlPath, head);
    }
    const normalized = urlPath.replace(/\/{2,}/g, '/');
    // Nor is static.json itself, when the root is the app's directory.
    let found = servesAppDir && normalized === '/static.json' ? null : await findFile(normalized);
    if (found && found.redirect) {
      const location = encodeURI(found.redirect).replace(/[?#]/g, encodeURIComponent) + query;
      return send(res, 301, { Location: location, 'Content-Type': 'text/plain; charset=utf-8' }, `Redirecting to ${location}\n`, head);
    }
    if (!found) {
      const route = config.routes.find((r) => r.re.test(normalized));
      if (route) {
        found = await statInRoot(route.target);
        if (found && found.stat.isDirectory()) found = await statInRoot(path.posix.join(route.target, 'index.html'));
        if (found && !found.stat.isFile()) found = null;
      }
    }
    if (!found) return notFound(req, res, normalized, head);
    return serveFile(req, res, found, 200, headersFor(normalized), head);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      console.error(`static: ${req.method} ${req.url}: ${err.message}`);
      if (!res.headersSent) send(res, 500, { 'Content-Type': 'text/plain; charset=utf-8' }, 'Internal Server Error\n', false);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  server.refreshRoot = () => {
    realRoot = fs.realpathSync(config.root);
  };
  return server;
}

function describe(config) {
  const lines = [`root: ${config.rootName}`];
  if (config.cleanUrls) lines.push('clean_urls: on');
  for (const r of config.routes) lines.push(`route: ${r.pattern} -> ${r.target}`);
  for (const r of config.redirects) lines.push(`redirect: ${r.pattern} -> ${r.url} (${r.status})`);
  for (const h of config.headers) lines.push(`headers: ${h.pattern} (${Object.keys(h.map).join(', ')})`);
  if (config.errorPage) lines.push(`error_page: ${config.errorPage}`);
  if (config.httpsOnly) lines.push('https_only: on');
  return lines;
}

function main(argv) {
  const check = argv[0] === '--check';
  const appDir = path.resolve(argv[check ? 1 : 0] || process.cwd());
  let config;
  try {
    config = loadConfig(appDir);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
  if (check) {
    for (const line of describe(config)) console.log(line);
    if (config.errorPage && !fs.existsSync(path.join(config.root, config.errorPage))) {
      console.log(`warning: the error_page ${config.errorPage} does not exist under ${config.rootName}`);
    }
    return;
  }
  const port = Number(process.env.PORT || 5000);
  const server = createServer(appDir, config);
  server.listen(port, () => console.log(`static: serving ${path.relative(appDir, config.root) || '.'} on port ${port}`));
  const stop = () => server.close(() => process.exit(0)) && setTimeout(() => process.exit(0), 5000).unref();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (require.main === module) main(process.argv.slice(2));

module.exports = { createServer, loadConfig, globToRegExp };
