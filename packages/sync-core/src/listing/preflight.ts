import { parseMoney } from '../money.js';
import { TIKTOK_MAX_QUANTITY } from '../rules.js';
import type { ListingDraft, TikTokCategory, TikTokCategoryAttribute, TikTokCategoryRules } from './types.js';

export type PreflightReasonCode =
  | 'title-length'
  | 'title-content'
  | 'description-missing'
  | 'description-length'
  | 'description-images'
  | 'category-not-leaf'
  | 'category-not-allowed'
  | 'images-missing'
  | 'images-count'
  | 'image-size'
  | 'sku-count'
  | 'seller-sku'
  | 'duplicate-seller-sku'
  | 'sales-attributes'
  | 'price'
  | 'inventory'
  | 'attribute-required'
  | 'attribute-value'
  | 'package-weight'
  | 'package-dimensions'
  | 'size-chart'
  | 'certification';

export interface PreflightReason {
  code: PreflightReasonCode;
  /** Where: `title`, `skus[2].seller_sku`, `product_attributes.100392`, ... */
  field: string;
  message: string;
}

export type PreflightResult = { ok: true } | { ok: false; reasons: PreflightReason[] };

export interface PreflightContext {
  /** Shop region (`US`, `GB`, `DE`, ...): title and SKU limits and price ranges differ by region. */
  region: string;
  /** The category row the draft uses (leaf and permission checks); skipped when not given. */
  category?: TikTokCategory;
  /** True for cross-border shops: price ranges differ and are not all known, so price range is not checked. */
  crossBorder?: boolean;
}

// API-FACTS §6 "title length".
const TITLE_1_255 = new Set(['DE', 'ES', 'FR', 'IE', 'IT', 'JP', 'UK', 'GB', 'US']);
const TITLE_1_300 = new Set(['BR', 'MX']);
// API-FACTS §6 "SKUs per product".
const SKUS_300 = new Set(['BR', 'DE', 'ES', 'FR', 'IE', 'IT', 'JP', 'MX', 'UK', 'GB', 'US']);
// API-FACTS §6 "price (local sellers)", [min, max] in the shop currency.
const PRICE_RANGES: Record<string, [string, string]> = {
  US: ['0.01', '7600'],
  GB: ['0.01', '5600'],
  UK: ['0.01', '5600'],
  DE: ['0.01', '6300'],
  FR: ['0.01', '6300'],
  IE: ['0.01', '6300'],
  IT: ['0.01', '6300'],
  ES: ['0.01', '6300'],
  JP: ['1', '500000'],
  MX: ['1', '50000'],
  BR: ['0.5', '10000'],
  ID: ['100', '100000000'],
  MY: ['0.01', '320000'],
  PH: ['0.01', '400000'],
  SG: ['0.01', '10000'],
  TH: ['30', '260000'],
  VN: ['1', '180000000'],
};
const MAX_DESCRIPTION = 10_000; // §6 description
const MAX_DESCRIPTION_IMAGES = 30; // §6 description
const MAX_MAIN_IMAGES = 9; // §6 main_images
const MIN_IMAGE_PX = 300; // §6 main_images
const MAX_IMAGE_PX = 4000; // §6 main_images
const MAX_SALES_ATTRIBUTES = 3; // §6 sales attribute types (12052525)
const MAX_CUSTOM_ATTR_NAME = 20; // §6 custom sales attribute name
const MAX_CUSTOM_ATTR_VALUE = 50; // §6 custom sales attribute value
const MAX_CUSTOM_PRODUCT_ATTR = 2_000; // §6 custom product attribute value

