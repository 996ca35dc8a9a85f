import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SlipwayError } from '@slipway/core';

export interface CliConfig {
  apiUrl: string;
  apiKey: string;
}

type Env = Record<string, string | undefined>;

/**
 * The API URL comes from `SLIPWAY_API_URL`, else `http://127.0.0.1:$SLIPWAY_API_PORT`
 * (5000). The key comes from `SLIPWAY_API_KEY`, else `$SLIPWAY_HOME/api-key`
 * (`~/.slipway/api-key`).
 */
export function readCliConfig(env: Env = process.env, home: string = homedir()): CliConfig {
  return { apiUrl: apiUrlFrom(env), apiKey: apiKeyFrom(env, home) };
}

export function apiUrlFrom(env: Env): string {
  if (env.SLIPWAY_API_URL) return env.SLIPWAY_API_URL;
  const port = env.SLIPWAY_API_PORT ?? '5000';
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw new SlipwayError('bad_request', `SLIPWAY_API_PORT=${JSON.stringify(port)} is not a port number.`);
  }
  return `http://127.0.0.1:${port}`;
}

export function apiKeyPath(env: Env, home: string = homedir()): string {
  return join(env.SLIPWAY_HOME || join(home, '.slipway'), 'api-key');
}

export function apiKeyFrom(env: Env, home: string = homedir()): string {
  if (env.SLIPWAY_API_KEY) return env.SLIPWAY_API_KEY;
  const path = apiKeyPath(env, home);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new SlipwayError('unauthorized', `No Slipway API key: set SLIPWAY_API_KEY, or put the key in ${path}.`);
    }
    throw new SlipwayError('unauthorized', `Could not read the Slipway API key from ${path} (${code ?? String(err)}); set SLIPWAY_API_KEY instead.`);
  }
  const key = text.trim();
  if (key === '') {
    throw new SlipwayError('unauthorized', `The Slipway API key file ${path} is empty: put the key in it, or set SLIPWAY_API_KEY.`);
  }
  return key;
}
