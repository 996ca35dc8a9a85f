import { Command, InvalidArgumentError, Option } from 'commander';
import type { SlipwayClient } from '@slipway/client';
import { DEFAULT_LOG_LINES, MAX_LOG_LINES, parseLogDyno, parseLogLine, parseLogSource, isSlipwayError, type LogSource } from '@slipway/core';
import { print, processIo, type Io } from '../../io.js';
import { resolveApp, withAppOptions, type AppOptions } from '../../app-flag.js';

interface LogsOptions extends AppOptions {
  num: number;
  tail?: boolean;
  dyno?: string;
  source?: LogSource;
}

export function logs(client: () => SlipwayClient, io: Io = processIo()): Command {
  return withAppOptions(new Command('logs'))
    .description("display an app's recent log lines, or follow them with --tail")
    .addOption(new Option('-n, --num <n>', `number of lines to show first (1 to ${MAX_LOG_LINES})`).argParser(parseNum).default(DEFAULT_LOG_LINES))
    .option('-t, --tail', 'keep printing new lines as they come, until interrupted')
    .addOption(new Option('-d, --dyno <dyno>', 'only lines of this dyno (web.1), process type (web) or router').argParser(parseDyno))
    .addOption(new Option('-s, --source <source>', 'only lines from this source: app or slipway').argParser(parseSource))
    .addHelpText(
      'after',
      `
Examples:
  $ slipway logs -a demo
  2026-01-02T03:04:05.123456+00:00 slipway[web.1]: Starting process with command \`node server.js\`
  2026-01-02T03:04:06.002000+00:00 app[web.1]: listening on 20001
  2026-01-02T03:04:06.150000+00:00 slipway[web.1]: State changed from starting to up
  $ slipway logs -a demo --tail --dyno web --source app
  $ slipway logs -a demo -n 500 -d router
`,
    )
    .action(async (opts: LogsOptions) => {
      const app = await resolveApp(opts, io.cwd);
      const c = client();
      const session = await c.createLogSession(app, { tail: opts.tail === true, lines: opts.num, dyno: opts.dyno, source: opts.source });
      const stop = new AbortController();
      const onSignal = (): void => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        for await (const line of c.streamLogSession(session.logplex_url, stop.signal)) print(io, io.color ? colorize(line) : line);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}

const DIM = '\x1b[2m';
const RESET = '\x1b[0m';
const RED = '\x1b[31m';
const DYNO_COLORS = ['\x1b[36m', '\x1b[32m', '\x1b[33m', '\x1b[34m', '\x1b[35m'];

/** Heroku-style colours: a dim time, one colour per process type, platform lines in magenta, errors in red. */
function colorize(text: string): string {
  let line;
  try {
    line = parseLogLine(text);
  } catch (err) {
    if (isSlipwayError(err)) return text;
    throw err;
  }
  const type = line.dyno.split('.')[0] ?? line.dyno;
  const hash = [...type].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7);
  const color = line.source === 'slipway' ? '\x1b[35m' : (DYNO_COLORS[hash % DYNO_COLORS.length] as string);
  const body = line.source === 'slipway' && /at=error|Error R\d+|crashed/.test(line.text) ? `${RED}${line.text}${RESET}` : line.text;
  return `${DIM}${line.time}${RESET} ${color}${line.source}[${line.dyno}]:${RESET} ${body}`;
}

function parseNum(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_LOG_LINES) throw new InvalidArgumentError(`Use a whole number from 1 to ${MAX_LOG_LINES}.`);
  return Number(value);
}

function parseDyno(value: string): string {
  try {
    return parseLogDyno(value);
  } catch {
    throw new InvalidArgumentError('Use a dyno such as web.1, a process type such as web, or router.');
  }
}

function parseSource(value: string): LogSource {
  try {
    return parseLogSource(value);
  } catch {
    throw new InvalidArgumentError('Use app or slipway.');
  }
}
