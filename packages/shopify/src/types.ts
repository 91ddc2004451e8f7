import type { z } from 'zod';
import type { orderNode } from './schemas.js';

/** One variant as the workers use it. Money stays a decimal string. */
export interface ShopifyVariant {
  id: string;
  title: string;
  sku: string | null;
  price: string;
  compareAtPrice: string | null;
  barcode: string | null;
  position: number;
  selectedOptions: { name: string; value: string }[];
  inventoryItemId: string;
  tracked: boolean;
  weight: { unit: string; value: number } | null;
  /** The variant's metafields, when the read asked for them (`fetchCatalogue` does by default). */
  metafields?: ShopifyMetafield[];
}

export interface ShopifyImage {
  id: string;
  url: string;
  alt: string | null;
}

/** One product with all its variants and images. */
export interface ShopifyProduct {
  id: string;
  title: string;
  handle: string;
  status: 'ACTIVE' | 'ARCHIVED' | 'DRAFT' | 'UNLISTED';
  vendor: string;
  productType: string;
  /** The product's Standard Product Taxonomy category; null when the merchant set none. */
  category: { id: string; fullName: string; name: string } | null;
  tags: string[];
  descriptionHtml: string;
  updatedAt: string;
  options: { name: string; position: number; values: string[] }[];
  images: ShopifyImage[];
  variants: ShopifyVariant[];
  /** Every collection the product is in (the listing filters and category rules match on id or handle). */
  collections: { id: string; handle: string }[];
  /** The product's metafields (the first 15 in pages, all in a bulk export), values as Shopify stores them. */
  metafields: ShopifyMetafield[];
}

/** One metafield: `type` is Shopify's (`single_line_text_field`, `list.single_line_text_field`, ...). */
export interface ShopifyMetafield {
  namespace: string;
  key: string;
  type: string;
  value: string;
}

/** Available quantity of one inventory item at one location. */
export interface InventoryAvailability {
  inventoryItemId: string;
  locationId: string;
  available: number;
}

/** An order as read back from Shopify, with fulfilments (tracking) and cancellation. */
export type ShopifyOrder = z.infer<typeof orderNode>;

/** One variant found by `getVariantsBySku`, with what an order import needs to decide. */
export interface SkuVariant {
  id: string;
  /** Exactly one of the SKUs asked for. */
  sku: string;
  title: string;
  price: string;
  inventoryItemId: string;
  tracked: boolean;
  productId: string;
  productTitle: string;
  productStatus: 'ACTIVE' | 'ARCHIVED' | 'DRAFT' | 'UNLISTED';
}

/** Why an order is cancelled (Shopify's `OrderCancelReason`). */
export type OrderCancelReason = 'CUSTOMER' | 'DECLINED' | 'FRAUD' | 'INVENTORY' | 'OTHER' | 'STAFF';
