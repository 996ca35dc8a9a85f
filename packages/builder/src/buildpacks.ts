import { isAbsolute } from 'node:path';
import { SlipwayError } from '@slipway/core';

/** Heroku's names for the built-in buildpacks, so `heroku/nodejs` works as it does there. */
const ALIASES: Record<string, string> = {
  'heroku/nodejs': 'nodejs',
  'heroku/python': 'python',
  'heroku/go': 'go',
  'heroku/static': 'static',
  'heroku-community/static': 'static',
  'heroku/procfile': 'procfile',
};

export type BuildpackRef =
  | { kind: 'builtin'; name: string }
  | { kind: 'path'; path: string }
  | { kind: 'url'; url: string };

/** Reads one buildpack reference: a built-in name, an absolute local path, or a git URL (`#ref` allowed). */
export function parseBuildpackRef(input: string, builtins: readonly string[]): BuildpackRef {
  const value = input.trim();
  const name = ALIASES[value] ?? value;
  if (builtins.includes(name)) return { kind: 'builtin', name };
  if (isAbsolute(value) && !value.includes('..')) return { kind: 'path', path: value };
  if (/^(https?|git|ssh):\/\/[^\s'"`$;|&<>]+$/.test(value) || /^git@[\w.-]+:[\w./-]+$/.test(value)) return { kind: 'url', url: value };
  throw new SlipwayError('invalid_params', `Buildpack ${JSON.stringify(value)} is not a built-in (${builtins.join(', ')}), an absolute path or a git URL.`);
}

/** `.buildpacks`: one per line, `#` comments and blank lines skipped. */
export function parseBuildpacksFile(text: string, builtins: readonly string[]): BuildpackRef[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => parseBuildpackRef(l, builtins));
}

/**
 * Which buildpacks to run, Heroku's precedence: the app's buildpack setting
 * (API or BUILDPACK_URL), then `.buildpacks` in the source, then detection
 * over every built-in (empty list).
 */
export function chooseBuildpacks(opts: { installed: string[]; buildpackUrl?: string; dotBuildpacks: string | null; builtins: readonly string[] }): BuildpackRef[] {
  if (opts.installed.length) return opts.installed.map((b) => parseBuildpackRef(b, opts.builtins));
  if (opts.buildpackUrl) return [parseBuildpackRef(opts.buildpackUrl, opts.builtins)];
  if (opts.dotBuildpacks !== null) return parseBuildpacksFile(opts.dotBuildpacks, opts.builtins);
  return [];
}
