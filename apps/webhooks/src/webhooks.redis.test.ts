import { createHmac, randomUUID } from 'node:crypto';
import type { StoreConfig } from '@shoptok/config';
import { createLogger } from '@shoptok/logger';
import { createRedisConnection, QueueFactory, queueKeys } from '@shoptok/queues';
import { defaultStoreRules } from '@shoptok/sync-core';
import { createStoreServices } from '@shoptok/sync';
import { useTestRedis, waitUntil, type TestRedis } from '@shoptok/testkit';
import { startShopifyStandIn, type ShopifyStandIn } from '@shoptok/testkit/shopify';
import { startTikTokStandIn, type SeededShop, type TikTokStandIn } from '@shoptok/testkit/tiktok';
import { type Cluster, Redis } from 'ioredis';
import { startWebhookServer, type WebhookServer } from './app.js';
import { StoreDirectory, type ShopLookup } from './directory.js';
import { registerShopifyWebhooks } from './register.js';

const STORE = 'brand-a';
const APP_KEY = 'app-key-webhooks';
const APP_SECRET = 'app-secret-webhooks-0123456789';

let tr: TestRedis;
let redis: Redis | Cluster;
let queues: QueueFactory;
let shopify: ShopifyStandIn;
let tiktok: TikTokStandIn;
let shop: SeededShop;
let server: WebhookServer;
let store: StoreConfig;
// A clock the test moves: burst windows and replays are then decided by the test, not by luck.
let clock = Date.now();
const logger = createLogger({ level: 'silent', console: false });

function storeConfig(): StoreConfig {
  return {
    id: STORE,
    name: 'Brand A',
    enabled: true,
    shopify: { domain: shopify.shopDomain, accessToken: shopify.accessToken, apiSecret: shopify.apiSecret, apiBase: shopify.url },
    tiktok: {
      appKey: APP_KEY,
      appSecret: APP_SECRET,
      accessToken: shop.tokens.accessToken,
      refreshToken: shop.tokens.refreshToken,
      shopCipher: undefined,
    },
    syncIntervalSeconds: 300,
    batchSize: 50,
    dryRun: false,
    mode: 'live',
    rules: defaultStoreRules(),
  };
}

