// /metrics with real data: the order worker runs as its own process against both stand-ins
// over HTTP, and every number the dashboard exposes is checked against what the stand-ins
// themselves counted.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@shoptok/logger';
import { createRedisConnection, QueueFactory, waitForRedis } from '@shoptok/queues';
import { startAppProcess, useTestRedis, waitUntil, type AppProcess, type TestRedis } from '@shoptok/testkit';
import { startShopifyStandIn, type ShopifyStandIn } from '@shoptok/testkit/shopify';
import { startTikTokStandIn, type TikTokStandIn } from '@shoptok/testkit/tiktok';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { startDashboard, type RunningDashboard } from './app.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const logger = createLogger({ level: 'silent', console: false });
const credentials = { username: 'ops', password: 'correct horse battery' };
const STORE = 'default'; // the single-store .env of the original bot
const APP_KEY = 'metrics-app-key';
const APP_SECRET = 'metrics-app-secret-0123456789';
const WAREHOUSE = '770000000000000042';
const ORDER_SEARCH = 'POST /order/202309/orders/search';

interface PromFamily {
  name: string;
  metrics: { value: string; labels?: Record<string, string> }[];
}

describe('/metrics counts what the fleet really did (order worker process, stand-ins over HTTP)', () => {
  let redis: TestRedis;
  let tts: TikTokStandIn;
  let shopify: ShopifyStandIn;
  let worker: AppProcess | undefined;
  let dashboard: RunningDashboard;
  let queues: QueueFactory;
  let connection: ReturnType<typeof createRedisConnection>;
  let shopId: string;

  beforeAll(async () => {
    redis = await useTestRedis('dash-metrics');
    tts = await startTikTokStandIn({
      shops: [
        {
          appKey: APP_KEY,
          appSecret: APP_SECRET,
          name: 'metrics',
          warehouses: [{ id: WAREHOUSE, name: 'Main', isDefault: true }],
          deliveryOptions: [
            { id: '690000000000000042', name: 'Standard', providers: [{ id: '6617675021119438849', name: 'Royal Mail' }] },
          ],
        },
      ],
    });
    shopify = await startShopifyStandIn({
      shopDomain: 'metrics-shop.myshopify.com',
      accessToken: 'shpat_metrics0123456789abcdef',
      catalogue: { products: 6, seed: 42, locations: 1 },
      bucket: { maximumAvailable: 20_000, restoreRate: 1_000 },
    });
    const shop = tts.shops[0]!;
    shopId = shop.shopId;
    // The Shopify catalogue is live on TikTok (unique SKUs), so TikTok orders can be imported.
    const seen = new Map<string, number>();
    for (const p of shopify.state.products) for (const v of p.variants) if (v.sku) seen.set(v.sku, (seen.get(v.sku) ?? 0) + 1);
    let skuId = 1_732_000_000_000_000_000n;
    for (const product of shopify.state.products.filter((p) => p.status === 'ACTIVE')) {
      const variants = product.variants.filter((v) => v.sku && seen.get(v.sku) === 1);
      if (variants.length === 0) continue;
      tts.admin.seedProduct(shopId, {
        title: product.title.padEnd(25, '.'),
        category_id: '601226',
        status: 'ACTIVATE',
        skus: variants.map((v, i) => ({
          id: String(skuId++),
          seller_sku: v.sku as string,
          price: { amount: v.price, currency: 'GBP' },
          inventory: [{ warehouse_id: WAREHOUSE, quantity: 50 }],
          sales_attributes: [{ name: 'Variant', value_name: `${v.title} ${i}` }],
        })),
      });
    }

    connection = createRedisConnection({ url: redis.url, role: 'producer', name: 'dash-metrics-test' });
    await waitForRedis(connection);
    queues = new QueueFactory({ connection, prefix: redis.prefix, retry: { maxRetries: 1, backoffSeconds: 0.2 } });
    dashboard = await startDashboard({
      redis: connection,
      queues,
      prefix: redis.prefix,
      stores: [{ id: STORE, name: 'Metrics shop', enabled: true }],
      credentials,
      logger,
      host: '127.0.0.1',
      port: 0,
    });

    const dir = mkdtempSync(join(tmpdir(), 'shoptok-dash-metrics-'));
    worker = startAppProcess(join(repoRoot, 'apps/order-worker/src/main.ts'), {
      cwd: dir,
      env: {
        REDIS_URL: redis.url,
        QUEUE_PREFIX: redis.prefix,
        SHOPIFY_STORE: shopify.shopDomain,
        SHOPIFY_TOKEN: shopify.accessToken,
        SHOPIFY_API_BASE: shopify.url,
        STORE_MODE: 'live', // the metrics of a store that writes
        TIKTOK_APP_KEY: APP_KEY,
        TIKTOK_SECRET: APP_SECRET,
        // No refresh token: every TikTok call goes to the Open API the stand-in counts.
        TIKTOK_ACCESS_TOKEN: shop.tokens.accessToken,
        TIKTOK_SHOP_CIPHER: shop.cipher,
        TIKTOK_API_BASE: tts.url,
        TIKTOK_AUTH_BASE: tts.authUrl,
        MAX_RETRIES: '1',
        RETRY_BACKOFF: '0.2',
        LOG_LEVEL: 'info',
        LOG_FILE: join(dir, 'order-worker.log'),
      },
    });
    await waitUntil(() => worker!.output().includes('order worker running'), {
      timeoutMs: 30_000,
      what: 'the order worker to start',
    });
  });

  afterAll(async () => {
    await worker?.stop();
    await dashboard?.close();
    if (queues) {
      for (const q of ['orders', 'fulfilment'] as const)
        await queues
          .queue(q, STORE)
          .obliterate({ force: true })
          .catch(() => undefined);
      await queues.close();
    }
    connection?.disconnect();
    await tts?.close();
    await shopify?.close();
    await redis?.cleanup();
  });

  async function scrape(): Promise<(name: string, labels: Record<string, string>) => number | undefined> {
    const res = await fetch(`${dashboard.url}/metrics`, {
      headers: { authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` },
    });
    expect(res.status).toBe(200);
    const families = parsePrometheusTextFormat(await res.text()) as PromFamily[];
    return (name, labels) => {
      const sample = families
        .find((f) => f.name === name)
        ?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
      return sample ? Number(sample.value) : undefined;
    };
  }

  it('a poll rate-limited once, then three imported orders: jobs, API calls, 429s and lag match the stand-ins', async () => {
    const orders = tts.admin.generateOrders(shopId, { count: 3, status: 'AWAITING_SHIPMENT' });
    tts.faults.inject({ shop: shopId, kind: 'rate-limit', api: ORDER_SEARCH });
    await queues.add('orders', 'order-poll', { store: STORE });
    await waitUntil(() => shopify.counters.ordersCreated === orders.length, {
      timeoutMs: 30_000,
      what: `${orders.length} orders in Shopify (worker output: ${worker!.output().slice(-2000)})`,
    });
    const ordersQueue = queues.queue('orders', STORE);
    await waitUntil(async () => (await ordersQueue.getCompletedCount()) === 1 + orders.length, {
      what: 'the poll and the imports to complete',
    });

    const tiktokCounted = () => tts.counters.total({ shopId });
    // Counting is fire-and-forget: wait until the last writes landed, then compare exactly.
    await waitUntil(
      async () => (await scrape())('shoptok_api_calls_total', { api: 'tiktok', store: STORE }) === tiktokCounted().requests,
      { what: 'TikTok calls counted' },
    );
    await waitUntil(
      async () => (await scrape())('shoptok_api_calls_total', { api: 'shopify', store: STORE }) === shopify.counters.requests,
      { what: 'Shopify calls counted' },
    );
    await waitUntil(
      async () => (await scrape())('shoptok_jobs_completed_total', { queue: 'orders', store: STORE }) === 1 + orders.length,
      { what: 'completed jobs counted' },
    );
    const metric = await scrape();
    expect(tiktokCounted()).toMatchObject({ rateLimited: 1 });
    expect({
      tiktokCalls: metric('shoptok_api_calls_total', { api: 'tiktok', store: STORE }),
      tiktok429: metric('shoptok_api_429_total', { api: 'tiktok', store: STORE }),
      shopifyCalls: metric('shoptok_api_calls_total', { api: 'shopify', store: STORE }),
      shopifyThrottled: metric('shoptok_api_throttled_total', { api: 'shopify', store: STORE }) ?? 0,
      completed: metric('shoptok_jobs_completed_total', { queue: 'orders', store: STORE }),
      rateLimited: metric('shoptok_jobs_rate_limited_total', { queue: 'orders', store: STORE }),
      failed: metric('shoptok_jobs_failed_total', { queue: 'orders', store: STORE }) ?? 0,
    }).toEqual({
      tiktokCalls: tiktokCounted().requests,
      tiktok429: tiktokCounted().rateLimited,
      shopifyCalls: shopify.counters.requests,
      shopifyThrottled: shopify.counters.throttled,
      completed: 1 + orders.length,
      rateLimited: 1,
      failed: 0,
    });
    // 1 order search (429) + 1 again + 3 order details, at least; Shopify: lookups and 3 creates.
    expect(tiktokCounted().requests).toBeGreaterThanOrEqual(5);
    expect(shopify.counters.requests).toBeGreaterThanOrEqual(orders.length * 2);
    const lag = metric('shoptok_sync_lag_seconds', { queue: 'orders', store: STORE });
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(60);
  });
});
