import type { QueueFactory, QueueKey } from '@shoptok/queues';

/**
 * Waits until the stores' queues have no work left that this run started: nothing waiting or
 * active, and no delayed retry. Delayed jobs of a schedule (the scheduler's next cycle) and the
 * products queue's review polls (delayed by design) do not count. `signal` stops waiting at once.
 */
export async function drainQueues(
  queues: QueueFactory,
  stores: readonly string[],
  keys: readonly QueueKey[],
  timeoutMs = 3_600_000,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    let busy = 0;
    for (const store of stores) {
      for (const key of keys) {
        const queue = queues.queue(key, store);
        const counts = await queue.getJobCounts('waiting', 'active', 'prioritized');
        busy += (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.prioritized ?? 0);
        if (key !== 'products') busy += (await queue.getDelayed(0, 200)).filter((job) => !job.repeatJobKey).length;
      }
    }
    if (busy === 0 || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
