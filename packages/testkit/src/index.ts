export { deleteByPattern, uniquePrefix, useTestRedis, waitUntil } from './redis.js';
export type { TestRedis } from './redis.js';
export { startRedisCluster } from './redis-cluster.js';
export type { LocalRedisCluster } from './redis-cluster.js';
export { answersPing, freePort } from './ports.js';
export { startAppProcess } from './process.js';
export type { AppProcess } from './process.js';
export { startPrivateRedis } from './private-redis.js';
export type { PrivateRedis, PrivateRedisOptions } from './private-redis.js';
