import type { StoreConfig } from '@shoptok/config';
import { scheduledStoresKey } from '@shoptok/keys';
import type { Logger } from '@shoptok/logger';
import { queueKeys, type QueueFactory, type RedisConnection } from '@shoptok/queues';
import { recurringJobsFor } from './plan.js';

export interface ScheduleSyncResult {
  upserted: string[];
  removed: string[];
}

/** Redis set of the stores this deployment has scheduled, so stores that left can be found (packages/keys). */
export { scheduledStoresKey };

/**
 * Makes the job schedulers in Redis match the stores in the config: upserts every store's
 * recurring jobs by stable id (idempotent, so replicas converge on one schedule each) and
 * removes the schedulers of stores that are no longer listed or are disabled.
 */
export async function syncSchedules(options: {
  stores: StoreConfig[];
  queues: QueueFactory;
  redis: RedisConnection;
  prefix: string;
  dryRun: boolean;
  logger: Logger;
}): Promise<ScheduleSyncResult> {
  const { stores, queues, redis, prefix, logger } = options;
  const active = stores.filter((s) => s.enabled);
  const upserted: string[] = [];
  for (const store of active) {
    for (const job of recurringJobsFor(store)) {
      const data = { store: store.id, dryRun: store.dryRun || options.dryRun, trigger: 'schedule' as const };
      const id = await queues.upsertRecurring(job.queue, job.jobName, job.everySeconds, data);
      upserted.push(`${job.queue}/${id}`);
    }
    await redis.sadd(scheduledStoresKey(prefix), store.id);
  }

  const known = await redis.smembers(scheduledStoresKey(prefix));
  const keep = new Set(active.map((s) => s.id));
  const removed: string[] = [];
  for (const storeId of known.filter((id) => !keep.has(id))) {
    for (const key of queueKeys) {
      const queue = queues.queue(key, storeId);
      for (const scheduler of await queue.getJobSchedulers()) {
        if (scheduler.key.startsWith(`${storeId}-`)) {
          await queue.removeJobScheduler(scheduler.key);
          removed.push(`${key}/${scheduler.key}`);
        }
      }
    }
    await redis.srem(scheduledStoresKey(prefix), storeId);
    logger.info(
      { store: storeId },
      'store left the config: its recurring jobs are removed (queued and failed jobs stay for review)',
    );
  }
  logger.info({ stores: active.length, upserted: upserted.length, removed: removed.length }, 'schedules in sync with the config');
  return { upserted, removed };
}
