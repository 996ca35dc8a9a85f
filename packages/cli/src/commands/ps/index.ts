import { Command } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { parseDynoName, type HerokuDyno } from '@slipway/core';
import { print, printJson, processIo, type Io } from '../../io.js';
import { resolveApp, withAppOptions, type AppOptions } from '../../app-flag.js';
import { header, hex, timeAgo } from '../../internal/format.js';

export function ps(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withAppOptions(new Command('ps'))
    .description("list an app's dynos")
    .argument('[type...]', 'only show these process types')
    .option('--json', 'output in JSON format')
    .addHelpText(
      'after',
      `
Examples:
  $ slipway ps -a demo
  === web (standard-1x): node server.js (2)
  web.1: up 2026/01/02 03:04:05 +0000 (~ 1m ago)
  web.2: up 2026/01/02 03:04:07 +0000 (~ 1m ago)

  === run: one-off processes (1)
  run.1 (standard-1x): up 2026/01/02 03:05:01 +0000 (~ 4s ago): bash

  $ slipway ps worker --json
`,
    )
    .action(async (types: string[], opts: AppOptions & { json?: boolean }) => {
      const app = await resolveApp(opts, io.cwd);
      const wanted = new Set(types.map((t) => t.toLowerCase()));
      const dynos = sortDynos((await client().listDynos(app)).filter((d) => wanted.size === 0 || wanted.has(d.type)));
      if (opts.json) {
        printJson(io, dynos);
        return;
      }
      if (dynos.length === 0) {
        print(io, wanted.size === 0 ? `No dynos on ${hex(app)}` : `No ${[...wanted].join(', ')} dynos on ${hex(app)}`);
        return;
      }
      const groups = new Map<string, HerokuDyno[]>();
      for (const dyno of dynos) {
        // One-off dynos differ in command and size, so they share one group, as in Heroku's ps.
        const key = dyno.type === 'run' ? 'run: one-off processes' : `${dyno.type} (${dyno.size}): ${dyno.command}`;
        groups.set(key, [...(groups.get(key) ?? []), dyno]);
      }
      const blocks = [...groups].map(([key, group]) => [
        header(`${key} (${group.length})`),
        ...group.map((d) =>
          d.type === 'run'
            ? `${d.name} (${d.size}): ${d.state} ${timeAgo(d.updated_at, io.now())}: ${d.command}`
            : `${d.name}: ${d.state} ${timeAgo(d.updated_at, io.now())}`,
        ),
      ]);
      print(io, ...blocks.flatMap((lines, i) => (i === 0 ? lines : ['', ...lines])));
    });
}

/** By type, then by dyno number (web.2 before web.10). */
export function sortDynos(dynos: readonly HerokuDyno[]): HerokuDyno[] {
  const index = (d: HerokuDyno) => parseDynoName(d.name)?.index ?? Number.MAX_SAFE_INTEGER;
  return [...dynos].sort((a, b) => a.type.localeCompare(b.type) || index(a) - index(b) || a.name.localeCompare(b.name));
}
