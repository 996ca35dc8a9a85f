export { createProgram, runCli, COMMANDS } from './run.js';
export { readCliConfig, type CliConfig } from './config.js';
export { resolveApp, appFromGitUrl, withAppOptions, NO_APP_MESSAGE, type AppOptions } from './app-flag.js';
export { processIo, type Io } from './io.js';
