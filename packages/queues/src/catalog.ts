import { storeQueueName } from '@shoptok/keys';
import { z } from 'zod';

/** Store ids as the config validates them; they appear in queue names, job ids and keys. */
const storeId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { error: 'store must be a store id from the config' });
const tiktokId = z.string().regex(/^\d{1,20}$/, { error: 'must be a TikTok id (digits, kept as a string)' });
const shopifyGid = z
  .string()
  .regex(/^gid:\/\/shopify\/[A-Za-z]+\/\d+$/, { error: 'must be a Shopify GraphQL id (gid://shopify/...)' });

/** What every job carries: which store, whether to write, and who asked. Never a secret. */
const common = {
  store: storeId,
  /** Compute and report what would be sent, write nothing to TikTok or Shopify. */
  dryRun: z.boolean().default(false),
  trigger: z.enum(['schedule', 'cli', 'webhook', 'replay', 'reconcile', 'demo']).default('schedule'),
};
/** Caps how many products a run touches (`--limit`). */
const limit = z.number().int().positive().optional();

/**
 * THE catalog: every queue, its job kinds and their payload schemas, declared once.
 * Schemas change only by adding optional fields (old jobs may still sit in Redis).
 */
export const queueCatalog = {
  inventory: {
    description:
      "Shopify stock to TikTok: only what changed, one TikTok call per product. A webhook's one-item job runs beside a full sync (one full sync per store at a time; pushes of one product are ordered by read time).",
    concurrency: 4,
    jobs: {
      /** Every mapped SKU of the store (the scheduled safety net). */
      'inventory-sync': z.object({ ...common, limit }),
      /** One inventory item whose stock changed (from a Shopify webhook). */
      'inventory-item': z.object({ ...common, inventoryItemId: shopifyGid }),
    },
  },
  products: {
    description: 'Shopify products to TikTok listings: map, pre-flight, images, create or edit, follow review.',
    concurrency: 1,
    jobs: {
      'product-batch': z.object({
        ...common,
        limit,
        cursor: z.string().optional(),
        /** Go ahead with deactivating more listings than `rules.listing.maxRemovalPercent` allows (`--confirm-removals`). */
        confirmRemovals: z.boolean().optional(),
      }),
      'product-sync-one': z.object({ ...common, productId: shopifyGid }),
      /** Polls one listing's review status until ACTIVATE or FAILED. */
      'listing-status': z.object({ ...common, tiktokProductId: tiktokId }),
    },
  },
  orders: {
    description: 'TikTok orders into Shopify, exactly once; cancellations both ways.',
    concurrency: 2,
    jobs: {
      'order-poll': z.object({ ...common, limit }),
      'order-import': z.object({ ...common, tiktokOrderId: tiktokId }),
      'order-cancel': z.object({ ...common, tiktokOrderId: tiktokId, origin: z.enum(['tiktok', 'shopify']) }),
    },
  },
  fulfilment: {
    description: 'Shopify fulfilments (tracking) back to TikTok as shipped packages.',
    concurrency: 2,
    jobs: {
      'fulfilment-poll': z.object({ ...common, limit }),
      'tracking-push': z.object({ ...common, tiktokOrderId: tiktokId, shopifyOrderId: shopifyGid.optional() }),
    },
  },
  maintenance: {
    description: 'Rebuilding sync state from both APIs, and token upkeep.',
    concurrency: 1,
    jobs: {
      /** Rebuilds the mappings from both APIs by seller SKU (after a Redis loss). */
      reconcile: z.object({ ...common }),
      'token-refresh': z.object({ ...common }),
    },
  },
} as const satisfies Record<string, QueueDefinition>;

export interface QueueDefinition {
  description: string;
  /** Jobs one worker process runs at once for one store's queue. */
  concurrency: number;
  jobs: Record<string, z.ZodType<{ store: string }>>;
}

export type QueueCatalog = typeof queueCatalog;
export type QueueKey = keyof QueueCatalog;
export type JobName<Q extends QueueKey> = keyof QueueCatalog[Q]['jobs'] & string;
/** A job's payload as the worker receives it, after parsing. */
export type JobData<Q extends QueueKey, J extends JobName<Q>> = z.output<QueueCatalog[Q]['jobs'][J]>;
/** A job's payload as a producer writes it (defaults may be left out). */
export type JobInput<Q extends QueueKey, J extends JobName<Q>> = z.input<QueueCatalog[Q]['jobs'][J]>;

export const queueKeys = Object.keys(queueCatalog) as QueueKey[];

/** The payload schema of a job kind, or undefined when the queue has no such job. */
export function jobSchema(queue: QueueKey, name: string): z.ZodType<{ store: string }> | undefined {
  const jobs: Record<string, z.ZodType<{ store: string }>> = queueCatalog[queue].jobs;
  return Object.hasOwn(jobs, name) ? jobs[name] : undefined;
}

