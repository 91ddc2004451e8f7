import { z } from 'zod';
import { SHOPIFY_CANCEL_REASONS, TIKTOK_CANCEL_REASON_NAMES } from './cancel-reasons.js';

// TikTok accepts 1..99,999 units per warehouse (API-FACTS §6 "inventory quantity").
export const TIKTOK_MAX_QUANTITY = 99_999;

/** TikTok order statuses (API-FACTS §5.8). */
export const TIKTOK_ORDER_STATUSES = [
  'UNPAID',
  'ON_HOLD',
  'AWAITING_SHIPMENT',
  'PARTIALLY_SHIPPING',
  'AWAITING_COLLECTION',
  'IN_TRANSIT',
  'DELIVERED',
  'COMPLETED',
  'CANCELLED',
] as const;
export type TikTokOrderStatus = (typeof TIKTOK_ORDER_STATUSES)[number];

/** `123` and `gid://shopify/Location/123` both name Shopify location 123; rules may use either. */
export function toShopifyGid(kind: string, id: string | number): string {
  const text = String(id).trim();
  return text.startsWith('gid://') ? text : `gid://shopify/${kind}/${text}`;
}

const shopifyLocationId = z
  .union([z.string().trim().min(1), z.number().int().positive()])
  .transform((v) => toShopifyGid('Location', v))
  .pipe(
    z
      .string()
      .regex(/^gid:\/\/shopify\/Location\/\d+$/, { error: 'must be a Shopify location id (123 or gid://shopify/Location/123)' }),
  );

const decimalAmount = z
  .union([
    z.number().nonnegative(),
    z
      .string()
      .trim()
      .regex(/^\d+(\.\d{1,6})?$/, { error: 'must be a decimal amount such as "1.50"' }),
  ])
  .transform((v) => String(v));

const inventoryRulesSchema = z.strictObject({
  /** Units held back from TikTok per warehouse (subtracted after the percentage). */
  bufferUnits: z.number().int().min(0).default(0),
  /** Percentage held back from TikTok per warehouse, rounding the remainder down. */
  bufferPercent: z.number().min(0).max(100).default(0),
  /** When Shopify's available stock for a warehouse is at or below this, TikTok shows 0. */
  outOfStockThreshold: z.number().int().min(0).default(0),
  /** Never show more than this on TikTok per warehouse (TikTok's own ceiling is 99,999). */
  maxQuantity: z.number().int().min(0).max(TIKTOK_MAX_QUANTITY).default(TIKTOK_MAX_QUANTITY),
  /** What TikTok shows for variants whose stock Shopify does not track; null skips them. */
  untrackedQuantity: z.number().int().min(0).max(TIKTOK_MAX_QUANTITY).nullable().default(null),
  /** A linked variant that was deleted, or whose product is archived/draft: set TikTok to 0, or leave it. */
  unavailableVariants: z.enum(['zero', 'skip']).default('zero'),
  /**
   * Which Shopify locations feed which TikTok warehouse. Empty: every location counts and feeds
   * the shop's default warehouse (the caller passes its id).
   */
  warehouses: z
    .array(z.strictObject({ tiktokWarehouseId: z.string().trim().min(1), shopifyLocationIds: z.array(shopifyLocationId).min(1) }))
    .default([])
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      for (const [i, w] of list.entries()) {
        if (seen.has(w.tiktokWarehouseId))
          ctx.addIssue({
            code: 'custom',
            path: [i, 'tiktokWarehouseId'],
            message: `warehouse ${w.tiktokWarehouseId} is listed twice; list each TikTok warehouse once with all its locations`,
          });
        seen.add(w.tiktokWarehouseId);
      }
    }),
});

