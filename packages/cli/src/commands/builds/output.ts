import { Command } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { SlipwayError } from '@slipway/core';
import { processIo, type Io } from '../../io.js';
import { resolveApp, withAppOptions, type AppOptions } from '../../app-flag.js';

export function buildsOutput(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withAppOptions(new Command('builds:output'))
    .description("show a build's output (the latest by default); follows it while the build runs")
    .argument('[id]', 'build id')
    .addHelpText(
      'after',
      `
Examples:
  $ slipway builds:output -a demo
  -----> Building on the bookworm stack
  -----> Node.js app detected
  ...
`,
    )
    .action(async (id: string | undefined, opts: AppOptions) => {
      const app = await resolveApp(opts, io.cwd);
      const c = client();
      const build = id
        ? await c.getBuild(app, id)
        : (await c.listBuilds(app)).sort((a, b) => b.created_at.localeCompare(a.created_at))[0];
      if (!build) throw new SlipwayError('not_found', `${app} has no builds yet.`, 'build');
      for await (const chunk of c.streamBuildOutput(build.output_stream_url)) io.stdout(chunk);
    });
}
