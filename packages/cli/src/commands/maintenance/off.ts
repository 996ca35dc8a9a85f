import { Command } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { processIo, type Io } from '../../io.js';
import { resolveApp, withAppOptions, type AppOptions } from '../../app-flag.js';
import { action } from '../../internal/action.js';
import { hex } from '../../internal/format.js';

export function maintenanceOff(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withAppOptions(new Command('maintenance:off'))
    .description('take an app out of maintenance mode')
    .addHelpText(
      'after',
      `
The router sends requests to the app's web dynos again.

Examples:
  $ slipway maintenance:off -a demo
  Disabling maintenance mode for ⬢ demo... done
`,
    )
    .action(async (opts: AppOptions) => {
      const app = await resolveApp(opts, io.cwd);
      const c = client();
      await action(io, `Disabling maintenance mode for ${hex(app)}`, () => c.setMaintenance(app, false));
    });
}
