export { getAuthorizedShopsWithToken, TikTokShopClient } from './client.js';
export type {
  AuthorizedShopsProbeOptions,
  CancellationSearchFilter,
  ImageUseCase,
  OrderSearchFilter,
  ProductSearchFilter,
  TikTokShopClientOptions,
} from './client.js';
export {
  TikTokAuthError,
  TikTokError,
  TikTokInvalidInputError,
  TikTokRateLimitError,
  TikTokResponseShapeError,
  TikTokTransientError,
} from './errors.js';
export type { TikTokErrorDetails, TikTokItemError } from './errors.js';
export type { TikTokApiCall } from './http.js';
export { parseJsonSafe } from './json.js';
export { TikTokPacer } from './pacing.js';
export { ProductSearchWindowError, searchAllProductPages } from './product-search.js';
export type { ProductPageFetcher, SearchAllOptions } from './product-search.js';
export type { TikTokPacerOptions } from './pacing.js';
export type {
  TikTokEditProductInput,
  TikTokInventoryUpdate,
  TikTokPartialProductInput,
  TikTokPriceUpdate,
  TikTokProductInput,
  TikTokSkuInput,
} from './product-input.js';
export type * from './schemas.js';
export { buildSignString, signRequest } from './sign.js';
export type { SignInput } from './sign.js';
export { exchangeAuthCode, refreshTokens, TikTokTokenStore } from './tokens.js';
export type { TikTokAuthHostOptions, TikTokTokens, TikTokTokenStoreOptions } from './tokens.js';
export {
  cancellationStatusChangeSchema,
  orderStatusChangeSchema,
  productAuditStatusChangeSchema,
  productStatusChangeSchema,
  TikTokWebhookVerifier,
  verifyWebhookSignature,
  WEBHOOK_TYPES,
  webhookEnvelopeSchema,
} from './webhook.js';
export type { TikTokWebhookEnvelope, TikTokWebhookVerifierOptions, WebhookVerdict } from './webhook.js';
