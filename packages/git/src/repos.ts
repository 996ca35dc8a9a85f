import { mkdir, rm, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { AppName } from '@slipway/core';

/** The bare repository of an app. The name is an AppName, so it cannot escape `reposDir`. */
export function repoPath(reposDir: string, app: AppName): string {
  return join(reposDir, `${app}.git`);
}

const HOOK_SCRIPT = fileURLToPath(new URL('./hook/pre-receive.js', import.meta.url));

/**
 * Creates the bare repository if it is missing and (re)writes its pre-receive
 * hook, so a daemon upgrade updates the hook too. Only ever called for apps
 * that exist in the store: pushes never create repositories.
 */
export async function ensureRepo(reposDir: string, app: AppName): Promise<string> {
  const dir = repoPath(reposDir, app);
  try {
    await access(join(dir, 'HEAD'));
  } catch {
    await mkdir(dir, { recursive: true });
    await execa('git', ['init', '--bare', '--quiet', '--initial-branch=main', dir]);
    await execa('git', ['-C', dir, 'config', 'http.receivepack', 'true']);
    await execa('git', ['-C', dir, 'config', 'receive.denyDeletes', 'false']);
    await execa('git', ['-C', dir, 'config', 'receive.denyNonFastForwards', 'false']);
  }
  const hook = `#!/bin/sh\n# Written by Slipway: builds and deploys the pushed commit; a failed build rejects the push.\nexec ${shellQuote(process.execPath)} ${shellQuote(HOOK_SCRIPT)}\n`;
  await writeFile(join(dir, 'hooks', 'pre-receive'), hook, { mode: 0o755 });
  return dir;
}

export async function removeRepo(reposDir: string, app: AppName): Promise<void> {
  await rm(repoPath(reposDir, app), { recursive: true, force: true });
}

// Paths are ours (the node binary and our own install dir), never user input.
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
