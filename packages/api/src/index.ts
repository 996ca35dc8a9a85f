export { createApi } from './app.js';
export { requestHasKey } from './auth.js';
export { createAttachHandler } from './attach.js';
export type { ApiOperations, ApiSettings, DynoAttachment } from './operations.js';
