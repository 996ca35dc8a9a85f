import { Command } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { SlipwayError, parseConfigPatch, type ConfigVarsPatch } from '@slipway/core';
import { print, printJson, processIo, type Io } from '../../io.js';
import { resolveApp, withAppOptions, type AppOptions } from '../../app-flag.js';
import { action } from '../../internal/action.js';
import { hex, styledObject } from '../../internal/format.js';

export function configSet(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withAppOptions(new Command('config:set'))
    .description('set one or more config vars and restart the app')
    .argument('<vars...>', 'KEY=value pairs')
    .option('--json', 'output in JSON format (the full map of config vars)')
    .addHelpText(
      'after',
      `
Everything after the first "=" is the value, so values may contain "=". An empty
value (KEY=) sets the var to the empty string; use config:unset to remove it.

Examples:
  $ slipway config:set LANG=en_US.UTF-8 RAILS_ENV=production -a demo
  Setting LANG, RAILS_ENV and restarting ⬢ demo... done
  LANG:      en_US.UTF-8
  RAILS_ENV: production
`,
    )
    .action(async (args: string[], opts: AppOptions & { json?: boolean }) => {
      const patch = parseConfigAssignments(args);
      const app = await resolveApp(opts, io.cwd);
      const c = client();
      const keys = Object.keys(patch);
      const vars = await action(io, `Setting ${keys.join(', ')} and restarting ${hex(app)}`, () => c.updateConfigVars(app, patch));
      if (opts.json) printJson(io, vars);
      else print(io, ...styledObject(keys.map((k) => [k, vars[k] ?? patch[k] ?? ''])));
    });
}

/** `KEY=value` arguments to a patch. A missing `=` or a key given twice is refused, never dropped. */
export function parseConfigAssignments(args: readonly string[]): ConfigVarsPatch {
  const patch: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq === -1) {
      throw new SlipwayError('invalid_params', `${JSON.stringify(arg)} is not KEY=value. To unset a var, use config:unset ${arg}.`);
    }
    const key = arg.slice(0, eq);
    if (Object.hasOwn(patch, key)) throw new SlipwayError('invalid_params', `Config var ${key} is given twice.`);
    patch[key] = arg.slice(eq + 1);
  }
  return parseConfigPatch(patch);
}
