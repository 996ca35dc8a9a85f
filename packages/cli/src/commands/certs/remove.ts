import { Command } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { printJson, processIo, type Io } from '../../io.js';
import { resolveApp, withAppOptions, type AppOptions } from '../../app-flag.js';
import { action } from '../../internal/action.js';
import { hex } from '../../internal/format.js';

export function certsRemove(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withAppOptions(new Command('certs:remove'))
    .description('remove an SSL certificate from an app')
    .argument('<name-or-id>', 'the certificate, by name (sni-1f0c2a9b) or id, as listed by certs')
    .option('--json', 'output in JSON format')
    .addHelpText(
      'after',
      `
The router stops serving the certificate for the app's domains.

Examples:
  $ slipway certs:remove sni-1f0c2a9b -a demo
  Removing SSL certificate sni-1f0c2a9b from ⬢ demo... done
`,
    )
    .action(async (nameOrId: string, opts: AppOptions & { json?: boolean }) => {
      const app = await resolveApp(opts, io.cwd);
      const c = client();
      const endpoint = await action(io, `Removing SSL certificate ${nameOrId} from ${hex(app)}`, () => c.removeSniEndpoint(app, nameOrId));
      if (opts.json) printJson(io, endpoint);
    });
}
