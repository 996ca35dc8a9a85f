/** The shared test Redis (test/support/redis-server.ts at the repo root). */
export * from '../../../../test/support/redis-server.js';
