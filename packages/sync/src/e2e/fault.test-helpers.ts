// What every fault test checks at its end, printed as counts and asserted: TikTok stock equals
// Shopify stock for every linked SKU, every TikTok order exists exactly once in Shopify, and
// nothing was dropped silently (every failure is a failed BullMQ job with a reason).
import {
  createRedisConnection,
  emptySummary,
  jobSummarySchema,
  mergeSummaries,
  QueueFactory,
  queueKeys,
  waitForRedis,
  type JobName,
  type JobSummary,
  type QueueKey,
} from '@shoptok/queues';
import { waitUntil } from '@shoptok/testkit';
import { shopifyAvailable, type Fleet, type FleetStore } from './fleet.test-helpers.js';

/** `pnpm chaos` sets SHOPTOK_FAULT_SCALE=full; CI runs the reduced size. */
export const FAULT_SCALE: 'full' | 'reduced' = process.env.SHOPTOK_FAULT_SCALE === 'full' ? 'full' : 'reduced';

/** The reduced (CI) or the full (`pnpm chaos`) figure. */
export function scaled(reduced: number, full: number): number {
  return FAULT_SCALE === 'full' ? full : reduced;
}

export interface StockPair {
  sku: string;
  tiktok: number;
  shopify: number;
}

/** Every TikTok SKU whose seller SKU names exactly one tracked Shopify variant, with both quantities. */
export function stockPairs(fleet: Fleet, store: FleetStore): StockPair[] {
  const variants = new Map<string, { inventoryItemId: number; tracked: boolean }[]>();
  for (const p of store.shopify.state.products)
    for (const v of p.variants)
      if (v.sku)
        variants.set(v.sku, [...(variants.get(v.sku) ?? []), { inventoryItemId: v.inventoryItemId, tracked: v.tracked }]);
  const pairs: StockPair[] = [];
  for (const product of fleet.tiktok.admin.shop(store.tiktokShopId).products.values()) {
    for (const sku of product.skus) {
      const matches = variants.get(sku.seller_sku) ?? [];
      const only = matches[0];
      if (matches.length !== 1 || !only?.tracked) continue;
      pairs.push({
        sku: sku.seller_sku,
        tiktok: sku.inventory.find((i) => i.warehouse_id === store.warehouseId)?.quantity ?? -1,
        shopify: shopifyAvailable(store, only.inventoryItemId),
      });
    }
  }
  return pairs;
}

/** SKUs whose TikTok stock differs from Shopify's, over all stores. */
export function stockMismatches(fleet: Fleet, stores: readonly FleetStore[] = fleet.stores): (StockPair & { store: string })[] {
  return stores.flatMap((store) =>
    stockPairs(fleet, store)
      .filter((p) => p.tiktok !== p.shopify)
      .map((p) => ({ ...p, store: store.id })),
  );
}

