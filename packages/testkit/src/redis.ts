import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';

/** A Redis for one test file: its URL, a key prefix no other test uses, and cleanup. */
export interface TestRedis {
  url: string;
  /** Unique per call; put it in front of every key and queue prefix the test writes. */
  prefix: string;
  /** A plain client for assertions (not for BullMQ workers); a `Cluster` for a `redis+cluster://` URL. */
  client: Redis | Cluster;
  /** Deletes every key under the prefix, then disconnects. Call it in `afterAll`/`finally`. */
  cleanup(): Promise<void>;
}

let containerUrl: Promise<string> | undefined;

async function redisUrl(): Promise<string> {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv) return fromEnv;
  // No Redis given: start one with testcontainers (needs a Docker engine), once per process.
  containerUrl ??= (async () => {
    const { RedisContainer } = await import('@testcontainers/redis');
    const container = await new RedisContainer('redis:7-alpine').start();
    return container.getConnectionUrl();
  })();
  return containerUrl;
}

/** A short, unique, Cluster-safe-looking key prefix for one test. */
export function uniquePrefix(label = 't'): string {
  return `test-${label.replace(/[^a-z0-9-]/gi, '').slice(0, 20)}-${randomBytes(4).toString('hex')}`;
}

/**
 * Gives a test a Redis: `options.url` (e.g. a private redis-server), else `REDIS_URL` when set,
 * else a testcontainers Redis. Each call gets its own prefix; `cleanup` removes exactly the keys under it.
 */
export async function useTestRedis(label?: string, options: { url?: string } = {}): Promise<TestRedis> {
  const url = options.url ?? (await redisUrl());
  const prefix = uniquePrefix(label);
  const client = connectTestClient(url);
  return {
    url,
    prefix,
    client,
    async cleanup() {
      try {
        await deleteByPattern(client, `${prefix}*`);
        await deleteByPattern(client, `*{${prefix}*`); // keys whose hash tag holds the prefix
      } finally {
        client.disconnect();
      }
    },
  };
}

/** A client for `redis://` URLs, or for a cluster named `redis+cluster://host:port,host:port` (as shoptok's REDIS_URL). */
function connectTestClient(url: string): Redis | Cluster {
  const cluster = /^redis\+cluster:\/\/([^/@]+)\/?$/.exec(url);
  if (!cluster) return new Redis(url, { maxRetriesPerRequest: 3, lazyConnect: false });
  const nodes = (cluster[1] as string).split(',').map((hostPort) => {
    const at = hostPort.lastIndexOf(':');
    return { host: hostPort.slice(0, at), port: Number(hostPort.slice(at + 1)) };
  });
  return new Cluster(nodes, { redisOptions: { maxRetriesPerRequest: 3 } });
}

/**
 * Deletes every key matching a SCAN pattern. On a cluster SCAN sees one node only, so every
 * master is scanned, and keys are unlinked one by one (they may sit in different slots).
 */
export async function deleteByPattern(client: Redis | Cluster, pattern: string): Promise<number> {
  if (client.isCluster) {
    const cluster = client as Cluster;
    if (cluster.status !== 'ready')
      await new Promise<void>((resolve, reject) =>
        cluster.once('ready', resolve).once('end', () => reject(new Error('the cluster connection ended'))),
      );
    const counts = await Promise.all(cluster.nodes('master').map((node) => deleteByPatternOnOneServer(node, pattern, true)));
    return counts.reduce((a, b) => a + b, 0);
  }
  return deleteByPatternOnOneServer(client as Redis, pattern, false);
}

async function deleteByPatternOnOneServer(client: Redis, pattern: string, oneKeyPerCommand: boolean): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (keys.length === 0) continue;
    if (!oneKeyPerCommand) {
      deleted += await client.unlink(...keys);
      continue;
    }
    const pipeline = client.pipeline();
    for (const key of keys) pipeline.unlink(key);
    for (const [err, n] of (await pipeline.exec()) ?? []) {
      if (err) throw err;
      deleted += Number(n);
    }
  } while (cursor !== '0');
  return deleted;
}

/** Polls `check` until it returns a truthy value or the deadline passes; never a fixed sleep. */
export async function waitUntil<T>(
  check: () => T | Promise<T>,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const { timeoutMs = 10_000, intervalMs = 25, what = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const suffix = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${suffix}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
