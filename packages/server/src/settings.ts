import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Everything configurable, read once from the environment. No other package reads it. */
export interface ServerSettings {
  home: string;
  instance: string;
  apiPort: number;
  routerPort: number;
  bindHost: string;
  publicHost: string;
  domain: string;
  apiKey: string;
  redisUrl: string;
  dockerHost: string | undefined;
  caBundle: string | null;
  stackImage: string;
  buildpacksDir: string;
  portRange: { min: number; max: number };
  buildTimeoutMs: number;
  buildMemoryMb: number;
  maxSlugMb: number;
  keepReleases: number;
  bootTimeoutMs: number;
  stopGraceSeconds: number;
  routerProcesses: number;
  /** Router log lines per app per second (per router process) before Heroku's L10 drops the rest. */
  routerLogRate: number;
  /** HTTPS listener for the router; off unless set. */
  routerTlsPort: number | undefined;
  /** PEM files of the default certificate; generated for `*.<domain>` when not given. */
  routerTlsCert: string | undefined;
  routerTlsKey: string | undefined;
}

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function readSettings(env: NodeJS.ProcessEnv = process.env): ServerSettings {
  const home = env.SLIPWAY_HOME || join(homedir(), '.slipway');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const caDefault = '/etc/ssl/certs/ca-certificates.crt';
  const caBundle = env.SLIPWAY_CA_BUNDLE ?? (existsSync(caDefault) ? caDefault : '');
  return {
    home,
    instance: readOrCreate(join(home, 'instance-id'), () => randomBytes(8).toString('hex')),
    apiPort: port(env.SLIPWAY_API_PORT, 5000, 'SLIPWAY_API_PORT'),
    routerPort: port(env.SLIPWAY_ROUTER_PORT, 8080, 'SLIPWAY_ROUTER_PORT'),
    bindHost: env.SLIPWAY_BIND || '0.0.0.0',
    publicHost: env.SLIPWAY_PUBLIC_HOST || '127.0.0.1',
    domain: (env.SLIPWAY_DOMAIN || 'localhost').toLowerCase(),
    apiKey: env.SLIPWAY_API_KEY || readOrCreate(join(home, 'api-key'), () => randomBytes(24).toString('hex')),
    redisUrl: env.REDIS_URL || localRedisUrl(home),
    dockerHost: env.DOCKER_HOST || undefined,
    caBundle: caBundle || null,
    stackImage: env.SLIPWAY_STACK_IMAGE || 'slipway/stack:bookworm',
    buildpacksDir: env.SLIPWAY_BUILDPACKS_DIR || join(REPO_ROOT, 'buildpacks'),
    portRange: range(env.SLIPWAY_PORT_RANGE || '20000-29999'),
    buildTimeoutMs: seconds(env.SLIPWAY_BUILD_TIMEOUT, 900, 'SLIPWAY_BUILD_TIMEOUT') * 1000,
    buildMemoryMb: positive(env.SLIPWAY_BUILD_MEMORY_MB, 2048, 'SLIPWAY_BUILD_MEMORY_MB'),
    maxSlugMb: positive(env.SLIPWAY_MAX_SLUG_MB, 1024, 'SLIPWAY_MAX_SLUG_MB'),
    keepReleases: positive(env.SLIPWAY_KEEP_RELEASES, 10, 'SLIPWAY_KEEP_RELEASES'),
    bootTimeoutMs: seconds(env.SLIPWAY_BOOT_TIMEOUT, 60, 'SLIPWAY_BOOT_TIMEOUT') * 1000,
    stopGraceSeconds: seconds(env.SLIPWAY_STOP_GRACE, 30, 'SLIPWAY_STOP_GRACE'),
    // One process measured best on a 2-core machine (wrk and the dynos need the other core).
    routerProcesses: positive(env.SLIPWAY_ROUTER_PROCESSES, 1, 'SLIPWAY_ROUTER_PROCESSES'),
    routerLogRate: positive(env.SLIPWAY_ROUTER_LOG_RATE, 1000, 'SLIPWAY_ROUTER_LOG_RATE'),
    routerTlsPort: env.SLIPWAY_ROUTER_TLS_PORT ? port(env.SLIPWAY_ROUTER_TLS_PORT, 8443, 'SLIPWAY_ROUTER_TLS_PORT') : undefined,
    routerTlsCert: env.SLIPWAY_ROUTER_TLS_CERT || undefined,
    routerTlsKey: env.SLIPWAY_ROUTER_TLS_KEY || undefined,
  };
}

function readOrCreate(path: string, make: () => string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const value = make();
  writeFileSync(path, `${value}\n`, { mode: 0o600 });
  return value;
}

/** The dedicated Redis that scripts/up starts under SLIPWAY_HOME. */
function localRedisUrl(home: string): string {
  const dir = join(home, 'redis');
  try {
    const password = readFileSync(join(dir, 'password'), 'utf8').trim();
    const p = readFileSync(join(dir, 'port'), 'utf8').trim();
    return `redis://default:${password}@127.0.0.1:${p}/0`;
  } catch {
    throw new Error(`REDIS_URL is not set and no Redis was set up under ${dir}; run ./scripts/up or set REDIS_URL.`);
  }
}

function port(value: string | undefined, fallback: number, name: string): number {
  const n = Number(value || fallback);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name}=${value} is not a port number`);
  return n;
}

function seconds(value: string | undefined, fallback: number, name: string): number {
  const n = Number(value || fallback);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}=${value} is not a number of seconds`);
  return n;
}

function positive(value: string | undefined, fallback: number, name: string): number {
  const n = Number(value || fallback);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}=${value} should be a whole number above 0`);
  return n;
}

function range(value: string): { min: number; max: number } {
  const m = /^(\d+)-(\d+)$/.exec(value);
  if (!m || Number(m[1]) > Number(m[2]) || Number(m[2]) > 65535) throw new Error(`SLIPWAY_PORT_RANGE=${value} should look like 20000-29999`);
  return { min: Number(m[1]), max: Number(m[2]) };
}
