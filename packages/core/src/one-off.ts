import { SlipwayError } from './errors.js';
import { CONFIG_KEY_PATTERN, MAX_CONFIG_KEY_LENGTH, MAX_CONFIG_VALUE_BYTES } from './config-vars.js';
import { DEFAULT_DYNO_SIZE, parseDynoSize, type DynoSize } from './formation.js';

/**
 * One-off dynos (`slipway run`): the request a client sends, and the framing
 * of an attach session. Everything here is pure; the sockets live in `api`
 * and `client`.
 */

/** The process type and name prefix of one-off dynos: `run.1`, `run.2`, ... */
export const ONE_OFF_TYPE = 'run';
export const DEFAULT_ONE_OFF_TTL_SECONDS = 60 * 60;
/** Heroku's upper bound for `time_to_live`. */
export const MAX_ONE_OFF_TTL_SECONDS = 24 * 60 * 60;
export const MAX_ONE_OFF_COMMAND_BYTES = 32 * 1024;

/** `POST /apps/{app}/dynos`, after validation. */
export interface OneOffRequest {
  command: string;
  /** true: created now, started when a client attaches; false: started at once (run:detached). */
  attach: boolean;
  /** Added to (and overriding) the release's config vars. */
  env: Record<string, string>;
  size: DynoSize;
  timeToLiveSeconds: number;
}

/** Validates a Heroku-shaped `{command, attach, env, size, type, time_to_live}` body. */
export function parseOneOffRequest(input: unknown): OneOffRequest {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new SlipwayError('invalid_params', 'Expected a JSON object such as {"command": "bash", "attach": true}.');
  }
  const body = input as Record<string, unknown>;
  const { command, attach, env, size, type, time_to_live: ttl } = body;
  if (typeof command !== 'string' || command.trim() === '') throw new SlipwayError('invalid_params', 'A one-off dyno needs a command, such as "bash".');
  if (Buffer.byteLength(command) > MAX_ONE_OFF_COMMAND_BYTES) throw new SlipwayError('invalid_params', `The command is longer than ${MAX_ONE_OFF_COMMAND_BYTES} bytes.`);
  if (attach !== undefined && typeof attach !== 'boolean') throw new SlipwayError('invalid_params', '"attach" must be true or false.');
  if (type !== undefined && type !== ONE_OFF_TYPE) throw new SlipwayError('invalid_params', `"type" must be "${ONE_OFF_TYPE}" for a one-off dyno.`);
  let seconds = DEFAULT_ONE_OFF_TTL_SECONDS;
  if (ttl !== undefined && ttl !== null) {
    if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > MAX_ONE_OFF_TTL_SECONDS) {
      throw new SlipwayError('invalid_params', `"time_to_live" must be a whole number of seconds from 1 to ${MAX_ONE_OFF_TTL_SECONDS}.`);
    }
    seconds = ttl;
  }
  return {
    command,
    attach: attach ?? false,
    env: parseOneOffEnv(env),
    size: size === undefined || size === null ? DEFAULT_DYNO_SIZE : parseDynoSize(size),
    timeToLiveSeconds: seconds,
  };
}

function parseOneOffEnv(input: unknown): Record<string, string> {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input)) throw new SlipwayError('invalid_params', '"env" must be an object of names to string values.');
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(input)) {
    if (!CONFIG_KEY_PATTERN.test(key) || key.length > MAX_CONFIG_KEY_LENGTH) {
      throw new SlipwayError('invalid_params', `Environment variable name ${JSON.stringify(key)} is invalid: use letters, digits and "_", not starting with a digit.`);
    }
    if (typeof value !== 'string') throw new SlipwayError('invalid_params', `Environment variable ${key} must be a string.`);
    if (Buffer.byteLength(value) > MAX_CONFIG_VALUE_BYTES) throw new SlipwayError('invalid_params', `Environment variable ${key} is longer than ${MAX_CONFIG_VALUE_BYTES} bytes.`);
    env[key] = value;
  }
  return env;
}

// --- The attach protocol ----------------------------------------------------
//
// An HTTP/1.1 Upgrade (`Upgrade: slipway-attach`) on `attach_url`, with the
// API key. After `101 Switching Protocols`:
//   client -> server: raw stdin bytes; the client's half-close is stdin EOF.
//   server -> client: frames of [stream id: 1 byte][length: uint32 BE][payload],
//     1 = stdout, 2 = stderr, 3 = exit (payload: the exit code, int32 BE),
//     and the exit frame is the last one before the server closes. An empty
//     stdout frame is a heartbeat (every few seconds), to be skipped.