const orderRulesSchema = z.strictObject({
  /**
   * Import an order once it reaches one of these statuses. Default: only orders that have left
   * TikTok's one-hour ON_HOLD window, so buyer cancellations in that hour never reach Shopify.
   */
  importStatuses: z
    .array(z.enum(TIKTOK_ORDER_STATUSES))
    .min(1)
    .default(['AWAITING_SHIPMENT'])
    .superRefine((statuses, ctx) => {
      // Every Shopify order is created paid (a SALE transaction): an unpaid one would show money never received.
      if (statuses.includes('UNPAID'))
        ctx.addIssue({
          code: 'custom',
          message:
            'UNPAID is refused: the buyer has not paid (and may never), but shoptok creates every Shopify order as paid and takes its stock. Import from ON_HOLD (paid, still cancellable for an hour) or AWAITING_SHIPMENT (the default)',
        });
    }),
  /** Orders TikTok fulfils from its own warehouses (FBT) do not leave the merchant's stock. */
  importFulfilledByTikTok: z.boolean().default(false),
  /** Creator sample orders are shipped by the merchant like any other. */
  importSampleOrders: z.boolean().default(true),
  /** Ignore orders created before this instant (ISO 8601), e.g. the day the store was connected. */
  importCreatedAfter: z.iso.datetime({ offset: true }).optional(),
  /** A line whose SKU Shopify does not know: refuse the order (needs attention), or import it as a custom line. */
  unknownSku: z.enum(['reject', 'custom-line-item']).default('reject'),
  /**
   * TikTok pays the seller for platform-funded discounts, so by default they are not shown as a
   * discount in Shopify (Shopify's revenue then matches what the merchant earns).
   */
  platformDiscount: z.enum(['exclude', 'discount']).default('exclude'),
  /**
   * Prices from TikTok include tax. Unset: true in the VAT-inclusive TikTok markets (GB and the
   * EU, see `VAT_INCLUSIVE_MARKETS`), false elsewhere (US prices are before sales tax).
   */
  taxesIncluded: z.boolean().optional(),
  /** TikTok collects and remits the tax as marketplace facilitator, so the channel is liable. */
  taxChannelLiable: z.boolean().default(true),
  taxTitle: z.string().trim().min(1).default('Tax'),
  /** Stock in Shopify drops with the TikTok sale; policy is ignored because the sale already happened. */
  inventoryBehaviour: z
    .enum(['BYPASS', 'DECREMENT_IGNORING_POLICY', 'DECREMENT_OBEYING_POLICY'])
    .default('DECREMENT_IGNORING_POLICY'),
  sendReceipt: z.boolean().default(false),
  sendFulfillmentReceipt: z.boolean().default(false),
  tags: z.array(z.string().trim().min(1)).default(['TikTok Shop']),
  /** Order attribution handle (only valid if the app has one configured in Shopify). */
  sourceName: z.string().trim().min(1).optional(),
  /** If set, the Shopify order is named `<prefix><TikTok order id>` instead of the next Shopify number. */
  orderNamePrefix: z.string().trim().min(1).max(20).optional(),
  /** Transaction gateway name shown in Shopify. */
  gateway: z.string().trim().min(1).default('TikTok Shop'),
  /**
   * The merchant cancels the Shopify order of a TikTok order: cancel it on TikTok too (`cancel`),
   * or only flag it for the operator (`flag`). An order already shipped is always flagged.
   */
  tiktokCancellation: z.enum(['flag', 'cancel']).default('cancel'),
  /**
   * Shopify's cancel reason -> TikTok's seller reason: a name (the key for the order's status is
   * chosen) or a full TikTok key sent as is (e.g. a region-suffixed one). Unset reasons: see
   * DEFAULT_TIKTOK_CANCEL_REASONS.
   */
  tiktokCancelReasons: z
    .partialRecord(
      z.enum(SHOPIFY_CANCEL_REASONS),
      z.union([
        z.enum(TIKTOK_CANCEL_REASON_NAMES),
        z.string().regex(/^seller_cancel_[a-z0-9_]+$/, { error: 'must be a reason name or a TikTok key seller_cancel_...' }),
      ]),
    )
    .default({}),
});

const shippingRulesSchema = z.strictObject({
  /** Shopify carrier name -> TikTok shipping provider id or exact provider name. Wins over automatic matching. */
  carrierOverrides: z.record(z.string().trim().min(1), z.string().trim().min(1)).default({}),
});

