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
  const head = r.error
    ? `at=error${r.error.code ? ` code=${r.error.code}` : ''} desc=${quote(r.error.desc)}`
    : 'at=info';
  return [
    head,
    `method=${bare(r.method)}`,
    `path=${quote(r.path)}`,
    `host=${bare(r.host)}`,
    `request_id=${bare(r.requestId)}`,
    `fwd=${quote(r.fwd)}`,
    `dyno=${r.dyno ? bare(r.dyno) : ''}`,
    `connect=${r.connectMs === undefined ? '' : `${Math.round(r.connectMs)}ms`}`,
    `service=${r.serviceMs === undefined ? '' : `${Math.round(r.serviceMs)}ms`}`,
    `status=${r.status}`,
    `bytes=${r.bytes}`,
    `protocol=${r.protocol}`,
  ].join(' ');
}

/** A value that came from a client, in double quotes, with quotes, backslashes and control characters escaped. */
function quote(value: string): string {
  return `"${escape(value)}"`;
}

/** A value that is normally a plain token; quoted if a client smuggled spaces or quotes into it. */
function bare(value: string): string {
  return /^[\x21\x23-\x5b\x5d-\x7e]*$/.test(value) ? value : quote(value);
}

function escape(value: string): string {
  return value.replace(/[\\"\x00-\x1f\x7f]/g, (c) => (c === '\\' || c === '"' ? `\\${c}` : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}