/** Every job waiting or delayed in any queue of the store, as `queue/name/id`. */
async function pendingJobs(): Promise<{ key: string; data: unknown; delay: number }[]> {
  const out: { key: string; data: unknown; delay: number }[] = [];
  for (const q of queueKeys) {
    for (const job of await queues.queue(q, STORE).getJobs(['waiting', 'delayed', 'prioritized'])) {
      out.push({ key: `${q}/${job.name}/${job.id}`, data: job.data, delay: job.opts.delay ?? 0 });
    }
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

async function clearJobs(): Promise<void> {
  for (const q of queueKeys) await queues.queue(q, STORE).obliterate({ force: true });
}

/** Posts like a sender would and times the answer. */
async function post(
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; ms: number; text: string }> {
  const started = performance.now();
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, ms: performance.now() - started, text };
}

function tiktokBody(
  type: number,
  data: Record<string, unknown>,
  o: { id?: string; timestamp?: number; shopId?: string } = {},
): string {
  return JSON.stringify({
    type,
    tts_notification_id: o.id ?? `7${Date.now()}${Math.floor(Math.random() * 1e6)}`,
    shop_id: o.shopId ?? shop.shopId,
    timestamp: o.timestamp ?? Math.floor(clock / 1000),
    data,
  });
}

// The test signs on its own (API-FACTS §7), so a bug in the production signer cannot hide here.
function tiktokSign(body: string, secret = APP_SECRET): string {
  return createHmac('sha256', secret)
    .update(APP_KEY + body)
    .digest('hex');
}

beforeAll(async () => {
  tr = await useTestRedis('webhooks');
  redis = createRedisConnection({ url: tr.url, role: 'producer', name: 'webhooks-test' });
  queues = new QueueFactory({ connection: redis, prefix: tr.prefix, retry: { maxRetries: 1, backoffSeconds: 1 } });
  shopify = await startShopifyStandIn({ catalogue: { products: 2, seed: 7 } });
  const directory = new StoreDirectory([]);
  server = await startWebhookServer({
    directory,
    redis,
    queues,
    prefix: tr.prefix,
    logger,
    host: '127.0.0.1',
    port: 0,
    now: () => clock,
  });
  tiktok = await startTikTokStandIn({
    webhookUrl: `${server.url}/webhooks/tiktok`,
    shops: [{ appKey: APP_KEY, appSecret: APP_SECRET }],
    webhookRetryDelaysMs: [],
  });
  shop = tiktok.shops[0] as SeededShop;
  store = storeConfig();
  await server.close();
  // The real directory, resolved the way main.ts does it: Get Authorized Shops through the client.
  const real = new StoreDirectory([store]);
  const clientRedis = createRedisConnection({ url: tr.url, role: 'client', name: 'webhooks-test-clients' });
  const lookup: ShopLookup = async (s) => {
    const svc = await createStoreServices({
      config: {
        queuePrefix: tr.prefix,
        tiktok: { apiBase: tiktok.url, authBase: tiktok.authUrl },
        shopify: { apiBase: undefined, orderClaimTtlMs: 300_000 },
      },
      store: s,
      redis: clientRedis,
      queues,
      logger,
    });
    try {
      return (await svc.tiktok.getAuthorizedShops()).map((x) => ({ id: x.id, cipher: x.cipher }));
    } finally {
      svc.close();
    }
  };
  try {
    expect(await real.resolveTikTokShops(lookup)).toEqual([]);
  } finally {
    clientRedis.disconnect();
  }
  server = await startWebhookServer({
    directory: real,
    redis,
    queues,
    prefix: tr.prefix,
    logger,
    host: '127.0.0.1',
    port: Number(new URL(server.url).port),
    now: () => clock,
  });
});

afterAll(async () => {
  await server?.close();
  await tiktok?.close();
  await shopify?.close();
  if (queues) {
    await clearJobs().catch(() => undefined);
    await queues.close();
  }
  redis?.disconnect();
  await tr?.cleanup();
});

describe('Shopify webhooks', () => {
  it('a stock change in Shopify becomes one inventory-item job for that item, answered fast', async () => {
    await clearJobs();
    clock = Date.now();
    shopify.setWebhookTarget(`${server.url}/webhooks/shopify`);
    try {
      const variant = shopify.state.products[0]!.variants[0]!;
      const location = shopify.state.locations[0]!;
      shopify.setStock(variant.inventoryItemId, location.id, 17);
      const delivery = await waitUntil(
        () => shopify.deliveries.find((d) => d.topic === 'inventory_levels/update' && d.delivered),
        { timeoutMs: 5_000, what: 'the stock webhook is delivered' },
      );
      expect(delivery.lastStatus).toBe(200);
      const jobs = await pendingJobs();
      // The window's first change runs at once (no delay).
      expect(jobs.map((j) => [j.key, j.delay])).toEqual([
        [`inventory/inventory-item/${STORE}-item-${variant.inventoryItemId}-w${Math.floor(clock / 1000)}-lead`, 0],
      ]);
      expect(jobs[0]!.data).toMatchObject({
        store: STORE,
        trigger: 'webhook',
        inventoryItemId: `gid://shopify/InventoryItem/${variant.inventoryItemId}`,
      });
    } finally {
      shopify.setWebhookTarget(null);
    }
  });

  it('a burst of changes to one item makes one job at once and one that runs after the last change', async () => {
    await clearJobs();
    clock = Date.now();
    for (let i = 0; i < 5; i++) {
      const msg = shopify.buildWebhook('inventory_levels/update', { inventory_item_id: 4401, location_id: 1, available: 10 - i });
      const res = await post('/webhooks/shopify', msg.headers, msg.body);
      expect(res.status).toBe(200);
      expect(res.ms).toBeLessThan(1_500);
    }
    const jobs = await pendingJobs();
    const window = `${STORE}-item-4401-w${Math.floor(clock / 1000)}`;
    expect(jobs.map((j) => j.key)).toEqual([`inventory/inventory-item/${window}`, `inventory/inventory-item/${window}-lead`]);
    // The first change went at once; the rest are held to the end of the window, so that job
    // reads stock after every change of the burst.
    expect(jobs[1]!.delay).toBe(0);
    expect(clock + jobs[0]!.delay).toBe((Math.floor(clock / 1000) + 1) * 1000);
  });

  it('a product update becomes one product-sync-one job; an order shoptok did not make becomes none', async () => {
    await clearJobs();
    clock = Date.now();
    const product = shopify.buildWebhook('products/update', { id: 812, admin_graphql_api_id: 'gid://shopify/Product/812' });
    expect((await post('/webhooks/shopify', product.headers, product.body)).status).toBe(200);
    const order = shopify.buildWebhook('orders/cancelled', { id: 99, source_identifier: null });
    expect((await post('/webhooks/shopify', order.headers, order.body)).status).toBe(200);
    expect((await pendingJobs()).map((j) => j.key)).toEqual([
      `products/product-sync-one/${STORE}-product-812-w${Math.floor(clock / 1000)}`,
    ]);
  });

  it('a repeated delivery (same webhook id) is taken once, even in a later burst window', async () => {
    await clearJobs();
    clock = Date.now();
    const webhookId = randomUUID();
    const msg = shopify.buildWebhook('products/update', { id: 813 }, { webhookId });
    expect((await post('/webhooks/shopify', msg.headers, msg.body)).status).toBe(200);
    clock += 5_000;
    expect((await post('/webhooks/shopify', msg.headers, msg.body)).status).toBe(200);
    expect((await pendingJobs()).map((j) => j.key)).toEqual([
      `products/product-sync-one/${STORE}-product-813-w${Math.floor((clock - 5_000) / 1000)}`,
    ]);
  });

  it('refuses forged, stale, unsigned and foreign deliveries with 401 and enqueues nothing', async () => {
    await clearJobs();
    clock = Date.now();
    const payload = { inventory_item_id: 4402, location_id: 1, available: 1 };
    const forged = shopify.buildWebhook('inventory_levels/update', payload, { secret: 'not-the-secret' });
    const stale = shopify.buildWebhook('inventory_levels/update', payload, { triggeredAt: new Date(clock - 13 * 3_600_000) });
    const good = shopify.buildWebhook('inventory_levels/update', payload);
    const tampered = { ...good, body: good.body.replace('"available":1', '"available":999') };
    const unsigned = { headers: { ...good.headers, 'x-shopify-hmac-sha256': '' }, body: good.body };
    const foreign = shopify.buildWebhook('inventory_levels/update', payload);
    foreign.headers['x-shopify-shop-domain'] = 'someone-else.myshopify.com';
    for (const msg of [forged, stale, tampered, unsigned, foreign]) {
      expect((await post('/webhooks/shopify', msg.headers, msg.body)).status).toBe(401);
    }
    expect(await pendingJobs()).toEqual([]);
  });
});

describe('TikTok webhooks', () => {
  it('an order reaching AWAITING_SHIPMENT on TikTok becomes one order-import job (delivered by the stand-in)', async () => {
    await clearJobs();
    clock = Date.now();
    const before = tiktok.admin.deliveries().length;
    tiktok.admin.seedProduct(shop.shopId, {
      title: 'Webhook test product, plain cotton tee',
      category_id: '601226',
      status: 'ACTIVATE',
      skus: [
        {
          id: '1729000000000000001',
          seller_sku: 'WH-TEE-1',
          price: { amount: '10.00', currency: 'GBP' },
          inventory: [{ warehouse_id: tiktok.admin.shop(shop.shopId).warehouses[0]!.id, quantity: 5 }],
          sales_attributes: [],
        },
      ],
    });
    const [order] = tiktok.admin.generateOrders(shop.shopId, { count: 1, status: 'ON_HOLD' });
    tiktok.admin.advanceOrder(shop.shopId, order!.id, 'AWAITING_SHIPMENT');
    const delivered = await waitUntil(
      () => {
        const mine = tiktok.admin
          .deliveries()
          .slice(before)
          .filter((d) => d.type === 1);
        return mine.length > 0 && mine.every((d) => d.status !== 'pending') ? mine : undefined;
      },
      { timeoutMs: 5_000, what: 'the order webhooks are answered' },
    );
    expect(delivered.every((d) => d.lastStatus === 200)).toBe(true);
    expect((await pendingJobs()).map((j) => j.key)).toEqual([`orders/order-import/${STORE}-order-${order!.id}`]);
  });

  it('a product audit event with a 19-digit bare-number id follows that exact listing; a replay is acknowledged and not enqueued', async () => {
    await clearJobs();
    clock = Date.now();
    const id = `7${Date.now()}`;
    const body = tiktokBody(37, {}, { id }).replace(
      '"data":{}',
      '"data":{"product_id":1729587969628441234,"audit":{"status":"APPROVED"},"update_time":1}',
    );
    const first = await post('/webhooks/tiktok', { 'content-type': 'application/json', authorization: tiktokSign(body) }, body);
    expect(first).toMatchObject({ status: 200, text: '' });
    expect(first.ms).toBeLessThan(1_500);
    clock += 5_000;
    const replay = await post('/webhooks/tiktok', { 'content-type': 'application/json', authorization: tiktokSign(body) }, body);
    expect(replay.status).toBe(200);
    expect((await pendingJobs()).map((j) => j.key)).toEqual([
      `products/listing-status/${STORE}-listing-1729587969628441234-w${Math.floor((clock - 5_000) / 1000)}`,
    ]);
  });

  it('takes a correctly signed event without tts_notification_id once, de-duplicated by its signed body', async () => {
    await clearJobs();
    clock = Date.now();
    const body = JSON.parse(
      tiktokBody(37, { product_id: '1729587969628449999', audit: { status: 'APPROVED' }, update_time: 1 }),
    ) as Record<string, unknown>;
    delete body.tts_notification_id;
    const raw = JSON.stringify(body);
    const headers = { 'content-type': 'application/json', authorization: tiktokSign(raw) };
    expect(await post('/webhooks/tiktok', headers, raw)).toMatchObject({ status: 200, text: '' });
    const window = Math.floor(clock / 1000);
    clock += 5_000; // a later burst window: a second acceptance would make a second job
    expect((await post('/webhooks/tiktok', headers, raw)).status).toBe(200);
    expect((await pendingJobs()).map((j) => j.key)).toEqual([
      `products/listing-status/${STORE}-listing-1729587969628449999-w${window}`,
    ]);
  });

  it('refuses forged, stale and malformed events with 401 and enqueues nothing', async () => {
    await clearJobs();
    clock = Date.now();
    const data = { order_id: '5764000000000000001', order_status: 'AWAITING_SHIPMENT', update_time: 1 };
    const good = tiktokBody(1, data);
    const stale = tiktokBody(1, data, { timestamp: Math.floor(clock / 1000) - 2 * 86_400 });
    const malformed = '{"type":1}';
    const cases: [string, string | undefined][] = [
      [good, tiktokSign(good, 'wrong-secret')],
      [good, undefined],
      [good.replace('AWAITING_SHIPMENT', 'CANCEL'), tiktokSign(good)],
      [stale, tiktokSign(stale)],
      [malformed, tiktokSign(malformed)],
    ];
    for (const [body, authorization] of cases) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (authorization) headers.authorization = authorization;
      expect((await post('/webhooks/tiktok', headers, body)).status).toBe(401);
    }
    expect(await pendingJobs()).toEqual([]);
  });

  it('an event of a shop not resolved yet (two stores share the app) is answered 503, then taken once the lookup knows the shop', async () => {
    await clearJobs();
    clock = Date.now();
    const twin: StoreConfig = {
      ...store,
      id: 'brand-b',
      shopify: { ...store.shopify, domain: 'brand-b.myshopify.com' },
      tiktok: { ...store.tiktok, shopCipher: 'OTHER_CIPHER' },
    };
    const directory = new StoreDirectory([{ ...store, tiktok: { ...store.tiktok, shopCipher: shop.cipher } }, twin]);
    // The shops as Get Authorized Shops lists them (the client itself is exercised in beforeAll).
    const lookup: ShopLookup = async () => [
      { id: shop.shopId, cipher: shop.cipher },
      { id: '424242', cipher: 'OTHER_CIPHER' },
    ];
    const pending = await startWebhookServer({
      directory,
      redis,
      queues,
      prefix: tr.prefix,
      logger,
      host: '127.0.0.1',
      port: 0,
      now: () => clock,
      lookup,
    });
    try {
      const body = tiktokBody(5, { product_id: '1729000000000000009', status: 'PRODUCT_STATUS_CHANGED', update_time: 1 });
      const send = () =>
        fetch(`${pending.url}/webhooks/tiktok`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: tiktokSign(body) },
          body,
        });
      expect((await send()).status).toBe(503);
      await waitUntil(() => directory.unresolvedCount() === 0, { timeoutMs: 5_000, what: 'the shops are looked up' });
      expect((await send()).status).toBe(200);
      expect((await pendingJobs()).map((j) => j.key)).toEqual([
        `products/listing-status/${STORE}-listing-1729000000000000009-w${Math.floor(clock / 1000)}`,
      ]);
    } finally {
      await pending.close();
    }
  });

  it('acknowledges a signed event of a shop that is not one of ours without a job', async () => {
    await clearJobs();
    const body = tiktokBody(1, { order_id: '1', order_status: 'AWAITING_SHIPMENT', update_time: 1 }, { shopId: '999' });
    expect(
      (await post('/webhooks/tiktok', { 'content-type': 'application/json', authorization: tiktokSign(body) }, body)).status,
    ).toBe(200);
    expect(await pendingJobs()).toEqual([]);
  });
});

