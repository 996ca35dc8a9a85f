import { Command } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { print, printJson, processIo, type Io } from '../../io.js';
import { resolveApp, withAppOptions, type AppOptions } from '../../app-flag.js';
import { header } from '../../internal/format.js';

export function buildpacks(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withAppOptions(new Command('buildpacks'))
    .description("show an app's buildpacks (none set means they are detected)")
    .option('--json', 'output in JSON format')
    .addHelpText('after', `\nExamples:\n  $ slipway buildpacks -a demo\n  === demo Buildpack URL\n  heroku/nodejs\n`)
    .action(async (opts: AppOptions & { json?: boolean }) => {
      const app = await resolveApp(opts, io.cwd);
      const list = await client().listBuildpacks(app);
      if (opts.json) {
        printJson(io, list);
        return;
      }
      if (list.length === 0) {
        print(io, `${app} has no buildpack set: it is detected on each build.`);
        return;
      }
      if (list.length === 1) print(io, header(`${app} Buildpack URL`), list[0]!.buildpack.url);
      else print(io, header(`${app} Buildpack URLs`), ...list.map((b) => `${b.ordinal + 1}. ${b.buildpack.url}`));
    });
}
