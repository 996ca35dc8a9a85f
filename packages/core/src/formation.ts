import { SlipwayError } from './errors.js';
import type { ProcessType } from './procfile.js';

export const DYNO_SIZES = {
  'standard-1x': { memoryMb: 512, cpuShares: 1024 },
  'standard-2x': { memoryMb: 1024, cpuShares: 2048 },
  'performance-m': { memoryMb: 2560, cpuShares: 4096 },
} as const;
export type DynoSize = keyof typeof DYNO_SIZES;
export const DEFAULT_DYNO_SIZE: DynoSize = 'standard-1x';
export const MAX_DYNOS_PER_TYPE = 100;
/** Dynos one app may run in all, so one app cannot take the whole machine by accident. */
export const MAX_DYNOS_PER_APP = 100;
/** The Procfile's `release:` command runs once per deploy (the release phase), never as a dyno. */
export const RELEASE_PROCESS_TYPE = 'release';

export interface FormationEntry {
  type: ProcessType;
  quantity: number;
  size: DynoSize;
}
/** Desired dynos per process type. */
export type Formation = Record<ProcessType, FormationEntry>;

/** One change asked for by `ps:scale` or `PATCH /formation`. */
export interface FormationUpdate {
  type: ProcessType;
  quantity?: number;
  /** Relative change (`web+1`), resolved against the current quantity. */
  delta?: number;
  size?: DynoSize;
}

export function parseDynoSize(input: unknown): DynoSize {
  const normalized = typeof input === 'string' ? input.toLowerCase() : input;
  if (typeof normalized === 'string' && Object.hasOwn(DYNO_SIZES, normalized)) return normalized as DynoSize;
  throw new SlipwayError('invalid_params', `Size ${JSON.stringify(input)} is invalid; use one of ${Object.keys(DYNO_SIZES).join(', ')}.`, 'formation');
}

export function parseQuantity(input: unknown): number {
  const n = typeof input === 'string' && /^\d+$/.test(input) ? Number(input) : input;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_DYNOS_PER_TYPE) {
    throw new SlipwayError('invalid_params', `Quantity ${JSON.stringify(input)} is invalid; use a whole number from 0 to ${MAX_DYNOS_PER_TYPE}.`, 'formation');
  }
  return n;
}

/**
 * Parses `web=2`, `worker+1`, `web-1`, each with an optional `:size`. Like
 * Dokku and unlike the Heroku CLI, anything that does not match throws instead
 * of being dropped.
 */
export function parseScaleArgs(args: readonly string[]): FormationUpdate[] {
  if (args.length === 0) throw new SlipwayError('invalid_params', 'Usage: ps:scale TYPE=N[:SIZE] ... (for example web=2 worker+1)');
  const seen = new Set<string>();
  return args.map((arg) => {
    const match = /^([A-Za-z0-9_-]+)(=|\+|-)(\d+)(?::([A-Za-z0-9-]+))?$/.exec(arg);
    if (!match) {
      throw new SlipwayError('invalid_params', `Invalid scale argument ${JSON.stringify(arg)}; expected TYPE=N, TYPE+N or TYPE-N with an optional :SIZE.`);
    }
    const [, rawType = '', op, digits = '', size] = match;
    const type = rawType.toLowerCase();
    if (seen.has(type)) throw new SlipwayError('invalid_params', `Process type "${type}" is given twice.`);
    seen.add(type);
    const update: FormationUpdate = { type };
    if (op === '=') update.quantity = parseQuantity(digits);
    else update.delta = (op === '+' ? 1 : -1) * Number(digits);
    if (size !== undefined) update.size = parseDynoSize(size);
    return update;
  });
}

/**
 * Applies updates to a formation. Only process types of the current release may
 * be scaled; the result is a new value, the input is left alone.
 */
export function applyFormationUpdates(current: Formation, updates: readonly FormationUpdate[], knownTypes: readonly ProcessType[]): Formation {
  const next: Formation = structuredClone(current);
  for (const update of updates) {
    if (update.type === RELEASE_PROCESS_TYPE) {
      throw new SlipwayError('invalid_params', 'The release process type runs once per deploy (the release phase) and cannot be scaled.', 'formation');
    }
    if (!knownTypes.includes(update.type)) {
      const known = knownTypes.length ? knownTypes.join(', ') : 'none (deploy the app first)';
      throw new SlipwayError('not_found', `No such process type ${update.type} defined in Procfile. Process types: ${known}.`, 'formation');
    }
    const entry = next[update.type] ?? { type: update.type, quantity: 0, size: DEFAULT_DYNO_SIZE };
    const quantity = update.quantity ?? entry.quantity + (update.delta ?? 0);
    next[update.type] = { type: update.type, quantity: parseQuantity(quantity), size: update.size ?? entry.size };
  }
  const total = Object.values(next).reduce((sum, e) => sum + e.quantity, 0);
  if (total > MAX_DYNOS_PER_APP) {
    throw new SlipwayError('invalid_params', `That would run ${total} dynos; an app may run at most ${MAX_DYNOS_PER_APP}.`, 'formation');
  }
  return next;
}

/**
 * The formation after a deploy: types the release dropped are removed, new types
 * start at 0, and the first deploy gets web=1 (Heroku's rule).
 */
export function formationForRelease(current: Formation, types: readonly ProcessType[]): Formation {
  const next: Formation = {};
  const firstDeploy = Object.keys(current).length === 0;
  for (const type of types) {
    if (type === RELEASE_PROCESS_TYPE) continue;
    next[type] = current[type] ?? { type, quantity: firstDeploy && type === 'web' ? 1 : 0, size: DEFAULT_DYNO_SIZE };
  }
  return next;
}
