import { TIKTOK_MAX_QUANTITY, toShopifyGid, type InventoryRules, type StoreRules } from './rules.js';
import type { ShopifyVariantStock } from './shopify-types.js';

/**
 * What TikTok should show for one warehouse, from Shopify's available stock there, after the
 * store's rules: negative stock counts as 0; at or below the out-of-stock threshold shows 0; then
 * the percentage buffer (rounding down), the fixed buffer, and the maximum.
 */
export function applyInventoryRules(available: number, rules: InventoryRules): number {
  const stock = Number.isFinite(available) ? Math.max(0, Math.trunc(available)) : 0;
  if (stock === 0 || stock <= rules.outOfStockThreshold) return 0;
  // Integer arithmetic (basis points) so 10 units at 70 % is 7, never 6.999… rounded to 6.
  const keptBasisPoints = 10_000 - Math.round(rules.bufferPercent * 100);
  const afterPercent = Math.floor((stock * keptBasisPoints) / 10_000);
  const afterUnits = afterPercent - rules.bufferUnits;
  return Math.max(0, Math.min(afterUnits, rules.maxQuantity, TIKTOK_MAX_QUANTITY));
}

/** A TikTok SKU we know is the listing of a Shopify SKU (kept in state, or found by `seller_sku`). */
export interface TikTokSkuLink {
  tiktokProductId: string;
  tiktokSkuId: string;
  /** TikTok `seller_sku`, equal to the Shopify SKU. */
  sellerSku: string;
  /** When known, the link follows the variant, not the SKU (immune to duplicated SKUs). */
  shopifyVariantId?: string;
}

/** Quantities per TikTok SKU id, then per warehouse id (what we last pushed, or what TikTok shows). */
export type QuantitiesBySku = Readonly<Record<string, Readonly<Record<string, number>>>>;

export interface InventoryDiffInput {
  /** The Shopify variants looked up for this run (all of a store, or only those a webhook named). */
  variants: readonly ShopifyVariantStock[];
  /**
   * The TikTok SKUs to bring in step. Pass only links whose variant or SKU you looked up: a link
   * with no matching variant in `variants` means Shopify no longer has it.
   */
  links: readonly TikTokSkuLink[];
  /** What each TikTok SKU last received from us, per warehouse. */
  lastPushed: QuantitiesBySku;
  /** Optional: what TikTok shows now (Search Products / Inventory Search); a hand edit there gets overwritten and reported. */
  observed?: QuantitiesBySku;
  /** The shop's default TikTok warehouse, used when the rules map no locations. */
  defaultWarehouseId?: string;
}

export type InventoryChangeReason =
  'first-push' | 'changed' | 'overwrites-manual-change' | 'variant-deleted' | 'product-inactive';

/** One warehouse quantity we are about to send, with the reason (log it; store `to` as last pushed after success). */
export interface InventoryChange {
  tiktokProductId: string;
  tiktokSkuId: string;
  sellerSku: string;
  shopifyVariantId: string | null;
  warehouseId: string;
  /** Last pushed value, null if never pushed. */
  from: number | null;
  /** What TikTok showed, when `observed` was given and it differs from `from`. */
  observed?: number;
  to: number;
  reason: InventoryChangeReason;
}

/** One Update Inventory call: `POST /product/202309/products/{product_id}/inventory/update` (API-FACTS §5.5). */
export interface ProductInventoryUpdate {
  tiktokProductId: string;
  /** The request body, exactly as TikTok takes it. Each SKU lists every mapped warehouse, as the API requires. */
  body: { skus: { id: string; inventory: { warehouse_id: string; quantity: number }[] }[] };
  changes: InventoryChange[];
}

export type InventorySkipReason =
  | 'no-sku'
  | 'unlinked'
  | 'duplicate-sku'
  | 'duplicate-link'
  | 'untracked'
  | 'variant-deleted'
  | 'product-inactive'
  | 'no-warehouse';

/** Something not sent, and why, worded for the merchant. */
export interface InventorySkip {
  reason: InventorySkipReason;
  message: string;
  sellerSku?: string | null;
  shopifyVariantId?: string;
  tiktokProductId?: string;
  tiktokSkuId?: string;
}

