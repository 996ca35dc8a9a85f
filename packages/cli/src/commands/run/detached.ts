import { Command } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { print, printJson, processIo, type Io } from '../../io.js';
import { action } from '../../internal/action.js';
import { hex } from '../../internal/format.js';
import { readRunArgs, withRunOptions, type RunOptions } from './index.js';

export function runDetached(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withRunOptions(new Command('run:detached'))
    .description("run a one-off process in the background; its output goes to the app's logs")
    .option('--json', 'output in JSON format (the dyno)')
    .addHelpText(
      'after',
      `
The dyno is stopped when its time to live (an hour) runs out, and removed once it exits.

Examples:
  $ slipway run:detached -a demo -- node scripts/backfill.js --all
  Running \`node scripts/backfill.js --all\` on ⬢ demo... up, run.2
  Use 'slipway logs -a demo --dyno run.2' to view the output.
`,
    )
    .action(async (args: string[], opts: RunOptions & { json?: boolean }) => {
      const { app, command, env, size } = await readRunArgs(args, opts, io);
      const c = client();
      const dyno = await action(io, `Running \`${command}\` on ${hex(app)}`, () => c.runDyno(app, { command, attach: false, env, size }), (d) => `up, ${d.name}`);
      if (opts.json) printJson(io, dyno);
      else print(io, `Use 'slipway logs -a ${app} --dyno ${dyno.name}' to view the output.`);
    });
}
