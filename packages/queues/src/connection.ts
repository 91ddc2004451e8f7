import { Redis, type RedisOptions } from 'ioredis';

/**
 * - `worker`: BullMQ workers and schedulers block on Redis and must never give up on a
 *   command (`maxRetriesPerRequest: null`), or a Redis restart kills the process.
 * - `producer`: HTTP handlers and the CLI fail fast when Redis is away instead of queueing
 *   commands in memory (`enableOfflineQueue: false`).
 * - `client`: plain state reads and writes; a few retries, then an error.
 */
export type ConnectionRole = 'worker' | 'producer' | 'client';

export interface RedisConnectionOptions {
  url: string;
  role: ConnectionRole;
  /** Shown in `CLIENT LIST`, e.g. `shoptok:inventory-worker`. */
  name?: string;
}

/** The one place that opens Redis connections, with the settings each role needs. */
export function createRedisConnection(options: RedisConnectionOptions): Redis {
  const byRole: Record<ConnectionRole, RedisOptions> = {
    worker: { maxRetriesPerRequest: null, enableReadyCheck: true },
    producer: { enableOfflineQueue: false, maxRetriesPerRequest: 1 },
    client: { maxRetriesPerRequest: 3 },
  };
  return new Redis(options.url, {
    ...byRole[options.role],
    connectionName: options.name,
    // Reconnect with a capped backoff; BullMQ resumes by itself once Redis is back.
    retryStrategy: (times) => Math.min(200 * 2 ** Math.min(times, 6), 10_000),
  });
}

/** Resolves once the connection is ready (producers cannot send before that). */
export async function waitForRedis(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis did not answer within ${timeoutMs} ms (status ${redis.status}); is it running and is REDIS_URL right?`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}
