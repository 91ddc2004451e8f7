import { Cluster, Redis, type RedisOptions } from 'ioredis';

/**
 * - `worker`: BullMQ workers and schedulers block on Redis and must never give up on a
 *   command (`maxRetriesPerRequest: null`), or a Redis restart kills the process.
 * - `producer`: HTTP handlers and the CLI fail fast when Redis is away instead of queueing
 *   commands in memory (`enableOfflineQueue: false`).
 * - `client`: plain state reads and writes; a few retries, then an error.
 */
export type ConnectionRole = 'worker' | 'producer' | 'client';

/**
 * A connection to the fleet's Redis: one server (`Redis`) or a Redis Cluster (`Cluster`). Both
 * have the same command API; every key of a store carries its `{store}` hash tag, so the
 * multi-key commands, MULTIs and scripts of one store stay in one slot.
 */
export type RedisConnection = Redis | Cluster;

export interface RedisConnectionOptions {
  /** `redis://` / `rediss://` for one server; `redis+cluster://` / `rediss+cluster://` for a cluster. */
  url: string;
  role: ConnectionRole;
  /** Shown in `CLIENT LIST`, e.g. `shoptok:inventory-worker`. */
  name?: string;
}

/** Where a `redis+cluster://` URL points: the seed nodes (the others are discovered) and credentials. */
export interface RedisClusterTarget {
  nodes: { host: string; port: number }[];
  username?: string;
  password?: string;
  tls: boolean;
}

const CLUSTER_URL = /^(rediss?)\+cluster:\/\/(?:([^@/]*)@)?([^/?#@]+)\/?$/i;

/**
 * Parses `redis+cluster://[user:password@]host1:port1,host2:port2` (TLS: `rediss+cluster://`).
 * Undefined for any other scheme (a plain `redis://` URL); throws on a malformed cluster URL.
 */
export function parseRedisClusterUrl(url: string): RedisClusterTarget | undefined {
  if (!/^rediss?\+cluster:/i.test(url)) return undefined;
  const match = CLUSTER_URL.exec(url);
  const example = 'redis+cluster://10.0.0.1:6379,10.0.0.2:6379,10.0.0.3:6379';
  if (!match)
    throw new Error(`the Redis Cluster URL is malformed (no database number, path or query allowed); example: ${example}`);
  const [, scheme, userInfo, hostList] = match as unknown as [string, string, string | undefined, string];
  const nodes = hostList.split(',').map((entry) => {
    const node = /^(\[[0-9a-f:.]+\]|[^:[\]]+):(\d{1,5})$/i.exec(entry.trim());
    const port = Number(node?.[2]);
    if (!node || port < 1 || port > 65_535)
      throw new Error(`the Redis Cluster node "${entry}" is not host:port; example: ${example}`);
    return { host: (node[1] as string).replace(/^\[|\]$/g, ''), port };
  });
  const target: RedisClusterTarget = { nodes, tls: scheme.toLowerCase() === 'rediss' };
  if (userInfo) {
    const colon = userInfo.indexOf(':');
    const user = decodeURIComponent(colon === -1 ? userInfo : userInfo.slice(0, colon));
    if (user) target.username = user;
    if (colon !== -1) target.password = decodeURIComponent(userInfo.slice(colon + 1));
  }
  return target;
}

// Reconnect with a capped backoff; BullMQ resumes by itself once Redis is back.
const reconnectDelayMs = (times: number) => Math.min(200 * 2 ** Math.min(times, 6), 10_000);

/** The one place that opens Redis connections, with the settings each role needs. */
export function createRedisConnection(options: RedisConnectionOptions): RedisConnection {
  const byRole: Record<ConnectionRole, RedisOptions> = {
    worker: { maxRetriesPerRequest: null, enableReadyCheck: true },
    producer: { enableOfflineQueue: false, maxRetriesPerRequest: 1 },
    client: { maxRetriesPerRequest: 3 },
  };
  const cluster = parseRedisClusterUrl(options.url);
  if (!cluster) {
    return new Redis(options.url, { ...byRole[options.role], connectionName: options.name, retryStrategy: reconnectDelayMs });
  }
  // A Cluster takes the offline queue at its top level and each node's options under
  // `redisOptions`, which is also where BullMQ checks `maxRetriesPerRequest: null`.
  const { enableOfflineQueue, ...nodeOptions } = byRole[options.role];
  return new Cluster(cluster.nodes, {
    enableOfflineQueue: enableOfflineQueue ?? true,
    enableReadyCheck: true,
    clusterRetryStrategy: reconnectDelayMs,
    redisOptions: {
      ...nodeOptions,
      connectionName: options.name,
      username: cluster.username,
      password: cluster.password,
      ...(cluster.tls ? { tls: {} } : {}),
    },
  });
}

/** True when the connection is to a Redis Cluster (commands without a key then reach one node only). */
export function isRedisCluster(redis: RedisConnection): redis is Cluster {
  return redis.isCluster;
}

/**
 * The servers that hold data: every master of a cluster, or the one server. SCAN, INFO and
 * CONFIG answer for one server only, so whatever must see every key asks each of these.
 * Throws while a cluster's masters are not known yet (wait for `ready`), rather than give none.
 */
export function dataNodes(redis: RedisConnection): Redis[] {
  if (!isRedisCluster(redis)) return [redis];
  const masters = redis.nodes('master');
  if (masters.length === 0)
    throw new Error(`the Redis Cluster's masters are not known yet (status ${redis.status}); wait until the connection is ready`);
  return masters;
}

/** Resolves once the connection is ready (producers cannot send before that). */
export async function waitForRedis(redis: RedisConnection, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(
        new Error(`Redis did not answer within ${timeoutMs} ms (status ${redis.status}); is it running and is REDIS_URL right?`),
      );
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
