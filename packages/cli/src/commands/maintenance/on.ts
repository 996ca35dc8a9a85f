import { Command } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { processIo, type Io } from '../../io.js';
import { resolveApp, withAppOptions, type AppOptions } from '../../app-flag.js';
import { action } from '../../internal/action.js';
import { hex } from '../../internal/format.js';

export function maintenanceOn(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withAppOptions(new Command('maintenance:on'))
    .description('put an app into maintenance mode')
    .addHelpText(
      'after',
      `
While maintenance mode is on, the router answers every request to the app with
503 and an "Offline for maintenance" page (H80) and sends nothing to its dynos.
The dynos keep running; one-off dynos and deploys work as usual.

Examples:
  $ slipway maintenance:on -a demo
  Enabling maintenance mode for ⬢ demo... done
`,
    )
    .action(async (opts: AppOptions) => {
      const app = await resolveApp(opts, io.cwd);
      const c = client();
      await action(io, `Enabling maintenance mode for ${hex(app)}`, () => c.setMaintenance(app, true));
    });
}