const listingFilterSchema = z.strictObject({
  /**
   * Shopify product statuses that are listed. DRAFT and ARCHIVED are refused: such a product cannot
   * be bought, so its TikTok stock is kept at 0 and a listing of it could never sell.
   */
  statuses: z
    .array(z.enum(['ACTIVE', 'DRAFT', 'ARCHIVED', 'UNLISTED']))
    .min(1)
    .default(['ACTIVE'])
    .superRefine((statuses, ctx) => {
      const unsellable = statuses.filter((s) => s === 'DRAFT' || s === 'ARCHIVED');
      if (unsellable.length > 0)
        ctx.addIssue({
          code: 'custom',
          message: `${unsellable.join(' and ')} refused: such a product cannot be bought in Shopify, so shoptok keeps its TikTok stock at 0 and its listing could never sell. List ACTIVE (and UNLISTED) products; publish a product in Shopify to list it`,
        });
    }),
  /** Only products in one of these collections (handle or id); empty: any. */
  collections: z.array(z.string().trim().min(1)).default([]),
  /** Only products with one of these tags (case-insensitive); empty: any. */
  tags: z.array(z.string().trim().min(1)).default([]),
  excludeTags: z.array(z.string().trim().min(1)).default([]),
  vendors: z.array(z.string().trim().min(1)).default([]),
  productTypes: z.array(z.string().trim().min(1)).default([]),
  /** Always list these products (id or handle), whatever the filters say (status still applies). */
  includeProducts: z.array(z.string().trim().min(1)).default([]),
  /** Never list these products (id or handle). Wins over everything. */
  excludeProducts: z.array(z.string().trim().min(1)).default([]),
  /** Never list variants with these SKUs. */
  excludeSkus: z.array(z.string().trim().min(1)).default([]),
});

const currencyCode = z.string().regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code such as "USD"' });

const priceRuleSchema = z.strictObject({
  /**
   * Shopify prices in one currency, TikTok's in another: each Shopify price is multiplied by
   * `rate` (units of `to` per unit of `from`) before the markups. Without it shoptok lists and
   * imports nothing across currencies.
   */
  conversion: z
    .strictObject({
      from: currencyCode,
      to: currencyCode,
      rate: z
        .union([z.number(), z.string().trim()])
        .transform((v) => String(v))
        .refine((v) => /^\d+(\.\d{1,6})?$/.test(v) && Number(v) > 0, {
          error: 'must be a positive decimal with at most 6 decimals, such as "0.79"',
        }),
    })
    .optional(),
  /** Which Shopify price TikTok sells at: the selling price, or the compare-at price when one is set. */
  source: z.enum(['price', 'compare-at']).default('price'),
  /** Percentage added first (negative lowers the price). */
  markupPercent: z.number().min(-90).max(1_000).default(0),
  /** Fixed amount added after the percentage, in the TikTok shop currency. */
  markupFixed: decimalAmount.default('0'),
  /** Round up to a price ending in these cents (".99": 12.30 -> 12.99); null: round to the currency's minor unit. */
  ending: z
    .string()
    .regex(/^\.\d{2}$/, { error: 'must look like ".99"' })
    .nullable()
    .default(null),
});

/** One value or several (any of them matches). */
const oneOrMore = z
  .union([z.string().trim().min(1), z.array(z.string().trim().min(1)).min(1)])
  .transform((v) => (Array.isArray(v) ? v : [v]));

/** A TikTok category id (digits); whether it is a leaf of the shop's tree is checked when the tree is read. */
const tiktokCategoryId = z
  .union([z.string().trim(), z.number().int().positive()])
  .transform((v) => String(v))
  .pipe(z.string().regex(/^\d{1,20}$/, { error: 'must be a TikTok category id (digits), e.g. "601226"' }));

const categoryRuleSchema = z.strictObject({
  /**
   * What the product must match: every condition given (case-insensitive); a list means any of
   * its values. `shopifyCategory` is a taxonomy id or the start of its full name
   * ("Apparel & Accessories > Clothing"); `collection` a handle or id; `titleWords` must all
   * appear in the title.
   */
  match: z
    .strictObject({
      shopifyCategory: oneOrMore.optional(),
      productType: oneOrMore.optional(),
      tag: oneOrMore.optional(),
      collection: oneOrMore.optional(),
      vendor: oneOrMore.optional(),
      titleWords: z.array(z.string().trim().min(1)).min(1).optional(),
    })
    .refine((m) => Object.values(m).some((v) => v !== undefined), {
      error: 'needs at least one of shopifyCategory, productType, tag, collection, vendor, titleWords',
    }),
  /** The TikTok leaf category the matching products are listed in. */
  category: tiktokCategoryId,
});

/** Per-category attribute values the merchant sets once: used when the product's own data has none. */
const attributeDefaultsSchema = z.strictObject({
  category: tiktokCategoryId,
  /** TikTok attribute name (as Get Attributes names it, e.g. "Material") -> value. */
  values: z.record(z.string().trim().min(1), z.string().trim().min(1)),
});

