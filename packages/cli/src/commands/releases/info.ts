import { Command } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { SlipwayError } from '@slipway/core';
import { print, printJson, processIo, type Io } from '../../io.js';
import { resolveApp, withAppOptions, type AppOptions } from '../../app-flag.js';
import { header, hex, styledObject, timeAgo } from '../../internal/format.js';
import { currentRelease, parseReleaseRef, statusSuffix } from '../../internal/release-ref.js';

export function releasesInfo(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withAppOptions(new Command('releases:info'))
    .description('show one release (the current one by default)')
    .argument('[version]', 'release version such as v2, or a release id')
    .option('--json', 'output in JSON format')
    .addHelpText(
      'after',
      `
Examples:
  $ slipway releases:info v2 -a demo
  === Release v2
  By:      admin@slipway.local
  Change:  Deploy 3f2a1c9
  Current: true
  Status:  succeeded
  When:    2026/01/02 03:04:05 +0000 (~ 1m ago)
`,
    )
    .action(async (version: string | undefined, opts: AppOptions & { json?: boolean }) => {
      const ref = version === undefined ? undefined : parseReleaseRef(version);
      const app = await resolveApp(opts, io.cwd);
      const c = client();
      const release = ref === undefined ? currentRelease(await c.listReleases(app)) : await c.getRelease(app, ref);
      if (release === undefined) throw new SlipwayError('not_found', `${hex(app)} has no releases yet.`, 'release');
      if (opts.json) {
        printJson(io, release);
        return;
      }
      print(
        io,
        header(`Release v${release.version}`),
        ...styledObject([
          ['By', release.user.email],
          ['Change', `${release.description}${statusSuffix(release)}`],
          ['Current', String(release.current)],
          ['Status', release.status],
          ['When', timeAgo(release.created_at, io.now())],
        ]),
      );
    });
}
