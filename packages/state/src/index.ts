export {
  attentionSchema,
  listingRecordSchema,
  orderFailureSchema,
  orderRecordSchema,
  pushedStockSchema,
  skuLinkSchema,
  storeAttentionSchema,
} from './records.js';
export type { Attention, ListingRecord, OrderFailure, OrderRecord, PushedStock, SkuLink, StoreAttention } from './records.js';
export { StateRecordError, StateStore, stateKeys } from './store.js';
export type { StateKeys } from './store.js';