const listingRulesSchema = z.strictObject({
  filters: listingFilterSchema.prefault({}),
  price: priceRuleSchema.prefault({}),
  /** ISO 4217 currency of the TikTok shop; the caller passes the shop's when unset. */
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code such as "USD"' })
    .optional(),
  /** Shopify has no package dimensions: these are used for every product (in `unit`). */
  defaultPackageDimensions: z
    .strictObject({
      length: z.number().positive(),
      width: z.number().positive(),
      height: z.number().positive(),
      unit: z.enum(['CENTIMETER', 'INCH']),
    })
    .optional(),
  /** Used when a Shopify variant has no weight (in `unit`). */
  defaultPackageWeight: z
    .strictObject({ value: z.number().positive(), unit: z.enum(['KILOGRAM', 'GRAM', 'POUND', 'OUNCE']) })
    .optional(),
  /** A product deleted or archived in Shopify: deactivate it on TikTok, or leave it (stock still goes to 0 per the inventory rules). */
  onShopifyRemoved: z.enum(['deactivate', 'keep']).default('deactivate'),
  /**
   * A products run that would deactivate more than this share (%) of the store's live listings
   * stops before doing it and asks for a person (`pnpm enqueue products --confirm-removals`).
   * 100 turns the guard off.
   */
  maxRemovalPercent: z.number().min(0).max(100).default(20),
  /**
   * Products a listing run works on at once for this store. TikTok's per-API limit is kept by
   * the shared pacers whatever this is; it only has to cover the calls' latency (about 8 at
   * 50-150 ms a call).
   */
  concurrency: z.number().int().min(1).max(32).default(8),
  /**
   * Category rules, in order: the first that matches a product names its TikTok leaf, and the
   * mapper is not asked. A product pinned with `shoptok map pin` ignores them.
   */
  categories: z.array(categoryRuleSchema).default([]),
  /** Attribute values per TikTok category, used after the product's metafields, options and tags. */
  attributes: z.array(attributeDefaultsSchema).default([]),
});

/**
 * Per-store sync rules, from the `rules:` object of a store in the stores file. Every field has a
 * default, so `{}` gives a working store; unknown keys are errors (a typo must not silently do nothing).
 */
export const storeRulesSchema = z.strictObject({
  inventory: inventoryRulesSchema.prefault({}),
  orders: orderRulesSchema.prefault({}),
  shipping: shippingRulesSchema.prefault({}),
  listing: listingRulesSchema.prefault({}),
});

export type StoreRules = z.output<typeof storeRulesSchema>;
export type StoreRulesInput = z.input<typeof storeRulesSchema>;
export type InventoryRules = StoreRules['inventory'];
export type OrderRules = StoreRules['orders'];
export type ShippingRules = StoreRules['shipping'];
export type ListingRules = StoreRules['listing'];
export type ListingFilters = ListingRules['filters'];
export type PriceRule = ListingRules['price'];
export type CategoryRule = ListingRules['categories'][number];
export type AttributeDefaults = ListingRules['attributes'][number];

/**
 * TikTok markets whose prices include VAT (GB and the EU member states): an order's `payment.tax`
 * is already inside its prices there. Elsewhere (US) tax comes on top.
 */
export const VAT_INCLUSIVE_MARKETS: ReadonlySet<string> = new Set([
  'GB',
  'UK',
  'IE',
  'DE',
  'FR',
  'IT',
  'ES',
  'NL',
  'BE',
  'LU',
  'AT',
  'PT',
  'PL',
  'CZ',
  'SK',
  'HU',
  'SI',
  'HR',
  'RO',
  'BG',
  'GR',
  'CY',
  'MT',
  'DK',
  'SE',
  'FI',
  'EE',
  'LV',
  'LT',
]);

/** `rules.orders.taxesIncluded` when set, else whether the TikTok shop's market prices include VAT. */
export function taxesIncludedFor(rules: OrderRules, market: string | undefined): boolean {
  if (rules.taxesIncluded !== undefined) return rules.taxesIncluded;
  return market !== undefined && VAT_INCLUSIVE_MARKETS.has(market.toUpperCase());
}

/** Parses a store's `rules:` object (throws a ZodError listing every problem). */
export function parseStoreRules(input: unknown): StoreRules {
  return storeRulesSchema.parse(input ?? {});
}

/** The rules every store gets when its `rules:` object is empty. */
export function defaultStoreRules(): StoreRules {
  return storeRulesSchema.parse({});
}
