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
    description: 'Shopify stock to TikTok: only what changed, one TikTok call per product.',
    concurrency: 1,
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
  return `${queue}-{${store}}`;
}

/** Parses a BullMQ queue name back into its queue and store. */
export function parseQueueName(name: string): { queue: QueueKey; store: string } | undefined {
  const match = /^([a-z]+)-\{([a-z0-9-]+)\}$/.exec(name);
  if (!match || !queueKeys.includes(match[1] as QueueKey)) return undefined;
  return { queue: match[1] as QueueKey, store: match[2] as string };
}

/**
 * Job ids built from the domain key, so the same thing is never queued twice
 * (no ":" and never all digits, as BullMQ requires).
 */
export const jobIds = {
  orderImport: (store: string, tiktokOrderId: string) => `${store}-order-${tiktokOrderId}`,
  orderCancel: (store: string, tiktokOrderId: string, origin: 'tiktok' | 'shopify') =>
    `${store}-cancel-${origin}-${tiktokOrderId}`,
  trackingPush: (store: string, tiktokOrderId: string) => `${store}-tracking-${tiktokOrderId}`,
  productOne: (store: string, productGid: string) => `${store}-product-${productGid.split('/').pop()}`,
  listingStatus: (store: string, tiktokProductId: string) => `${store}-listing-${tiktokProductId}`,
};
