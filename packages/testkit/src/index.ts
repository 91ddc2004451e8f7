export { deleteByPattern, uniquePrefix, useTestRedis, waitUntil } from './redis.js';
export type { TestRedis } from './redis.js';
