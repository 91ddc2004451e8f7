// Stock pushes of one product never cross: real Redis, both stand-ins over HTTP, the real handlers.
import type { StoreConfig } from '@shoptok/config';
import { createLogger } from '@shoptok/logger';
import { createRedisConnection, QueueFactory } from '@shoptok/queues';
import { parseStoreRules } from '@shoptok/sync-core';
import { useTestRedis, waitUntil, type TestRedis } from '@shoptok/testkit';
import { startShopifyStandIn, type ShopifyStandIn } from '@shoptok/testkit/shopify';
import { startTikTokStandIn, type TikTokStandIn } from '@shoptok/testkit/tiktok';
import { runInventoryItem, runInventorySync } from './inventory.js';
import { createStoreServices, type StoreServices } from './services.js';

const STORE = 'ordered-stock';
const WAREHOUSE = '770000000000000023';
const logger = createLogger({ level: 'silent', console: false });

describe('stock pushes of one product never cross (real Redis, stand-ins over HTTP)', () => {
  let redis: TestRedis;
  let tts: TikTokStandIn;
  let shopify: ShopifyStandIn;
  let queues: QueueFactory;
  let svc: StoreServices;
  let shopId: string;
  const connections: ReturnType<typeof createRedisConnection>[] = [];

  beforeAll(async () => {
    redis = await useTestRedis('ordered-stock');
    tts = await startTikTokStandIn({
      auditDelayMs: 10,
      shops: [
        {
          appKey: 'ordered-app',
          appSecret: 'ordered-app-secret-0123456789',
          name: STORE,
          warehouses: [{ id: WAREHOUSE, name: 'Main', isDefault: true }],
        },
      ],
    });
    shopify = await startShopifyStandIn({
      shopDomain: `${STORE}.myshopify.com`,
      accessToken: 'shpat_ordered0123456789abcdef',
      catalogue: { products: 6, seed: 23, locations: 1 },
      bucket: { maximumAvailable: 20_000, restoreRate: 1_000 },
    });
    const shop = tts.shops[0]!;
    shopId = shop.shopId;
    // The catalogue's unique, tracked SKUs already live on TikTok (stock 0), so the first sync links them.
    const seen = new Map<string, number>();
    for (const p of shopify.state.products) for (const v of p.variants) if (v.sku) seen.set(v.sku, (seen.get(v.sku) ?? 0) + 1);
    let skuId = 1_733_000_000_000_000_000n;
    for (const product of shopify.state.products.filter((p) => p.status === 'ACTIVE')) {
      const variants = product.variants.filter((v) => v.sku && seen.get(v.sku) === 1 && v.tracked);
      if (variants.length === 0) continue;
      tts.admin.seedProduct(shopId, {
        title: product.title.padEnd(25, '.'),
        category_id: '601226',
        status: 'ACTIVATE',
        skus: variants.map((v, i) => ({
          id: String(skuId++),
          seller_sku: v.sku as string,
          price: { amount: v.price, currency: 'GBP' },
          inventory: [{ warehouse_id: WAREHOUSE, quantity: 0 }],
          sales_attributes: [{ name: 'Variant', value_name: `${v.title} ${i}` }],
        })),
      });
    }
    const client = createRedisConnection({ url: redis.url, role: 'client', name: 'test-ordered-stock' });
    connections.push(client);
    queues = new QueueFactory({ connection: client, prefix: redis.prefix, retry: { maxRetries: 1, backoffSeconds: 0.05 } });
    const store: StoreConfig = {
      id: STORE,
      name: 'Ordered Stock',
      enabled: true,
      shopify: { domain: shopify.shopDomain, accessToken: shopify.accessToken, apiSecret: undefined, apiBase: shopify.url },
      tiktok: {
        appKey: 'ordered-app',
        appSecret: 'ordered-app-secret-0123456789',
        accessToken: shop.tokens.accessToken,
        refreshToken: shop.tokens.refreshToken,
        shopCipher: shop.cipher,
      },
      syncIntervalSeconds: 300,
      batchSize: 50,
      dryRun: false,
      mode: 'live',
      rules: parseStoreRules({}),
    };
    svc = await createStoreServices({
      config: {
        queuePrefix: redis.prefix,
        tiktok: { apiBase: tts.url, authBase: tts.authUrl },
        shopify: { apiBase: shopify.url, orderClaimTtlMs: 300_000 },
      },
      store,
      redis: client,
      queues,
      logger,
    });
  });

  afterAll(async () => {
    shopify?.releaseHeld();
    svc?.close();
    await queues?.close();
    await tts?.close();
    await shopify?.close();
    await redis?.cleanup();
    await Promise.all(connections.map((c) => c.quit()));
  });

  const tiktokQuantity = (sellerSku: string) => {
    for (const product of tts.admin.shop(shopId).products.values()) {
      const sku = product.skus.find((s) => s.seller_sku === sellerSku);
      if (sku) return sku.inventory.find((i) => i.warehouse_id === WAREHOUSE)?.quantity;
    }
    return undefined;
  };

  it('a push that read Shopify earlier but lands later never overwrites a newer number on TikTok', async () => {
    const first = await runInventorySync(svc, { dryRun: false });
    expect(first.pushed).toBeGreaterThan(0);
    const [link] = await svc.state.allSkuLinks();
    if (!link) throw new Error('no SKU was linked');
    const locationId = shopify.state.locations[0]!.id;
    shopify.setStock(link.shopifyInventoryItemId, locationId, 10);

    // A reads Shopify (10) and its answer is held in flight; Shopify then drops to 3.
    shopify.injectFault({ kind: 'hold', operation: 'InventoryLevels', phase: 'after-run' });
    const older = runInventoryItem(svc, { dryRun: false, inventoryItemId: link.shopifyInventoryItemId });
    await waitUntil(() => shopify.heldCount() === 1, { what: 'the first read to be held' });
    shopify.setStock(link.shopifyInventoryItemId, locationId, 3);

    // B reads 3 and pushes it; then A's stale answer arrives and must not land.
    const newer = await runInventoryItem(svc, { dryRun: false, inventoryItemId: link.shopifyInventoryItemId });
    expect(newer.pushed).toBe(1);
    expect(tiktokQuantity(link.sellerSku)).toBe(3);
    shopify.releaseHeld();
    const late = await older;
    expect(late.pushed).toBe(0);
    expect(late.skippedReasons).toMatchObject({ 'newer-push': 1 });
    expect(tiktokQuantity(link.sellerSku)).toBe(3);
  });
});
