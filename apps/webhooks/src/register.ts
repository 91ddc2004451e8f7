import { secretValuesOf, type ShoptokConfig } from '@shoptok/config';
import { createLogger, type Logger } from '@shoptok/logger';
import { createRedisConnection, type RedisConnection } from '@shoptok/queues';
import { ShopifyClient } from '@shoptok/shopify';

/** A registration the config or the URL makes impossible; nothing was changed in Shopify. */
export class WebhookRegistrationError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'WebhookRegistrationError';
  }
}

/** The address Shopify should post to: `<publicUrl>/webhooks/shopify`, https unless on this machine. */
export function shopifyWebhookUri(publicUrl: string): string {
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    throw new WebhookRegistrationError(
      `"${publicUrl}" is not a URL: pass the public https address of the webhooks service, e.g. https://hooks.example.com`,
    );
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(loopback && url.protocol === 'http:')) {
    throw new WebhookRegistrationError(`Shopify delivers webhooks only to https addresses; ${url.origin} is not one`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}/webhooks/shopify`;
}

/**
 * Makes one store's Shopify webhook subscriptions point at this service (creates the missing
 * ones, deletes ours that point elsewhere). Idempotent: run it again after moving the service.
 * `deps` lets a caller share its Redis connection and logger; otherwise they are opened here.
 */
export async function registerShopifyWebhooks(
  config: ShoptokConfig,
  storeId: string,
  publicUrl: string,
  deps: { redis?: RedisConnection; logger?: Logger } = {},
): Promise<{ uri: string; created: string[]; deleted: string[] }> {
  const store = config.stores.find((s) => s.id === storeId);
  if (!store)
    throw new WebhookRegistrationError(
      `no store "${storeId}" in the config; known stores: ${config.stores.map((s) => s.id).join(', ')}`,
    );
  if (!store.shopify.apiSecret) {
    throw new WebhookRegistrationError(
      `store ${storeId} has no shopify.apiSecret: set the custom app's API secret key first, or its webhooks could not be verified`,
    );
  }
  const uri = shopifyWebhookUri(publicUrl);
  const redis = deps.redis ?? createRedisConnection({ url: config.redisUrl, role: 'client', name: 'shoptok:webhooks-register' });
  const logger =
    deps.logger ??
    createLogger({ level: config.log.level, secretValues: secretValuesOf(config), base: { app: 'webhooks-register' } });
  const shopify = new ShopifyClient({
    storeDomain: store.shopify.domain,
    accessToken: store.shopify.accessToken,
    apiSecretKey: store.shopify.apiSecret,
    redis,
    keyPrefix: config.queuePrefix,
    storeId: store.id,
    logger,
    endpoint: store.shopify.apiBase ?? config.shopify.apiBase,
  });
  try {
    const result = await shopify.ensureWebhookSubscriptions({ uri });
    logger.info(
      { store: store.id, uri, created: result.created, deleted: result.deleted },
      'Shopify webhook subscriptions in place',
    );
    return { uri, ...result };
  } finally {
    shopify.close();
    if (!deps.redis) await redis.quit();
  }
}
