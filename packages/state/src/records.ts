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
