export {
  attentionSchema,
  listingRecordSchema,
  orderFailureSchema,
  orderRecordSchema,
  productSummarySchema,
  pushedStockSchema,
  skuLinkSchema,
} from './records.js';
export type { Attention, ListingRecord, OrderFailure, OrderRecord, ProductSummary, PushedStock, SkuLink } from './records.js';
export { StateRecordError, StateStore, stateKeys } from './store.js';
export type { StateKeys } from './store.js';