/**
 * The BullMQ queue name of one store's queue. The `{store}` hash tag keeps every key of the
 * store's queues (and its state, `prefix:{store}:...`) in one Redis Cluster slot.
 */
export function queueNameFor(queue: QueueKey, store: string): string {
  return storeQueueName(queue, store);
}

/** Parses a BullMQ queue name back into its queue and store. */
export function parseQueueName(name: string): { queue: QueueKey; store: string } | undefined {
  const match = /^([a-z]+)-\{([a-z0-9-]+)\}$/.exec(name);
  if (!match || !queueKeys.includes(match[1] as QueueKey)) return undefined;
  return { queue: match[1] as QueueKey, store: match[2] as string };
}

/**
 * How a job kind retries.
 * - `eventual`: work that must happen even if a partner is down for hours (an order import, a
 *   cancellation, tracking, a webhook's stock change): capped exponential backoff for the
 *   outage window (`RETRY_BACKOFF` doubling up to `RETRY_MAX_DELAY`, for `RETRY_OUTAGE_WINDOW`).
 * - `standard`: work the next scheduled run redoes anyway (polls, full syncs, batches):
 *   `MAX_RETRIES` retries from `RETRY_BACKOFF`, doubling.
 * Either way a failure no retry can fix (`retryable: false`: invalid input, auth, config)
 * fails at once with its reason, and a rate limit costs no attempt.
 */
export type RetryClass = 'eventual' | 'standard';

/**
 * How a job kind's id is built. `domain`: the key names the work itself (one TikTok order), so
 * the same work is never queued twice. `run`: the kind has no domain key (a poll, a full sync):
 * every job is a run of its own and needs an occasion (a webhook window, a named run) or gets a
 * unique one.
 */
export type JobIdRule<D> = { kind: 'domain'; key: (data: D) => string } | { kind: 'run'; key: (data: D) => string };

/** Everything about one job kind besides its payload schema. */
export interface JobContract<D> {
  id: JobIdRule<D>;
  retry: RetryClass;
  /** A completed job brings the store up to date: its age is the store's sync lag for its queue. */
  countsTowardLag: boolean;
  /** What the kind does, one line (shown in the generated table of docs/architecture.md). */
  what: string;
  /**
   * The function of `@shoptok/sync` that runs it (queues may not import sync, so it is named;
   * `packages/sync/src/handlers-catalog.test.ts` fails when no such function is exported).
   */
  handler: `run${string}`;
}

const domain = <D>(key: (data: D) => string): JobIdRule<D> => ({ kind: 'domain', key });
const run = (key: string): JobIdRule<unknown> => ({ kind: 'run', key: () => key });
const gidTail = (gid: string): string => gid.split('/').pop() ?? gid;

type Contracts = { [Q in QueueKey]: { [J in JobName<Q>]: JobContract<JobInput<Q, J>> } };

/**
 * Each job kind's contract, beside its schema above: job id, retry class, sync lag. A kind
 * missing here does not compile.
 */
export const jobContracts: Contracts = {
  inventory: {
    'inventory-sync': {
      id: run('inventory-sync'),
      retry: 'standard',
      countsTowardLag: true,
      what: 'every mapped SKU',
      handler: 'runInventorySync',
    },
    'inventory-item': {
      id: domain((d) => `item-${gidTail(d.inventoryItemId)}`),
      retry: 'eventual',
      countsTowardLag: true,
      what: "one item's stock (webhook)",
      handler: 'runInventoryItem',
    },
  },
  products: {
    'product-batch': {
      id: run('product-batch'),
      retry: 'standard',
      countsTowardLag: true,
      what: 'every active product',
      handler: 'runProductBatch',
    },
    'product-sync-one': {
      id: domain((d) => `product-${gidTail(d.productId)}`),
      retry: 'standard',
      countsTowardLag: true,
      what: 'one product (webhook, CLI)',
      handler: 'runProductSyncOne',
    },
    'listing-status': {
      id: domain((d) => `listing-${d.tiktokProductId}`),
      retry: 'standard',
      countsTowardLag: false,
      what: "one listing's review",
      handler: 'runListingStatus',
    },
  },
  orders: {
    'order-poll': {
      id: run('order-poll'),
      retry: 'standard',
      countsTowardLag: true,
      what: 'TikTok orders since the cursor',
      handler: 'runOrderPoll',
    },
    'order-import': {
      id: domain((d) => `order-${d.tiktokOrderId}`),
      retry: 'eventual',
      countsTowardLag: true,
      what: 'one TikTok order into Shopify',
      handler: 'runOrderImport',
    },
    'order-cancel': {
      id: domain((d) => `cancel-${d.origin}-${d.tiktokOrderId}`),
      retry: 'eventual',
      countsTowardLag: false,
      what: 'one cancellation to the other side',
      handler: 'runOrderCancel',
    },
  },
  fulfilment: {
    'fulfilment-poll': {
      id: run('fulfilment-poll'),
      retry: 'standard',
      countsTowardLag: true,
      what: 'Shopify fulfilments since the cursor',
      handler: 'runFulfilmentPoll',
    },
    'tracking-push': {
      id: domain((d) => `tracking-${d.tiktokOrderId}`),
      retry: 'eventual',
      countsTowardLag: true,
      what: "one order's tracking to TikTok",
      handler: 'runTrackingPush',
    },
  },
  maintenance: {
    reconcile: {
      id: run('reconcile'),
      retry: 'standard',
      countsTowardLag: false,
      what: 'rebuild links from both APIs',
      handler: 'runReconcile',
    },
    'token-refresh': {
      id: run('token-refresh'),
      retry: 'standard',
      countsTowardLag: false,
      what: 'renew the TikTok token',
      handler: 'runTokenRefresh',
    },
  },
};

