import { Command } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { print, printJson, processIo, type Io } from '../../io.js';
import { resolveApp, withAppOptions, type AppOptions } from '../../app-flag.js';
import { expiry } from '../../internal/certs.js';
import { header, hex, table } from '../../internal/format.js';

export function certs(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withAppOptions(new Command('certs'))
    .description("list an app's SSL certificates (SNI endpoints)")
    .option('--json', 'output in JSON format')
    .addHelpText(
      'after',
      `
The router's HTTPS listener picks a certificate by the name the client asks for
(SNI), among the certificates of the app that owns that hostname.

Examples:
  $ slipway certs -a demo
  === demo SSL Certificates
  Name          Common Name(s)   Expires
  sni-1f0c2a9b  www.example.com  2027/01/02 03:04:05 +0000
`,
    )
    .action(async (opts: AppOptions & { json?: boolean }) => {
      const app = await resolveApp(opts, io.cwd);
      const list = await client().listSniEndpoints(app);
      if (opts.json) {
        printJson(io, list);
        return;
      }
      if (list.length === 0) {
        print(io, `${hex(app)} has no SSL certificates.`, `Use slipway certs:add CERT_FILE KEY_FILE -a ${app} to add one.`);
        return;
      }
      const rows = list.map((e) => [e.name, e.ssl_cert.cert_domains.join(', '), expiry(e, io.now())]);
      print(io, header(`${app} SSL Certificates`), ...table([['Name', 'Common Name(s)', 'Expires'], ...rows]));
    });
}
