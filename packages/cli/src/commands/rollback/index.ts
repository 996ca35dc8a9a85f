import { Command } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { SlipwayError } from '@slipway/core';
import { print, printJson, processIo, type Io } from '../../io.js';
import { resolveApp, withAppOptions, type AppOptions } from '../../app-flag.js';
import { action } from '../../internal/action.js';
import { hex } from '../../internal/format.js';
import { currentRelease, matchesRef, parseReleaseRef } from '../../internal/release-ref.js';

export function rollback(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withAppOptions(new Command('rollback'))
    .description('roll back to an earlier release')
    .argument('[version]', 'release to roll back to, such as v1 (default: the last good release before the current one)')
    .option('--json', 'output in JSON format')
    .addHelpText(
      'after',
      `
Creates a new release with the code and config vars of the given one.

Examples:
  $ slipway rollback -a demo
  Rolling back ⬢ demo to v1... done, v3
  To undo, run: slipway rollback v2 -a demo
  $ slipway rollback v4
`,
    )
    .action(async (version: string | undefined, opts: AppOptions & { json?: boolean }) => {
      const ref = version === undefined ? undefined : parseReleaseRef(version);
      const app = await resolveApp(opts, io.cwd);
      const c = client();
      const list = await c.listReleases(app);
      const current = currentRelease(list);
      const target =
        ref === undefined
          ? list
              .filter((r) => r.status === 'succeeded' && current !== undefined && r.version < current.version)
              .sort((a, b) => b.version - a.version)[0]
          : list.find((r) => matchesRef(r, ref));
      if (target === undefined) {
        throw new SlipwayError(
          'not_found',
          ref === undefined ? `No earlier release of ${hex(app)} to roll back to.` : `No release ${version} on ${hex(app)}.`,
          'release',
        );
      }
      const created = await action(io, `Rolling back ${hex(app)} to v${target.version}`, () => c.rollback(app, target.id), (r) => `done, v${r.version}`);
      if (opts.json) printJson(io, created);
      else if (current !== undefined) print(io, `To undo, run: slipway rollback v${current.version} -a ${app}`);
    });
}
