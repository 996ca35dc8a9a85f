import { Command } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { print, processIo, type Io } from '../../io.js';
import { resolveApp, withAppOptions, type AppOptions } from '../../app-flag.js';

export function buildpacksSet(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withAppOptions(new Command('buildpacks:set'))
    .description('set the buildpacks of an app, in order (a built-in name, an absolute path or a git URL)')
    .argument('<buildpack...>', 'buildpacks, run in the order given')
    .addHelpText('after', `\nExamples:\n  $ slipway buildpacks:set heroku/nodejs -a demo\n  $ slipway buildpacks:set https://example.com/my-buildpack.git#v2 -a demo\n`)
    .action(async (list: string[], opts: AppOptions) => {
      const app = await resolveApp(opts, io.cwd);
      const set = await client().setBuildpacks(app, list);
      print(io, `Buildpack${set.length > 1 ? 's' : ''} set. Next release on ${app} will use ${set.map((b) => b.buildpack.url).join(', ')}.`);
    });
}
