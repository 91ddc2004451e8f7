import { storeKeyBase } from '@shoptok/keys';
import { z } from 'zod';
import { readLagHistory, type LagPoint, type RedisConnection } from '@shoptok/queues';

/*
 * The sync state the workers write (packages/state), read straight from Redis for now; a later
 * refactor switches to the state package's reader. The schemas below take only what the page
 * shows and let unknown fields through, so a newer writer never breaks the page.
 */
const reasonSchema = z.object({ code: z.string(), message: z.string() });
const skuLinkSchema = z.looseObject({ tiktokSkuId: z.string(), shopifyProductId: z.string().optional() });
const listingSchema = z.looseObject({
  tiktokProductId: z.string().optional(),
  status: z.string().default('UNKNOWN'),
  auditFailedReasons: z
    .array(
      z.looseObject({
        reasons: z.array(z.string()).default([]),
        suggestions: z.array(z.string()).default([]),
        position: z.string().optional(),
      }),
    )
    .default([]),
  updatedAt: z.number().optional(),
});
const attentionSchema = z.looseObject({ reasons: z.array(reasonSchema).default([]), at: z.number().optional() });
const storeAttentionSchema = z.looseObject({
  message: z.string(),
  at: z.number().optional(),
  numbers: z.record(z.string(), z.number()).default({}),
});
// packages/state's CategoryDecision: who chose a product's TikTok category, and why.
const categoryDecisionSchema = z.looseObject({
  categoryId: z.string(),
  categoryPath: z.array(z.string()).default([]),
  source: z.string(),
  ruleIndex: z.number().int().optional(),
  reason: z.string().default(''),
  attributeSources: z.record(z.string(), z.string()).default({}),
});
const orderFailureSchema = z.looseObject({
  reasons: z.array(reasonSchema).default([]),
  at: z.number().optional(),
  attempts: z.number().int().default(1),
});

/** The state hash `field` of a store. */
export function stateKey(
  prefix: string,
  store: string,
  hash: 'sku' | 'pushed' | 'listing' | 'attention' | 'order' | 'order-failed' | 'store-attention' | 'category-decision',
): string {
  return `${storeKeyBase(prefix, store)}:state:${hash}`;
}

export interface ProductAttention {
  shopifyProductId: string;
  tiktokProductId: string | undefined;
  /** The listing's TikTok status when it has one. */
  status: string | undefined;
  reasons: { code: string; message: string }[];
  at: number | undefined;
  /** The product's TikTok category and who chose it (pin, rule N, ai, offline), when a run recorded one. */
  category?: { id: string; path: string[]; chosenBy: string; reason: string; attributeSources: Record<string, string> };
}

export interface FailedOrder {
  tiktokOrderId: string;
  reasons: { code: string; message: string }[];
  at: number | undefined;
  attempts: number;
}

export interface StoreOverview {
  skus: {
    linked: number;
    /** Linked SKUs TikTok was told a stock for. */
    inSync: number;
    /** Linked SKUs TikTok was never told a stock for (its number may differ from Shopify's). */
    drifting: number;
  };
  listingsByStatus: Record<string, number>;
  attention: ProductAttention[];
  /** The whole store needs a person (e.g. a products run held back a mass removal), by code. */
  storeFlags: { code: string; message: string; at: number | undefined; numbers: Record<string, number> }[];
  /** How many products' categories each source chose (`pin`, `rule 0`, `ai`, `offline`). */
  categoriesByChooser: Record<string, number>;
  importedOrders: number;
  failedOrders: FailedOrder[];
  /** Records that did not parse (shown so a bad writer is noticed, never hidden). */
  unreadable: number;
  lag: LagPoint[];
}

/** Walks a hash with HSCAN so a store with 50,000 SKUs never blocks Redis. */
async function scanHash(redis: RedisConnection, key: string, onEntry: (field: string, value: string) => void): Promise<void> {
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(key, cursor, 'COUNT', 1000);
    cursor = next;
    for (let i = 0; i + 1 < flat.length; i += 2) onEntry(flat[i] as string, flat[i + 1] as string);
  } while (cursor !== '0');
}

function parseJson<T>(schema: z.ZodType<T>, raw: string): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const DAY_MS = 24 * 3600 * 1000;

