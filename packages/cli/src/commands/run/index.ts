import { Readable, Writable } from 'node:stream';
import { Command, CommanderError, Option } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { buildRunCommand, CONFIG_KEY_PATTERN, parseDynoSize, SlipwayError, type DynoSize } from '@slipway/core';
import { processIo, type Io } from '../../io.js';
import { resolveApp, withAppOptions, type AppOptions } from '../../app-flag.js';
import { hex } from '../../internal/format.js';

export interface RunOptions extends AppOptions {
  env?: string[];
  size?: string;
  tty?: boolean;
}

export function run(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withRunOptions(new Command('run'))
    .description('run a one-off process inside a dyno, with stdin, stdout and stderr attached; exits with its exit code')
    .option('--no-tty', 'accepted for Heroku compatibility: input and output are always passed through as bytes')
    .addHelpText(
      'after',
      `
Put the command after "--" when it has options of its own; a single argument is
run as a shell command line. The dyno runs the current release's image with its
config vars, plus -e vars and DYNO=run.N, and is removed when the command ends.

Examples:
  $ slipway run -a demo -- node -e "process.stdin.pipe(process.stdout)" < data.txt
  $ slipway run -a demo "rake db:migrate"
  Running \`rake db:migrate\` on ⬢ demo... up, run.1
  $ slipway run -a demo -e DEBUG=1 -s standard-2x -- bash -c 'echo $DEBUG; exit 3'; echo $?
  Running \`bash -c 'echo $DEBUG; exit 3'\` on ⬢ demo... up, run.2
  1
  3
`,
    )
    .action(async (args: string[], opts: RunOptions) => {
      const { app, command, env, size } = await readRunArgs(args, opts, io);
      const c = client();
      io.stderr(`Running \`${command}\` on ${hex(app)}... `);
      let attached = false;
      let code: number;
      const streams = io.streams?.() ?? testStreams(io);
      try {
        const dyno = await c.runDyno(app, { command, attach: true, env, size });
        if (!dyno.attach_url) throw new SlipwayError('internal_server_error', `The API gave no attach URL for ${dyno.name}.`);
        code = await c.attach(dyno.attach_url, {
          ...streams,
          onAttached: () => {
            attached = true;
            io.stderr(`up, ${dyno.name}\n`);
          },
        });
      } catch (err) {
        if (!attached) io.stderr('!\n');
        throw err;
      } finally {
        // process.stdin would otherwise keep the CLI alive after the command exited.
        streams.stdin.pause();
        if (streams.stdin === process.stdin) process.stdin.destroy();
      }
      if (code !== 0) throw new CommandExit(code);
    });
}

/** `-a/-r`, `-e KEY=value` (repeatable), `-s size` and the command words: what `run` and `run:detached` share. */
export function withRunOptions(cmd: Command): Command {
  return withAppOptions(cmd)
    .argument('<command...>', 'the command to run (after --)')
    .addOption(new Option('-e, --env <KEY=value>', 'an environment variable for this dyno only; repeat for more').argParser(collect))
    .addOption(new Option('-s, --size <size>', 'dyno size, such as standard-1x or standard-2x'));
}

/** Everything checked before any request: the command line, the env flags, the size, the app. */
export async function readRunArgs(args: readonly string[], opts: RunOptions, io: Io): Promise<{ app: string; command: string; env: Record<string, string>; size: DynoSize | undefined }> {
  const command = buildRunCommand(args);
  const env = parseEnvFlags(opts.env ?? []);
  const size = opts.size === undefined ? undefined : parseDynoSize(opts.size);
  const app = await resolveApp(opts, io.cwd);
  return { app, command, env, size };
}

/** `-e KEY=value` flags to an env map. Everything after the first `=` is the value; a missing `=` or a bad or repeated key is refused. */
export function parseEnvFlags(flags: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    const key = eq === -1 ? '' : flag.slice(0, eq);
    if (eq === -1 || !CONFIG_KEY_PATTERN.test(key)) {
      throw new SlipwayError('invalid_params', `-e ${JSON.stringify(flag)} is not KEY=value (a name of letters, digits and "_", not starting with a digit).`);
    }
    if (Object.hasOwn(env, key)) throw new SlipwayError('invalid_params', `-e ${key} is given twice.`);
    env[key] = flag.slice(eq + 1);
  }
  return env;
}

/** Ends `runCli` with the command's exit code and nothing printed (runCli answers a CommanderError's code). */
export class CommandExit extends CommanderError {
  constructor(code: number) {
    super(code, 'slipway.run.exit', `The command exited with status ${code}.`);
  }
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Without byte streams (in-process tests): empty stdin, output through the Io's text writers. */
function testStreams(io: Io): { stdin: NodeJS.ReadableStream; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } {
  const writer = (write: (text: string) => void): Writable => {
    const decoder = new TextDecoder();
    return new Writable({
      write(chunk: Buffer, _enc, done) {
        write(decoder.decode(chunk, { stream: true }));
        done();
      },
    });
  };
  return { stdin: Readable.from([]), stdout: writer(io.stdout), stderr: writer(io.stderr) };
}
