export { deploy, type DeployDeps, type DeployRequest } from './deploy.js';
export { buildOutput, type BuildOutput } from './output.js';
export { BuildError } from './errors.js';
export { mergeProcessTypes, parseReleaseYaml } from './release-info.js';
export { DRIVER_DIR, type BuilderSettings } from './settings.js';
