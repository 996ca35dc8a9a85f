import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Accepts the key as a Bearer token or as the password of Basic auth (git and
 * some Heroku CLI paths send it that way).
 */
export function requestHasKey(req: IncomingMessage, apiKey: string): boolean {
  const header = req.headers.authorization ?? '';
  const [scheme = '', value = ''] = header.split(/\s+/, 2);
  let presented = '';
  if (scheme.toLowerCase() === 'bearer') presented = value;
  else if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    presented = decoded.slice(decoded.indexOf(':') + 1);
  }
  const a = Buffer.from(presented);
  const b = Buffer.from(apiKey);
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}
