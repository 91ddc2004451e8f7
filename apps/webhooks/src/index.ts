export { startWebhookServer } from './app.js';
export type { WebhookServer, WebhookServerOptions } from './app.js';
export { StoreDirectory } from './directory.js';
export type { AuthorizedShop, ShopLookup } from './directory.js';
export { BURST_WINDOW_MS, burstWindow, planShopifyWebhook, planTikTokWebhook, tiktokOrderIdOf } from './plan.js';
export type { PlannedJob, WebhookPlan } from './plan.js';
export { registerShopifyWebhooks, shopifyWebhookUri, WebhookRegistrationError } from './register.js';
