#!/usr/bin/env node
import { SlipwayClient } from '@slipway/client';
import { readCliConfig } from './config.js';
import { processIo } from './io.js';
import { runCli } from './run.js';

// `slipway apps | head` closes stdout early; that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

let client: SlipwayClient | undefined;
const lazyClient = (): SlipwayClient => (client ??= new SlipwayClient(readCliConfig(process.env)));

process.exitCode = await runCli(process.argv.slice(2), lazyClient, processIo());
