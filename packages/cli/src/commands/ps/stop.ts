import { Command } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { PROCESS_TYPE_PATTERN, SlipwayError, parseDynoName } from '@slipway/core';
import { processIo, type Io } from '../../io.js';
import { resolveApp, withAppOptions, type AppOptions } from '../../app-flag.js';
import { action } from '../../internal/action.js';
import { hex } from '../../internal/format.js';

export function psStop(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withAppOptions(new Command('ps:stop'))
    .description('stop one dyno')
    .argument('<dyno>', 'the dyno to stop, such as web.1')
    .addHelpText(
      'after',
      `
The dyno is started again if the formation still asks for it; to run fewer
dynos, use ps:scale.

Examples:
  $ slipway ps:stop web.1 -a demo
  Stopping web.1 dyno on ⬢ demo... done
`,
    )
    .action(async (dyno: string, opts: AppOptions) => {
      if (parseDynoName(dyno) === null) {
        const hint = PROCESS_TYPE_PATTERN.test(dyno) ? ` To stop every ${dyno} dyno, run ps:scale ${dyno}=0.` : '';
        throw new SlipwayError('invalid_params', `Invalid dyno ${JSON.stringify(dyno)}; give a dyno name such as web.1.${hint}`);
      }
      const app = await resolveApp(opts, io.cwd);
      const c = client();
      await action(io, `Stopping ${dyno} dyno on ${hex(app)}`, () => c.stopDyno(app, dyno));
    });
}