/** The contract of a job kind, or undefined when the queue has no such job. */
export function jobContract(queue: QueueKey, name: string): JobContract<never> | undefined {
  const contracts: Record<string, JobContract<never>> = jobContracts[queue];
  return Object.hasOwn(contracts, name) ? contracts[name] : undefined;
}

/**
 * What makes one job of a kind distinct from the kind's plain id. Parts are appended in this
 * order: `<store>-<key>[-<window>][-lead][-next][-<run>]`.
 */
export interface JobIdOccasion {
  /** A webhook's burst window (`w<bucket>`): changes inside one window join one job. */
  window?: string;
  /** The job that runs at once for the first change of a window. */
  lead?: boolean;
  /** A follow-up queued while a job of the same id still runs. */
  next?: boolean;
  /** A run of its own (the CLI's `cli-<stamp>`, a replay, a test): never merged with the domain job. */
  run?: string;
  /**
   * Dry or preview work (`dry-<id>`): BullMQ keeps a completed job's id for a day and ignores a
   * second job with the same id, so a dry import under the real id would swallow the real one.
   * `QueueFactory.add` sets it from the payload's `dryRun`.
   */
  dry?: boolean;
}

/** Burst window: every change inside one window joins one job that runs when the window ends. */
export const BURST_WINDOW_MS = 1_000;

/**
 * The burst window (`w<bucket>`, part of the job id) and delay for a change seen at `now`. The job of window k runs at the end
 * of window k, so it runs after every change that joined it: a burst makes one job and the
 * latest change is never dropped (the job reads fresh data when it runs). Ids that stay
 * stable forever would swallow later changes while BullMQ keeps the completed job.
 */
export function burstWindow(now: number, windowMs = BURST_WINDOW_MS): { window: string; delayMs: number } {
  const bucket = Math.floor(now / windowMs);
  return { window: `w${bucket}`, delayMs: (bucket + 1) * windowMs - now };
}

const ID_PART = /^[A-Za-z0-9][A-Za-z0-9_-]{0,80}$/;
let runSequence = 0;

/**
 * The id of a job, built from the catalog only (no ":" and never all digits, as BullMQ
 * requires). A `run` kind without an occasion gets a unique run id: it is a one-off run and
 * must never be swallowed by an earlier one kept in Redis.
 */
export function jobIdFor(
  queue: QueueKey,
  name: string,
  data: { store: string } & Record<string, unknown>,
  occasion: JobIdOccasion = {},
): string {
  const contract = jobContract(queue, name);
  if (!contract) throw new Error(`queue "${queue}" has no job kind "${name}"`);
  let occ = occasion;
  if (contract.id.kind === 'run' && !occ.window && !occ.run)
    occ = { ...occ, run: `run-${Date.now().toString(36)}-${process.pid.toString(36)}-${(runSequence++).toString(36)}` };
  for (const part of [occ.window, occ.run])
    if (part !== undefined && !ID_PART.test(part))
      throw new Error(`job id part "${part}" may hold only letters, digits, "-" and "_"`);
  const key = (contract.id.key as (d: unknown) => string)(data);
  return [
    occ.dry ? 'dry' : undefined,
    `${data.store}-${key}`,
    occ.window,
    occ.lead ? 'lead' : undefined,
    occ.next ? 'next' : undefined,
    occ.run,
  ]
    .filter((p) => p !== undefined)
    .join('-');
}

/** The plain domain ids, for readers that look a job up (`getJob`); producers pass an occasion to `QueueFactory.add`. */
export const jobIds = {
  orderImport: (store: string, tiktokOrderId: string) => jobIdFor('orders', 'order-import', { store, tiktokOrderId }),
  orderCancel: (store: string, tiktokOrderId: string, origin: 'tiktok' | 'shopify') =>
    jobIdFor('orders', 'order-cancel', { store, tiktokOrderId, origin }),
  trackingPush: (store: string, tiktokOrderId: string) => jobIdFor('fulfilment', 'tracking-push', { store, tiktokOrderId }),
  productOne: (store: string, productGid: string) => jobIdFor('products', 'product-sync-one', { store, productId: productGid }),
  listingStatus: (store: string, tiktokProductId: string) => jobIdFor('products', 'listing-status', { store, tiktokProductId }),
};
