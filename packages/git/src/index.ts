export { createGitHandler, type GitHandler, type GitHandlerOptions, type PushRequest } from './http-backend.js';
export { ensureRepo, removeRepo, repoPath } from './repos.js';
export { decideRefUpdates, parseRefUpdates, type RefUpdate, type RefDecision } from './deploy-ref.js';
