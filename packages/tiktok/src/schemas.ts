import { z } from 'zod';

/** An id: TikTok sends strings, but a bare number must not break us (parseJsonSafe keeps big ones exact). */
export const idSchema = z.union([z.string(), z.number().int()]).transform(String);
const moneySchema = z.union([z.string(), z.number()]).transform(String);

/** `errors[]` of batch calls that answer `code: 0` with per-item failures. */
export const itemErrorsSchema = z
  .array(
    z.object({
      code: z.number().int(),
      message: z.string().default(''),
      detail: z.record(z.string(), z.unknown()).default({}),
    }),
  )
  .default([]);

export const authorizedShopsSchema = z.object({
  shops: z
    .array(
      z.object({
        id: idSchema,
        name: z.string(),
        region: z.string(),
        seller_type: z.string().optional(),
        cipher: z.string(),
        code: z.string().optional(),
      }),
    )
    .default([]),
});

export const categorySchema = z.object({
  id: idSchema,
  parent_id: idSchema,
  local_name: z.string(),
  is_leaf: z.boolean(),
  permission_statuses: z.array(z.string()).default([]),
});
export const categoriesSchema = z.object({ categories: z.array(categorySchema).default([]) });

export const attributeSchema = z.object({
  id: idSchema,
  name: z.string(),
  type: z.string(),
  // sic: the real API spells it `is_requried`.
  is_requried: z.boolean().default(false),
  is_multiple_selection: z.boolean().optional(),
  is_customizable: z.boolean().optional(),
  value_data_format: z.string().optional(),
  requirement_conditions: z
    .array(z.object({ condition_type: z.string(), attribute_id: idSchema, attribute_value_id: idSchema }))
    .optional(),
  values: z.array(z.object({ id: idSchema, name: z.string(), icon_url: z.string().optional() })).default([]),
});
export const attributesSchema = z.object({ attributes: z.array(attributeSchema).default([]) });

const required = z.object({ is_required: z.boolean().default(false) });
export const categoryRulesSchema = z.object({
  product_certifications: z
    .array(
      z.object({
        id: idSchema,
        name: z.string(),
        is_required: z.boolean().default(false),
        sample_image_url: z.string().optional(),
      }),
    )
    .default([]),
  size_chart: z.object({ is_supported: z.boolean().default(false), is_required: z.boolean().default(false) }).optional(),
  cod: z.object({ is_supported: z.boolean().default(false) }).optional(),
  package_dimension: required.optional(),
  epr: required.optional(),
  responsible_person: required.optional(),
  manufacturer: required.optional(),
  allowed_special_product_types: z.array(z.string()).optional(),
});

export const recommendCategorySchema = z.object({
  leaf_category_id: idSchema,
  categories: z
    .array(
      z.object({
        id: idSchema,
        name: z.string(),
        level: z.number().int(),
        is_leaf: z.boolean(),
        permission_statuses: z.array(z.string()).default([]),
      }),
    )
    .default([]),
});

export const brandsSchema = z.object({
  brands: z
    .array(
      z.object({
        id: idSchema,
        name: z.string(),
        authorized_status: z.string().optional(),
        is_t1_brand: z.boolean().optional(),
        brand_status: z.string().optional(),
      }),
    )
    .default([]),
  total_count: z.number().int().default(0),
  next_page_token: z.string().default(''),
});

