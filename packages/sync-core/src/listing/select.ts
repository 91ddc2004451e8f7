import type { ListingFilters } from '../rules.js';
import type { ShopifyListingProduct, ShopifyListingVariant } from './types.js';

export type ProductExclusionReason =
  'excluded-product' | 'status' | 'collection' | 'tag' | 'excluded-tag' | 'vendor' | 'product-type' | 'no-sku';

export interface ProductSelection {
  /** Products to list, each with only its listable variants. */
  selected: { product: ShopifyListingProduct; variants: ShopifyListingVariant[] }[];
  excluded: { productId: string; reason: ProductExclusionReason; message: string }[];
  /** Variants left out of a selected product (no SKU, or an excluded SKU). */
  excludedVariants: { productId: string; variantId: string; reason: 'no-sku' | 'excluded-sku' }[];
}

const lower = (values: readonly string[]) => new Set(values.map((v) => v.trim().toLowerCase()));
const idOrHandle = (set: ReadonlySet<string>, id: string, handle: string) =>
  set.has(id.toLowerCase()) || set.has(handle.toLowerCase()) || set.has(id.replace(/^gid:\/\/shopify\/\w+\//, ''));

/**
 * Which products a store lists on TikTok, per its filters. Default: every active product, with
 * only its variants that have a SKU (TikTok's `seller_sku` is how everything else matches).
 */
export function selectProducts(products: readonly ShopifyListingProduct[], filters: ListingFilters): ProductSelection {
  const include = lower(filters.includeProducts);
  const exclude = lower(filters.excludeProducts);
  const collections = lower(filters.collections);
  const tags = lower(filters.tags);
  const excludeTags = lower(filters.excludeTags);
  const vendors = lower(filters.vendors);
  const types = lower(filters.productTypes);
  const excludeSkus = new Set(filters.excludeSkus.map((s) => s.trim()));
  const out: ProductSelection = { selected: [], excluded: [], excludedVariants: [] };

  for (const product of products) {
    const skip = (reason: ProductExclusionReason, message: string) =>
      out.excluded.push({ productId: product.id, reason, message });
    const productTags = lower(product.tags);
    if (idOrHandle(exclude, product.id, product.handle)) {
      skip('excluded-product', 'listed in rules.listing.filters.excludeProducts');
      continue;
    }
    if (!filters.statuses.includes(product.status)) {
      skip('status', `status ${product.status} is not one of ${filters.statuses.join(', ')}`);
      continue;
    }
    if (!idOrHandle(include, product.id, product.handle)) {
      if ([...productTags].some((t) => excludeTags.has(t))) {
        skip('excluded-tag', 'has a tag in rules.listing.filters.excludeTags');
        continue;
      }
      if (collections.size > 0 && !product.collections.some((c) => idOrHandle(collections, c.id, c.handle))) {
        skip('collection', 'not in any of the listed collections');
        continue;
      }
      if (tags.size > 0 && ![...productTags].some((t) => tags.has(t))) {
        skip('tag', 'has none of the listed tags');
        continue;
      }
      if (vendors.size > 0 && !vendors.has((product.vendor ?? '').trim().toLowerCase())) {
        skip('vendor', `vendor "${product.vendor ?? ''}" is not listed`);
        continue;
      }
      if (types.size > 0 && !types.has((product.productType ?? '').trim().toLowerCase())) {
        skip('product-type', `product type "${product.productType ?? ''}" is not listed`);
        continue;
      }
    }
    const variants: ShopifyListingVariant[] = [];
    for (const v of product.variants) {
      const sku = v.sku?.trim();
      if (!sku) out.excludedVariants.push({ productId: product.id, variantId: v.id, reason: 'no-sku' });
      else if (excludeSkus.has(sku))
        out.excludedVariants.push({ productId: product.id, variantId: v.id, reason: 'excluded-sku' });
      else variants.push(v);
    }
    if (variants.length === 0) {
      skip('no-sku', 'no variant has a SKU; give variants SKUs to list them');
      continue;
    }
    out.selected.push({ product, variants });
  }
  return out;
}
