export { SlipwayClient } from './client.js';
export { SlipwayApiError } from './errors.js';
export { ACCEPT, type HttpOptions } from './http.js';
export type { FormationPatch } from './formation.js';
export type { BuildpackInstallation } from './builds.js';
export type { LogSessionOptions } from './logs.js';
export type { RunDynoOptions } from './dynos.js';
export type { HerokuDomain, HerokuSniEndpoint, SniEndpointInput } from './domains.js';
export { resolveAttachUrl, type AttachStreams } from './attach.js';
