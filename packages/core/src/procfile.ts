import { SlipwayError } from './errors.js';

export type ProcessType = string;
/** Process type to command, in the order the Procfile declares them. */
export type ProcessTypes = Record<ProcessType, string>;

export const PROCESS_TYPE_PATTERN = /^[A-Za-z0-9_-]{1,63}$/;

/**
 * Parses a Procfile. Comments and blank lines are skipped; anything else that is
 * not `type: command` throws with its line number, because silently dropping a
 * line would deploy an app without a process the user asked for.
 */
export function parseProcfile(text: string): ProcessTypes {
  const types: ProcessTypes = {};
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^([^:\s]+)\s*:\s*(.*)$/.exec(line);
    if (!match) {
      throw procfileError(lineNo, `expected "type: command", got ${JSON.stringify(truncate(line))}`);
    }
    const [, type = '', command = ''] = match;
    if (!PROCESS_TYPE_PATTERN.test(type)) {
      throw procfileError(lineNo, `process type ${JSON.stringify(truncate(type))} may only contain letters, digits, "_" and "-"`);
    }
    const name = type.toLowerCase();
    if (command.trim() === '') {
      throw procfileError(lineNo, `process type "${name}" has no command`);
    }
    if (Object.hasOwn(types, name)) {
      throw procfileError(lineNo, `process type "${name}" is declared twice`);
    }
    types[name] = command.trim();
  });
  return types;
}

function procfileError(line: number, detail: string): SlipwayError {
  return new SlipwayError('invalid_params', `Procfile line ${line}: ${detail}.`, 'procfile');
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}...` : s;
}
