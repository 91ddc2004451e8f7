export { generateCatalogue, prng } from './catalogue.js';
export type {
  Catalogue,
  GenerateCatalogueOptions,
  StandInCollection,
  StandInLocation,
  StandInMetafield,
  StandInProduct,
  StandInVariant,
} from './catalogue.js';
export { ADMIN_SCHEMA_PATH, loadAdminSchema } from './schema.js';
export { startShopifyStandIn } from './server.js';
export type { ShopifyStandIn, ShopifyStandInOptions } from './server.js';
export { topicHeader } from './webhooks.js';
export type { RequestLogEntry, ShopifyFault, WebhookDelivery } from './state.js';
export { StandInState } from './state.js';
export type { StandInOrder, StandInWebhookSubscription } from './state.js';
