// Test-only wiring for the settings tests: a store configured the way an operator does it (the
// single-store environment, read by loadConfig), on both stand-ins over HTTP and a real Redis.
import { loadConfig, type StoreConfig } from '@shoptok/config';
import { createLogger, type Logger } from '@shoptok/logger';
import { createRedisConnection, QueueFactory, type RedisConnection } from '@shoptok/queues';
import type { ShopifyStandIn } from '@shoptok/testkit/shopify';
import type { TikTokStandIn } from '@shoptok/testkit/tiktok';
import { createStoreServices, type StoreServices } from './services.js';

export const silentLogger: Logger = createLogger({ level: 'silent', console: false });

/** The single-store environment of a `.env` for a TikTok shop of the stand-in and one Shopify stand-in. */
export function singleStoreEnv(
  tts: TikTokStandIn,
  shop: { appKey: string; appSecret: string; cipher: string; tokens: { accessToken: string; refreshToken: string } },
  shopify: ShopifyStandIn,
  prefix: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    SHOPIFY_STORE: shopify.shopDomain,
    SHOPIFY_TOKEN: shopify.accessToken,
    SHOPIFY_API_SECRET: shopify.apiSecret,
    SHOPIFY_API_BASE: shopify.url,
    TIKTOK_APP_KEY: shop.appKey,
    TIKTOK_SECRET: shop.appSecret,
    TIKTOK_ACCESS_TOKEN: shop.tokens.accessToken,
    TIKTOK_REFRESH_TOKEN: shop.tokens.refreshToken,
    TIKTOK_SHOP_CIPHER: shop.cipher,
    TIKTOK_API_BASE: tts.url,
    TIKTOK_AUTH_BASE: tts.authUrl,
    QUEUE_PREFIX: prefix,
    ...extra,
  };
}

/** Every Shopify variant with a unique SKU (of active products) live on the TikTok shop, as a merchant's catalogue would be. */
export function listShopifyCatalogueOnTikTok(tts: TikTokStandIn, shopId: string, shopify: ShopifyStandIn, warehouseId: string) {
  const count = new Map<string, number>();
  for (const p of shopify.state.products) for (const v of p.variants) if (v.sku) count.set(v.sku, (count.get(v.sku) ?? 0) + 1);
  let skuId = 1_733_000_000_000_000_000n + BigInt(Math.floor(Math.random() * 1e9)) * 1000n;
  for (const product of shopify.state.products.filter((p) => p.status === 'ACTIVE')) {
    const variants = product.variants.filter((v) => v.sku && count.get(v.sku) === 1);
    if (variants.length === 0) continue;
    tts.admin.seedProduct(shopId, {
      title: product.title.padEnd(25, '.'),
      category_id: '601226',
      status: 'ACTIVATE',
      skus: variants.map((v, i) => ({
        id: String(skuId++),
        seller_sku: v.sku as string,
        price: { amount: v.price, currency: tts.admin.shop(shopId).currency },
        inventory: [{ warehouse_id: warehouseId, quantity: 50 }],
        sales_attributes: [{ name: 'Variant', value_name: `${v.title} ${i}` }],
      })),
    });
  }
}

export interface ConfiguredStore {
  store: StoreConfig;
  svc: StoreServices;
  queues: QueueFactory;
  close(): Promise<void>;
}

/** The store the environment describes (loadConfig, as an app reads it), with its services. */
export async function configuredStore(
  env: Record<string, string>,
  redisUrl: string,
  options: { cwd?: string } = {},
): Promise<ConfiguredStore> {
  const config = loadConfig({ env, cwd: options.cwd });
  const store = config.stores[0]!;
  const connection: RedisConnection = createRedisConnection({ url: redisUrl, role: 'client', name: 'test-settings' });
  const queues = new QueueFactory({ connection, prefix: config.queuePrefix, retry: { maxRetries: 0, backoffSeconds: 0.1 } });
  const svc = await createStoreServices({ config, store, redis: connection, queues, logger: silentLogger });
  return {
    store,
    svc,
    queues,
    async close() {
      svc.close();
      await queues.close();
      connection.disconnect();
    },
  };
}
