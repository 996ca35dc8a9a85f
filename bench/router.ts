/**
 * The router against nginx and against no proxy at all, on this machine.
 *
 *   node --import tsx bench/router.ts [--processes N] [--rounds 2] [--duration 10] [--connections 50]
 *
 * Installs wrk and nginx-light with apt-get when they are missing, builds the
 * router, then starts: a tiny keep-alive Node upstream answering `ok`, its own
 * redis-server with 1,000 apps routed to that upstream, nginx as a keep-alive
 * reverse proxy with one server block per app (so it too looks the Host up in
 * a 1,000-entry table) and the same number of worker processes as the router,
 * and the Slipway router (request log lines on, written to the app's log
 * stream in Redis as the daemon writes them).
 * Every proxy sets X-Forwarded-For, X-Forwarded-Proto and X-Request-Id.
 *
 * `--processes` defaults to one less than the CPUs (wrk and the upstream need
 * a core too). It runs `wrk -t1 -c50 -d10s --latency` against each configuration in turn,
 * alternating, `rounds` times, and prints the median rps, p50 and p99 for
 * each, the ratios router/nginx and router/direct, and a 10,000-app check:
 * the router again after 9,000 more apps are added, which should serve just
 * as fast (nothing on the hot path grows with the number of apps;
 * `--tenk-rounds 0` skips it).
 *
 * The router runs as the daemon runs it, in a forked worker process. For work
 * on it: `ROUTER_WORKER_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'` passes
 * flags to the worker's node (`ROUTER_NODE_ARGS` to the process that forks it,
 * `ROUTER_SEPARATE=0` serves from that process instead); `VARIANT_SCRIPT=/other/checkout/bench/router.ts`
 * (or `VARIANT_ENV='NAME=value'`) runs a second router, alternated with the
 * first in every round, and prints the paired ratio variant/router: on a
 * shared, noisy machine that is the only before/after worth trusting.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AppName } from '@slipway/core';

const run = promisify(execFile);
const DOMAIN = 'bench.test';
const ROOT = new URL('..', import.meta.url).pathname;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const appName = (i: number): string => `app-${String(i).padStart(5, '0')}`;

function has(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function ensureTools(): void {
  const missing = [has('wrk') ? undefined : 'wrk', has('nginx') || has('/usr/sbin/nginx') ? undefined : 'nginx-light'].filter((p): p is string => p !== undefined);
  if (missing.length === 0) return;
  console.error(`installing ${missing.join(' ')} with apt-get`);
  try {
    execFileSync('apt-get', ['install', '-y', ...missing], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  } catch {
    execFileSync('apt-get', ['update'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', ...missing], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Starts a child and waits for the first line it prints on stdout. */
function startChild(command: string, args: string[], what: string, env?: Record<string, string>): Promise<{ child: ChildProcess; line: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], cwd: ROOT, env: { ...process.env, ...env } });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve({ child, line: out.slice(0, nl) });
      }
    });
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}`)));
  });
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

const UPSTREAM = `
const http = require('node:http');
const server = http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }); res.end('ok'); });
server.keepAliveTimeout = 120000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

function nginxConfig(dir: string, port: number, upstreamPort: number, workers: number, apps: number): string {
  const servers: string[] = [];
  for (let i = 0; i < apps; i++) {
    servers.push(`  server {
    listen 127.0.0.1:${port};
    server_name ${appName(i)}.${DOMAIN};
    location / {
      proxy_pass http://dynos;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Request-Id $request_id;
    }
  }`);
  }
  return `worker_processes ${workers};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 10240; }
http {
  access_log off;
  server_names_hash_bucket_size 128;
  server_names_hash_max_size 65536;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  upstream dynos { server 127.0.0.1:${upstreamPort}; keepalive 128; }
${servers.join('\n')}
}
`;
}

