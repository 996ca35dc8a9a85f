export { createApi } from './app.js';
export { requestHasKey } from './auth.js';
export type { ApiOperations, ApiSettings } from './operations.js';
