import type { QueueFactory, QueueKey } from '@shoptok/queues';

/** How many of a queue's newest failed jobs one poll looks through. */
const SWEEP_LIMIT = 200;

/**
 * Queues again the failed `name` jobs of a store that used up every attempt (TikTok or Shopify
 * was down for longer than the backoff) and whose work `stillNeeded` says is not done. Their
 * domain job id would otherwise keep that work from ever being queued again, and the poll that
 * made them has moved its cursor on. A job that failed at once (invalid input, an order that
 * cannot be imported as it is) stays failed for the operator to fix and replay; so does every
 * job of a queue without retries, where the two cannot be told apart. Returns the ids retried.
 */
export async function retryJobsFailedByOutage(queues: QueueFactory, queue: QueueKey, store: string, name: string, stillNeeded: (data: Record<string, unknown>) => boolean | Promise<boolean>): Promise<string[]> {
  const retried: string[] = [];
  for (const job of await queues.queue(queue, store).getFailed(0, SWEEP_LIMIT - 1)) {
    const attempts = job.opts.attempts ?? 1;
    if (job.name !== name || attempts <= 1 || job.attemptsMade < attempts || !job.id) continue;
    if (!(await stillNeeded((job.data ?? {}) as Record<string, unknown>))) continue;
    try {
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      retried.push(job.id);
    } catch {
      // Another poll (or the operator's Replay) moved it first: nothing left to do.
    }
  }
  return retried;
}
