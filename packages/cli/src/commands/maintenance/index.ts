import { Command } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { print, processIo, type Io } from '../../io.js';
import { resolveApp, withAppOptions, type AppOptions } from '../../app-flag.js';

export function maintenance(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withAppOptions(new Command('maintenance'))
    .description("show whether an app's maintenance mode is on or off")
    .addHelpText('after', '\nExamples:\n  $ slipway maintenance -a demo\n  off\n')
    .action(async (opts: AppOptions) => {
      const app = await resolveApp(opts, io.cwd);
      print(io, (await client().getApp(app)).maintenance ? 'on' : 'off');
    });
}
