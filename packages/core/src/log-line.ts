import { SlipwayError } from './errors.js';

/**
 * Log lines in the format Heroku's CLI parses and colours:
 * `2026-01-02T03:04:05.123456+00:00 app[web.1]: listening on 5000`,
 * `2026-01-02T03:04:05.123456+00:00 slipway[router]: at=info method=GET ...`,
 * `2026-01-02T03:04:05.123456+00:00 slipway[web.1]: State changed from starting to up`.
 */
export type LogSource = 'app' | 'slipway';

export interface LogLine {
  /** ISO 8601 in UTC with microseconds: `2026-01-02T03:04:05.123456+00:00`. */
  time: string;
  source: LogSource;
  /** `web.1`, `run.1`, `router`, `api`. */
  dyno: string;
  /** One line, without the trailing newline. */
  text: string;
}

/** What a reader asks for: `dyno` is a dyno (`web.1`) or a whole process type (`web`). */
export interface LogFilter {
  dyno?: string;
  source?: LogSource;
}

/** The most lines a log session may ask for, as on Heroku. */
export const MAX_LOG_LINES = 1500;
export const DEFAULT_LOG_LINES = 100;

const TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{6})\+00:00$/;
const DOCKER_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/;
const DYNO = /^[A-Za-z0-9_-]{1,63}(\.\d{1,6})?$/;
const LINE = /^(\S+) (app|slipway|heroku)\[([^\]\s]+)\]: ?(.*)$/s;

/** `epochMs` may carry a fraction (as `performance.timeOrigin + performance.now()` does); it becomes the microseconds. */
export function formatLogTime(epochMs: number): string {
  if (!Number.isFinite(epochMs)) throw new SlipwayError('bad_request', `Not a time: ${epochMs}.`);
  const whole = Math.floor(epochMs);
  const micros = Math.min(999_999, Math.floor((epochMs - whole) * 1000) + (whole % 1000) * 1000);
  const iso = new Date(whole - (whole % 1000)).toISOString(); // 2026-01-02T03:04:05.000Z
  return `${iso.slice(0, 19)}.${String(micros).padStart(6, '0')}+00:00`;
}

/** The current time, to the microsecond where the platform's clock allows. */
export function logTimeNow(): string {
  const now = typeof performance !== 'undefined' ? performance.timeOrigin + performance.now() : Date.now();
  // performance.now() drifts from the wall clock over long uptimes; never be more than 1 s off it.
  return formatLogTime(Math.abs(now - Date.now()) > 1000 ? Date.now() : now);
}

/**
 * Docker's `timestamps: true` prefix (`2026-01-02T03:04:05.123456789Z`, RFC 3339
 * with up to nine digits) as a log time. Throws on anything else.
 */
export function logTimeFromDocker(timestamp: string): string {
  const m = DOCKER_TIME.exec(timestamp);
  if (!m) throw new SlipwayError('bad_request', `Not a Docker timestamp: ${JSON.stringify(timestamp)}.`);
  return `${m[1]}.${(m[2] ?? '').padEnd(9, '0').slice(0, 6)}+00:00`;
}

/** A Docker timestamp as nanoseconds since the epoch, for exact ordering (two lines may share a millisecond). */
export function dockerTimestampNanos(timestamp: string): bigint {
  const m = DOCKER_TIME.exec(timestamp);
  if (!m) throw new SlipwayError('bad_request', `Not a Docker timestamp: ${JSON.stringify(timestamp)}.`);
  const seconds = Date.parse(`${m[1]}Z`) / 1000;
  if (!Number.isFinite(seconds)) throw new SlipwayError('bad_request', `Not a Docker timestamp: ${JSON.stringify(timestamp)}.`);
  return BigInt(seconds) * 1_000_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

/** Docker's `since` parameter (`<seconds>.<nanoseconds>`) for a Docker timestamp. */
export function dockerSinceParam(timestamp: string): string {
  const nanos = dockerTimestampNanos(timestamp);
  return `${nanos / 1_000_000_000n}.${String(nanos % 1_000_000_000n).padStart(9, '0')}`;
}

/** `web.1`, `web`, `router`, `api`: checked, never rewritten. */
export function parseLogDyno(input: unknown): string {
  if (typeof input !== 'string' || !DYNO.test(input)) {
    throw new SlipwayError('invalid_params', `Invalid dyno ${JSON.stringify(input)}: use a dyno such as web.1, a process type such as web, or router.`);
  }
  return input;
}

/** `app` or `slipway`; `heroku` is accepted as another name for `slipway`, so Heroku's CLI works. */
export function parseLogSource(input: unknown): LogSource {
  if (input === 'app') return 'app';
  if (input === 'slipway' || input === 'heroku') return 'slipway';
  throw new SlipwayError('invalid_params', `Invalid log source ${JSON.stringify(input)}: use app or slipway.`);
}

/** Lines to show, 1 to 1500. */
export function parseLogLineCount(input: unknown): number {
  const n = typeof input === 'string' && /^\d+$/.test(input) ? Number(input) : input;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_LOG_LINES) {
    throw new SlipwayError('invalid_params', `Invalid number of lines ${JSON.stringify(input)}: use a whole number from 1 to ${MAX_LOG_LINES}.`);
  }
  return n;
}

/** The wire and display form: `<time> <source>[<dyno>]: <text>`. */
export function formatLogLine(line: LogLine): string {
  return `${line.time} ${line.source}[${line.dyno}]: ${line.text}`;
}

/** The inverse of `formatLogLine`; `heroku[...]` reads as `slipway`. Throws on anything else. */
export function parseLogLine(input: string): LogLine {
  const m = LINE.exec(input.replace(/\r?\n$/, ''));
  if (!m || !TIME.test(m[1] as string) || !DYNO.test(m[3] as string)) {
    throw new SlipwayError('bad_request', `Not a log line: ${JSON.stringify(input.slice(0, 120))}.`);
  }
  return { time: m[1] as string, source: m[2] === 'app' ? 'app' : 'slipway', dyno: m[3] as string, text: m[4] as string };
}

/** `dyno: 'web'` matches web.1, web.2, ...; `dyno: 'web.1'` only web.1. */
export function matchesLogFilter(line: Pick<LogLine, 'source' | 'dyno'>, filter: LogFilter): boolean {
  if (filter.source && line.source !== filter.source) return false;
  if (filter.dyno && line.dyno !== filter.dyno && !line.dyno.startsWith(`${filter.dyno}.`)) return false;
  return true;
}

/**
 * Output a process wrote, as the log lines it makes: one per line, a trailing
 * `\r` dropped, a final empty line (from the last newline) not counted.
 */
export function splitLogText(text: string): string[] {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The answer to `POST /apps/{app}/log-sessions`. */
export interface HerokuLogSession {
  id: string;
  logplex_url: string;
  created_at: string;
  updated_at: string;
}
