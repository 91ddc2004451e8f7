import type { ListingDraft, TikTokDimensionUnit, TikTokWeightUnit } from './types.js';

/** A SKU of the Create / Edit Product body (API-FACTS §5.4). */
export interface TikTokProductSkuBody {
  /** Existing TikTok SKU id: on edits, keeps the SKU (and its sales history) instead of replacing it. */
  id?: string;
  seller_sku: string;
  price: { amount: string; currency: string };
  inventory: { warehouse_id: string; quantity: number }[];
  sales_attributes?: { name: string; value_name: string; sku_img?: { uri: string } }[];
  external_sku_id: string;
  identifier_code?: { code: string; type: 'GTIN' | 'EAN' | 'UPC' | 'ISBN' | 'JAN' };
}

/** Body of `POST /product/202309/products` and `PUT /product/202309/products/{id}` (API-FACTS §5.4). */
export interface TikTokProductBody {
  title: string;
  description: string;
  category_id: string;
  category_version?: 'v1' | 'v2';
  brand_id?: string;
  main_images: { uri: string }[];
  skus: TikTokProductSkuBody[];
  package_weight: { value: string; unit: TikTokWeightUnit };
  package_dimensions?: { length: string; width: string; height: string; unit: TikTokDimensionUnit };
  product_attributes?: { id: string; values: { id?: string; name?: string }[] }[];
  size_chart?: { image: { uri: string } } | { template: { id: string } };
  certifications?: { id: string; images?: { uri: string }[] }[];
  external_product_id: string;
  save_mode?: 'LISTING' | 'AS_DRAFT';
  idempotency_key?: string;
}

export interface ProductPayloadOptions {
  mode: 'create' | 'edit';
  /** Create only: the same key for a retried create stops TikTok making the product twice (≤ 128 chars, §6). */
  idempotencyKey?: string;
}

/**
 * The Create or Edit Product body for a draft that passed preflight. Edit is a full replace
 * (omitted fields are blanked, §5.4), so it always carries every field, and SKU ids where known.
 */
export function buildTikTokProductPayload(draft: ListingDraft, options: ProductPayloadOptions): TikTokProductBody {
  if (!draft.packageWeight)
    throw new Error(`Draft for ${draft.shopifyProductId} has no package weight; run preflightListing first.`);
  if (options.idempotencyKey !== undefined && options.idempotencyKey.length > 128)
    throw new Error('idempotency_key must be at most 128 characters (API-FACTS §6).');
  return {
    title: draft.title,
    description: draft.description,
    category_id: draft.categoryId,
    ...(draft.categoryVersion ? { category_version: draft.categoryVersion } : {}),
    ...(draft.brandId ? { brand_id: draft.brandId } : {}),
    main_images: draft.mainImages.map((img) => ({ uri: img.uri })),
    skus: draft.skus.map((sku) => ({
      ...(options.mode === 'edit' && sku.tiktokSkuId ? { id: sku.tiktokSkuId } : {}),
      seller_sku: sku.sellerSku,
      price: { amount: sku.price.amount, currency: sku.price.currency },
      inventory: sku.inventory.map((i) => ({ warehouse_id: i.warehouse_id, quantity: i.quantity })),
      ...(sku.salesAttributes.length > 0
        ? {
            sales_attributes: sku.salesAttributes.map((a, i) => ({
              name: a.name,
              value_name: a.value_name,
              ...(i === 0 && sku.skuImageUri ? { sku_img: { uri: sku.skuImageUri } } : {}),
            })),
          }
        : {}),
      external_sku_id: sku.shopifyVariantId,
      ...(sku.identifierCode ? { identifier_code: { ...sku.identifierCode } } : {}),
    })),
    package_weight: { ...draft.packageWeight },
    ...(draft.packageDimensions ? { package_dimensions: { ...draft.packageDimensions } } : {}),
    ...(draft.productAttributes.length > 0
      ? { product_attributes: draft.productAttributes.map((a) => ({ id: a.id, values: a.values.map((v) => ({ ...v })) })) }
      : {}),
    ...(draft.sizeChart ? { size_chart: draft.sizeChart } : {}),
    ...(draft.certifications ? { certifications: draft.certifications } : {}),
    external_product_id: draft.shopifyProductId,
    ...(options.mode === 'create'
      ? { save_mode: 'LISTING' as const, ...(options.idempotencyKey ? { idempotency_key: options.idempotencyKey } : {}) }
      : {}),
  };
}
