import type { Queue } from 'bullmq';
import type { JobInput, JobName, QueueKey } from './catalog.js';

/** Stable scheduler id of one recurring job: `<store>-<job>` (same id, same schedule, on every replica). */
export function schedulerIdFor(store: string, jobName: string): string {
  return `${store}-${jobName}`;
}

/**
 * Creates or updates the recurring job of one store. Upserting by a stable id is idempotent,
 * so any number of scheduler replicas converge on one schedule per (store, job).
 */
export async function upsertRecurringJob<Q extends QueueKey, J extends JobName<Q>>(
  queue: Queue,
  store: string,
  jobName: J,
  everySeconds: number,
  data: JobInput<Q, J>,
): Promise<string> {
  const id = schedulerIdFor(store, jobName);
  await queue.upsertJobScheduler(id, { every: everySeconds * 1000 }, { name: jobName, data });
  return id;
}
