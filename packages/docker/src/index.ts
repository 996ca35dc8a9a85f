export { connectDocker, pingDocker, type DockerClient } from './client.js';
export * from './images.js';
export * from './dyno-containers.js';
export * from './build-containers.js';
export * from './dyno-logs.js';
export * from './image-builds.js';
export * from './task-containers.js';
export * from './one-off-containers.js';
export * from './events.js';
