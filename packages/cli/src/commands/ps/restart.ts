import { Command } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { PROCESS_TYPE_PATTERN, SlipwayError, parseDynoName } from '@slipway/core';
import { processIo, type Io } from '../../io.js';
import { resolveApp, withAppOptions, type AppOptions } from '../../app-flag.js';
import { action } from '../../internal/action.js';
import { hex } from '../../internal/format.js';

export function psRestart(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withAppOptions(new Command('ps:restart'))
    .description('restart all dynos, the dynos of one process type, or one dyno')
    .argument('[target]', 'a process type (web) or a dyno name (web.1); all dynos when left out')
    .addHelpText(
      'after',
      `
Examples:
  $ slipway ps:restart -a demo
  Restarting dynos on ⬢ demo... done
  $ slipway ps:restart web
  $ slipway ps:restart web.1
`,
    )
    .action(async (target: string | undefined, opts: AppOptions) => {
      const isDyno = target !== undefined && parseDynoName(target) !== null;
      if (target !== undefined && !isDyno && !PROCESS_TYPE_PATTERN.test(target)) {
        throw new SlipwayError('invalid_params', `Invalid dyno or process type ${JSON.stringify(target)}; use a type such as web or a dyno such as web.1.`);
      }
      const app = await resolveApp(opts, io.cwd);
      const what = target === undefined ? 'dynos' : isDyno ? `${target} dyno` : `${target} dynos`;
      const c = client();
      await action(io, `Restarting ${what} on ${hex(app)}`, () => c.restartDynos(app, target));
    });
}
