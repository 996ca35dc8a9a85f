import { Command } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { print, printJson, processIo, type Io } from '../../io.js';
import { header } from '../../internal/format.js';

export function apps(client: () => SlipwayClient, io: Io = processIo()): Command {
  return new Command('apps')
    .description('list your apps')
    .option('--json', 'output in JSON format')
    .addHelpText('after', '\nExamples:\n  $ slipway apps\n  $ slipway apps --json\n')
    .action(async (opts: { json?: boolean }) => {
      const c = client();
      if (opts.json) {
        printJson(io, await c.listApps());
        return;
      }
      const [account, list] = await Promise.all([c.account(), c.listApps()]);
      const names = list.map((app) => app.name).sort();
      if (names.length === 0) {
        print(io, 'You have no apps.');
        return;
      }
      print(io, header(`${account.email} Apps`), ...names);
    });
}