export interface InventoryDiff {
  /** One entry per TikTok product with at least one changed SKU: make ONE inventory call each. */
  updates: ProductInventoryUpdate[];
  skipped: InventorySkip[];
  /** TikTok SKUs already in step. */
  unchangedSkus: number;
}

interface WarehouseFeed {
  warehouseId: string;
  /** null: every location. */
  locationIds: ReadonlySet<string> | null;
}

function warehouseFeeds(rules: InventoryRules, defaultWarehouseId: string | undefined): WarehouseFeed[] {
  if (rules.warehouses.length > 0) {
    return rules.warehouses.map((w) => ({ warehouseId: w.tiktokWarehouseId, locationIds: new Set(w.shopifyLocationIds) }));
  }
  return defaultWarehouseId ? [{ warehouseId: defaultWarehouseId, locationIds: null }] : [];
}

function normalisedSku(sku: string | null | undefined): string | null {
  const trimmed = sku?.trim();
  return trimmed ? trimmed : null;
}

/**
 * Compares what TikTok should show (Shopify available per SKU, summed over the locations feeding
 * each TikTok warehouse, after the store's inventory rules) with what TikTok last got, and groups
 * the changes per TikTok product. Variants deleted or archived in Shopify go to 0 unless the rules
 * say `unavailableVariants: skip`.
 */
