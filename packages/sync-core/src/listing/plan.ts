import { contentHash } from '../hash.js';
import type { StoreRules } from '../rules.js';
import { buildTikTokProductPayload, type TikTokProductBody } from './payload.js';
import type { ListingDraft } from './types.js';

/** What we last sent TikTok for one product; the sync handler stores it after each success. */
export interface ListingState {
  tiktokProductId: string;
  /** `listingContentHash` of the draft last sent as a create or edit. */
  contentHash: string;
  /** True after we deactivated it because Shopify removed it. */
  deactivated?: boolean;
  /** By seller SKU. */
  skus: Record<string, { tiktokSkuId: string; price: string; currency: string; inventory: Record<string, number> }>;
}

export type ListingPlan =
  | { kind: 'none' }
  | { kind: 'create'; body: TikTokProductBody }
  | { kind: 'edit'; tiktokProductId: string; body: TikTokProductBody; why: string[] }
  | { kind: 'price-only'; tiktokProductId: string; price: PriceUpdateBody }
  | { kind: 'inventory-only'; tiktokProductId: string; inventory: InventoryUpdateBody }
  | { kind: 'price-and-inventory'; tiktokProductId: string; price: PriceUpdateBody; inventory: InventoryUpdateBody }
  | { kind: 'deactivate'; tiktokProductId: string; body: { product_ids: string[] } }
  | { kind: 'activate'; tiktokProductId: string; body: { product_ids: string[] } };

/** `POST /product/202309/products/{id}/prices/update` body (§5.4). */
export interface PriceUpdateBody {
  skus: { id: string; price: { amount: string; currency: string } }[];
}
/** `POST /product/202309/products/{id}/inventory/update` body (§5.5). */
export interface InventoryUpdateBody {
  skus: { id: string; inventory: { warehouse_id: string; quantity: number }[] }[];
}

/** Hash of everything in a draft that an edit (and a new review) would change: all but prices, stock and TikTok ids. */
export function listingContentHash(draft: ListingDraft): string {
  const { skus, mainImages, ...rest } = draft;
  return contentHash({
    ...rest,
    mainImages: mainImages.map((i) => i.uri),
    skus: skus.map(({ price: _price, inventory: _inventory, tiktokSkuId: _id, ...content }) => content),
  });
}

/** The state to store after TikTok accepted a create or edit of `draft` (`skuIds` from its response, by seller SKU). */
export function listingStateFrom(
  draft: ListingDraft,
  tiktokProductId: string,
  skuIds: Readonly<Record<string, string>>,
): ListingState {
  const skus: ListingState['skus'] = {};
  for (const sku of draft.skus) {
    const id = skuIds[sku.sellerSku] ?? sku.tiktokSkuId;
    if (!id) continue;
    skus[sku.sellerSku] = {
      tiktokSkuId: id,
      price: sku.price.amount,
      currency: sku.price.currency,
      inventory: Object.fromEntries(sku.inventory.map((i) => [i.warehouse_id, i.quantity])),
    };
  }
  return { tiktokProductId, contentHash: listingContentHash(draft), skus };
}

/**
 * The smallest change that brings TikTok in step with a draft: create; a content edit (goes back
 * to review) only when content, or the set of SKUs, changed; otherwise prices and stock through
 * their own endpoints (no review). `next` null means Shopify deleted or archived the product.
 */
export function planListingChange(previous: ListingState | undefined, next: ListingDraft | null, rules: StoreRules): ListingPlan {
  if (!next) {
    if (!previous || previous.deactivated || rules.listing.onShopifyRemoved === 'keep') return { kind: 'none' };
    return { kind: 'deactivate', tiktokProductId: previous.tiktokProductId, body: { product_ids: [previous.tiktokProductId] } };
  }
  if (!previous)
    return {
      kind: 'create',
      body: buildTikTokProductPayload(next, { mode: 'create', idempotencyKey: createIdempotencyKey(next) }),
    };
  // Back in Shopify: activate first; the next run plans the rest against the activated product.
  if (previous.deactivated)
    return { kind: 'activate', tiktokProductId: previous.tiktokProductId, body: { product_ids: [previous.tiktokProductId] } };

  const why: string[] = [];
  const before = new Set(Object.keys(previous.skus));
  const after = new Set(next.skus.map((s) => s.sellerSku));
  const added = [...after].filter((s) => !before.has(s));
  const removed = [...before].filter((s) => !after.has(s));
  if (added.length > 0) why.push(`variants added: ${added.join(', ')}`);
  if (removed.length > 0) why.push(`variants removed: ${removed.join(', ')}`);
  if (listingContentHash(next) !== previous.contentHash) why.push('content changed');
  if (why.length > 0) {
    const withIds: ListingDraft = {
      ...next,
      skus: next.skus.map((s) => ({
        ...s,
        ...(previous.skus[s.sellerSku] ? { tiktokSkuId: previous.skus[s.sellerSku]?.tiktokSkuId } : {}),
      })),
    };
    return {
      kind: 'edit',
      tiktokProductId: previous.tiktokProductId,
      body: buildTikTokProductPayload(withIds, { mode: 'edit' }),
      why,
    };
  }

  const price: PriceUpdateBody = { skus: [] };
  const inventory: InventoryUpdateBody = { skus: [] };
  for (const sku of next.skus) {
    const last = previous.skus[sku.sellerSku];
    if (!last) continue;
    if (last.price !== sku.price.amount || last.currency !== sku.price.currency)
      price.skus.push({ id: last.tiktokSkuId, price: { ...sku.price } });
    const stockChanged =
      sku.inventory.length !== Object.keys(last.inventory).length ||
      sku.inventory.some((i) => last.inventory[i.warehouse_id] !== i.quantity);
    if (stockChanged) inventory.skus.push({ id: last.tiktokSkuId, inventory: sku.inventory.map((i) => ({ ...i })) });
  }
  const id = previous.tiktokProductId;
  if (price.skus.length > 0 && inventory.skus.length > 0)
    return { kind: 'price-and-inventory', tiktokProductId: id, price, inventory };
  if (price.skus.length > 0) return { kind: 'price-only', tiktokProductId: id, price };
  if (inventory.skus.length > 0) return { kind: 'inventory-only', tiktokProductId: id, inventory };
  return { kind: 'none' };
}

// Same draft, same key: a create retried after a timeout does not make a second product.
function createIdempotencyKey(draft: ListingDraft): string {
  return `shoptok-${listingContentHash(draft).slice(0, 48)}`;
}
