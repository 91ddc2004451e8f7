/*
 * Who owns a seller SKU on TikTok: the listing decisions a products run takes before it sends
 * anything. Pure: the caller passes the store's SKU links and which products use each SKU.
 */

/** The part of a stored SKU link these decisions read (packages/state `SkuLink`). */
export interface ListedSku {
  shopifyProductId: string;
  shopifyVariantId: string;
  tiktokProductId: string;
}

/** A Shopify product of this run that uses a SKU. */
export interface SkuUser {
  productId: string;
  title: string;
}

/** Why a product is held back from TikTok (stored as "needs attention"). */
export interface ListingHoldReason {
  code: 'duplicate-sku' | 'sku-listed-elsewhere' | 'sku-spread';
  message: string;
}

/**
 * Seller SKUs are unique per TikTok shop: a SKU two products' variants share, or one already
 * listed for another Shopify product, would send stock and orders to the wrong variant.
 * A variant that already owns its SKU on TikTok is never a conflict.
 */
export function skuConflicts(
  productId: string,
  variants: readonly { id: string; sku: string | null }[],
  linkBySku: ReadonlyMap<string, ListedSku>,
  skuUsers: ReadonlyMap<string, readonly SkuUser[]>,
): ListingHoldReason[] {
  const reasons: ListingHoldReason[] = [];
  for (const v of variants) {
    const sku = (v.sku ?? '').trim();
    const link = linkBySku.get(sku);
    if (link && link.shopifyVariantId === v.id) continue; // this variant already owns it on TikTok
    const others = (skuUsers.get(sku) ?? []).filter((u) => u.productId !== productId);
    if (others.length > 0) {
      reasons.push({
        code: 'duplicate-sku',
        message: `SKU "${sku}" is also used by ${others.map((o) => `"${o.title}" (${o.productId})`).join(', ')}; TikTok needs each seller SKU once per shop: give each variant its own SKU.`,
      });
    } else if (link && link.shopifyProductId !== productId) {
      reasons.push({
        code: 'sku-listed-elsewhere',
        message: `SKU "${sku}" is already listed on TikTok (product ${link.tiktokProductId}) for Shopify product ${link.shopifyProductId}; change one of the SKUs.`,
      });
    }
  }
  return reasons;
}

/**
 * Whether a product with no listing record is adopted: when its SKUs are already linked to ONE
 * TikTok product (listed before shoptok, found by reconcile), that listing is taken over instead
 * of creating a second one. SKUs linked to several TikTok products hold it back; no linked SKU
 * means a normal create (undefined).
 */
export function adoptableListing(
  productId: string,
  sellerSkus: readonly string[],
  linkBySku: ReadonlyMap<string, ListedSku>,
): { tiktokProductId: string } | { reasons: ListingHoldReason[] } | undefined {
  const ids = [
    ...new Set(
      sellerSkus.flatMap((sku) => {
        const link = linkBySku.get(sku);
        return link?.shopifyProductId === productId ? [link.tiktokProductId] : [];
      }),
    ),
  ];
  if (ids.length === 0) return undefined;
  if (ids.length > 1)
    return {
      reasons: [
        {
          code: 'sku-spread',
          message: `The SKUs of this product are listed on several TikTok products (${ids.join(', ')}); merge them into one listing on TikTok first.`,
        },
      ],
    };
  return { tiktokProductId: ids[0] as string };
}
