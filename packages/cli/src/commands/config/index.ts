import { Command } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import type { ConfigVars } from '@slipway/core';
import { print, printJson, processIo, type Io } from '../../io.js';
import { resolveApp, withAppOptions, type AppOptions } from '../../app-flag.js';
import { header, styledObject } from '../../internal/format.js';

export function config(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withAppOptions(new Command('config'))
    .description("show an app's config vars")
    .option('-s, --shell', 'output as KEY=value lines for a shell or .env file')
    .option('--json', 'output in JSON format')
    .addHelpText(
      'after',
      `
Examples:
  $ slipway config -a demo
  === demo Config Vars
  DATABASE_URL: postgres://db/demo
  LANG:         en_US.UTF-8
  $ slipway config --shell > .env
`,
    )
    .action(async (opts: AppOptions & { shell?: boolean; json?: boolean }) => {
      const app = await resolveApp(opts, io.cwd);
      const vars = await client().getConfigVars(app);
      if (opts.json) printJson(io, vars);
      else if (opts.shell) print(io, ...sortedEntries(vars).map(([k, v]) => `${k}=${shellQuote(v)}`));
      else if (Object.keys(vars).length === 0) print(io, `${app} has no config vars.`);
      else print(io, header(`${app} Config Vars`), ...styledObject(sortedEntries(vars)));
    });
}

export function sortedEntries(vars: ConfigVars): [string, string][] {
  return Object.entries(vars).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Leaves simple values bare and single-quotes the rest. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]*$/.test(value) && value !== '' ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
