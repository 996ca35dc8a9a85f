import { Command } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { print, printJson, processIo, type Io } from '../../io.js';
import { resolveApp, withAppOptions, type AppOptions } from '../../app-flag.js';
import { header, table } from '../../internal/format.js';

export function domains(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withAppOptions(new Command('domains'))
    .description("list an app's domains")
    .option('--json', 'output in JSON format')
    .addHelpText(
      'after',
      `
The app's own hostname (kind "heroku") is always listed first. Point a custom
domain's DNS at its DNS target (a CNAME record), or at the router's address.

Examples:
  $ slipway domains -a demo
  === demo Domains
  Domain Name      Kind    DNS Target
  demo.example.io  heroku
  www.example.com  custom  demo.example.io
`,
    )
    .action(async (opts: AppOptions & { json?: boolean }) => {
      const app = await resolveApp(opts, io.cwd);
      const list = await client().listDomains(app);
      if (opts.json) {
        printJson(io, list);
        return;
      }
      const own = list.find((d) => d.kind === 'heroku')?.hostname ?? '';
      const rows = list.map((d) => [d.hostname, d.kind, d.cname ?? (d.kind === 'heroku' ? '' : own)]);
      print(io, header(`${app} Domains`), ...table([['Domain Name', 'Kind', 'DNS Target'], ...rows]));
    });
}
