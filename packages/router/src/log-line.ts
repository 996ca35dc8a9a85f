import type { RouterError } from './errors.js';

/** Everything one router log line says about one request. */
export interface RequestRecord {
  error?: RouterError;
  method: string;
  path: string;
  host: string;
  requestId: string;
  fwd: string;
  dyno?: string;
  connectMs?: number;
  serviceMs?: number;
  status: number;
  bytes: number;
  protocol: 'http' | 'https';
}

/**
 * One line in Heroku's router format, without the timestamp and source (the
 * caller's log sink adds those):
 * `at=info method=GET path="/" host=demo.example.test request_id=… fwd="10.0.0.9" dyno=web.1 connect=1ms service=12ms status=200 bytes=512 protocol=http`.
 * Unknown values are left empty (`dyno= connect=`), as Heroku does for H14.
 */
export function formatRouterLine(r: RequestRecord): string {
  return routerLine(r.error, r.method, r.path, r.host, r.requestId, r.fwd, r.dyno ?? '', r.connectMs ?? -1, r.serviceMs ?? -1, r.status, r.bytes, r.protocol);
}

/**
 * The same line from positional values, for the request path (no record
 * object, no array join): `dyno` empty and `connectMs`/`serviceMs` negative
 * when unknown.
 */
export function routerLine(
  error: RouterError | undefined,
  method: string,
  path: string,
  host: string,
  requestId: string,
  fwd: string,
  dyno: string,
  connectMs: number,
  serviceMs: number,
  status: number,
  bytes: number,
  protocol: string,
): string {
  const head = error === undefined ? 'at=info' : error.code ? `at=error code=${error.code} desc="${error.desc}"` : `at=error desc="${error.desc}"`;
  return (
    `${head} method=${bare(method)} path=${quote(path)} host=${bare(host)} request_id=${bare(requestId)} fwd=${quote(fwd)} dyno=${dyno === '' ? '' : bare(dyno)} ` +
    `connect=${connectMs < 0 ? '' : `${Math.round(connectMs)}ms`} service=${serviceMs < 0 ? '' : `${Math.round(serviceMs)}ms`} status=${status} bytes=${bytes} protocol=${protocol}`
  );
}

/** A value that came from a client, in double quotes, with quotes, backslashes and control characters escaped. */
function quote(value: string): string {
  return PLAIN.test(value) ? `"${value}"` : `"${escape(value)}"`;
}

/** Printable ASCII without quotes or backslashes: nothing to escape. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** A value that is normally a plain token; quoted if a client smuggled spaces or quotes into it. */
function bare(value: string): string {
  return /^[\x21\x23-\x5b\x5d-\x7e]*$/.test(value) ? value : quote(value);
}

function escape(value: string): string {
  return value.replace(/[\\"\x00-\x1f\x7f]/g, (c) => (c === '\\' || c === '"' ? `\\${c}` : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}
