export { sellerDecides } from './seller.js';
export { startTikTokStandIn } from './server.js';
export type { TikTokStandIn, TikTokStandInOptions } from './server.js';
export type { StandInAdmin } from './admin.js';
export type { StandInCounters } from './counters.js';
export type { StandInFaults } from './faults.js';
export type { ReceivedRequest } from './state.js';
export type { Cancellation, LineItem, Order, Product, SeededShop, ShopSeed, Sku } from './model.js';
export type { CounterRow, FaultSpec, ShopState, WebhookDelivery } from './state.js';
export type { GenerateOrdersOptions } from './orders.js';
export { ORDER_FLOW } from './orders.js';
export {
  COLOUR_ATTRIBUTE_ID,
  loadCategoryTree,
  MATERIAL_ATTRIBUTE_ID,
  SIZE_ATTRIBUTE_ID,
  WARRANTY_ATTRIBUTE_ID,
} from './categories.js';
export type { CategoryTree, StandInCategory } from './categories.js';
export { REAL_RETRY_DELAYS_MS } from './webhooks.js';
