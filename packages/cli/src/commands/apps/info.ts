import { Command } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { print, printJson, processIo, type Io } from '../../io.js';
import { resolveApp, withAppOptions, type AppOptions } from '../../app-flag.js';
import { header, styledObject } from '../../internal/format.js';

export function appsInfo(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withAppOptions(new Command('apps:info'))
    .description('show detailed app information')
    .option('--json', 'output in JSON format')
    .addHelpText('after', '\nExamples:\n  $ slipway apps:info -a demo\n  $ slipway apps:info --json\n')
    .action(async (opts: AppOptions & { json?: boolean }) => {
      const app = await resolveApp(opts, io.cwd);
      const c = client();
      if (opts.json) {
        printJson(io, await c.getApp(app));
        return;
      }
      const [info, dynos] = await Promise.all([c.getApp(app), c.listDynos(app)]);
      const counts = new Map<string, number>();
      for (const dyno of dynos) counts.set(dyno.type, (counts.get(dyno.type) ?? 0) + 1);
      const dynoSummary = [...counts].map(([type, n]) => `${type}: ${n}`).join(', ');
      print(
        io,
        header(info.name),
        ...styledObject([
          ['Dynos', dynoSummary],
          ['Git URL', info.git_url],
          ['Maintenance', info.maintenance ? 'on' : 'off'],
          ['Owner', info.owner.email],
          ['Region', info.region.name],
          ['Stack', info.stack.name],
          ['Web URL', info.web_url],
        ]),
      );
    });
}