export const uploadedImageSchema = z.object({
  uri: z.string().min(1),
  url: z.string().optional(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  use_case: z.string().optional(),
});

export const createProductSchema = z.object({
  product_id: idSchema,
  skus: z
    .array(
      z.object({
        id: idSchema,
        seller_sku: z.string().optional(),
        sales_attributes: z.array(z.object({ id: idSchema.optional(), value_id: idSchema.optional() })).optional(),
        external_sku_id: z.string().optional(),
      }),
    )
    .default([]),
  warnings: z.array(z.object({ message: z.string() })).default([]),
});

export const editProductSchema = z.object({
  product_id: idSchema.optional(),
  skus: createProductSchema.shape.skus,
  warnings: createProductSchema.shape.warnings,
});

const inventorySchema = z.array(z.object({ warehouse_id: idSchema, quantity: z.number().int() })).default([]);
const priceSchema = z
  .object({ currency: z.string().optional(), sale_price: moneySchema.optional(), tax_exclusive_price: moneySchema.optional() })
  .optional();

export const productSummarySchema = z.object({
  id: idSchema,
  title: z.string().default(''),
  status: z.string(),
  skus: z
    .array(z.object({ id: idSchema, seller_sku: z.string().default(''), price: priceSchema, inventory: inventorySchema }))
    .default([]),
  create_time: z.number().int().optional(),
  update_time: z.number().int().optional(),
});
export const searchProductsSchema = z.object({
  products: z.array(productSummarySchema).default([]),
  total_count: z.number().int().default(0),
  next_page_token: z.string().default(''),
});

export const auditFailedReasonSchema = z.object({
  position: z.string().default(''),
  reasons: z.array(z.string()).default([]),
  suggestions: z.array(z.string()).default([]),
  listing_platform: z.string().optional(),
});

export const productDetailSchema = z.object({
  id: idSchema,
  title: z.string().default(''),
  description: z.string().default(''),
  status: z.string(),
  category_chains: z
    .array(z.object({ id: idSchema, parent_id: idSchema, local_name: z.string(), is_leaf: z.boolean() }))
    .default([]),
  brand: z.object({ id: idSchema, name: z.string() }).optional(),
  main_images: z.array(z.object({ uri: z.string(), urls: z.array(z.string()).default([]) })).default([]),
  skus: z
    .array(
      z.object({
        id: idSchema,
        seller_sku: z.string().default(''),
        price: priceSchema,
        inventory: inventorySchema,
        // Custom attributes sent by name may come back without ids; nothing we do depends on them.
        sales_attributes: z
          .array(
            z.object({
              id: idSchema.optional(),
              name: z.string().optional(),
              value_id: idSchema.optional(),
              value_name: z.string().optional(),
            }),
          )
          .default([]),
        status_info: z.object({ status: z.string() }).optional(),
      }),
    )
    .default([]),
  product_attributes: z
    .array(
      z.object({
        id: idSchema,
        name: z.string().optional(),
        values: z.array(z.object({ id: idSchema.optional(), name: z.string().optional() })).default([]),
      }),
    )
    .default([]),
  audit: z.object({ status: z.string(), pre_approved_reasons: z.array(z.string()).optional() }).optional(),
  audit_failed_reasons: z.array(auditFailedReasonSchema).default([]),
  create_time: z.number().int().optional(),
  update_time: z.number().int().optional(),
});

export const batchResultSchema = z.object({ errors: itemErrorsSchema });

export const warehousesSchema = z.object({
  warehouses: z
    .array(
      z.object({
        id: idSchema,
        name: z.string().default(''),
        effect_status: z.string().optional(),
        type: z.string().optional(),
        sub_type: z.string().optional(),
        is_default: z.boolean().optional(),
        // The doc lists an address without its fields (§5.7): read only what helps match a location.
        address: z
          .object({
            city: z.string().optional(),
            postal_code: z.string().optional(),
            region_code: z.string().optional(),
            full_address: z.string().optional(),
          })
          .optional(),
      }),
    )
    .default([]),
});

export const shippingProvidersSchema = z.object({
  shipping_providers: z.array(z.object({ id: idSchema, name: z.string() })).default([]),
});

export const lineItemSchema = z.object({
  id: idSchema,
  sku_id: idSchema,
  product_id: idSchema,
  product_name: z.string().default(''),
  sku_name: z.string().default(''),
  seller_sku: z.string().default(''),
  sale_price: moneySchema.optional(),
  original_price: moneySchema.optional(),
  /** This unit's discounts (API-FACTS §5.8); the order-level `payment` sums them. */
  seller_discount: moneySchema.optional(),
  platform_discount: moneySchema.optional(),
  currency: z.string().optional(),
  display_status: z.string().optional(),
  package_id: idSchema.optional(),
  package_status: z.string().optional(),
  tracking_number: z.string().optional(),
  shipping_provider_id: idSchema.optional(),
  shipping_provider_name: z.string().optional(),
  cancel_reason: z.string().optional(),
  is_gift: z.boolean().optional(),
});

export const orderSchema = z.object({
  id: idSchema,
  status: z.string(),
  create_time: z.number().int(),
  update_time: z.number().int(),
  paid_time: z.number().int().optional(),
  user_id: idSchema.optional(),
  buyer_email: z.string().optional(),
  buyer_message: z.string().optional(),
  fulfillment_type: z.string().optional(),
  shipping_type: z.string().optional(),
  delivery_option_id: idSchema.optional(),
  /** Shown on the Shopify shipping line ("Standard shipping", "Express"). */
  delivery_option_name: z.string().optional(),
  shipping_provider: z.string().optional(),
  shipping_provider_id: idSchema.optional(),
  tracking_number: z.string().optional(),
  warehouse_id: idSchema.optional(),
  is_on_hold_order: z.boolean().optional(),
  /** A creator's free sample: `rules.orders.importSampleOrders` decides whether it reaches Shopify. */
  is_sample_order: z.boolean().optional(),
  is_cod: z.boolean().optional(),
  /** Ship-by deadline (Unix s): ready to ship by then, or TikTok counts a late dispatch. */
  rts_sla_time: z.number().int().optional(),
  cancel_reason: z.string().optional(),
  cancellation_initiator: z.string().optional(),
  packages: z.array(z.object({ id: idSchema })).default([]),
  payment: z
    .object({
      currency: z.string(),
      sub_total: moneySchema.optional(),
      shipping_fee: moneySchema.optional(),
      seller_discount: moneySchema.optional(),
      platform_discount: moneySchema.optional(),
      total_amount: moneySchema.optional(),
      tax: moneySchema.optional(),
    })
    .optional(),
  recipient_address: z
    .object({
      name: z.string().optional(),
      first_name: z.string().optional(),
      last_name: z.string().optional(),
      phone_number: z.string().optional(),
      full_address: z.string().optional(),
      address_line1: z.string().optional(),
      address_line2: z.string().optional(),
      postal_code: z.string().optional(),
      region_code: z.string().optional(),
      district_info: z
        .array(
          z.object({
            address_level: z.string().optional(),
            address_level_name: z.string().optional(),
            address_name: z.string().optional(),
          }),
        )
        .default([]),
    })
    .optional(),
  line_items: z.array(lineItemSchema).default([]),
});
export const searchOrdersSchema = z.object({
  orders: z.array(orderSchema).default([]),
  total_count: z.number().int().default(0),
  next_page_token: z.string().default(''),
});
export const orderDetailSchema = z.object({ orders: z.array(orderSchema).default([]) });

export const markShippedSchema = z.object({
  order_id: idSchema.optional(),
  package_id: idSchema,
  order_line_item_ids: z.array(idSchema).default([]),
  warning: z.object({ message: z.string() }).optional(),
});

export const emptySchema = z.object({}).loose();

export const cancellationSchema = z.object({
  cancel_id: idSchema,
  order_id: idSchema,
  cancel_type: z.string().optional(),
  cancel_status: z.string(),
  role: z.string().optional(),
  cancel_reason: z.string().optional(),
  cancel_reason_text: z.string().optional(),
  cancel_line_items: z
    .array(z.object({ order_line_item_id: idSchema.optional(), sku_id: idSchema.optional() }).loose())
    .default([]),
  create_time: z.number().int().optional(),
  update_time: z.number().int().optional(),
});
export const searchCancellationsSchema = z.object({
  cancellations: z.array(cancellationSchema).default([]),
  total_count: z.number().int().default(0),
  next_page_token: z.string().default(''),
});

/**
 * Answer to Cancel Order. The facts sheet does not list its fields; the official SDK's model has
 * `cancel_id` and `cancel_status`, both kept optional (the cancellations search is the record).
 */
export const cancelOrderSchema = z.object({ cancel_id: idSchema.optional(), cancel_status: z.string().optional() }).loose();

export const webhooksSchema = z.object({
  webhooks: z
    .array(
      z.object({
        event_type: z.string(),
        address: z.string(),
        create_time: z.number().int().optional(),
        update_time: z.number().int().optional(),
      }),
    )
    .default([]),
});

export type TikTokShop = z.infer<typeof authorizedShopsSchema>['shops'][number];
export type TikTokCategory = z.infer<typeof categorySchema>;
export type TikTokAttribute = z.infer<typeof attributeSchema>;
export type TikTokCategoryRules = z.infer<typeof categoryRulesSchema>;
export type TikTokRecommendedCategory = z.infer<typeof recommendCategorySchema>;
export type TikTokBrandPage = z.infer<typeof brandsSchema>;
export type TikTokUploadedImage = z.infer<typeof uploadedImageSchema>;
export type TikTokCreatedProduct = z.infer<typeof createProductSchema>;
export type TikTokProductSummary = z.infer<typeof productSummarySchema>;
export type TikTokProductPage = z.infer<typeof searchProductsSchema>;
export type TikTokProduct = z.infer<typeof productDetailSchema>;
export type TikTokAuditFailedReason = z.infer<typeof auditFailedReasonSchema>;
export type TikTokWarehouse = z.infer<typeof warehousesSchema>['warehouses'][number];
export type TikTokShippingProvider = z.infer<typeof shippingProvidersSchema>['shipping_providers'][number];
export type TikTokOrder = z.infer<typeof orderSchema>;
export type TikTokOrderLineItem = z.infer<typeof lineItemSchema>;
export type TikTokOrderPage = z.infer<typeof searchOrdersSchema>;
export type TikTokMarkShipped = z.infer<typeof markShippedSchema>;
export type TikTokCancellation = z.infer<typeof cancellationSchema>;
export type TikTokCancellationPage = z.infer<typeof searchCancellationsSchema>;
export type TikTokCancelOrderResult = z.infer<typeof cancelOrderSchema>;
export type TikTokWebhookSubscription = z.infer<typeof webhooksSchema>['webhooks'][number];