export const ATTACH_UPGRADE = 'slipway-attach';
export const ATTACH_FRAME_HEADER_BYTES = 5;
/** A frame longer than this is a protocol error, not a big write: senders split output. */
export const MAX_ATTACH_FRAME_BYTES = 1024 * 1024;

export type AttachFrame =
  | { type: 'stdout' | 'stderr'; data: Buffer }
  | { type: 'exit'; code: number };

const STREAM_IDS = { stdout: 1, stderr: 2, exit: 3 } as const;

/** The frames for a chunk of output, split at MAX_ATTACH_FRAME_BYTES; nothing for an empty chunk. */
export function encodeAttachOutput(stream: 'stdout' | 'stderr', data: Uint8Array): Buffer {
  const parts: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += MAX_ATTACH_FRAME_BYTES) {
    const payload = data.subarray(offset, offset + MAX_ATTACH_FRAME_BYTES);
    const header = Buffer.alloc(ATTACH_FRAME_HEADER_BYTES);
    header[0] = STREAM_IDS[stream];
    header.writeUInt32BE(payload.length, 1);
    parts.push(header, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength));
  }
  return Buffer.concat(parts);
}

/** An empty stdout frame: the server sends one now and then, so that writing to a client that has gone fails. Clients skip it. */
export function encodeAttachHeartbeat(): Buffer {
  const frame = Buffer.alloc(ATTACH_FRAME_HEADER_BYTES);
  frame[0] = STREAM_IDS.stdout;
  return frame;
}

export function encodeAttachExit(code: number): Buffer {
  const frame = Buffer.alloc(ATTACH_FRAME_HEADER_BYTES + 4);
  frame[0] = STREAM_IDS.exit;
  frame.writeUInt32BE(4, 1);
  frame.writeInt32BE(code, ATTACH_FRAME_HEADER_BYTES);
  return frame;
}

/**
 * Reads frames from a byte stream that arrives in arbitrary pieces. `push`
 * returns the frames completed by a chunk; `finish` throws if the stream
 * ended in the middle of a frame. A malformed frame throws a SlipwayError.
 */
export class AttachFrameDecoder {
  #pending: Buffer = Buffer.alloc(0);

  push(chunk: Uint8Array): AttachFrame[] {
    this.#pending = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : Buffer.from(chunk);
    const frames: AttachFrame[] = [];
    while (this.#pending.length >= ATTACH_FRAME_HEADER_BYTES) {
      const id = this.#pending[0];
      const length = this.#pending.readUInt32BE(1);
      if (id !== 1 && id !== 2 && id !== 3) throw new SlipwayError('bad_request', `Unknown attach frame type ${id}.`);
      if (length > MAX_ATTACH_FRAME_BYTES || (id === 3 && length !== 4)) throw new SlipwayError('bad_request', `Attach frame of type ${id} has a bad length (${length}).`);
      if (this.#pending.length < ATTACH_FRAME_HEADER_BYTES + length) break;
      const payload = this.#pending.subarray(ATTACH_FRAME_HEADER_BYTES, ATTACH_FRAME_HEADER_BYTES + length);
      this.#pending = this.#pending.subarray(ATTACH_FRAME_HEADER_BYTES + length);
      if (id === 3) frames.push({ type: 'exit', code: payload.readInt32BE(0) });
      else frames.push({ type: id === 1 ? 'stdout' : 'stderr', data: Buffer.from(payload) });
    }
    return frames;
  }

  /** Bytes received that do not yet make a whole frame. */
  get pendingBytes(): number {
    return this.#pending.length;
  }

  finish(): void {
    if (this.#pending.length > 0) throw new SlipwayError('bad_request', `The attach stream ended inside a frame (${this.#pending.length} bytes left over).`);
  }
}

/**
 * The command line a one-off dyno runs, from `slipway run` arguments. One
 * argument is sent as it is (`slipway run "rake db:migrate"`, like Heroku);
 * several are joined, each quoted for a POSIX shell when it needs it, so
 * `slipway run -- bash -c 'echo $HOME; exit 3'` runs exactly that.
 */
export function buildRunCommand(args: readonly string[]): string {
  if (args.length === 0) throw new SlipwayError('invalid_params', 'Usage: slipway run [-a APP] -- COMMAND [ARGS...]');
  if (args.length === 1) return args[0] as string;
  return args.map(shellQuote).join(' ');
}

export function shellQuote(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}
