import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { SlipwayClient } from '@slipway/client';
import { runCli } from '../../src/run.js';
import type { Io } from '../../src/io.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const NOW = new Date('2026-01-02T03:05:05Z');

/** Runs one `slipway` command line in-process against `apiUrl`, capturing its output and exit code. */
export async function runSlipway(argv: string[], opts: { apiUrl: string; cwd?: string; now?: Date }): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    cwd: opts.cwd ?? emptyDir(),
    now: () => opts.now ?? NOW,
  };
  const code = await runCli(argv, () => new SlipwayClient({ apiUrl: opts.apiUrl, apiKey: 'test-key' }), io);
  return { code, stdout, stderr };
}

/** A fresh directory that is not inside any git repository. */
export function emptyDir(): string {
  return mkdtempSync(join(tmpdir(), 'slipway-cli-'));
}

/** A fresh git repository with no remotes. */
export function gitRepo(): string {
  const dir = emptyDir();
  git(dir, 'init', '-q');
  return dir;
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } }).trim();
}