// §6 title content: no HTML escapes, emojis or control characters (12052931), no Chinese (12052262).
const HTML_ESCAPE = /&(#\d+|#x[0-9a-f]+|[a-z]+);/i;
const EMOJI = /\p{Extended_Pictographic}/u;
const CONTROL = /\p{Cc}/u;
const HAN = /\p{Script=Han}/u;

/**
 * Checks a draft against TikTok's field limits (API-FACTS §6) and the category's rules and
 * attributes (§5.2) before anything is sent. A draft that fails is not sent: the caller marks the
 * product "needs attention" with these reasons.
 */
export function preflightListing(
  draft: ListingDraft,
  categoryRules: TikTokCategoryRules,
  attributes: readonly TikTokCategoryAttribute[],
  ctx: PreflightContext,
): PreflightResult {
  const reasons: PreflightReason[] = [];
  const add = (code: PreflightReasonCode, field: string, message: string) => reasons.push({ code, field, message });
  const region = ctx.region.toUpperCase();

  // Title.
  const titleLength = [...draft.title].length;
  const [minTitle, maxTitle] = TITLE_1_255.has(region) ? [1, 255] : TITLE_1_300.has(region) ? [1, 300] : [25, 255];
  if (titleLength < minTitle || titleLength > maxTitle)
    add('title-length', 'title', `Title is ${titleLength} characters; TikTok ${region} needs ${minTitle}-${maxTitle}.`);
  if (HTML_ESCAPE.test(draft.title))
    add('title-content', 'title', 'Title contains an HTML escape such as "&nbsp;"; write the character itself.');
  if (EMOJI.test(draft.title)) add('title-content', 'title', 'Title contains an emoji; TikTok refuses emojis in titles.');
  if (CONTROL.test(draft.title)) add('title-content', 'title', 'Title contains a control character (tab, line break, ...).');
  if (region !== 'JP' && HAN.test(draft.title))
    add('title-content', 'title', 'Title contains Chinese characters; TikTok refuses them outside Japan.');

  // Description.
  if (!draft.description.replace(/<[^>]*>/g, '').trim())
    add('description-missing', 'description', 'Description is empty; TikTok requires one.');
  if (draft.description.length > MAX_DESCRIPTION)
    add(
      'description-length',
      'description',
      `Description is ${draft.description.length} characters; TikTok takes at most ${MAX_DESCRIPTION}.`,
    );
  const imgCount = (draft.description.match(/<img\b/gi) ?? []).length;
  if (imgCount > MAX_DESCRIPTION_IMAGES)
    add(
      'description-images',
      'description',
      `Description has ${imgCount} images; TikTok takes at most ${MAX_DESCRIPTION_IMAGES}.`,
    );

  // Category.
  if (ctx.category) {
    if (!ctx.category.is_leaf)
      add(
        'category-not-leaf',
        'category_id',
        `Category ${ctx.category.id} is not a leaf category; pick one of its sub-categories.`,
      );
    const statuses = ctx.category.permission_statuses ?? [];
    for (const status of ['INVITE_ONLY', 'PROHIBITED', 'NON_MAIN_CATEGORY'] as const) {
      if (statuses.includes(status))
        add(
          'category-not-allowed',
          'category_id',
          `Category ${ctx.category.id} is ${status} for this shop; pick another category or apply for it in Seller Center.`,
        );
    }
  }

  // Images.
  if (draft.mainImages.length === 0)
    add('images-missing', 'main_images', 'The product has no uploaded image; TikTok needs at least one.');
  if (draft.mainImages.length > MAX_MAIN_IMAGES)
    add('images-count', 'main_images', `${draft.mainImages.length} images; TikTok takes at most ${MAX_MAIN_IMAGES}.`);
  draft.mainImages.forEach((img, i) => {
    for (const [side, px] of [
      ['width', img.width],
      ['height', img.height],
    ] as const) {
      if (px !== undefined && (px < MIN_IMAGE_PX || px > MAX_IMAGE_PX))
        add(
          'image-size',
          `main_images[${i}]`,
          `Image ${i + 1} is ${px}px ${side}; TikTok needs ${MIN_IMAGE_PX}-${MAX_IMAGE_PX}px.`,
        );
    }
  });

  // SKUs.
  const maxSkus = SKUS_300.has(region) ? 300 : 100;
  if (draft.skus.length === 0) add('sku-count', 'skus', 'No SKU to list.');
  if (draft.skus.length > maxSkus)
    add('sku-count', 'skus', `${draft.skus.length} variants; TikTok ${region} takes at most ${maxSkus} per product.`);
  const sellerSkus = new Set<string>();
  const combos = new Set<string>();
  const attributeSet =
    draft.skus[0]?.salesAttributes
      .map((a) => a.name.toLowerCase())
      .sort()
      .join('\u0000') ?? '';
  const range = ctx.crossBorder ? undefined : PRICE_RANGES[region];
  draft.skus.forEach((sku, i) => {
    const at = `skus[${i}]`;
    if (sku.sellerSku.length < 1 || sku.sellerSku.length > 50 || /\s/.test(sku.sellerSku))
      add('seller-sku', `${at}.seller_sku`, `SKU "${sku.sellerSku}" must be 1-50 characters without spaces for TikTok.`);
    if (sellerSkus.has(sku.sellerSku))
      add('duplicate-seller-sku', `${at}.seller_sku`, `SKU "${sku.sellerSku}" is used by two variants of this product.`);
    sellerSkus.add(sku.sellerSku);

    if (sku.salesAttributes.length > MAX_SALES_ATTRIBUTES)
      add(
        'sales-attributes',
        `${at}.sales_attributes`,
        `${sku.salesAttributes.length} options; TikTok takes at most ${MAX_SALES_ATTRIBUTES}.`,
      );
    if (
      sku.salesAttributes
        .map((a) => a.name.toLowerCase())
        .sort()
        .join('\u0000') !== attributeSet
    )
      add(
        'sales-attributes',
        `${at}.sales_attributes`,
        `Variant "${sku.sellerSku}" has different options from the others; every TikTok SKU needs the same option names.`,
      );
    for (const a of sku.salesAttributes) {
      if (a.name.length > MAX_CUSTOM_ATTR_NAME)
        add(
          'sales-attributes',
          `${at}.sales_attributes`,
          `Option name "${a.name}" is longer than ${MAX_CUSTOM_ATTR_NAME} characters.`,
        );
      if (a.value_name.length > MAX_CUSTOM_ATTR_VALUE)
        add(
          'sales-attributes',
          `${at}.sales_attributes`,
          `Option value "${a.value_name}" is longer than ${MAX_CUSTOM_ATTR_VALUE} characters.`,
        );
    }
    const combo = sku.salesAttributes
      .map((a) => `${a.name.toLowerCase()}=${a.value_name.toLowerCase()}`)
      .sort()
      .join('\u0000');
    if (draft.skus.length > 1 && combos.has(combo))
      add(
        'sales-attributes',
        `${at}.sales_attributes`,
        `Variant "${sku.sellerSku}" repeats another variant's options; TikTok needs each combination once.`,
      );
    combos.add(combo);

    const price = parseMoney(sku.price.amount);
    if (price === undefined || price <= 0n) add('price', `${at}.price`, `Variant "${sku.sellerSku}" has no valid price.`);
    else if (range) {
      const [min, max] = range.map((v) => parseMoney(v) as bigint) as [bigint, bigint];
      if (price < min || price > max)
        add(
          'price',
          `${at}.price`,
          `Price ${sku.price.amount} ${sku.price.currency} of "${sku.sellerSku}" is outside TikTok ${region}'s ${range[0]}-${range[1]}.`,
        );
    }
    for (const inv of sku.inventory) {
      if (!Number.isInteger(inv.quantity) || inv.quantity < 0 || inv.quantity > TIKTOK_MAX_QUANTITY)
        add(
          'inventory',
          `${at}.inventory`,
          `Quantity ${inv.quantity} for warehouse ${inv.warehouse_id} must be a whole number 0-${TIKTOK_MAX_QUANTITY}.`,
        );
    }
    if (sku.inventory.length === 0)
      add(
        'inventory',
        `${at}.inventory`,
        `Variant "${sku.sellerSku}" has no warehouse to stock; map a Shopify location to a TikTok warehouse.`,
      );
  });

  // Product attributes.
  const given = new Map(draft.productAttributes.map((a) => [a.id, a]));
  const givenValueIds = new Set(draft.productAttributes.flatMap((a) => a.values.map((v) => `${a.id}:${v.id ?? ''}`)));
  for (const attr of attributes) {
    if (attr.type !== 'PRODUCT_PROPERTY') continue;
    const value = given.get(attr.id);
    const hasValue = Boolean(value && value.values.some((v) => v.id || v.name?.trim()));
    const conditional = (attr.requirement_conditions ?? []).some((c) =>
      givenValueIds.has(`${c.attribute_id}:${c.attribute_value_id}`),
    );
    if ((attr.is_requried || conditional) && !hasValue)
      add('attribute-required', `product_attributes.${attr.id}`, `Category attribute "${attr.name}" is required.`);
    if (!value) continue;
    if (!attr.is_multiple_selection && value.values.length > 1)
      add('attribute-value', `product_attributes.${attr.id}`, `"${attr.name}" takes one value, got ${value.values.length}.`);
    const known = new Set((attr.values ?? []).map((v) => v.id));
    for (const v of value.values) {
      if (v.id && known.size > 0 && !known.has(v.id))
        add('attribute-value', `product_attributes.${attr.id}`, `Value id ${v.id} is not one of "${attr.name}"'s values.`);
      if (!v.id && v.name !== undefined && !attr.is_customizable)
        add(
          'attribute-value',
          `product_attributes.${attr.id}`,
          `"${attr.name}" does not take custom values; pick one of its listed values.`,
        );
      if (!v.id && v.name && v.name.length > MAX_CUSTOM_PRODUCT_ATTR)
        add(
          'attribute-value',
          `product_attributes.${attr.id}`,
          `Custom value of "${attr.name}" is longer than ${MAX_CUSTOM_PRODUCT_ATTR} characters.`,
        );
    }
  }

  // Package, size chart, certifications (category rules).
  if (!draft.packageWeight || !(Number(draft.packageWeight.value) > 0))
    add(
      'package-weight',
      'package_weight',
      'No package weight: set variant weights in Shopify, or rules.listing.defaultPackageWeight.',
    );
  if (categoryRules.package_dimension?.is_required && !draft.packageDimensions)
    add(
      'package-dimensions',
      'package_dimensions',
      'This category needs package dimensions: set rules.listing.defaultPackageDimensions.',
    );
  if (categoryRules.size_chart?.is_required && !draft.sizeChart)
    add('size-chart', 'size_chart', 'This category needs a size chart image or template.');
  const certs = new Set((draft.certifications ?? []).map((c) => c.id));
  for (const cert of categoryRules.product_certifications ?? []) {
    if (cert.is_required && !certs.has(cert.id))
      add('certification', `certifications.${cert.id}`, `This category needs the certification "${cert.name}".`);
  }

  return reasons.length === 0 ? { ok: true } : { ok: false, reasons };
}
