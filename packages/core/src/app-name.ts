import { SlipwayError } from './errors.js';

/** A validated app name. Branded so that unchecked strings cannot reach Redis, Docker or the file system. */
export type AppName = string & { readonly __brand: 'AppName' };

export const APP_NAME_PATTERN = /^[a-z][a-z0-9-]{1,29}$/;

/**
 * Rejects rather than rewrites: two different inputs must never map to the same
 * app (Piku's sanitize_app_name does that, and it is a trap).
 */
export function parseAppName(input: unknown): AppName {
  if (typeof input !== 'string' || !APP_NAME_PATTERN.test(input)) {
    const shown = typeof input === 'string' ? JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}...` : input) : String(input);
    throw new SlipwayError(
      'invalid_params',
      `Name ${shown} is invalid: an app name must start with a letter, contain only lowercase letters, digits and dashes, and be 2 to 30 characters long.`,
      'app',
    );
  }
  return input as AppName;
}

export function isAppName(input: unknown): input is AppName {
  return typeof input === 'string' && APP_NAME_PATTERN.test(input);
}

const ADJECTIVES = ['sharp', 'quiet', 'brave', 'calm', 'shiny', 'young', 'fierce', 'gentle', 'rapid', 'polar', 'sunny', 'misty'];
const NOUNS = ['river', 'forest', 'harbor', 'meadow', 'summit', 'canyon', 'island', 'glacier', 'prairie', 'lagoon', 'falls', 'ridge'];

/** Heroku-style generated name such as `sharp-river-1234`; `random` is injected so tests are deterministic. */
export function generateAppName(random: () => number = Math.random): AppName {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const digits = String(Math.floor(random() * 9000) + 1000);
  return parseAppName(`${pick(ADJECTIVES)}-${pick(NOUNS)}-${digits}`);
}
