import { Command } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { printJson, processIo, type Io } from '../../io.js';
import { resolveApp, withAppOptions, type AppOptions } from '../../app-flag.js';
import { action } from '../../internal/action.js';
import { hex } from '../../internal/format.js';

export function domainsAdd(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withAppOptions(new Command('domains:add'))
    .description('add a custom domain to an app')
    .argument('<hostname>', 'the domain, like www.example.com')
    .option('--json', 'output in JSON format')
    .addHelpText(
      'after',
      `
The router sends requests for HOSTNAME to the app as soon as it is added. A
hostname belongs to one app at a time: adding one that another app has fails.
A leading "*." adds a wildcard domain.

Examples:
  $ slipway domains:add www.example.com -a demo
  Adding www.example.com to ⬢ demo... done
`,
    )
    .action(async (hostname: string, opts: AppOptions & { json?: boolean }) => {
      const app = await resolveApp(opts, io.cwd);
      const c = client();
      const domain = await action(io, `Adding ${hostname} to ${hex(app)}`, () => c.addDomain(app, hostname));
      if (opts.json) printJson(io, domain);
    });
}
