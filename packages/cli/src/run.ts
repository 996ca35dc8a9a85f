import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { formatBang, type Io } from './io.js';
import { apps } from './commands/apps/index.js';
import { appsCreate } from './commands/apps/create.js';
import { appsInfo } from './commands/apps/info.js';
import { appsDestroy } from './commands/apps/destroy.js';
import { ps } from './commands/ps/index.js';
import { psScale } from './commands/ps/scale.js';
import { psRestart } from './commands/ps/restart.js';
import { psStop } from './commands/ps/stop.js';
import { releases } from './commands/releases/index.js';
import { releasesInfo } from './commands/releases/info.js';
import { rollback } from './commands/rollback/index.js';
import { run } from './commands/run/index.js';
import { runDetached } from './commands/run/detached.js';
import { config } from './commands/config/index.js';
import { configGet } from './commands/config/get.js';
import { configSet } from './commands/config/set.js';
import { configUnset } from './commands/config/unset.js';
import { builds } from './commands/builds/index.js';
import { buildsOutput } from './commands/builds/output.js';
import { buildpacks } from './commands/buildpacks/index.js';
import { buildpacksSet } from './commands/buildpacks/set.js';
import { buildpacksClear } from './commands/buildpacks/clear.js';
import { logs } from './commands/logs/index.js';
import { certs } from './commands/certs/index.js';
import { certsAdd } from './commands/certs/add.js';
import { certsRemove } from './commands/certs/remove.js';
import { domains } from './commands/domains/index.js';
import { domainsAdd } from './commands/domains/add.js';
import { domainsRemove } from './commands/domains/remove.js';
import { maintenance } from './commands/maintenance/index.js';
import { maintenanceOn } from './commands/maintenance/on.js';
import { maintenanceOff } from './commands/maintenance/off.js';

/** Every command, in the order `slipway --help` lists them. */
export const COMMANDS = [
  apps, appsCreate, appsInfo, appsDestroy,
  builds, buildsOutput, buildpacks, buildpacksSet, buildpacksClear,
  certs, certsAdd, certsRemove,
  config, configGet, configSet, configUnset,
  domains, domainsAdd, domainsRemove,
  logs,
  maintenance, maintenanceOn, maintenanceOff,
  ps, psScale, psRestart, psStop,
  releases, releasesInfo, rollback,
  run, runDetached,
] as const;

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * The whole `slipway` program. The client is a thunk, so `--help` and argument
 * errors never need an API key. Commander exits nothing itself: its errors and
 * help come back to `runCli` as CommanderErrors.
 */
export function createProgram(client: () => SlipwayClient, io: Io): Command {
  const program = new Command('slipway')
    .description('Slipway: git push to deploy, Heroku style.')
    .version(VERSION, '-v, --version', 'print the version');
  for (const make of COMMANDS) program.addCommand(make(client, io));
  forEachCommand(program, (cmd) =>
    cmd.exitOverride().configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      outputError: (s, write) => write(formatBang(s.replace(/^error: /, '').trimEnd())),
    }),
  );
  return program;
}

/** Runs one command line and answers the exit code: 0 on success, 1 (or Commander's code) on failure. */
export async function runCli(argv: readonly string[], client: () => SlipwayClient, io: Io): Promise<number> {
  const program = createProgram(client, io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    io.stderr(formatBang(err instanceof Error ? err.message : String(err)));
    if (process.env.SLIPWAY_DEBUG && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
    return 1;
  }
}

function forEachCommand(cmd: Command, fn: (cmd: Command) => void): void {
  fn(cmd);
  for (const sub of cmd.commands) forEachCommand(sub, fn);
}
