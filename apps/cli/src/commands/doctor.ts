import { ConfigError, envSchema, loadConfig, type ShoptokConfig } from '@shoptok/config';
import { createRedisConnection, dataNodes, queueKeys, QueueFactory, waitForRedis } from '@shoptok/queues';

/** Where the Redis checks take Redis from: the whole config, or REDIS_URL alone when the rest is malformed. */
interface RedisTarget {
  url: string;
  config: ShoptokConfig | undefined;
}

/**
 * REDIS_URL parsed on its own (default when unset), for when another setting is malformed: the
 * Redis checks still run. Undefined when REDIS_URL itself is malformed (the config check says why).
 */
function redisUrlAlone(env: Record<string, string | undefined>): string | undefined {
  const parsed = envSchema.shape.REDIS_URL.safeParse(env.REDIS_URL);
  return parsed.success ? (parsed.data as string) : undefined;
}

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/**
 * `shoptok doctor`: the fleet's health check. Is the config valid, does Redis answer (and is
 * it set up so BullMQ never loses a job), and what is in each store's queues.
 */
export async function runDoctorCommand(io: {
  stdout: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
}): Promise<number> {
  const checks: Check[] = [];
  let config: ShoptokConfig | undefined;
  let target: RedisTarget | undefined;
  try {
    config = loadConfig({ env: io.env });
    checks.push({
      name: 'config',
      ok: true,
      detail: `${config.stores.length} store(s): ${config.stores.map((s) => s.id).join(', ')}`,
    });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    checks.push({ name: 'config', ok: false, detail: err.message });
    // Redis and the queues can still be checked without stores.
    try {
      config = loadConfig({ env: io.env, requireStores: false });
    } catch {
      config = undefined;
    }
  }
  if (config) target = { url: config.redisUrl, config };
  else {
    // A malformed setting elsewhere must not hide whether Redis answers: check REDIS_URL alone, and say so.
    const url = redisUrlAlone(io.env);
    if (url) {
      target = { url, config: undefined };
      checks.push({
        name: 'redis source',
        ok: true,
        detail: `the configuration has problems (above), so Redis is checked from REDIS_URL alone${io.env.REDIS_URL?.trim() ? '' : ' (unset: its default)'}; the queues are not (they need the stores)`,
      });
    } else checks.push({ name: 'redis', ok: false, detail: 'not checked: REDIS_URL itself is malformed (see the config check)' });
  }

  if (target) {
    const redis = createRedisConnection({ url: target.url, role: 'producer', name: 'shoptok:doctor' });
    redis.on('error', () => undefined); // reported below as a failed check
    try {
      await waitForRedis(redis, 3_000);
      const info = await redis.info('server');
      const version = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
      // Every master of a cluster has its own settings: one evicting master loses that part of the queues.
      const policies = await Promise.all(
        dataNodes(redis).map(async (node) => ((await node.config('GET', 'maxmemory-policy')) as string[])[1] ?? 'unknown'),
      );
      const policy = policies.find((p) => p !== 'noeviction') ?? 'noeviction';
      checks.push({
        name: 'redis',
        ok: true,
        detail: `${target.url.replace(/\/\/[^@]*@/, '//***@')} answers (Redis ${version})`,
      });
      checks.push({
        name: 'redis maxmemory-policy',
        ok: policy === 'noeviction',
        detail:
          policy === 'noeviction'
            ? 'noeviction'
            : `${policy}: Redis may evict queue keys under memory pressure; set maxmemory-policy noeviction`,
      });
      const { config: full } = target;
      const factory = full ? new QueueFactory({ connection: redis, prefix: full.queuePrefix, retry: full.retry }) : undefined;
      try {
        for (const store of full?.stores ?? []) {
          if (!factory) break;
          const parts: string[] = [];
          let failed = 0;
          for (const key of queueKeys) {
            const counts = await factory.queue(key, store.id).getJobCounts('waiting', 'active', 'delayed', 'failed');
            failed += counts.failed ?? 0;
            parts.push(`${key} ${counts.waiting ?? 0}w/${counts.active ?? 0}a/${counts.delayed ?? 0}d/${counts.failed ?? 0}f`);
          }
          checks.push({
            name: `queues of ${store.id}`,
            ok: true,
            detail: `${parts.join(', ')}${failed ? ` (${failed} failed jobs kept for review)` : ''}`,
          });
        }
      } finally {
        await factory?.close();
      }
    } catch (err) {
      checks.push({ name: 'redis', ok: false, detail: (err as Error).message });
    } finally {
      redis.disconnect();
    }
  }

  for (const check of checks) {
    const [first, ...rest] = check.detail.split('\n');
    io.stdout.write(`${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${first}\n${rest.map((l) => `       ${l}\n`).join('')}`);
  }
  return checks.every((c) => c.ok) ? 0 : 1;
}
