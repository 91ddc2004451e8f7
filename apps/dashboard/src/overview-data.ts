import { readLagHistory, type LagPoint, type RedisConnection } from '@shoptok/queues';
import { StateStore } from '@shoptok/state';

/*
 * The store overview, read through packages/state (its keys and record schemas): a record that
 * does not parse is counted as unreadable and shown as such, never hidden and never fatal.
 */

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

const DAY_MS = 24 * 3600 * 1000;

/** Everything the overview page of one store shows, read now. */
export async function readStoreOverview(
  redis: RedisConnection,
  prefix: string,
  store: string,
  now = Date.now(),
): Promise<StoreOverview> {
  const state = new StateStore(redis, prefix, store);
  let unreadable = 0;

  const pushedSkuIds = new Set<string>();
  // Only the field names (TikTok SKU ids) of `pushed` matter here.
  await state.scanRecords('pushed', (tiktokSkuId) => pushedSkuIds.add(tiktokSkuId));

  const skus = { linked: 0, inSync: 0, drifting: 0 };
  await state.scanRecords('sku', (_sellerSku, link) => {
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
  await state.scanRecords('listing', (productId, listing) => {
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
  await state.scanRecords('attention', (productId, record) => {
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
  await state.scanRecords('storeAttention', (code, flag) => {
    if (!flag) {
      unreadable++;
      return;
    }
    storeFlags.push({ code, message: flag.message, at: flag.at, numbers: flag.numbers });
  });
  const categoriesByChooser: Record<string, number> = {};
  await state.scanRecords('categoryDecision', (productId, decision) => {
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

  const importedOrders = await state.importedOrderCount();
  const failedOrders: FailedOrder[] = [];
  await state.scanRecords('orderFailed', (tiktokOrderId, record) => {
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
  const record = await new StateStore(redis, prefix, store).orderFailure(tiktokOrderId);
  return record ? { tiktokOrderId, reasons: record.reasons, at: record.at, attempts: record.attempts } : undefined;
}
