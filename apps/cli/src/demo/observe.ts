// What the demo reports, read from the stand-ins themselves (what Shopify and TikTok hold),
// never from shoptok's own state: the numbers are the two platforms' word, not ours.
import type { ShopifyStandIn, StandInOrder, StandInVariant } from '@shoptok/testkit/shopify';
import type { Order, TikTokStandIn } from '@shoptok/testkit/tiktok';

/** The two stand-ins of the demo store. */
export interface DemoPlatforms {
  shopify: ShopifyStandIn;
  tiktok: TikTokStandIn;
  shopId: string;
}

/** A SKU listed on TikTok, with the Shopify variant behind it. */
export interface LiveSku {
  sellerSku: string;
  variant: StandInVariant;
  productId: number;
  tiktokProductId: string;
}

/** Every SKU of the shop's TikTok products that a single variant of an active Shopify product stands behind. */
export function liveSkus(p: DemoPlatforms): LiveSku[] {
  const bySku = new Map<string, { variant: StandInVariant; productId: number }[]>();
  for (const product of p.shopify.state.products.filter((x) => x.status === 'ACTIVE')) {
    for (const variant of product.variants)
      if (variant.sku) bySku.set(variant.sku, [...(bySku.get(variant.sku) ?? []), { variant, productId: product.id }]);
  }
  const out: LiveSku[] = [];
  for (const product of p.tiktok.admin.shop(p.shopId).products.values()) {
    for (const sku of product.skus) {
      const behind = bySku.get(sku.seller_sku);
      if (behind?.length === 1 && behind[0])
        out.push({
          sellerSku: sku.seller_sku,
          variant: behind[0].variant,
          productId: behind[0].productId,
          tiktokProductId: product.id,
        });
    }
  }
  return out;
}

/** How many Shopify variants carry this SKU, whatever their product's status. */
export function shopifyVariantsWithSku(p: DemoPlatforms, sellerSku: string): number {
  return p.shopify.state.products.reduce((n, product) => n + product.variants.filter((v) => v.sku === sellerSku).length, 0);
}

/** What TikTok shows for a seller SKU, summed over its warehouses (undefined: not listed). */
export function tiktokQuantity(p: DemoPlatforms, sellerSku: string): number | undefined {
  const shop = p.tiktok.admin.shop(p.shopId);
  const productId = shop.sellerSkus.get(sellerSku);
  const sku = productId ? shop.products.get(productId)?.skus.find((s) => s.seller_sku === sellerSku) : undefined;
  return sku?.inventory.reduce((sum, w) => sum + w.quantity, 0);
}

/** Shopify's available stock of an item over every location, never below 0 (the default rules). */
export function shopifyAvailable(p: DemoPlatforms, inventoryItemId: number): number {
  let total = 0;
  for (const qty of p.shopify.state.stock.get(inventoryItemId)?.values() ?? []) total += qty;
  return Math.max(0, total);
}

/** Live SKUs whose TikTok quantity differs from Shopify's. */
export function stockMismatches(p: DemoPlatforms): { sku: LiveSku; tiktok: number | undefined; shopify: number }[] {
  return liveSkus(p)
    .map((sku) => ({ sku, tiktok: tiktokQuantity(p, sku.sellerSku), shopify: shopifyAvailable(p, sku.variant.inventoryItemId) }))
    .filter((m) => m.tiktok !== m.shopify);
}

/** The Shopify orders made from one TikTok order (exactly one when all is well): shoptok marks them `tiktok-<order id>`. */
export function shopifyOrdersOf(p: DemoPlatforms, tiktokOrderId: string): StandInOrder[] {
  return p.shopify.state.orders.filter((o) => o.sourceIdentifier === `tiktok-${tiktokOrderId}`);
}

/** A TikTok order as the shop holds it now. */
export function tiktokOrder(p: DemoPlatforms, orderId: string): Order | undefined {
  return p.tiktok.admin.shop(p.shopId).orders.get(orderId);
}

/** Shopify products that are ACTIVE, and those of them with at least one SKU on TikTok. */
export function listingCounts(p: DemoPlatforms): {
  active: number;
  listed: number;
  tiktokProducts: number;
  tiktokSkus: number;
  pendingReview: number;
} {
  const listedProducts = new Set(liveSkus(p).map((s) => s.productId));
  const active = p.shopify.state.products.filter((x) => x.status === 'ACTIVE');
  const products = [...p.tiktok.admin.shop(p.shopId).products.values()];
  return {
    active: active.length,
    listed: active.filter((x) => listedProducts.has(x.id)).length,
    tiktokProducts: products.length,
    tiktokSkus: products.reduce((n, x) => n + x.skus.length, 0),
    pendingReview: products.filter((x) => x.status === 'PENDING').length,
  };
}
