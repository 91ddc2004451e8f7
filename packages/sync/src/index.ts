export { createStoreServices, ShopCipherError, tokensFromConfig } from './services.js';
export type { CreateStoreServicesOptions, StoreServices } from './services.js';
export { fulfilmentHandlers, inventoryHandlers, maintenanceHandlers, orderHandlers } from './handlers.js';
export { defaultWarehouseId, runInventoryItem, runInventorySync } from './inventory.js';
export {
  FIRST_POLL_LOOKBACK_SECONDS,
  ORDER_POLL_OVERLAP_SECONDS,
  OrderNotImportableError,
  runOrderCancel,
  runOrderImport,
  runOrderPoll,
} from './orders.js';
export {
  flushShipByAlerts,
  runFulfilmentPoll,
  runTrackingPush,
  ShipmentNotPossibleError,
  TRACKING_PUSH_CLAIM_TTL_MS,
  TrackingPushBusyError,
} from './fulfilment.js';
export { rebuildSkuLinks, runReconcile } from './reconcile.js';
export { runTokenRefresh } from './maintenance.js';
export { RunReport } from './summary.js';
export {
  decideWrites,
  describePreviewTotals,
  previewNotice,
  queueTargetedJob,
  rulesForDecision,
  storePreviewStatus,
  storeWriteDecision,
  withWriteDecision,
  writeDecisionFor,
} from './write-mode.js';
export type { WriteDecision } from './write-mode.js';
export { PreviewTally } from './preview-tally.js';
export { startWorkerProcess } from './worker-process.js';
export type { WorkerProcess, WorkerProcessOptions, WorkerQueue } from './worker-process.js';
export { bootApp, createAppLogger } from './app.js';
export type { AppBoot } from './app.js';
export {
  checkCategoryLeaf,
  loadCategoryIndex,
  loadShopProfile,
  MASS_REMOVAL_FLAG,
  productHandlers,
  runListingStatus,
  runProductBatch,
  runProductSyncOne,
} from './products/index.js';
export {
  AlertNotifier,
  alertNotifierFromConfig,
  authorizationMessage,
  failureBurstMessage,
  shipByMessage,
} from './alerts/index.js';
export type { AlertMessage, AlertNotifierOptions, FailureBurst } from './alerts/index.js';
export {
  completeTikTokConnection,
  readConnectedTikTokShop,
  TIKTOK_CONNECT_TTL_MS,
  tiktokAuthorizeLink,
  TikTokConnections,
} from './connect/tiktok.js';
export type {
  ConnectedTikTokShop,
  PendingTikTokConnection,
  TikTokCallbackOptions,
  TikTokCallbackOutcome,
  TikTokConnectResult,
} from './connect/tiktok.js';
// The scopes check of `shoptok connect shopify` (the list lives with the Shopify client).
export { missingShopifyScopes, SHOPTOK_SHOPIFY_SCOPES } from '@shoptok/shopify';
