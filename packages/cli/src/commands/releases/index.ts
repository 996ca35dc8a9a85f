import { Command, InvalidArgumentError } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { print, printJson, processIo, type Io } from '../../io.js';
import { resolveApp, withAppOptions, type AppOptions } from '../../app-flag.js';
import { header, hex, table, timeAgo } from '../../internal/format.js';
import { statusSuffix } from '../../internal/release-ref.js';

export function releases(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withAppOptions(new Command('releases'))
    .description("list an app's releases, newest first")
    .option('-n, --num <n>', 'number of releases to show', parseCount, 15)
    .option('--json', 'output in JSON format')
    .addHelpText(
      'after',
      `
Examples:
  $ slipway releases -a demo
  === demo Releases - Current: v2
  v2  Deploy 3f2a1c9  admin@slipway.local  2026/01/02 03:04:05 +0000 (~ 1m ago)
  v1  Initial release  admin@slipway.local  2026/01/02 03:00:00 +0000 (~ 5m ago)
`,
    )
    .action(async (opts: AppOptions & { num: number; json?: boolean }) => {
      const app = await resolveApp(opts, io.cwd);
      const list = (await client().listReleases(app)).sort((a, b) => b.version - a.version).slice(0, opts.num);
      if (opts.json) {
        printJson(io, list);
        return;
      }
      const current = list.find((r) => r.current);
      const title = header(`${app} Releases${current ? ` - Current: v${current.version}` : ''}`);
      if (list.length === 0) {
        print(io, title, `No releases on ${hex(app)} yet.`);
        return;
      }
      const rows = list.map((r) => [`v${r.version}`, `${r.description}${statusSuffix(r)}`, r.user.email, timeAgo(r.created_at, io.now())]);
      print(io, title, ...table(rows));
    });
}

function parseCount(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('Use a whole number of 1 or more.');
  return Number(value);
}
