export {
  orderCreateOptionsInput,
  quoteSearchValue,
  requestTimingsForClaim,
  ShopifyClient,
  SHOPTOK_WEBHOOK_TOPICS,
  sourceIdentifierFor,
  tiktokOrderInput,
} from './client.js';
export type {
  CancelOrderOptions,
  CancelOrderResult,
  ShopifyClientOptions,
  ShopifyLocation,
  ShopifyShopAccess,
  ShopifyWebhookTopic,
  TikTokOrderInput,
  OrderCreateOptions,
} from './client.js';
export type {
  OrderCreateDiscountCodeInput,
  OrderCreateLineItemInput,
  OrderCreateMailingAddressInput,
  OrderCreateMoneyBagInput,
  OrderCreateMoneyInput,
  OrderCreateShippingLineInput,
  OrderCreateTaxLineInput,
  OrderCreateTransactionInput,
  OrderCreateVariables,
} from './order-input.js';
export { assembleBulkProducts } from './bulk.js';
export { STOCK_EXPORT_MAX_LOCATIONS } from './stock-export.js';
export type { StockExportItem } from './stock-export.js';
export {
  ShopifyAuthError,
  ShopifyBulkBusyError,
  ShopifyBulkOperationError,
  ShopifyClientError,
  ShopifyConfigError,
  ShopifyGraphqlError,
  ShopifyOrderClaimBusyError,
  ShopifyRateLimitError,
  ShopifyResponseShapeError,
  ShopifyTransientError,
  ShopifyUserError,
} from './errors.js';
export type { ShopifyErrorDetails, ShopifyUserErrorItem } from './errors.js';
export { CostPacer } from './pacer.js';
export type { ThrottleStatus } from './pacer.js';
export type { FetchFn, ShopifyApiCall } from './transport.js';
export type {
  InventoryAvailability,
  OrderCancelReason,
  ShopifyImage,
  ShopifyMetafield,
  ShopifyOrder,
  ShopifyProduct,
  ShopifyVariant,
  SkuVariant,
} from './types.js';
export {
  fulfillmentWebhook,
  inventoryItemGid,
  inventoryLevelUpdateWebhook,
  locationGid,
  orderGid,
  orderWebhook,
  productGid,
  productWebhook,
  verifyShopifyWebhook,
  WebhookDeduper,
} from './webhooks.js';
export type {
  FulfillmentWebhook,
  InventoryLevelUpdateWebhook,
  OrderWebhook,
  ProductWebhook,
  VerifyWebhookOptions,
  WebhookHeaders,
  WebhookVerdict,
} from './webhooks.js';
export { missingShopifyScopes, SHOPTOK_SHOPIFY_SCOPES } from './scopes.js';