describe('around the intake', () => {
  it('when Redis refuses the job the delivery is answered 503 and its id released, so the retry is taken', async () => {
    await clearJobs();
    clock = Date.now();
    // A real producer connection to a port where no Redis listens: adds fail at once.
    const dead = new Redis('redis://127.0.0.1:1', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: null,
      retryStrategy: () => null,
    });
    dead.on('error', () => undefined);
    const deadQueues = new QueueFactory({ connection: dead, prefix: tr.prefix, retry: { maxRetries: 1, backoffSeconds: 1 } });
    deadQueues.queue('products', STORE).on('error', () => undefined);
    const failing = await startWebhookServer({
      directory: new StoreDirectory([store]),
      redis,
      queues: deadQueues,
      prefix: tr.prefix,
      logger,
      host: '127.0.0.1',
      port: 0,
      now: () => clock,
      enqueueDeadlineMs: 500,
    });
    try {
      const msg = shopify.buildWebhook('products/update', { id: 814 });
      const res = await fetch(`${failing.url}/webhooks/shopify`, { method: 'POST', headers: msg.headers, body: msg.body });
      expect(res.status).toBe(503);
    } finally {
      await failing.close();
      await deadQueues.close().catch(() => undefined);
      dead.disconnect();
    }
    const retry = shopify.buildWebhook('products/update', { id: 814 });
    expect((await post('/webhooks/shopify', retry.headers, retry.body)).status).toBe(200);
    expect((await pendingJobs()).map((j) => j.key)).toEqual([
      `products/product-sync-one/${STORE}-product-814-w${Math.floor(clock / 1000)}`,
    ]);
  });

  it('registers the Shopify subscriptions for a store, idempotently', async () => {
    const config = {
      redisUrl: tr.url,
      queuePrefix: tr.prefix,
      log: { level: 'silent', file: '', maxBytes: 10 * 1024 * 1024, maxFiles: 5 },
      shopify: { apiBase: undefined },
      stores: [store],
    } as unknown as Parameters<typeof registerShopifyWebhooks>[0];
    const first = await registerShopifyWebhooks(config, STORE, 'http://127.0.0.1:8090/', { logger });
    expect(first.uri).toBe('http://127.0.0.1:8090/webhooks/shopify');
    expect(first.created.length).toBeGreaterThan(0);
    expect(
      shopify.state.webhooks
        .filter((w) => w.uri === first.uri)
        .map((w) => w.topic)
        .sort(),
    ).toEqual([...first.created].sort());
    const again = await registerShopifyWebhooks(config, STORE, 'http://127.0.0.1:8090', { logger });
    expect(again).toMatchObject({ created: [], deleted: [] });
    await expect(registerShopifyWebhooks(config, STORE, 'http://hooks.example.com', { logger })).rejects.toThrow(/https/);
  });

  it('answers /healthz with the Redis check', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
  });
});
