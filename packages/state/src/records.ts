import { z } from 'zod';

/** How one Shopify variant is listed on TikTok, found by its seller SKU. */
export const skuLinkSchema = z.object({
  sellerSku: z.string().min(1),
  shopifyProductId: z.string(),
  shopifyVariantId: z.string(),
  shopifyInventoryItemId: z.string(),
  tiktokProductId: z.string(),
  tiktokSkuId: z.string(),
});
export type SkuLink = z.infer<typeof skuLinkSchema>;

/** What TikTok was last told for one SKU, per warehouse. */
export const pushedStockSchema = z.object({
  warehouses: z.record(z.string(), z.number().int()),
  at: z.number().int(),
  /** When the Shopify stock behind it was read (older records lack it): a push from an older read never overwrites it. */
  readAt: z.number().int().optional(),
});
export type PushedStock = z.infer<typeof pushedStockSchema>;

/** A Shopify product's TikTok listing as we last left it. */
export const listingRecordSchema = z.object({
  tiktokProductId: z.string(),
  contentHash: z.string(),
  priceHash: z.string().optional(),
  status: z.string(),
  auditFailedReasons: z
    .array(
      z.object({
        reasons: z.array(z.string()).default([]),
        suggestions: z.array(z.string()).default([]),
        position: z.string().optional(),
      }),
    )
    .default([]),
  updatedAt: z.number().int(),
});
export type ListingRecord = z.infer<typeof listingRecordSchema>;

/** Why a product is held back from TikTok until someone fixes it. */
export const attentionSchema = z.object({
  reasons: z.array(z.object({ code: z.string(), message: z.string() })),
  at: z.number().int(),
});
export type Attention = z.infer<typeof attentionSchema>;

/** Something about the whole store that a person must look at (e.g. a mass removal held back), with its numbers. */
export const storeAttentionSchema = z.object({
  message: z.string(),
  at: z.number().int(),
  /** The numbers behind it, e.g. `{ wouldRemove: 40, liveListings: 50, maxPercent: 20 }`. */
  numbers: z.record(z.string(), z.number()).default({}),
});
export type StoreAttention = z.infer<typeof storeAttentionSchema>;

/** Who chose a product's TikTok category: a merchant's pin, a store category rule, the AI mapper, or the offline mapper. */
export const CATEGORY_DECISION_SOURCES = ['pin', 'rule', 'ai', 'offline'] as const;
export type CategoryDecisionSource = (typeof CATEGORY_DECISION_SOURCES)[number];

/**
 * Which TikTok category a product's listing uses, who decided it and why: written on every
 * (non-dry) product sync, read by `shoptok map show`, `shoptok status` and the dashboard.
 */
export const categoryDecisionSchema = z.object({
  categoryId: z.string(),
  /** Root to leaf names, as far as known. */
  categoryPath: z.array(z.string()).default([]),
  source: z.enum(CATEGORY_DECISION_SOURCES),
  /** With `source: 'rule'`: the position in `rules.listing.categories` (0-based). */
  ruleIndex: z.number().int().min(0).optional(),
  reason: z.string(),
  /** Attribute values taken from the merchant's data: attribute name -> where (`metafield custom.material`, ...). */
  attributeSources: z.record(z.string(), z.string()).default({}),
  at: z.number().int(),
});
export type CategoryDecision = z.infer<typeof categoryDecisionSchema>;

/** A merchant's category pin of one product (never overridden by rules or the mapper). */
export const categoryPinSchema = z.object({
  categoryId: z.string().regex(/^\d{1,20}$/),
  at: z.number().int(),
});
export type CategoryPin = z.infer<typeof categoryPinSchema>;

/** A TikTok category attribute value a person set for every product of a category of one store. */
export interface AttributeDefault {
  categoryId: string;
  attributeName: string;
  value: string;
}

/** A TikTok order imported into Shopify. */
export const orderRecordSchema = z.object({
  shopifyOrderId: z.string(),
  tiktokStatus: z.string(),
  importedAt: z.number().int(),
  /** TikTok's ship-by deadline (`rts_sla_time`, epoch ms), for the late-dispatch alert. */
  shipByAt: z.number().int().optional(),
  shippedAt: z.number().int().optional(),
  trackingNumber: z.string().optional(),
  cancelledAt: z.number().int().optional(),
});
export type OrderRecord = z.infer<typeof orderRecordSchema>;

/** A TikTok order that could not be imported, with the reasons an operator reads before a replay. */
export const orderFailureSchema = z.object({
  reasons: z.array(z.object({ code: z.string(), message: z.string() })),
  at: z.number().int(),
  attempts: z.number().int().default(1),
});
export type OrderFailure = z.infer<typeof orderFailureSchema>;