export function computeInventoryDiff(input: InventoryDiffInput, rules: StoreRules): InventoryDiff {
  const inv = rules.inventory;
  const skipped: InventorySkip[] = [];
  const feeds = warehouseFeeds(inv, input.defaultWarehouseId);

  const byVariantId = new Map<string, ShopifyVariantStock>();
  const bySku = new Map<string, ShopifyVariantStock[]>();
  for (const v of input.variants) {
    byVariantId.set(v.variantId, v);
    const sku = normalisedSku(v.sku);
    if (sku) bySku.set(sku, [...(bySku.get(sku) ?? []), v]);
  }

  if (feeds.length === 0) {
    skipped.push({
      reason: 'no-warehouse',
      message:
        "No TikTok warehouse to update: map Shopify locations to TikTok warehouses in rules.inventory.warehouses, or pass the shop's default warehouse id.",
    });
    return { updates: [], skipped, unchangedSkus: 0 };
  }

  const linkedVariantIds = new Set<string>();
  const linkedSkus = new Set<string>();
  const seenTikTokSkus = new Set<string>();
  const updates = new Map<string, ProductInventoryUpdate>();
  let unchangedSkus = 0;

  for (const link of input.links) {
    const sellerSku = normalisedSku(link.sellerSku) ?? '';
    const ids = { sellerSku, tiktokProductId: link.tiktokProductId, tiktokSkuId: link.tiktokSkuId };
    if (seenTikTokSkus.has(link.tiktokSkuId)) {
      skipped.push({
        ...ids,
        reason: 'duplicate-link',
        message: `TikTok SKU ${link.tiktokSkuId} is linked twice in this run; only the first link was used.`,
      });
      continue;
    }
    seenTikTokSkus.add(link.tiktokSkuId);
    if (link.shopifyVariantId) linkedVariantIds.add(link.shopifyVariantId);
    else if (sellerSku) linkedSkus.add(sellerSku);

    // Resolve the Shopify variant: by id when the link pins one, else by SKU.
    let variant: ShopifyVariantStock | undefined;
    if (link.shopifyVariantId) {
      variant = byVariantId.get(link.shopifyVariantId);
    } else {
      const candidates = bySku.get(sellerSku) ?? [];
      if (candidates.length > 1) {
        skipped.push({
          ...ids,
          reason: 'duplicate-sku',
          message: `SKU "${sellerSku}" is used by ${candidates.length} Shopify variants (${candidates.map((c) => c.variantId).join(', ')}); give each variant its own SKU so TikTok's stock is not guessed.`,
        });
        continue;
      }
      variant = candidates[0];
    }

    let quantities: Map<string, number>;
    let reasonOverride: InventoryChangeReason | undefined;
    if (!variant || (variant.productStatus !== 'ACTIVE' && variant.productStatus !== 'UNLISTED')) {
      const reason = variant ? 'product-inactive' : 'variant-deleted';
      const what = variant
        ? `the Shopify product of SKU "${sellerSku}" is ${variant.productStatus.toLowerCase()}`
        : `Shopify no longer has a variant ${link.shopifyVariantId ? link.shopifyVariantId : `with SKU "${sellerSku}"`}`;
      if (inv.unavailableVariants === 'skip') {
        skipped.push({
          ...ids,
          shopifyVariantId: variant?.variantId ?? link.shopifyVariantId,
          reason,
          message: `${what}; TikTok stock left as is (rules.inventory.unavailableVariants is "skip").`,
        });
        continue;
      }
      // Selling something Shopify no longer offers makes orders nobody can fulfil: show 0.
      quantities = new Map(feeds.map((f) => [f.warehouseId, 0]));
      reasonOverride = reason;
    } else if (!variant.tracked) {
      if (inv.untrackedQuantity === null) {
        skipped.push({
          ...ids,
          shopifyVariantId: variant.variantId,
          reason: 'untracked',
          message: `Shopify does not track stock for SKU "${sellerSku}"; turn on tracking, or set rules.inventory.untrackedQuantity.`,
        });
        continue;
      }
      quantities = new Map(feeds.map((f) => [f.warehouseId, Math.min(inv.untrackedQuantity ?? 0, inv.maxQuantity)]));
    } else {
      quantities = new Map();
      for (const feed of feeds) {
        let available = 0;
        for (const level of variant.levels) {
          if (feed.locationIds === null || feed.locationIds.has(toShopifyGid('Location', level.locationId)))
            available += level.available;
        }
        // Summed first: one oversold location lowers what the others can offer.
        quantities.set(feed.warehouseId, applyInventoryRules(available, inv));
      }
    }

    const last = input.lastPushed[link.tiktokSkuId] ?? {};
    const seen = input.observed?.[link.tiktokSkuId];
    const changes: InventoryChange[] = [];
    for (const [warehouseId, to] of quantities) {
      const from = last[warehouseId] ?? null;
      const observed = seen?.[warehouseId];
      const handEdited = observed !== undefined && from !== null && observed !== from;
      if (from === to && !handEdited) continue;
      const reason: InventoryChangeReason =
        reasonOverride ?? (from === null ? 'first-push' : handEdited ? 'overwrites-manual-change' : 'changed');
      changes.push({
        tiktokProductId: link.tiktokProductId,
        tiktokSkuId: link.tiktokSkuId,
        sellerSku,
        shopifyVariantId: variant?.variantId ?? link.shopifyVariantId ?? null,
        warehouseId,
        from,
        ...(handEdited ? { observed } : {}),
        to,
        reason,
      });
    }
    if (changes.length === 0) {
      unchangedSkus += 1;
      continue;
    }
    const update = updates.get(link.tiktokProductId) ?? {
      tiktokProductId: link.tiktokProductId,
      body: { skus: [] },
      changes: [],
    };
    update.body.skus.push({
      id: link.tiktokSkuId,
      inventory: [...quantities].map(([warehouse_id, quantity]) => ({ warehouse_id, quantity })),
    });
    update.changes.push(...changes);
    updates.set(link.tiktokProductId, update);
  }

  // Shopify variants this run cannot send anywhere, so the merchant sees why.
  for (const v of input.variants) {
    const sku = normalisedSku(v.sku);
    if (linkedVariantIds.has(v.variantId) || (sku && linkedSkus.has(sku))) continue;
    if (!sku)
      skipped.push({
        reason: 'no-sku',
        shopifyVariantId: v.variantId,
        sellerSku: null,
        message: `Shopify variant ${v.variantId} has no SKU; give it one so it can be matched to TikTok.`,
      });
    else
      skipped.push({
        reason: 'unlinked',
        shopifyVariantId: v.variantId,
        sellerSku: sku,
        message: `SKU "${sku}" is not linked to a TikTok SKU yet (not listed on TikTok, or not mapped).`,
      });
  }

  return { updates: [...updates.values()], skipped, unchangedSkus };
}
