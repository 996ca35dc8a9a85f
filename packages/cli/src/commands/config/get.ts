import { Command } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { CONFIG_KEY_PATTERN, SlipwayError } from '@slipway/core';
import { print, processIo, type Io } from '../../io.js';
import { resolveApp, withAppOptions, type AppOptions } from '../../app-flag.js';
import { hex } from '../../internal/format.js';
import { shellQuote } from './index.js';

export function configGet(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withAppOptions(new Command('config:get'))
    .description('print the value of one config var')
    .argument('<key>', 'name of the config var')
    .option('-s, --shell', 'output as KEY=value')
    .addHelpText(
      'after',
      `
Prints the value alone, so it can be used in scripts. Exits 1 when the var is not set.

Examples:
  $ slipway config:get DATABASE_URL -a demo
  postgres://db/demo
`,
    )
    .action(async (key: string, opts: AppOptions & { shell?: boolean }) => {
      if (!CONFIG_KEY_PATTERN.test(key)) {
        throw new SlipwayError('invalid_params', `Config var name ${JSON.stringify(key)} is invalid: use letters, digits and "_", not starting with a digit.`);
      }
      const app = await resolveApp(opts, io.cwd);
      const vars = await client().getConfigVars(app);
      const value = Object.hasOwn(vars, key) ? vars[key] : undefined;
      if (value === undefined) throw new SlipwayError('not_found', `Config var ${key} is not set on ${hex(app)}.`, 'config_var');
      print(io, opts.shell ? `${key}=${shellQuote(value)}` : value);
    });
}
