import { z } from 'zod';

// The product body we send (API-FACTS §5.4). Shapes only: TikTok judges the content, and its
// refusal comes back as a TikTokInvalidInputError carrying TikTok's code and message.
const uri = z.object({ uri: z.string().min(1) });
const money = z.string().regex(/^\d+(\.\d+)?$/, 'prices are decimal strings such as "12.99"');

export const skuInputSchema = z.object({
  id: z.string().optional(), // on edit: keeps the existing SKU
  seller_sku: z.string().optional(),
  price: z.object({ amount: money, currency: z.string().min(3), sale_price: money.optional() }),
  inventory: z.array(z.object({ warehouse_id: z.string().min(1), quantity: z.number().int() })).min(1),
  sales_attributes: z
    .array(
      z.object({
        id: z.string().optional(),
        name: z.string().optional(),
        value_id: z.string().optional(),
        value_name: z.string().optional(),
        sku_img: uri.optional(),
      }),
    )
    .optional(),
  external_sku_id: z.string().optional(),
  identifier_code: z.object({ code: z.string(), type: z.enum(['GTIN', 'EAN', 'UPC', 'ISBN', 'JAN']) }).optional(),
});

export const productInputSchema = z.object({
  title: z.string(),
  description: z.string(),
  category_id: z.string().min(1),
  category_version: z.string().optional(),
  main_images: z.array(uri).min(1),
  skus: z.array(skuInputSchema).min(1),
  package_weight: z.object({ value: z.string(), unit: z.enum(['KILOGRAM', 'POUND', 'GRAM']) }),
  package_dimensions: z
    .object({ length: z.string(), width: z.string(), height: z.string(), unit: z.enum(['CENTIMETER', 'INCH']) })
    .optional(),
  product_attributes: z
    .array(
      z.object({ id: z.string(), values: z.array(z.object({ id: z.string().optional(), name: z.string().optional() })).min(1) }),
    )
    .optional(),
  brand_id: z.string().optional(),
  save_mode: z.enum(['LISTING', 'AS_DRAFT']).optional(),
  is_cod_allowed: z.boolean().optional(),
  external_product_id: z.string().max(999).optional(),
  /** Makes a resend after a timeout safe (≤ 128 chars). */
  idempotency_key: z.string().max(128).optional(),
});
export type TikTokProductInput = z.input<typeof productInputSchema>;
export type TikTokSkuInput = z.input<typeof skuInputSchema>;

/** Edit (full replace): an existing SKU (with `id`) may omit price and inventory, which then stay as they are. */
export const editProductInputSchema = productInputSchema.extend({
  skus: z
    .array(
      skuInputSchema.extend({
        price: skuInputSchema.shape.price.optional(),
        inventory: skuInputSchema.shape.inventory.optional(),
      }),
    )
    .min(1)
    .refine(
      (skus) => skus.every((s) => s.id !== undefined || (s.price !== undefined && s.inventory !== undefined)),
      'a new SKU (no id) needs price and inventory',
    ),
});
export type TikTokEditProductInput = z.input<typeof editProductInputSchema>;

/** Partial edit: each top-level field replaces the stored one; nested objects go whole. */
export const partialProductInputSchema = editProductInputSchema.partial();
export type TikTokPartialProductInput = z.input<typeof partialProductInputSchema>;

export const priceUpdateSchema = z
  .array(
    z.object({
      id: z.string().min(1),
      price: z.object({ amount: money, currency: z.string().min(3), sale_price: money.optional() }),
    }),
  )
  .min(1);
export type TikTokPriceUpdate = z.input<typeof priceUpdateSchema>[number];

export const inventoryUpdateSchema = z
  .array(
    z.object({
      id: z.string().min(1),
      inventory: z.array(z.object({ warehouse_id: z.string().min(1).optional(), quantity: z.number().int().min(0) })).min(1),
    }),
  )
  .min(1);
export type TikTokInventoryUpdate = z.input<typeof inventoryUpdateSchema>[number];
