import { Command } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { SlipwayError } from '@slipway/core';
import { print, processIo, type Io } from '../../io.js';
import { resolveApp, withAppOptions, type AppOptions } from '../../app-flag.js';
import { action } from '../../internal/action.js';
import { hex } from '../../internal/format.js';
import { remotes, removeRemote } from '../../internal/git.js';

export function appsDestroy(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withAppOptions(new Command('apps:destroy'))
    .description('permanently destroy an app')
    .option('--confirm <app>', 'the app name again, to confirm')
    .addHelpText(
      'after',
      `
Destroys the app, its releases, config vars and dynos. There is no prompt: the
command refuses to run unless --confirm repeats the app's name. Git remotes of
the current repository that point at the app are removed.

Examples:
  $ slipway apps:destroy -a demo --confirm demo
`,
    )
    .action(async (opts: AppOptions & { confirm?: string }) => {
      const app = await resolveApp(opts, io.cwd);
      if (opts.confirm === undefined) {
        throw new SlipwayError(
          'invalid_params',
          `WARNING: This will delete ${hex(app)} including all add-ons.\nTo proceed, re-run this command with --confirm ${app}`,
        );
      }
      if (opts.confirm !== app) {
        throw new SlipwayError('invalid_params', `Confirmation ${opts.confirm} did not match ${app}. Aborted.`);
      }
      const c = client();
      const info = await c.getApp(app);
      await action(io, `Destroying ${hex(app)} (including all add-ons)`, () => c.destroyApp(app));
      for (const [name, url] of await remotes(io.cwd)) {
        if (url !== info.git_url) continue;
        await removeRemote(io.cwd, name);
        print(io, `Git remote ${name} removed`);
      }
    });
}
