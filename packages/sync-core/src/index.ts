// Public API of @shoptok/sync-core: pure functions over plain data. No I/O.
export {
  defaultStoreRules,
  parseStoreRules,
  storeRulesSchema,
  taxesIncludedFor,
  TIKTOK_MAX_QUANTITY,
  TIKTOK_ORDER_STATUSES,
  toShopifyGid,
  VAT_INCLUSIVE_MARKETS,
} from './rules.js';
export type {
  InventoryRules,
  ListingFilters,
  ListingRules,
  OrderRules,
  AttributeDefaults,
  CategoryRule,
  PriceRule,
  ShippingRules,
  StoreRules,
  StoreRulesInput,
  TikTokOrderStatus,
} from './rules.js';

export { applyInventoryRules, computeInventoryDiff } from './inventory.js';
export type {
  InventoryChange,
  InventoryChangeReason,
  InventoryDiff,
  InventoryDiffInput,
  InventorySkip,
  InventorySkipReason,
  ProductInventoryUpdate,
  QuantitiesBySku,
  TikTokSkuLink,
} from './inventory.js';

export { buildOrderCreateInput, buildSkuIndex, shouldImportOrder, toMailingAddress } from './orders.js';
export type { BuildOrderOptions, OrderCreateResult, OrderImportDecision, OrderRejectReason, SkuIndex } from './orders.js';

export {
  DEFAULT_TIKTOK_CANCEL_REASONS,
  planTikTokCancellation,
  SHOPIFY_CANCEL_REASONS,
  TIKTOK_CANCEL_REASON_NAMES,
  tiktokCancelReasonKey,
} from './cancellation.js';
export type { CancellationRules, ShopifyCancelReason, TikTokCancellationPlan, TikTokCancelReasonName } from './cancellation.js';

export { buildTikTokShipment, mapCarrierToProvider, normaliseCarrierName } from './shipment.js';
export type { ShipmentRejectReason, ShipmentResult, ShopifyFulfillment, TikTokShipmentBody } from './shipment.js';

export { contentHash, stableStringify } from './hash.js';
export { currencyDecimals, formatMoney, formatMoneyIn, parseMoney, sumMoney } from './money.js';
export type { Micros } from './money.js';

export type { ShopifyInventoryLevel, ShopifyProductStatus, ShopifyVariantRef, ShopifyVariantStock } from './shopify-types.js';
export type * from './shopify-order-input.js';
export type {
  TikTokDistrictInfo,
  TikTokOrder,
  TikTokOrderLineItem,
  TikTokOrderPayment,
  TikTokRecipientAddress,
  TikTokShippingProvider,
} from './tiktok-types.js';

// Listing (issue 8): select, map, pre-flight, plan, payload.
export { selectProducts } from './listing/select.js';
export { adoptableListing, skuConflicts } from './listing/sku-ownership.js';
export type { ListedSku, ListingHoldReason, SkuUser } from './listing/sku-ownership.js';
export {
  attributeKey,
  matchCategoryRule,
  merchantAttributeValues,
  metafieldKeyFor,
  variantMetafieldReading,
  variantMetafieldDisagreement,
  whereToSetAttribute,
} from './listing/merchant.js';
export type {
  AttributeValueSource,
  AttributeWanted,
  CategoryRuleMatch,
  MerchantAttributeValue,
  MerchantMetafield,
  MerchantProductFacts,
  VariantMetafieldReading,
} from './listing/merchant.js';
export type { ProductExclusionReason, ProductSelection } from './listing/select.js';
export { applyPriceRule, convertMoney, convertMoneyBack, currencyMismatch } from './listing/price.js';
export { convertLength, convertWeight, tiktokUnitsFor } from './listing/units.js';
export { buildListingDraft } from './listing/draft.js';
export type { ListingDraftContext, ListingDraftResult } from './listing/draft.js';
export { preflightListing } from './listing/preflight.js';
export type { PreflightContext, PreflightReason, PreflightReasonCode, PreflightResult } from './listing/preflight.js';
export { listingContentHash, listingStateFrom, planListingChange } from './listing/plan.js';
export type { InventoryUpdateBody, ListingPlan, ListingState, PriceUpdateBody } from './listing/plan.js';
export { buildTikTokProductPayload } from './listing/payload.js';
export type { ProductPayloadOptions, TikTokProductBody, TikTokProductSkuBody } from './listing/payload.js';
export type {
  DraftSku,
  ListingDraft,
  ShopifyListingProduct,
  ShopifyListingVariant,
  ShopifyWeightUnit,
  TikTokCategory,
  TikTokCategoryAttribute,
  TikTokCategoryRules,
  TikTokDimensionUnit,
  TikTokWeightUnit,
} from './listing/types.js';

export { renderWarehouseRulesYaml, suggestWarehouseMapping } from './warehouse-mapping.js';
export type {
  LocationForMapping,
  SuggestedWarehouse,
  WarehouseForMapping,
  WarehouseMappingSuggestion,
} from './warehouse-mapping.js';
