import { Option, type Command } from 'commander';
import { SlipwayError, isAppName, parseAppName, type AppName } from '@slipway/core';
import { remoteUrl } from './internal/git.js';

export interface AppOptions {
  app?: string;
  remote?: string;
}

export const DEFAULT_REMOTE = 'slipway';
const REMOTE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export const NO_APP_MESSAGE =
  "No app specified. Use -a APP or run this command from an app's git directory with a slipway remote.";

/** Adds `-a, --app <app>` and `-r, --remote <remote>` to a command that acts on an existing app. */
export function withAppOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('-a, --app <app>', 'app to run the command against'))
    .addOption(new Option('-r, --remote <remote>', `git remote of the app to use (default: ${DEFAULT_REMOTE})`));
}

/**
 * The app a command acts on: `--app`, else the app named by the `slipway` git
 * remote (or `--remote`) of the repository at `cwd`. Checked with parseAppName
 * before anything is sent.
 */
export async function resolveApp(opts: AppOptions, cwd: string): Promise<AppName> {
  if (opts.app !== undefined) return parseAppName(opts.app);
  const remote = opts.remote ?? DEFAULT_REMOTE;
  if (!REMOTE_NAME.test(remote)) {
    throw new SlipwayError('invalid_params', `Invalid git remote name ${JSON.stringify(remote)}.`);
  }
  const url = await remoteUrl(cwd, remote);
  if (url === null) {
    if (opts.remote === undefined) throw new SlipwayError('invalid_params', NO_APP_MESSAGE);
    throw new SlipwayError('invalid_params', `No git remote named ${remote} in ${cwd}. Use -a APP, or add the remote.`);
  }
  const app = appFromGitUrl(url);
  if (app === null) {
    throw new SlipwayError('invalid_params', `The git remote ${remote} (${url}) does not end in an app name. Use -a APP.`);
  }
  return app;
}

/**
 * `http://127.0.0.1:5000/demo.git`, `ssh://git@host/demo.git` and `git@host:demo`
 * all name `demo`: the last path segment without `.git`.
 */
export function appFromGitUrl(url: string): AppName | null {
  const path = gitUrlPath(url.trim()).replace(/\/+$/, '');
  const name = (path.split('/').pop() ?? '').replace(/\.git$/, '');
  return isAppName(name) ? name : null;
}

/** The path part of a git URL: `scheme://host/path`, scp-like `user@host:path`, or a local path. */
function gitUrlPath(url: string): string {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(url)) {
    try {
      return new URL(url).pathname;
    } catch {
      return '';
    }
  }
  const scp = /^[^/]*?:(.*)$/.exec(url);
  return scp ? (scp[1] as string) : url;
}
