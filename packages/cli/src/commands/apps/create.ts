import { Command } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { parseAppName, type HerokuApp } from '@slipway/core';
import { print, printJson, processIo, warn, type Io } from '../../io.js';
import { DEFAULT_REMOTE } from '../../app-flag.js';
import { hex } from '../../internal/format.js';
import { addRemote, isInsideWorkTree, remoteUrl } from '../../internal/git.js';

export function appsCreate(client: () => SlipwayClient, io: Io = processIo()): Command {
  return new Command('apps:create')
    .description('create a new app')
    .argument('[name]', 'name of the app (generated when left out)')
    .option('-r, --remote <remote>', 'name of the git remote to add', DEFAULT_REMOTE)
    .option('--no-remote', 'do not add a git remote')
    .option('--json', 'output in JSON format')
    .addHelpText(
      'after',
      `
Run inside a git repository, it adds a git remote named ${DEFAULT_REMOTE} (or --remote) pointing at the
new app, unless that remote already exists.

Examples:
  $ slipway apps:create demo
  Creating ⬢ demo... done
  http://demo.localhost:8080/ | http://127.0.0.1:5000/demo.git
  Git remote slipway added
  $ slipway apps:create            # the server picks a name such as sharp-river-1234
`,
    )
    .action(async (name: string | undefined, opts: { remote: string | false; json?: boolean }) => {
      const wanted = name === undefined ? undefined : parseAppName(name);
      const c = client();
      const app = await createWithProgress(c, io, wanted);
      if (opts.json) printJson(io, app);
      else print(io, `${app.web_url} | ${app.git_url}`);
      if (opts.remote !== false) await addGitRemote(io, opts.remote, app, opts.json === true);
    });
}

async function createWithProgress(c: SlipwayClient, io: Io, name: string | undefined): Promise<HerokuApp> {
  io.stderr(name === undefined ? 'Creating app... ' : `Creating ${hex(name)}... `);
  try {
    const app = await c.createApp(name);
    io.stderr(name === undefined ? `done, ${hex(app.name)}\n` : 'done\n');
    return app;
  } catch (err) {
    io.stderr('!\n');
    throw err;
  }
}

async function addGitRemote(io: Io, remote: string, app: HerokuApp, json: boolean): Promise<void> {
  if (!(await isInsideWorkTree(io.cwd))) return;
  const existing = await remoteUrl(io.cwd, remote);
  if (existing !== null) {
    if (existing !== app.git_url) warn(io, `Git remote ${remote} already points at ${existing}; left it as it is.`);
    return;
  }
  await addRemote(io.cwd, remote, app.git_url);
  const line = `Git remote ${remote} added\n`;
  if (json) io.stderr(line);
  else io.stdout(line);
}