/** How many Shopify orders carry each TikTok order id (their source identifier). */
export function shopifyOrdersByTikTokId(store: FleetStore): Map<string, number> {
  const counts = new Map<string, number>();
  for (const o of store.shopify.state.orders) {
    // shoptok sets `tiktok-<order id>` (packages/shopify sourceIdentifierFor).
    const id = /^tiktok-(\d+)$/.exec(o.sourceIdentifier ?? '')?.[1];
    if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** Total `ok` TikTok calls of one API (e.g. `inventory/update`) over every shop. */
export function tiktokCalls(fleet: Fleet, apiPart: string): number {
  return fleet.tiktok.counters
    .rows()
    .filter((r) => r.api.includes(apiPart))
    .reduce((n, r) => n + r.ok, 0);
}

/** A job queued straight into a store's queue (as the CLI does, without its process start-up). */
export interface QueuedJob {
  queue: QueueKey;
  store: string;
  id: string;
}

/** Opens a producer on the fleet's Redis for `use`, and closes it afterwards. */
export async function withQueues<T>(fleet: Fleet, use: (queues: QueueFactory) => Promise<T>): Promise<T> {
  const connection = createRedisConnection({ url: fleet.redis.url, role: 'producer' });
  connection.on('error', () => undefined);
  const queues = new QueueFactory({
    connection,
    prefix: fleet.redis.prefix,
    retry: {
      maxRetries: Number(fleet.env.MAX_RETRIES ?? 1),
      backoffSeconds: Number(fleet.env.RETRY_BACKOFF ?? 0.2),
      maxDelaySeconds: Number(fleet.env.RETRY_MAX_DELAY ?? 0.5),
      outageWindowSeconds: Number(fleet.env.RETRY_OUTAGE_WINDOW ?? 5),
    },
  });
  try {
    await waitForRedis(connection);
    return await use(queues);
  } finally {
    await queues.close();
    connection.disconnect();
  }
}

let queuedSeq = 0;

/** Queues one job kind (one that needs only the store) for every store, with the fleet's retry policy; returns where each went. */
export async function enqueueForEveryStore<Q extends QueueKey>(
  fleet: Fleet,
  queue: Q,
  name: JobName<Q>,
  stores: readonly FleetStore[] = fleet.stores,
): Promise<QueuedJob[]> {
  return withQueues(fleet, async (queues) => {
    const jobs: QueuedJob[] = [];
    for (const store of stores) {
      const added = await queues.addByName(
        queue,
        name,
        { store: store.id, trigger: 'cli' },
        { id: { run: `fault-${Date.now()}-${queuedSeq++}` } },
      );
      jobs.push({ queue, store: store.id, id: added.id ?? '' });
    }
    return jobs;
  });
}

/** The BullMQ state of each job ('missing' when Redis no longer has it), with its failure reason. */
export async function jobStates(fleet: Fleet, jobs: readonly QueuedJob[]): Promise<Record<string, string>> {
  return withQueues(fleet, async (queues) => {
    const states: Record<string, string> = {};
    for (const j of jobs) {
      const job = await queues.queue(j.queue, j.store).getJob(j.id);
      const state = job ? await job.getState() : 'missing';
      states[j.id] = state === 'failed' ? `failed: ${job?.failedReason ?? ''}` : state;
    }
    return states;
  });
}

/**
 * Queues one job kind for every store and waits until each has finished: the summaries merged
 * (as `pnpm enqueue --wait` prints them) and the failed ones with their reasons.
 */
export async function runForEveryStore<Q extends QueueKey>(
  fleet: Fleet,
  queue: Q,
  name: JobName<Q>,
  options: { stores?: readonly FleetStore[]; timeoutMs?: number } = {},
): Promise<{ summary: JobSummary; failed: string[] }> {
  const jobs = await enqueueForEveryStore(fleet, queue, name, options.stores);
  await waitUntil(
    async () => Object.values(await jobStates(fleet, jobs)).every((s) => s === 'completed' || s.startsWith('failed')),
    { timeoutMs: options.timeoutMs ?? 60_000, intervalMs: 100, what: `${name} of every store to finish` },
  );
  return withQueues(fleet, async (queues) => {
    let summary = emptySummary();
    const failed: string[] = [];
    for (const j of jobs) {
      const job = await queues.queue(j.queue, j.store).getJob(j.id);
      if (job && (await job.getState()) === 'failed') failed.push(`${j.id}: ${job.failedReason}`);
      else summary = mergeSummaries(summary, jobSummarySchema.parse(job?.returnvalue ?? {}));
    }
    return { summary, failed };
  });
}

export interface JobRecord {
  queue: string;
  id: string;
  name: string;
  state: string;
  reason: string;
}

/** Every job of the fleet's stores that is not completed: failed ones with their reason, and unfinished ones. */
export async function openAndFailedJobs(fleet: Fleet): Promise<{ failed: JobRecord[]; unfinished: JobRecord[] }> {
  return withQueues(fleet, async (queues) => {
    const failed: JobRecord[] = [];
    const unfinished: JobRecord[] = [];
    for (const store of fleet.stores) {
      for (const key of queueKeys) {
        const queue = queues.queue(key, store.id);
        for (const job of await queue.getJobs(['failed']))
          failed.push({ queue: queue.name, id: job.id ?? '', name: job.name, state: 'failed', reason: job.failedReason ?? '' });
        // Recurring jobs (the scheduler's next cycle) wait by design; everything else must be done.
        for (const job of await queue.getJobs(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'])) {
          if (job.repeatJobKey) continue;
          unfinished.push({
            queue: queue.name,
            id: job.id ?? '',
            name: job.name,
            state: await job.getState(),
            reason: job.failedReason ?? '',
          });
        }
      }
    }
    return { failed, unfinished };
  });
}

/** Waits until no job of the fleet is waiting, active or in backoff (recurring ones aside). */
export async function waitForIdleQueues(fleet: Fleet, timeoutMs = 60_000): Promise<void> {
  let last: JobRecord[] = [];
  try {
    await waitUntil(
      async () => {
        last = (await openAndFailedJobs(fleet)).unfinished;
        return last.length === 0;
      },
      { timeoutMs, intervalMs: 200, what: 'every queue to be idle' },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; still open: ${JSON.stringify(last.slice(0, 10))}`, { cause: err });
  }
}

export interface InvariantCounts {
  scenario: string;
  linkedSkus: number;
  stockMismatches: number;
  tiktokOrders: number;
  ordersMissingInShopify: number;
  ordersDuplicatedInShopify: number;
  failedJobs: number;
  failedJobsWithoutReason: number;
  unfinishedJobs: number;
}

/**
 * Computes the three invariants after a fault, prints them as one line of counts, and returns
 * them with the details a failing assertion should show. `orders`: per store id, the TikTok
 * orders that must each exist exactly once in Shopify.
 */
export async function invariants(
  fleet: Fleet,
  scenario: string,
  orders: Record<string, readonly string[]> = {},
  stores: readonly FleetStore[] = fleet.stores,
) {
  const mismatches = stockMismatches(fleet, stores);
  let missing: string[] = [];
  let duplicated: string[] = [];
  let tiktokOrders = 0;
  for (const store of fleet.stores) {
    const counts = shopifyOrdersByTikTokId(store);
    const expected = orders[store.id] ?? [];
    tiktokOrders += expected.length;
    missing = [...missing, ...expected.filter((id) => (counts.get(id) ?? 0) === 0)];
    duplicated = [...duplicated, ...[...counts].filter(([, n]) => n > 1).map(([id]) => id)];
  }
  const jobs = await openAndFailedJobs(fleet);
  const counts: InvariantCounts = {
    scenario,
    linkedSkus: stores.reduce((n, s) => n + stockPairs(fleet, s).length, 0),
    stockMismatches: mismatches.length,
    tiktokOrders,
    ordersMissingInShopify: missing.length,
    ordersDuplicatedInShopify: duplicated.length,
    failedJobs: jobs.failed.length,
    failedJobsWithoutReason: jobs.failed.filter((j) => j.reason.trim() === '').length,
    unfinishedJobs: jobs.unfinished.length,
  };
  console.log(
    `fault suite [${scenario}] ${Object.entries(counts)
      .filter(([k]) => k !== 'scenario')
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
  return { counts, mismatches, missing, duplicated, failed: jobs.failed, unfinished: jobs.unfinished };
}
