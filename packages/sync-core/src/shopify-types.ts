// Plain shapes of the Shopify data sync-core reads. They follow the GraphQL Admin API 2026-10
// (ids are GIDs) but are our own: the sync handler maps the Shopify client's results into them.

/** Shopify `ProductStatus`. */
export type ShopifyProductStatus = 'ACTIVE' | 'ARCHIVED' | 'DRAFT' | 'UNLISTED';

/** Stock of one inventory item at one location (`InventoryLevel`, quantity name `available`). */
export interface ShopifyInventoryLevel {
  locationId: string;
  available: number;
}

/** One Shopify variant as the inventory sync sees it. */
export interface ShopifyVariantStock {
  /** `gid://shopify/ProductVariant/…` */
  variantId: string;
  productId: string;
  productStatus: ShopifyProductStatus;
  /** Empty or null when the merchant never set one. */
  sku: string | null;
  /** `InventoryItem.tracked`: false means Shopify does not count this variant's stock. */
  tracked: boolean;
  levels: readonly ShopifyInventoryLevel[];
}

/** One Shopify variant as order import sees it (what `orderCreate` line items reference). */
export interface ShopifyVariantRef {
  variantId: string;
  productId: string;
  productStatus: ShopifyProductStatus;
  sku: string | null;
  productTitle?: string;
  variantTitle?: string | null;
  vendor?: string | null;
  requiresShipping?: boolean;
}
