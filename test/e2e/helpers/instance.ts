/**
 * Starts a whole Slipway for one test file: its own Redis, its own daemon on
 * free ports, a temporary SLIPWAY_HOME. Docker is shared, so everything this
 * instance makes carries its own instance label and is removed at the end.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const FIXTURES = join(ROOT, 'test/fixtures');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A plain HTTP request, so that the Host header can be set freely. */
export function httpRequest(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(60_000, () => req.destroy(new Error(`timeout: ${url}`)));
    req.end(opts.body);
  });
}

export interface PushResult {
  code: number;
  output: string;
}

export class Instance {
  readonly apiKey = randomBytes(16).toString('hex');
  home = '';
  apiPort = 0;
  routerPort = 0;
  redisUrl = '';
  instanceId = '';
  private daemon: ChildProcess | null = null;
  private daemonLog = '';

  get apiUrl(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  gitUrl(app: string, key = this.apiKey): string {
    return `http://git:${key}@127.0.0.1:${this.apiPort}/${app}.git`;
  }

  async start(extraEnv: Record<string, string> = {}): Promise<void> {
    this.home = await mkdtemp(join(tmpdir(), 'slipway-e2e-'));
    this.apiPort = await freePort();
    this.routerPort = await freePort();
    const redisPort = await freePort();
    const { stdout } = await run('bash', ['-c', 'source "$1/scripts/lib/common.sh"; ensure_redis "$2" "$3"', '_', ROOT, this.home, String(redisPort)]);
    this.redisUrl = stdout.trim().split('\n').pop() ?? '';
    await this.startDaemon(extraEnv);
    this.instanceId = (await readFile(join(this.home, 'instance-id'), 'utf8')).trim();
  }

  private extraEnv: Record<string, string> = {};
  /** The dyno port range stays the same across daemon restarts, as a real config would. */
  private portBase = 0;

  /** Stops this instance's Redis cleanly (AOF flushed), as an operator restarting it would. */
  async stopRedis(): Promise<void> {
    await run('redis-cli', ['-u', this.redisUrl, '--no-auth-warning', 'shutdown']).catch(() => undefined);
  }

  /** Starts this instance's Redis again on the same port and data directory. */
  async startRedis(): Promise<void> {
    const port = new URL(this.redisUrl).port;
    await run('bash', ['-c', 'source "$1/scripts/lib/common.sh"; ensure_redis "$2" "$3"', '_', ROOT, this.home, port]);
  }

  async startDaemon(extraEnv: Record<string, string> = this.extraEnv): Promise<void> {
    this.extraEnv = extraEnv;
    const portBase = (this.portBase ||= 30000 + Math.floor(Math.random() * 300) * 100);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SLIPWAY_HOME: this.home,
      SLIPWAY_API_PORT: String(this.apiPort),
      SLIPWAY_ROUTER_PORT: String(this.routerPort),
      SLIPWAY_API_KEY: this.apiKey,
      SLIPWAY_DOMAIN: 'localhost',
      REDIS_URL: this.redisUrl,
      SLIPWAY_PORT_RANGE: `${portBase}-${portBase + 99}`,
      SLIPWAY_STOP_GRACE: '3',
      ...extraEnv,
    };
    const daemon = spawn(process.execPath, [join(ROOT, 'packages/server/dist/main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.daemon = daemon;
    const onData = (d: Buffer) => {
      this.daemonLog += d.toString();
    };
    daemon.stdout?.on('data', onData);
    daemon.stderr?.on('data', onData);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (daemon.exitCode !== null) throw new Error(`daemon exited with ${daemon.exitCode}:\n${this.daemonLog}`);
      const ok = await httpRequest(`${this.apiUrl}/health`).then((r) => r.status === 200, () => false);
      if (ok) return;
      await sleep(200);
    }
    throw new Error(`daemon did not become healthy:\n${this.daemonLog}`);
  }

  get log(): string {
    return this.daemonLog;
  }

  daemonAlive(): boolean {
    return this.daemon !== null && this.daemon.exitCode === null && this.daemon.signalCode === null;
  }

  async stopDaemon(): Promise<void> {
    const d = this.daemon;
    if (!d || d.exitCode !== null) return;
    const exited = new Promise((r) => d.once('exit', r));
    d.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
    if (d.exitCode === null) d.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.stopDaemon();
    if (this.instanceId) {
      const label = `label=io.slipway.instance=${this.instanceId}`;
      const ids = (await run('docker', ['ps', '-aq', '--filter', label]).catch(() => ({ stdout: '' }))).stdout.split('\n').filter(Boolean);
      if (ids.length) await run('docker', ['rm', '-f', ...ids]).catch(() => undefined);
      const images = (await run('docker', ['images', '-q', '--filter', label]).catch(() => ({ stdout: '' }))).stdout.split('\n').filter(Boolean);
      if (images.length) await run('docker', ['rmi', '-f', ...new Set(images)]).catch(() => undefined);
    }
    if (this.redisUrl) await run('redis-cli', ['-u', this.redisUrl, '--no-auth-warning', 'shutdown', 'nosave']).catch(() => undefined);
    if (this.home) await rm(this.home, { recursive: true, force: true });
  }

  /** Calls the API as a Heroku client would. */
  async api(method: string, path: string, body?: unknown, key: string | null = this.apiKey): Promise<{ status: number; json: any; headers: HttpResult['headers'] }> {
    const headers: Record<string, string> = { Accept: 'application/vnd.heroku+json; version=3' };
    if (key !== null) headers.Authorization = `Bearer ${key}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await httpRequest(`${this.apiUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    let json: unknown = null;
    try {
      json = JSON.parse(res.body);
    } catch {
      json = res.body;
    }
    return { status: res.status, json, headers: res.headers };
  }

  /** GET through the router with the app's Host header. */
  viaRouter(app: string, path = '/', headers: Record<string, string> = {}): Promise<HttpResult> {
    return httpRequest(`http://127.0.0.1:${this.routerPort}${path}`, { headers: { Host: `${app}.localhost`, ...headers } });
  }

  /** Runs the real CLI against this instance. */
  async cli(args: string[], cwd = ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [join(ROOT, 'packages/cli/dist/main.js'), ...args], {
        cwd,
        env: { ...process.env, SLIPWAY_API_URL: this.apiUrl, SLIPWAY_API_KEY: this.apiKey, SLIPWAY_HOME: this.home, SLIPWAY_ROUTER_PORT: String(this.routerPort) },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });
  }

  /** Copies a fixture app into a fresh git repository (Dokku's deploy_app). */
  async prepareFixture(fixture: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), `slipway-fixture-${fixture}-`));
    await cp(join(FIXTURES, fixture), dir, { recursive: true });
    await git(dir, ['init', '-q', '-b', 'main']);
    await git(dir, ['add', '-A']);
    await git(dir, ['-c', 'user.email=test@slipway.local', '-c', 'user.name=test', 'commit', '-q', '-m', `fixture ${fixture}`]);
    return dir;
  }

  /**
   * Runs the real `git push` over HTTP and returns its exit code and all it
   * printed. Aborting kills the whole process group: killing `git` alone
   * leaves its `git-remote-http` helper finishing the push.
   */
  push(dir: string, app: string, opts: { key?: string; ref?: string; onOutput?: (chunk: string) => void; signal?: AbortSignal } = {}): Promise<PushResult> {
    return new Promise((resolve) => {
      const child = spawn('git', ['push', this.gitUrl(app, opts.key), opts.ref ?? 'main'], {
        cwd: dir,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
        detached: true,
      });
      const kill = () => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      };
      opts.signal?.addEventListener('abort', kill, { once: true });
      let output = '';
      const onData = (d: Buffer) => {
        output += d.toString();
        opts.onOutput?.(d.toString());
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('error', () => undefined);
      child.on('close', (code) => {
        opts.signal?.removeEventListener('abort', kill);
        resolve({ code: code ?? 128, output });
      });
    });
  }

  async pushFixture(fixture: string, app: string): Promise<PushResult> {
    const dir = await this.prepareFixture(fixture);
    try {
      return await this.push(dir, app);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

export async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd });
  return stdout;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until `check` returns a value, or fails with the last error after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export { writeFile };
