import type { MapperProductInput } from '@shoptok/ai-mapper';
import type { ShopifyProduct, ShopifyVariant } from '@shoptok/shopify';
import type { ShopifyListingProduct, ShopifyListingVariant, ShopifyWeightUnit } from '@shoptok/sync-core';

const WEIGHT_UNITS: ReadonlySet<string> = new Set<ShopifyWeightUnit>(['GRAMS', 'KILOGRAMS', 'OUNCES', 'POUNDS']);

/** The product as the AI mapper reads it (its own `mapperProductSchema` validates it). */
export function toMapperInput(product: ShopifyProduct): MapperProductInput {
  return {
    id: product.id,
    title: product.title,
    descriptionHtml: product.descriptionHtml,
    vendor: product.vendor,
    productType: product.productType,
    tags: product.tags,
    status: product.status,
    category: product.category
      ? { fullName: product.category.fullName, name: product.category.name, id: product.category.id }
      : null,
    options: product.options.map((o) => ({ name: o.name, values: o.values })),
    variants: product.variants.map((v) => ({
      id: v.id,
      sku: v.sku,
      price: v.price,
      compareAtPrice: v.compareAtPrice,
      barcode: v.barcode,
      selectedOptions: v.selectedOptions,
      inventoryItem: { measurement: { weight: v.weight } },
    })),
    images: product.images.map((i) => ({ url: i.url, altText: i.alt })),
  };
}

function listingVariant(v: ShopifyVariant): ShopifyListingVariant {
  // Shopify's WeightUnit is an enum; anything else is treated as "no weight" (preflight then says so).
  const weight =
    v.weight && WEIGHT_UNITS.has(v.weight.unit) ? { value: v.weight.value, unit: v.weight.unit as ShopifyWeightUnit } : null;
  return {
    id: v.id,
    sku: v.sku,
    title: v.title,
    price: v.price,
    compareAtPrice: v.compareAtPrice,
    selectedOptions: v.selectedOptions,
    weight,
    barcode: v.barcode,
  };
}

/**
 * The product in sync-core's listing shape, with every collection it is in (the collections
 * filter and category rules match on them). Variant images are not read yet: SKUs get no image
 * of their own.
 */
export function toListingProduct(
  product: ShopifyProduct,
  images: ShopifyListingProduct['images'] = product.images.map((i) => ({ url: i.url })),
): ShopifyListingProduct {
  return {
    id: product.id,
    handle: product.handle,
    title: product.title,
    descriptionHtml: product.descriptionHtml,
    status: product.status,
    vendor: product.vendor,
    productType: product.productType,
    tags: product.tags,
    collections: product.collections.map((c) => ({ id: c.id, handle: c.handle })),
    images,
    variants: product.variants.map(listingVariant),
  };
}

/**
 * The key an uploaded image is cached under: the Shopify URL without its query string (the
 * `?v=` cache-buster changes on every admin save while the file stays the same).
 */
export function imageSourceKey(url: string): string {
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}

/** The numeric tail of a Shopify GID, for stable ordering and cursors. */
export function numericIdOf(gid: string): number {
  const tail = Number(gid.slice(gid.lastIndexOf('/') + 1));
  return Number.isFinite(tail) ? tail : 0;
}