/** Everything the overview page of one store shows, read now. */
export async function readStoreOverview(
  redis: RedisConnection,
  prefix: string,
  store: string,
  now = Date.now(),
): Promise<StoreOverview> {
  let unreadable = 0;

  const pushedSkuIds = new Set<string>();
  // Only the field names (TikTok SKU ids) of `pushed` matter here.
  await scanHash(redis, stateKey(prefix, store, 'pushed'), (tiktokSkuId) => pushedSkuIds.add(tiktokSkuId));

  const skus = { linked: 0, inSync: 0, drifting: 0 };
  await scanHash(redis, stateKey(prefix, store, 'sku'), (_sellerSku, raw) => {
    const link = parseJson(skuLinkSchema, raw);
    if (!link) {
      unreadable++;
      return;
    }
    skus.linked++;
    if (pushedSkuIds.has(link.tiktokSkuId)) skus.inSync++;
    else skus.drifting++;
  });

  const listingsByStatus: Record<string, number> = {};
  const failedListings = new Map<string, ProductAttention>();
  const listings = new Map<string, { tiktokProductId: string | undefined; status: string }>();
  await scanHash(redis, stateKey(prefix, store, 'listing'), (productId, raw) => {
    const listing = parseJson(listingSchema, raw);
    if (!listing) {
      unreadable++;
      return;
    }
    listingsByStatus[listing.status] = (listingsByStatus[listing.status] ?? 0) + 1;
    listings.set(productId, { tiktokProductId: listing.tiktokProductId, status: listing.status });
    const auditReasons = listing.auditFailedReasons.flatMap((r) =>
      r.reasons.map((message) => ({
        code: 'tiktok_audit',
        message: [message, ...r.suggestions.map((s) => `suggestion: ${s}`)].join(' — '),
      })),
    );
    if (auditReasons.length > 0) {
      failedListings.set(productId, {
        shopifyProductId: productId,
        tiktokProductId: listing.tiktokProductId,
        status: listing.status,
        reasons: auditReasons,
        at: listing.updatedAt,
      });
    }
  });

  const attention = new Map<string, ProductAttention>(failedListings);
  await scanHash(redis, stateKey(prefix, store, 'attention'), (productId, raw) => {
    const record = parseJson(attentionSchema, raw);
    if (!record) {
      unreadable++;
      return;
    }
    const listing = listings.get(productId);
    const audit = failedListings.get(productId)?.reasons ?? [];
    attention.set(productId, {
      shopifyProductId: productId,
      tiktokProductId: listing?.tiktokProductId,
      status: listing?.status,
      reasons: [...record.reasons, ...audit],
      at: record.at,
    });
  });

  const storeFlags: StoreOverview['storeFlags'] = [];
  await scanHash(redis, stateKey(prefix, store, 'store-attention'), (code, raw) => {
    const flag = parseJson(storeAttentionSchema, raw);
    if (!flag) {
      unreadable++;
      return;
    }
    storeFlags.push({ code, message: flag.message, at: flag.at, numbers: flag.numbers });
  });
  const categoriesByChooser: Record<string, number> = {};
  await scanHash(redis, stateKey(prefix, store, 'category-decision'), (productId, raw) => {
    const decision = parseJson(categoryDecisionSchema, raw);
    if (!decision) {
      unreadable++;
      return;
    }
    const chosenBy = decision.source === 'rule' ? `rule ${decision.ruleIndex ?? '?'}` : decision.source;
    categoriesByChooser[chosenBy] = (categoriesByChooser[chosenBy] ?? 0) + 1;
    const held = attention.get(productId);
    if (held)
      held.category = {
        id: decision.categoryId,
        path: decision.categoryPath,
        chosenBy,
        reason: decision.reason,
        attributeSources: decision.attributeSources,
      };
  });

  const importedOrders = await redis.hlen(stateKey(prefix, store, 'order'));
  const failedOrders: FailedOrder[] = [];
  await scanHash(redis, stateKey(prefix, store, 'order-failed'), (tiktokOrderId, raw) => {
    const record = parseJson(orderFailureSchema, raw);
    if (!record) {
      unreadable++;
      return;
    }
    failedOrders.push({ tiktokOrderId, reasons: record.reasons, at: record.at, attempts: record.attempts });
  });

  const newestFirst = (a: { at: number | undefined }, b: { at: number | undefined }) => (b.at ?? 0) - (a.at ?? 0);
  return {
    skus,
    listingsByStatus,
    attention: [...attention.values()].sort(newestFirst),
    storeFlags,
    categoriesByChooser,
    importedOrders,
    failedOrders: failedOrders.sort(newestFirst),
    unreadable,
    lag: await readLagHistory(redis, prefix, store, now - DAY_MS),
  };
}

/** The failure record of one order, or undefined when the order has none (nothing to replay). */
export async function readOrderFailure(
  redis: RedisConnection,
  prefix: string,
  store: string,
  tiktokOrderId: string,
): Promise<FailedOrder | undefined> {
  const raw = await redis.hget(stateKey(prefix, store, 'order-failed'), tiktokOrderId);
  const record = raw === null ? undefined : parseJson(orderFailureSchema, raw);
  return record ? { tiktokOrderId, reasons: record.reasons, at: record.at, attempts: record.attempts } : undefined;
}
