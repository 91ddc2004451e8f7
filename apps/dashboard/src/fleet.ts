import { dataNodes, queueKeys, queueNameFor, type QueueFactory, type QueueKey, type RedisConnection } from '@shoptok/queues';

/** The job states read from BullMQ for every queue. */
export const JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** One store's queue as seen now. */
export interface QueueSnapshot {
  queue: QueueKey;
  store: string;
  name: string;
  counts: Record<JobState, number>;
  /** Worker connections consuming the queue; undefined when Redis does not allow CLIENT LIST. */
  workers: number | undefined;
}

/**
 * Workers per BullMQ queue name, from ONE `CLIENT LIST` (BullMQ's own `getWorkers()` runs it
 * once per queue, which is stores x queues full client lists per scrape). BullMQ names a worker
 * connection `<prefix>:<base64 queue name>` or `<prefix>:<base64 queue name>:w:<worker name>`;
 * a test checks this against a real Worker so a BullMQ change cannot slip by.
 * Undefined when the server refuses CLIENT LIST (some managed Redis services do).
 */
export async function countWorkers(
  redis: RedisConnection,
  prefix: string,
  queueNames: readonly string[],
): Promise<Map<string, number> | undefined> {
  let lists: string[];
  try {
    // On a cluster each master lists only its own clients: a worker's connection shows on the
    // master of its queue's slot (and maybe on others), so a queue counts its most-seen number.
    lists = await Promise.all(dataNodes(redis).map(async (node) => (await node.call('CLIENT', 'LIST')) as string));
  } catch {
    return undefined;
  }
  const byClientName = new Map(queueNames.map((name) => [`${prefix}:${Buffer.from(name).toString('base64')}`, name]));
  const counts = new Map(queueNames.map((name) => [name, 0]));
  for (const list of lists) {
    const onThisNode = new Map<string, number>();
    for (const line of list.split(/\r?\n/)) {
      const clientName = / name=(\S*)/.exec(` ${line}`)?.[1];
      if (!clientName) continue;
      const colonW = clientName.indexOf(':w:');
      const queueName = byClientName.get(colonW === -1 ? clientName : clientName.slice(0, colonW));
      if (queueName !== undefined) onThisNode.set(queueName, (onThisNode.get(queueName) ?? 0) + 1);
    }
    for (const [name, n] of onThisNode) counts.set(name, Math.max(counts.get(name) ?? 0, n));
  }
  return counts;
}

/** Counts and workers of every queue of every store, read now (one round of Redis calls). */
export async function readFleet(options: {
  queues: QueueFactory;
  redis: RedisConnection;
  prefix: string;
  stores: readonly string[];
}): Promise<QueueSnapshot[]> {
  const { queues, redis, prefix, stores } = options;
  const pairs = stores.flatMap((store) => queueKeys.map((queue) => ({ queue, store, name: queueNameFor(queue, store) })));
  const [workers, counts] = await Promise.all([
    countWorkers(
      redis,
      prefix,
      pairs.map((p) => p.name),
    ),
    Promise.all(pairs.map((p) => queues.queue(p.queue, p.store).getJobCounts(...JOB_STATES))),
  ]);
  return pairs.map((p, i) => ({
    ...p,
    counts: Object.fromEntries(JOB_STATES.map((s) => [s, counts[i]?.[s] ?? 0])) as Record<JobState, number>,
    workers: workers?.get(p.name),
  }));
}
