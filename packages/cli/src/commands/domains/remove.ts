import { Command } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { printJson, processIo, type Io } from '../../io.js';
import { resolveApp, withAppOptions, type AppOptions } from '../../app-flag.js';
import { action } from '../../internal/action.js';
import { hex } from '../../internal/format.js';

export function domainsRemove(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withAppOptions(new Command('domains:remove'))
    .description('remove a custom domain from an app')
    .argument('<hostname>', 'the domain, like www.example.com')
    .option('--json', 'output in JSON format')
    .addHelpText(
      'after',
      `
The router stops sending requests for HOSTNAME to the app, and another app may
add it. The app's own hostname cannot be removed.

Examples:
  $ slipway domains:remove www.example.com -a demo
  Removing www.example.com from ⬢ demo... done
`,
    )
    .action(async (hostname: string, opts: AppOptions & { json?: boolean }) => {
      const app = await resolveApp(opts, io.cwd);
      const c = client();
      const domain = await action(io, `Removing ${hostname} from ${hex(app)}`, () => c.removeDomain(app, hostname));
      if (opts.json) printJson(io, domain);
    });
}
