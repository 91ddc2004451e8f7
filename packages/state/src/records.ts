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

/** What the dashboard shows of a Shopify product the listing sync considered. */
export const productSummarySchema = z.object({
  title: z.string(),
  imageUrl: z.string().optional(),
  /** When the listing sync last looked at it (epoch ms). */
  seenAt: z.number().int(),
});
export type ProductSummary = z.infer<typeof productSummarySchema>;

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
  /**
   * After the merchant cancelled the Shopify order: shoptok's seller cancellation of the TikTok
   * order (`requested` until TikTok's outcome is read), or why it was only flagged.
   */
  tiktokCancellation: z
    .object({
      status: z.enum(['requested', 'cancelled', 'refused', 'flagged']),
      reasonKey: z.string().optional(),
      cancelId: z.string().optional(),
      /** TikTok's refusal (code and message), or why shoptok did not cancel. */
      message: z.string().optional(),
      /** Refusals so far: each new try uses a new idempotency key. */
      refusals: z.number().int().default(0),
      at: z.number().int(),
    })
    .optional(),
});
export type OrderRecord = z.infer<typeof orderRecordSchema>;

/** A TikTok order that could not be imported, with the reasons an operator reads before a replay. */
export const orderFailureSchema = z.object({
  reasons: z.array(z.object({ code: z.string(), message: z.string() })),
  at: z.number().int(),
  attempts: z.number().int().default(1),
});
export type OrderFailure = z.infer<typeof orderFailureSchema>;

/** Whether a store writes to its shops: `preview` records what it would send, `live` sends it. */
export const storeModeSchema = z.enum(['preview', 'live']);
export type StoreMode = z.infer<typeof storeModeSchema>;

/** The mode an operator set at run time (`shoptok go-live`); it wins over the config's starting mode. */
export const storeModeRecordSchema = z.object({
  mode: storeModeSchema,
  /** When the store went live (epoch ms): orders created on TikTok before it are not imported. */
  liveSince: z.number().int().optional(),
});
export type StoreModeRecord = z.infer<typeof storeModeRecordSchema>;

/** What a preview counts: each a set of distinct items, so repeated preview runs count once. */
export const previewKinds = ['create', 'adopt', 'edit', 'deactivate', 'stock', 'order', 'tracking', 'cancel'] as const;
export type PreviewKind = (typeof previewKinds)[number];
export type PreviewTotals = Record<PreviewKind, number>;
