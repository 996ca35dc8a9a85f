import { Command } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { SlipwayError, parseConfigPatch, type ConfigVarsPatch } from '@slipway/core';
import { printJson, processIo, type Io } from '../../io.js';
import { resolveApp, withAppOptions, type AppOptions } from '../../app-flag.js';
import { action } from '../../internal/action.js';
import { hex } from '../../internal/format.js';

export function configUnset(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withAppOptions(new Command('config:unset'))
    .description('unset one or more config vars and restart the app')
    .argument('<keys...>', 'names of the config vars to remove')
    .option('--json', 'output in JSON format (the full map of config vars)')
    .addHelpText(
      'after',
      `
Examples:
  $ slipway config:unset RAILS_ENV OLD_TOKEN -a demo
  Unsetting RAILS_ENV, OLD_TOKEN and restarting ⬢ demo... done
`,
    )
    .action(async (keys: string[], opts: AppOptions & { json?: boolean }) => {
      const patch: ConfigVarsPatch = {};
      for (const key of keys) {
        if (Object.hasOwn(patch, key)) throw new SlipwayError('invalid_params', `Config var ${key} is given twice.`);
        patch[key] = null;
      }
      parseConfigPatch(patch);
      const app = await resolveApp(opts, io.cwd);
      const c = client();
      const vars = await action(io, `Unsetting ${keys.join(', ')} and restarting ${hex(app)}`, () => c.updateConfigVars(app, patch));
      if (opts.json) printJson(io, vars);
    });
}
