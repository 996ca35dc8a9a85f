/**
 * Where a command writes and what it reads from its surroundings. Commands take
 * an `Io` so tests can run them in-process and capture everything they print.
 */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The directory whose git remotes name the app. */
  cwd: string;
  now(): Date;
  /** Whether stdout takes ANSI colours (a terminal, and NO_COLOR unset). Off when left out. */
  color?: boolean;
  /**
   * Byte streams for `run`, which passes stdin and the command's raw output
   * through. Left out (tests), stdin is empty and output goes to stdout/stderr above.
   */
  streams?: () => { stdin: NodeJS.ReadableStream; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };
}

export function processIo(): Io {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    cwd: process.cwd(),
    now: () => new Date(),
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    streams: () => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }),
  };
}

/** Writes whole lines to stdout. */
export function print(io: Io, ...lines: string[]): void {
  io.stdout(lines.map((line) => `${line}\n`).join(''));
}

/** Prints a value as the only thing on stdout, for `--json`. */
export function printJson(io: Io, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

/** ` !    ` before every line, as heroku-cli-util does for errors and warnings. */
export function warn(io: Io, message: string): void {
  io.stderr(formatBang(message));
}

export function formatBang(message: string): string {
  return message
    .split('\n')
    .map((line) => ` !    ${line}\n`)
    .join('');
}
