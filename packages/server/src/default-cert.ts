import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The router's fallback certificate for `*.<domain>`: self-signed, made once
 * with openssl under SLIPWAY_HOME/tls, and kept. Uploaded certificates (SNI)
 * win for their hostnames.
 */
export async function ensureDefaultCert(home: string, domain: string): Promise<{ cert: string; key: string }> {
  const dir = join(home, 'tls');
  const certFile = join(dir, `wildcard.${domain}.crt`);
  const keyFile = join(dir, `wildcard.${domain}.key`);
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    await run('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '825',
      '-keyout', keyFile, '-out', certFile,
      '-subj', `/CN=*.${domain}`,
      '-addext', `subjectAltName=DNS:*.${domain},DNS:${domain}`,
    ]);
  }
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}
