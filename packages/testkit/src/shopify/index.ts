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
export { startShopifyStandIn, topicHeader } from './server.js';
export type { RequestLogEntry, ShopifyFault, ShopifyStandIn, ShopifyStandInOptions, WebhookDelivery } from './server.js';
export { StandInState } from './state.js';
export type { StandInOrder, StandInWebhookSubscription } from './state.js';
