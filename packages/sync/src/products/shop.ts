import { CategoryIndex } from '@shoptok/ai-mapper';
import { currencyMismatch } from '@shoptok/sync-core';
import type { TikTokAttribute, TikTokCategory } from '@shoptok/tiktok';
import type { StoreServices } from '../services.js';

/** What the pipeline needs to know about the TikTok shop: market, currency, category tree. */
export interface ShopProfile {
  /** Market from Get Authorized Shops (`GB`, `US`, ...): units, title, SKU and price limits. */
  region: string;
  /** ISO 4217: `rules.listing.currency`, else the market's own currency. */
  currency: string;
  /** US (and SEA) shops use the 7-level `v2` tree (API-FACTS §5.2); the rest `v1`. */
  categoryVersion: 'v1' | 'v2';
}

// A local seller's currency per market (the price table of API-FACTS §6 lists these markets).
const CURRENCY_BY_REGION: Readonly<Record<string, string>> = {
  US: 'USD',
  GB: 'GBP',
  UK: 'GBP',
  DE: 'EUR',
  FR: 'EUR',
  IE: 'EUR',
  IT: 'EUR',
  ES: 'EUR',
  JP: 'JPY',
  MX: 'MXN',
  BR: 'BRL',
  ID: 'IDR',
  MY: 'MYR',
  PH: 'PHP',
  SG: 'SGD',
  TH: 'THB',
  VN: 'VND',
};
// API-FACTS §5.2: "US must pass v2"; the create-product doc says SEA too.
const V2_REGIONS = new Set(['US', 'ID', 'MY', 'PH', 'SG', 'TH', 'VN']);

/** The store's TikTok shop cannot be described: a person must set something in the stores file. */
export class ShopSetupError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'ShopSetupError';
  }
}

/**
 * Reads the shop's market once (Get Authorized Shops) and derives currency and tree version.
 * Refuses a TikTok currency other than the Shopify store's unless `rules.listing.price.conversion`
 * names the two: a $20 item must not be listed at £20.
 */
export async function loadShopProfile(svc: StoreServices): Promise<ShopProfile> {
  const profile = await shopMarket(svc);
  const mismatch = currencyMismatch(await svc.shopify.getShopCurrency(), profile.currency, svc.rules.listing.price.conversion);
  if (mismatch) throw new ShopSetupError(`store ${svc.storeId}: ${mismatch}`);
  return profile;
}

/** The TikTok shop's market, currency and category tree version (no check against Shopify). */
async function shopMarket(svc: StoreServices): Promise<ShopProfile> {
  const shops = await svc.tiktok.getAuthorizedShops();
  const regions = [...new Set(shops.map((s) => s.region.toUpperCase()))];
  if (regions.length !== 1) {
    throw new ShopSetupError(
      regions.length === 0
        ? `store ${svc.storeId}: the TikTok token is authorized for no shop; authorize the app for the shop again`
        : `store ${svc.storeId}: the TikTok token covers shops in ${regions.join(', ')}; give this store a token for one shop only`,
    );
  }
  const region = regions[0] as string;
  const currency = svc.rules.listing.currency ?? CURRENCY_BY_REGION[region];
  if (!currency)
    throw new ShopSetupError(`store ${svc.storeId}: no known currency for TikTok market ${region}; set rules.listing.currency`);
  return { region, currency, categoryVersion: V2_REGIONS.has(region) ? 'v2' : 'v1' };
}

/** The shop's category rows by id (the client caches the tree in Redis). */
export async function categoriesById(svc: StoreServices, profile: ShopProfile): Promise<Map<string, TikTokCategory>> {
  const rows = await svc.tiktok.getCategories({ categoryVersion: profile.categoryVersion });
  return new Map(rows.map((c) => [c.id, c]));
}

/** Why `categoryId` cannot be listed in (not in the shop's tree, or not a leaf); undefined when it can. */
export function leafProblem(rows: ReadonlyMap<string, TikTokCategory>, categoryId: string): string | undefined {
  const row = rows.get(categoryId);
  if (!row) return "which this TikTok shop's category tree does not have";
  if (!row.is_leaf)
    return `"${row.local_name}", which is not a leaf category (it has subcategories); name one of its leaf categories`;
  return undefined;
}

/**
 * Checks a category a person names (a pin, a default) against the shop's live tree: the leaf's
 * row (with its attributes, for checking attribute names), or the refusal as one sentence naming
 * the store and the id. `shoptok map pin|default` and the dashboard's Pin fix both ask this.
 */
export async function checkCategoryLeaf(
  svc: StoreServices,
  categoryId: string,
): Promise<{ problem: string } | { row: TikTokCategory; attributes: () => Promise<TikTokAttribute[]> }> {
  const profile = await loadShopProfile(svc);
  const rows = await categoriesById(svc, profile);
  const problem = leafProblem(rows, categoryId);
  if (problem) return { problem: `store ${svc.storeId}: TikTok category ${categoryId}, ${problem}` };
  return {
    row: rows.get(categoryId) as TikTokCategory,
    attributes: () => svc.tiktok.getCategoryAttributes(categoryId, { categoryVersion: profile.categoryVersion }),
  };
}

/**
 * The mapper's category index over the shop's live tree (Get Categories), so the mapper only
 * picks categories this shop has. Build one per store and hand it to `new ProductMapper({ index })`.
 */
export async function loadCategoryIndex(svc: StoreServices): Promise<CategoryIndex> {
  const profile = await shopMarket(svc);
  const rows = await svc.tiktok.getCategories({ categoryVersion: profile.categoryVersion });
  const nodes = rows.map((c) => ({
    id: c.id,
    parentId: c.parent_id,
    name: c.local_name,
    isLeaf: c.is_leaf,
    permissionStatuses: c.permission_statuses,
  }));
  return CategoryIndex.fromTree(nodes);
}
