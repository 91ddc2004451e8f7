import type { StoreRules } from '../rules.js';
import { applyPriceRule } from './price.js';
import type { DraftSku, ListingDraft, ShopifyListingProduct, ShopifyListingVariant } from './types.js';
import { convertLength, convertWeight, tiktokUnitsFor } from './units.js';

export interface ListingDraftContext {
  /** Shop region (`GB`, `US`, ...), for units. */
  region: string;
  /** TikTok shop currency (`rules.listing.currency` wins when set). */
  currency: string;
  /** Leaf category chosen by the mapper, with its attribute values. */
  categoryId: string;
  categoryVersion?: 'v1' | 'v2';
  brandId?: string;
  productAttributes?: ListingDraft['productAttributes'];
  /** Shopify image URL -> uploaded TikTok image `uri` (images not uploaded yet are left out). */
  imageUris: Readonly<Record<string, string>>;
  /** Quantities per Shopify variant id, already through `computeInventoryDiff`'s rules. */
  inventory: Readonly<Record<string, readonly { warehouse_id: string; quantity: number }[]>>;
  /** TikTok SKU ids by seller SKU, for a product that already exists. */
  tiktokSkuIds?: Readonly<Record<string, string>>;
  sizeChart?: ListingDraft['sizeChart'];
  certifications?: ListingDraft['certifications'];
}

export interface ListingDraftResult {
  draft: ListingDraft;
  /** Things changed on the way that the merchant may want to know (images dropped, ...). */
  warnings: string[];
}

const MAX_MAIN_IMAGES = 9; // API-FACTS §6 main_images

/** True for a Shopify option that carries no choice ("Title: Default Title"). */
function isDefaultOption(name: string, value: string): boolean {
  return name.toLowerCase() === 'title' && value.toLowerCase() === 'default title';
}

function identifierFor(barcode: string | null | undefined): DraftSku['identifierCode'] {
  const code = barcode?.trim();
  if (!code || !/^\d+$/.test(code)) return undefined;
  const type = ({ 12: 'UPC', 13: 'EAN', 14: 'GTIN' } as const)[code.length as 12 | 13 | 14];
  return type ? { code, type } : undefined;
}

// TikTok only accepts images it hosts (API-FACTS §5.3, §6 description); Shopify <img> tags would be refused.
function cleanDescription(html: string, title: string): string {
  const stripped = html.replace(/<img\b[^>]*>/gi, '').trim();
  const text = stripped.replace(/<[^>]*>/g, '').trim();
  if (text) return stripped;
  const escaped = title.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<p>${escaped}</p>`;
}

/**
 * Maps a selected Shopify product to a TikTok listing draft: price rule and currency, weight and
 * dimensions in the units the shop's region wants, Shopify options as sales attributes.
 */
export function buildListingDraft(
  product: ShopifyListingProduct,
  variants: readonly ShopifyListingVariant[],
  ctx: ListingDraftContext,
  rules: StoreRules,
): ListingDraftResult {
  const warnings: string[] = [];
  const currency = rules.listing.currency ?? ctx.currency;
  const units = tiktokUnitsFor(ctx.region);

  const uploaded = product.images.filter((img) => ctx.imageUris[img.url]);
  if (uploaded.length < product.images.length)
    warnings.push(`${product.images.length - uploaded.length} image(s) are not uploaded to TikTok yet and were left out.`);
  if (uploaded.length > MAX_MAIN_IMAGES)
    warnings.push(`TikTok takes ${MAX_MAIN_IMAGES} main images; ${uploaded.length - MAX_MAIN_IMAGES} were left out.`);
  const mainImages = uploaded.slice(0, MAX_MAIN_IMAGES).map((img) => ({
    uri: ctx.imageUris[img.url] as string,
    ...(img.width ? { width: img.width } : {}),
    ...(img.height ? { height: img.height } : {}),
  }));

  const skus: DraftSku[] = variants.map((v) => {
    const sellerSku = (v.sku ?? '').trim();
    const amount = applyPriceRule(v, rules.listing.price, currency);
    if (amount === undefined) warnings.push(`Variant ${v.id} has price "${v.price}", which is not an amount.`);
    const image = v.imageUrl ? ctx.imageUris[v.imageUrl] : undefined;
    const identifierCode = identifierFor(v.barcode);
    const tiktokSkuId = ctx.tiktokSkuIds?.[sellerSku];
    return {
      shopifyVariantId: v.id,
      sellerSku,
      ...(tiktokSkuId ? { tiktokSkuId } : {}),
      price: { amount: amount ?? '', currency },
      inventory: (ctx.inventory[v.id] ?? []).map((i) => ({ warehouse_id: i.warehouse_id, quantity: i.quantity })),
      salesAttributes: v.selectedOptions
        .filter((o) => !isDefaultOption(o.name, o.value))
        .map((o) => ({ name: o.name.trim(), value_name: o.value.trim() })),
      ...(image ? { skuImageUri: image } : {}),
      ...(identifierCode ? { identifierCode } : {}),
    };
  });
  // A single-variant product has no sales attributes on TikTok, whatever its one option says.
  if (skus.length === 1 && skus[0]) skus[0].salesAttributes = [];

  // One package weight per product on TikTok: the heaviest variant, so no parcel is under-declared.
  const grams = variants.map((v) =>
    v.weight && v.weight.value > 0 ? Number(convertWeight(v.weight.value, v.weight.unit, 'GRAM')) : 0,
  );
  const heaviest = Math.max(0, ...grams);
  const fallback = rules.listing.defaultPackageWeight;
  const packageWeight =
    heaviest > 0
      ? { value: convertWeight(heaviest, 'GRAM', units.weight), unit: units.weight }
      : fallback
        ? { value: convertWeight(fallback.value, fallback.unit, units.weight), unit: units.weight }
        : undefined;
  const dims = rules.listing.defaultPackageDimensions;
  const packageDimensions = dims
    ? {
        length: convertLength(dims.length, dims.unit, units.dimension),
        width: convertLength(dims.width, dims.unit, units.dimension),
        height: convertLength(dims.height, dims.unit, units.dimension),
        unit: units.dimension,
      }
    : undefined;

  const draft: ListingDraft = {
    shopifyProductId: product.id,
    title: product.title.trim(),
    description: cleanDescription(product.descriptionHtml, product.title.trim()),
    categoryId: ctx.categoryId,
    ...(ctx.categoryVersion
      ? { categoryVersion: ctx.categoryVersion }
      : ctx.region.toUpperCase() === 'US'
        ? { categoryVersion: 'v2' as const }
        : {}),
    ...(ctx.brandId ? { brandId: ctx.brandId } : {}),
    mainImages,
    productAttributes: ctx.productAttributes
      ? ctx.productAttributes.map((a) => ({ id: a.id, values: a.values.map((v) => ({ ...v })) }))
      : [],
    ...(packageWeight ? { packageWeight } : {}),
    ...(packageDimensions ? { packageDimensions } : {}),
    ...(ctx.sizeChart ? { sizeChart: ctx.sizeChart } : {}),
    ...(ctx.certifications ? { certifications: ctx.certifications } : {}),
    skus,
  };
  return { draft, warnings };
}
