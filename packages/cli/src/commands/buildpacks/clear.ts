import { Command } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { print, processIo, type Io } from '../../io.js';
import { resolveApp, withAppOptions, type AppOptions } from '../../app-flag.js';

export function buildpacksClear(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withAppOptions(new Command('buildpacks:clear'))
    .description("clear an app's buildpacks, so the next build detects them again")
    .addHelpText('after', `\nExamples:\n  $ slipway buildpacks:clear -a demo\n`)
    .action(async (opts: AppOptions) => {
      const app = await resolveApp(opts, io.cwd);
      await client().setBuildpacks(app, []);
      print(io, `Buildpacks cleared. Next release on ${app} will detect its buildpack.`);
    });
}
