export {
  attentionSchema,
  CATEGORY_DECISION_SOURCES,
  categoryDecisionSchema,
  categoryPinSchema,
  listingRecordSchema,
  orderFailureSchema,
  orderRecordSchema,
  pushedStockSchema,
  skuLinkSchema,
  storeAttentionSchema,
} from './records.js';
export type { AttributeDefault, CategoryDecision, CategoryDecisionSource, CategoryPin } from './records.js';
export type { Attention, ListingRecord, OrderFailure, OrderRecord, PushedStock, SkuLink, StoreAttention } from './records.js';
export { merchantKeys, StateRecordError, StateStore, stateKeys } from './store.js';
export type { StateKeys } from './store.js';
