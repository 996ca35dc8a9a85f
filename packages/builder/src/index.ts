export { deploy, type DeployDeps, type DeployRequest, type DeployResult } from './deploy.js';
export { buildOutput, type BuildOutput } from './output.js';
export { BuildError } from './errors.js';
export { mergeProcessTypes, parseReleaseYaml } from './release-info.js';
export { DRIVER_DIR, type BuilderSettings } from './settings.js';
export { chooseBuildpacks, parseBuildpackRef, parseBuildpacksFile, type BuildpackRef } from './buildpacks.js';
export { recordingOutput } from './output-recorder.js';
export { fetchSourceTarball } from './source-tarball.js';
