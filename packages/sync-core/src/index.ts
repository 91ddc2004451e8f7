// Public API of @shoptok/sync-core: pure functions over plain data. No I/O.
export {
  defaultStoreRules,
  parseStoreRules,
  storeRulesSchema,
  TIKTOK_MAX_QUANTITY,
  TIKTOK_ORDER_STATUSES,
  toShopifyGid,
} from './rules.js';
export type {
  InventoryRules,
  ListingFilters,
  ListingRules,
  OrderRules,
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
