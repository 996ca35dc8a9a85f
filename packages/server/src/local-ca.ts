import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A certificate and its key, PEM. */
export interface CertPair {
  cert: string;
  key: string;
}

/**
 * HTTPS without a certificate of your own: a local certificate authority made
 * once under SLIPWAY_HOME/tls (`ca.crt` is what clients trust: `curl --cacert`,
 * or the system store), the router's default `*.<domain>` certificate signed
 * by it, and a certificate for each exact hostname the router serves, issued
 * on the first handshake that asks for it and kept on disk.
 *
 * Why per hostname: clients refuse a wildcard directly under a one-label
 * domain (`*.localhost`, the default), as they would `*.com`, so with the
 * default domain the wildcard alone would never validate.
 */
export class LocalCa {
  readonly dir: string;
  readonly caFile: string;
  private readonly caKeyFile: string;
  private readonly issuing = new Map<string, Promise<CertPair | undefined>>();

  constructor(home: string) {
    this.dir = join(home, 'tls');
    this.caFile = join(this.dir, 'ca.crt');
    this.caKeyFile = join(this.dir, 'ca.key');
  }

  /** Makes the authority when it is missing. */
  async ensure(): Promise<void> {
    if (existsSync(this.caFile) && existsSync(this.caKeyFile)) return;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.caKeyFile}.${randomBytes(4).toString('hex')}`;
    await run('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '3650',
      '-keyout', `${tmp}.key`, '-out', `${tmp}.crt`,
      '-subj', '/CN=Slipway local CA',
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    renameSync(`${tmp}.key`, this.caKeyFile);
    renameSync(`${tmp}.crt`, this.caFile);
  }

  /** The router's default certificate, for `*.<domain>` and `<domain>`. */
  defaultCert(domain: string): Promise<CertPair> {
    return this.issue(`default.${domain}`, [`*.${domain}`, domain]);
  }

  /** A certificate for one hostname the router serves; undefined when the name cannot be one. */
  async forHost(hostname: string): Promise<CertPair | undefined> {
    const name = hostname.toLowerCase();
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(name) && name !== 'localhost') return undefined;
    return this.issue(name, [name]);
  }

  /** One openssl run per file name at a time; later calls get the files it left. */
  private issue(file: string, names: string[]): Promise<CertPair> {
    let pending = this.issuing.get(file) as Promise<CertPair> | undefined;
    if (pending === undefined) {
      pending = this.issueOnce(file, names);
      this.issuing.set(file, pending);
      void pending.then(
        () => this.issuing.delete(file),
        () => this.issuing.delete(file),
      );
    }
    return pending;
  }

  private async issueOnce(file: string, names: string[]): Promise<CertPair> {
    const dir = join(this.dir, 'issued');
    const certFile = join(dir, `${file}.crt`);
    const keyFile = join(dir, `${file}.key`);
    if (!existsSync(certFile) || !existsSync(keyFile)) {
      await this.ensure();
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const tmp = join(dir, `.${file}.${randomBytes(4).toString('hex')}`);
      try {
        await run('openssl', [
          'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
          '-keyout', `${tmp}.key`, '-out', `${tmp}.csr`,
          '-subj', `/CN=${names[0]}`,
          '-addext', `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`,
          '-addext', 'extendedKeyUsage=serverAuth',
        ]);
        await run('openssl', [
          'x509', '-req', '-in', `${tmp}.csr`, '-CA', this.caFile, '-CAkey', this.caKeyFile,
          '-set_serial', `0x${randomBytes(16).toString('hex')}`, '-days', '825', '-copy_extensions', 'copyall',
          '-out', `${tmp}.crt`,
        ]);
        renameSync(`${tmp}.key`, keyFile);
        renameSync(`${tmp}.crt`, certFile);
      } finally {
        for (const ext of ['key', 'csr', 'crt']) rmSync(`${tmp}.${ext}`, { force: true });
      }
    }
    return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  }
}
