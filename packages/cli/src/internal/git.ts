import { execFile } from 'node:child_process';

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs git with an argument array (never a shell string); a non-zero exit is returned, not thrown. */
export function git(cwd: string, args: readonly string[]): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile('git', [...args], { cwd, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err && typeof (err as NodeJS.ErrnoException).code === 'string') {
        // git itself could not run (ENOENT: not installed, or cwd is gone).
        resolve({ code: 127, stdout: '', stderr: err.message });
        return;
      }
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

export async function isInsideWorkTree(cwd: string): Promise<boolean> {
  const result = await git(cwd, ['rev-parse', '--is-inside-work-tree']);
  return result.code === 0 && result.stdout.trim() === 'true';
}

/** The URL of a remote, or null when there is no such remote or no repository. */
export async function remoteUrl(cwd: string, remote: string): Promise<string | null> {
  const result = await git(cwd, ['config', '--get', `remote.${remote}.url`]);
  const url = result.stdout.trim();
  return result.code === 0 && url !== '' ? url : null;
}

/** Every remote as [name, url]. */
export async function remotes(cwd: string): Promise<[string, string][]> {
  const result = await git(cwd, ['config', '--get-regexp', '^remote\\..*\\.url$']);
  if (result.code !== 0) return [];
  return result.stdout
    .split('\n')
    .map((line) => /^remote\.(.+)\.url (.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1] as string, m[2] as string]);
}

export async function addRemote(cwd: string, name: string, url: string): Promise<void> {
  const result = await git(cwd, ['remote', 'add', name, url]);
  if (result.code !== 0) throw new Error(`git remote add ${name} failed: ${result.stderr.trim()}`);
}

export async function removeRemote(cwd: string, name: string): Promise<void> {
  const result = await git(cwd, ['remote', 'remove', name]);
  if (result.code !== 0) throw new Error(`git remote remove ${name} failed: ${result.stderr.trim()}`);
}
