export {
  attentionSchema,
  CATEGORY_DECISION_SOURCES,
  categoryDecisionSchema,
  categoryPinSchema,
  listingRecordSchema,
  orderFailureSchema,
  orderRecordSchema,
  previewKinds,
  productSummarySchema,
  pushedStockSchema,
  skuLinkSchema,
  storeModeRecordSchema,
  storeModeSchema,
  storeAttentionSchema,
} from './records.js';
export type { AttributeDefault, CategoryDecision, CategoryDecisionSource, CategoryPin } from './records.js';
export type {
  Attention,
  ListingRecord,
  OrderFailure,
  OrderRecord,
  PreviewKind,
  PreviewTotals,
  ProductSummary,
  PushedStock,
  SkuLink,
  StoreAttention,
  StoreMode,
  StoreModeRecord,
} from './records.js';
export { merchantKeys, StateRecordError, StateStore, stateKeys } from './store.js';
export type { StateKeys, StateRecordHash, StateRecordOf } from './store.js';
