import { Command } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { print, printJson, processIo, type Io } from '../../io.js';
import { resolveApp, withAppOptions, type AppOptions } from '../../app-flag.js';
import { header, hex, table, timeAgo } from '../../internal/format.js';

export function builds(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withAppOptions(new Command('builds'))
    .description("list an app's builds, newest first")
    .option('--json', 'output in JSON format')
    .addHelpText(
      'after',
      `
Examples:
  $ slipway builds -a demo
  === demo Builds
  3f2a1c9e-...  succeeded  v2  admin@slipway.local  2026/01/02 03:04:05 +0000 (~ 1m ago)
`,
    )
    .action(async (opts: AppOptions & { json?: boolean }) => {
      const app = await resolveApp(opts, io.cwd);
      const list = (await client().listBuilds(app)).sort((a, b) => b.created_at.localeCompare(a.created_at));
      if (opts.json) {
        printJson(io, list);
        return;
      }
      if (list.length === 0) {
        print(io, header(`${app} Builds`), `No builds on ${hex(app)} yet.`);
        return;
      }
      const rows = list.map((b) => [b.id, b.status, b.release ? `v${b.release.version}` : '', b.user.email, timeAgo(b.created_at, io.now())]);
      print(io, header(`${app} Builds`), ...table(rows));
    });
}
