// Shapes for listing Shopify products on TikTok (issue 8). Shopify side: our own plain form of
// `Product` / `ProductVariant` (Admin GraphQL 2026-10). TikTok side: API-FACTS §5.2 and §5.4 names.
import type { ShopifyProductStatus } from '../shopify-types.js';

/** Shopify `WeightUnit`. */
export type ShopifyWeightUnit = 'GRAMS' | 'KILOGRAMS' | 'OUNCES' | 'POUNDS';

export interface ShopifyListingVariant {
  id: string;
  sku: string | null;
  title: string;
  /** Decimal string, shop currency. */
  price: string;
  compareAtPrice?: string | null;
  selectedOptions: readonly { name: string; value: string }[];
  /** `InventoryItem.measurement.weight` */
  weight?: { value: number; unit: ShopifyWeightUnit } | null;
  barcode?: string | null;
  /** Image of this variant (Shopify URL), if any. */
  imageUrl?: string | null;
}

export interface ShopifyListingProduct {
  id: string;
  handle: string;
  title: string;
  descriptionHtml: string;
  status: ShopifyProductStatus;
  vendor?: string | null;
  productType?: string | null;
  tags: readonly string[];
  collections: readonly { id: string; handle: string }[];
  /** Shopify image URLs in display order, with sizes when known. */
  images: readonly { url: string; width?: number; height?: number }[];
  variants: readonly ShopifyListingVariant[];
}

/** TikTok weight/dimension units (API-FACTS §5.4). */
export type TikTokWeightUnit = 'KILOGRAM' | 'GRAM' | 'POUND';
export type TikTokDimensionUnit = 'CENTIMETER' | 'INCH';

/** Get Attributes item (API-FACTS §5.2; `is_requried` is TikTok's spelling). */
export interface TikTokCategoryAttribute {
  id: string;
  name: string;
  type: 'SALES_PROPERTY' | 'PRODUCT_PROPERTY';
  is_requried?: boolean;
  is_multiple_selection?: boolean;
  is_customizable?: boolean;
  requirement_conditions?: readonly { condition_type?: string; attribute_id: string; attribute_value_id: string }[];
  values?: readonly { id: string; name: string }[];
}

/** Get Category Rules `data` (API-FACTS §5.2), the parts preflight reads. */
export interface TikTokCategoryRules {
  product_certifications?: readonly { id: string; name: string; is_required?: boolean }[];
  size_chart?: { is_supported?: boolean; is_required?: boolean };
  package_dimension?: { is_required?: boolean };
}

/** The category chosen for the product (Get Categories row, API-FACTS §5.2). */
export interface TikTokCategory {
  id: string;
  local_name?: string;
  is_leaf: boolean;
  permission_statuses?: readonly ('AVAILABLE' | 'INVITE_ONLY' | 'NON_MAIN_CATEGORY' | 'PROHIBITED' | (string & {}))[];
}

export interface DraftSku {
  shopifyVariantId: string;
  sellerSku: string;
  /** TikTok SKU id once the product exists (edits). */
  tiktokSkuId?: string;
  price: { amount: string; currency: string };
  inventory: { warehouse_id: string; quantity: number }[];
  /** Sales attributes by name (Shopify option name -> value). */
  salesAttributes: { name: string; value_name: string }[];
  skuImageUri?: string;
  identifierCode?: { code: string; type: 'GTIN' | 'EAN' | 'UPC' | 'ISBN' | 'JAN' };
}

/** A product ready to validate and send: every value already in TikTok's units and currency. */
export interface ListingDraft {
  shopifyProductId: string;
  title: string;
  description: string;
  categoryId: string;
  categoryVersion?: 'v1' | 'v2';
  brandId?: string;
  /** Uploaded images (TikTok `uri`), with sizes when known for the size checks. */
  mainImages: { uri: string; width?: number; height?: number }[];
  productAttributes: { id: string; values: { id?: string; name?: string }[] }[];
  /** Missing when neither Shopify nor the rules give a weight (preflight then refuses the draft). */
  packageWeight?: { value: string; unit: TikTokWeightUnit };
  packageDimensions?: { length: string; width: string; height: string; unit: TikTokDimensionUnit };
  sizeChart?: { image: { uri: string } } | { template: { id: string } };
  certifications?: { id: string; images?: { uri: string }[] }[];
  skus: DraftSku[];
}
