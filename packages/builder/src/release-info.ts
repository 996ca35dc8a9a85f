import { parse as parseYaml } from 'yaml';
import { SlipwayError, type ProcessTypes } from '@slipway/core';

/**
 * The process types of a release: the buildpack's defaults from `bin/release`,
 * with the Procfile winning where both name a type (Heroku's rule).
 */
export function mergeProcessTypes(procfile: ProcessTypes | null, releaseYaml: string | null): ProcessTypes {
  const defaults = parseReleaseYaml(releaseYaml);
  return { ...defaults, ...(procfile ?? {}) };
}

export function parseReleaseYaml(text: string | null): ProcessTypes {
  if (!text || text.trim() === '') return {};
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new SlipwayError('invalid_params', `The buildpack's bin/release printed invalid YAML: ${(err as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object') return {};
  const types = (doc as { default_process_types?: unknown }).default_process_types;
  if (types === null || types === undefined) return {};
  if (typeof types !== 'object' || Array.isArray(types)) {
    throw new SlipwayError('invalid_params', "The buildpack's default_process_types is not a map of type to command.");
  }
  const result: ProcessTypes = {};
  for (const [type, command] of Object.entries(types)) {
    if (typeof command === 'string' && command.trim()) result[type] = command.trim();
  }
  return result;
}