interface Result {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

function toMs(value: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(value.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : n;
}

async function wrk(port: number, host: string, seconds: number, connections: number): Promise<Result> {
  const { stdout } = await run('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-H', `Host: ${host}`, `http://127.0.0.1:${port}/`], { maxBuffer: 1 << 20 });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const p50 = toMs(/\s50%\s+(\S+)/.exec(stdout)?.[1] ?? '');
  const p99 = toMs(/\s99%\s+(\S+)/.exec(stdout)?.[1] ?? '');
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const errors = non2xx + (socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  return { rps, p50, p99, errors };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

async function waitFor200(port: number, host: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = await new Promise<number>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/', headers: { host }, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(0));
    });
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${host} never answered 200 on port ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Child mode: runs the router (and its cluster workers) and prints its port. */
async function serveRouter(redisUrl: string, processes: number): Promise<void> {
  const { connectRedis, createLogSink } = await import('@slipway/store');
  const { startRouter } = await import('@slipway/router');
  const { logTimeNow } = await import('@slipway/core');
  const redis = connectRedis(redisUrl, 'bench-router');
  let logged = 0;
  // Request lines go to the app's log stream in Redis, as the daemon writes them (BENCH_LOG=count only counts them).
  const sink = createLogSink(redis);
  const appLog =
    process.env.BENCH_LOG === 'count'
      ? () => void logged++
      : (app: string, line: string) => {
          logged++;
          sink(app, { time: logTimeNow(), source: 'slipway', dyno: 'router', text: line });
        };
  // As the daemon runs it: a forked worker even with one process (ROUTER_SEPARATE=0 serves in this process);
  // ROUTER_WORKER_ARGS passes flags to the worker's node (`--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the hot path).
  const workerNodeArgs = process.env.ROUTER_WORKER_ARGS === undefined ? [] : process.env.ROUTER_WORKER_ARGS.split(' ').filter((a) => a !== '');
  const router = await startRouter({
    redis, domain: DOMAIN, port: 0, host: '127.0.0.1', processes, log: () => undefined, appLog,
    separateProcess: process.env.ROUTER_SEPARATE !== '0', ...(process.env.ROUTER_WORKER_ARGS === undefined ? {} : { workerNodeArgs }),
  });
  console.log(router.port);
  process.on('SIGTERM', () => {
    void router.close().then(() => {
      redis.disconnect();
      console.error(`router logged ${logged} request lines`);
      process.exit(0);
    });
  });
}

async function main(): Promise<void> {
  // One core is left to wrk and the upstream, which share the machine: on 2 CPUs a second router process only competes with them.
  const processes = arg('processes', Math.max(1, availableParallelism() - 1));
  const rounds = arg('rounds', 3);
  const seconds = arg('duration', 10);
  const connections = arg('connections', 50);
  ensureTools();
  await run('npx', ['tsc', '-b', 'packages/core', 'packages/store', 'packages/router'], { cwd: ROOT });
  const { connectRedis, putAppRoutes } = await import('@slipway/store');

  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-router-'));
  const children: ChildProcess[] = [];
  try {
    const upstream = await startChild(process.execPath, ['-e', UPSTREAM], 'the upstream');
    children.push(upstream.child);
    const upstreamPort = Number(upstream.line);

    const redisPort = await freePort();
    const password = 'bench';
    const redisChild = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--requirepass', password, '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
    children.push(redisChild);
    const redisUrl = `redis://:${password}@127.0.0.1:${redisPort}`;
    const redis = connectRedis(redisUrl, 'bench');
    for (let tries = 0; ; tries++) {
      try {
        await redis.ping();
        break;
      } catch (err) {
        if (tries > 50) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const putApps = async (from: number, to: number): Promise<void> => {
      for (let i = from; i < to; i += 500) {
        await Promise.all(
          Array.from({ length: Math.min(500, to - i) }, (_, k) =>
            putAppRoutes(redis, { app: appName(i + k) as AppName, hostnames: [], maintenance: false, targets: [{ dyno: 'web.1', port: upstreamPort, release: 1 }] }),
          ),
        );
      }
    };
    await putApps(0, 1000);

    const nginxPort = await freePort();
    writeFileSync(join(dir, 'nginx.conf'), nginxConfig(dir, nginxPort, upstreamPort, processes, 1000));
    const nginxBin = has('nginx') ? 'nginx' : '/usr/sbin/nginx';
    const nginx = spawn(nginxBin, ['-c', join(dir, 'nginx.conf'), '-p', dir, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(nginx);

    // ROUTER_NODE_ARGS goes to the node of the process that runs the route sync and forks the serving worker.
    const routerNodeArgs = (process.env.ROUTER_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
    const router = await startChild(process.execPath, [...routerNodeArgs, '--import', 'tsx', new URL(import.meta.url).pathname, 'serve-router', redisUrl, String(processes)], 'the router');
    children.push(router.child);
    const routerPort = Number(router.line);
    // An A/B in one run: VARIANT_ENV="NAME=value ..." also runs a second router with that environment, and VARIANT_SCRIPT
    // runs it from another checkout's bench/router.ts (say, the last commit's router); it is alternated with the first.
    const variantEnv = Object.fromEntries((process.env.VARIANT_ENV ?? '').split(' ').filter((a) => a.includes('=')).map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]));
    const variantScript = process.env.VARIANT_SCRIPT;
    const variant =
      Object.keys(variantEnv).length > 0 || variantScript
        ? await startChild(process.execPath, ['--import', 'tsx', variantScript ?? new URL(import.meta.url).pathname, 'serve-router', redisUrl, String(processes)], 'the variant router', variantEnv)
        : undefined;
    if (variant) children.push(variant.child);

    const host = `${appName(500)}.${DOMAIN}`;
    await waitFor200(upstreamPort, host);
    await waitFor200(nginxPort, host);
    await waitFor200(routerPort, host);

    const configs = [
      { name: 'direct to the upstream', port: upstreamPort },
      { name: `nginx, keep-alive upstream, ${processes} worker${processes > 1 ? 's' : ''}`, port: nginxPort },
      { name: `slipway router, ${processes} process${processes > 1 ? 'es' : ''}`, port: routerPort },
      ...(variant ? [{ name: `variant router (${variantScript ?? process.env.VARIANT_ENV})`, port: Number(variant.line) }] : []),
    ];
    console.error(`warming up (${processes} processes, wrk -t1 -c${connections} -d${seconds}s, ${rounds} rounds)`);
    for (const c of configs) await wrk(c.port, host, 3, connections);
    const results = new Map<string, Result[]>(configs.map((c) => [c.name, []]));
    for (let r = 0; r < rounds; r++) {
      for (const c of configs) {
        const res = await wrk(c.port, host, seconds, connections);
        console.error(`  round ${r + 1} ${c.name}: ${(res.rps / 1000).toFixed(1)}k rps, p50 ${res.p50.toFixed(2)} ms, p99 ${res.p99.toFixed(2)} ms${res.errors ? `, ${res.errors} errors` : ''}`);
        results.get(c.name)?.push(res);
      }
    }

    // The same router with 10,000 apps: the hot path must not notice.
    const tenKRounds = arg('tenk-rounds', rounds);
    await putApps(1000, 10_000);
    const farHost = `${appName(9999)}.${DOMAIN}`;
    await waitFor200(routerPort, farHost);
    await new Promise((r) => setTimeout(r, 3000)); // let the sync settle after 9,000 route events
    const tenK: Result[] = [];
    const nginxAgain: Result[] = [];
    for (let r = 0; r < tenKRounds; r++) {
      // Paired with nginx again, so machine drift between the two phases does not pass for a slowdown.
      nginxAgain.push(await wrk(nginxPort, host, seconds, connections));
      const res = await wrk(routerPort, farHost, seconds, connections);
      console.error(`  round ${r + 1} router with 10,000 apps: ${(res.rps / 1000).toFixed(1)}k rps, p99 ${res.p99.toFixed(2)} ms (nginx meanwhile ${((nginxAgain[r] as Result).rps / 1000).toFixed(1)}k)`);
      tenK.push(res);
    }

    const summary = (list: Result[]): { rps: number; p50: number; p99: number; errors: number } => ({
      rps: median(list.map((x) => x.rps)),
      p50: median(list.map((x) => x.p50)),
      p99: median(list.map((x) => x.p99)),
      errors: list.reduce((a, x) => a + x.errors, 0),
    });
    const rows = [...configs.map((c) => ({ name: c.name, ...summary(results.get(c.name) ?? []) })), ...(tenK.length > 0 ? [{ name: 'slipway router, 10,000 apps', ...summary(tenK) }] : [])];
    const nginxRow = rows[1] as (typeof rows)[number];
    const directRow = rows[0] as (typeof rows)[number];
    const routerRow = rows[2] as (typeof rows)[number];
    console.log(`\nwrk -t1 -c${connections} -d${seconds}s, Host lookup in 1,000 apps, median of ${rounds} alternating rounds, ${availableParallelism()} CPUs`);
    console.log('| configuration | rps | p50 | p99 | ratio to nginx |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const row of rows) {
      console.log(`| ${row.name} | ${(row.rps / 1000).toFixed(1)}k | ${row.p50.toFixed(2)} ms | ${row.p99.toFixed(2)} ms | ${(row.rps / nginxRow.rps).toFixed(2)} |${row.errors ? ` (${row.errors} errors)` : ''}`);
    }
    // Each round's ratio pairs runs made a few seconds apart, so it shows less of the machine's drift than a ratio of medians.
    const paired = (a: Result[], b: Result[]): string => median(a.map((x, i) => x.rps / ((b[i] as Result).rps || 1))).toFixed(2);
    const routerRuns = results.get(configs[2]?.name ?? '') ?? [];
    console.log(`per-round ratios (median): router/nginx ${paired(routerRuns, results.get(configs[1]?.name ?? '') ?? [])}, router/direct ${paired(routerRuns, results.get(configs[0]?.name ?? '') ?? [])}`);
    if (variant) console.log(`per-round ratios (median): variant/nginx ${paired(results.get(configs[3]?.name ?? '') ?? [], results.get(configs[1]?.name ?? '') ?? [])}, variant/router ${paired(results.get(configs[3]?.name ?? '') ?? [], routerRuns)}`);
    if (tenK.length > 0) console.log(`router with 10,000 apps/nginx, paired: ${paired(tenK, nginxAgain)} (1,000 apps: ${paired(routerRuns, results.get(configs[1]?.name ?? '') ?? [])})`);
    console.log(`\nrouter/nginx ${(routerRow.rps / nginxRow.rps).toFixed(2)}, router/direct ${(routerRow.rps / directRow.rps).toFixed(2)}, router p99/nginx p99 ${(routerRow.p99 / nginxRow.p99).toFixed(2)}`);
    redis.disconnect();
  } finally {
    for (const child of children.reverse()) await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'serve-router') {
  serveRouter(process.argv[3] as string, Number(process.argv[4])).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
