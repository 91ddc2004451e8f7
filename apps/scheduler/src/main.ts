import { createRedisConnection, QueueFactory, redisHealthCheck, startHealthServer, waitForRedis } from '@shoptok/queues';
import { bootApp } from '@shoptok/sync';
import { syncSchedules } from './schedules.js';

/**
 * The scheduler: makes every store's recurring jobs match the config at start and on SIGHUP
 * (after an edit of the stores file), then stays up for health checks. Any number of
 * replicas may run: upserts by stable id never duplicate a schedule.
 */
const boot = bootApp('scheduler', process.env, process.cwd());
const { logger, shutdown } = boot;
let config = boot.config;

const redis = createRedisConnection({ url: config.redisUrl, role: 'worker', name: 'shoptok:scheduler' });
redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
shutdown.add('connections', 'redis', () => redis.quit());
await waitForRedis(redis, 30_000);
const queues = new QueueFactory({ connection: redis, prefix: config.queuePrefix, retry: config.retry });
shutdown.add('workers', 'queues', () => queues.close());

const sync = () =>
  syncSchedules({ stores: config.stores, queues, redis, prefix: config.queuePrefix, dryRun: config.dryRun, logger });
// A Redis that comes back empty (no persistence, a lost volume) has lost the schedules with
// everything else: upsert them again on every reconnect (idempotent, by stable id), or the
// fleet would silently stop syncing until someone restarts the scheduler. Listening before the
// first sync also covers a restart in the middle of it.
redis.on('ready', () => {
  logger.info('redis connection back: making sure every schedule is there');
  sync().catch((err: unknown) => logger.error({ err }, 'schedule update after reconnect failed'));
});
await sync();

process.on('SIGHUP', () => {
  try {
    config = boot.reloadConfig();
    sync().catch((err: unknown) => logger.error({ err }, 'schedule update failed'));
  } catch (err) {
    logger.error({ err: (err as Error).message }, 'stores file reload refused; keeping the current schedules');
  }
});

if (config.healthPort > 0) {
  const health = await startHealthServer({ port: config.healthPort, checks: { redis: redisHealthCheck(redis) } });
  shutdown.add('intake', 'health server', () => health.close());
  logger.info({ port: health.port }, 'health endpoint at /healthz');
}
logger.info({ stores: config.stores.map((s) => s.id) }, 'scheduler running; SIGHUP reloads the stores file');
