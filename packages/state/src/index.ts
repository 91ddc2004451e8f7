export {
  attentionSchema,
  listingRecordSchema,
  orderFailureSchema,
  orderRecordSchema,
  previewKinds,
  pushedStockSchema,
  skuLinkSchema,
  storeModeRecordSchema,
  storeModeSchema,
} from './records.js';
export type {
  Attention,
  ListingRecord,
  OrderFailure,
  OrderRecord,
  PreviewKind,
  PreviewTotals,
  PushedStock,
  SkuLink,
  StoreMode,
  StoreModeRecord,
} from './records.js';
export { StateRecordError, StateStore, stateKeys } from './store.js';
export type { StateKeys } from './store.js';
