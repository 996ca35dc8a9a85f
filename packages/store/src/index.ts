export { connectRedis, type RedisConnection } from './connection.js';
export * from './apps.js';
export * from './releases.js';
export * from './formation.js';
export * from './dynos.js';
export * from './ports.js';
export * from './routes.js';
export * from './watch.js';
export * from './locks.js';
