import type { HerokuSniEndpoint } from '@slipway/client';
import { formatTime, header, styledObject } from './format.js';

/** `2027/01/02 03:04:05 +0000`, with ` (expired)` once it is past `now`. */
export function expiry(endpoint: HerokuSniEndpoint, now: Date): string {
  const at = endpoint.ssl_cert.expires_at;
  return new Date(at).getTime() < now.getTime() ? `${formatTime(at)} (expired)` : formatTime(at);
}

/** Heroku's `Certificate details:` block for one endpoint, under a `=== <name>` header. */
export function certificateDetails(endpoint: HerokuSniEndpoint, now: Date): string[] {
  const cert = endpoint.ssl_cert;
  return [
    header(`${endpoint.name} Certificate details`),
    ...styledObject([
      ['ID', endpoint.id],
      ['Common Name(s)', cert.cert_domains.join(', ')],
      ['Expires At', expiry(endpoint, now)],
      ['Issuer', cert.issuer],
      ['Starts At', formatTime(cert.starts_at)],
      ['Subject', cert.subject],
    ]),
    ...(cert['self_signed?'] ? ['SSL certificate is self signed.'] : []),
  ];
}
