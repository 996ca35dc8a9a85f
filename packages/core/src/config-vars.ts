import { SlipwayError } from './errors.js';

export type ConfigVars = Record<string, string>;
export const CONFIG_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const MAX_CONFIG_KEY_LENGTH = 256;
export const MAX_CONFIG_VALUE_BYTES = 32 * 1024;

/** A PATCH body: `null` unsets a key, as in Heroku's API. */
export type ConfigVarsPatch = Record<string, string | null>;

export function parseConfigPatch(input: unknown): ConfigVarsPatch {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new SlipwayError('invalid_params', 'Config vars must be a JSON object of names to values.');
  }
  const patch: ConfigVarsPatch = {};
  for (const [key, value] of Object.entries(input)) {
    if (!CONFIG_KEY_PATTERN.test(key) || key.length > MAX_CONFIG_KEY_LENGTH) {
      throw new SlipwayError('invalid_params', `Config var name ${JSON.stringify(key)} is invalid: use letters, digits and "_", not starting with a digit.`);
    }
    if (value !== null && typeof value !== 'string') {
      throw new SlipwayError('invalid_params', `Config var ${key} must be a string or null.`);
    }
    if (typeof value === 'string' && Buffer.byteLength(value) > MAX_CONFIG_VALUE_BYTES) {
      throw new SlipwayError('invalid_params', `Config var ${key} is longer than ${MAX_CONFIG_VALUE_BYTES} bytes.`);
    }
    patch[key] = value;
  }
  return patch;
}
