import { taxesIncludedFor, type BuildOrderOptions } from '@shoptok/sync-core';
import type { StoreServices } from './services.js';

// The Shopify currency and the TikTok market change only when the merchant changes the store:
// read once an hour per store, not for every order.
const FACTS_TTL_MS = 3_600_000;
const cache = new WeakMap<StoreServices, { at: number; facts: Promise<{ shopCurrency: string; market: string | undefined }> }>();

async function readFacts(svc: StoreServices): Promise<{ shopCurrency: string; market: string | undefined }> {
  const [shopCurrency, shops] = await Promise.all([svc.shopify.getShopCurrency(), svc.tiktok.getAuthorizedShops()]);
  const regions = [...new Set(shops.map((s) => s.region.toUpperCase()))];
  return { shopCurrency, market: regions.length === 1 ? regions[0] : undefined };
}

/**
 * What `buildOrderCreateInput` needs to know about both shops: the Shopify currency (an order in
 * another one is refused) and whether the TikTok market's prices include tax (GB and EU: yes,
 * unless `rules.orders.taxesIncluded` says otherwise).
 */
export async function orderBuildOptions(svc: StoreServices, now: () => number = Date.now): Promise<BuildOrderOptions> {
  let entry = cache.get(svc);
  if (!entry || now() - entry.at > FACTS_TTL_MS) {
    const facts = readFacts(svc);
    entry = { at: now(), facts };
    cache.set(svc, entry);
    facts.catch(() => cache.delete(svc));
  }
  const { shopCurrency, market } = await entry.facts;
  return { shopCurrency, taxesIncluded: taxesIncludedFor(svc.rules.orders, market) };
}
