// Seller cancellations to TikTok: real Redis, both stand-ins over HTTP, the real handlers and worker.
import type { StoreConfig } from '@shoptok/config';
import { createLogger } from '@shoptok/logger';
import { createRedisConnection, createStoreWorker, QueueFactory } from '@shoptok/queues';
import { parseStoreRules } from '@shoptok/sync-core';
import { useTestRedis, waitUntil, type TestRedis } from '@shoptok/testkit';
import { startShopifyStandIn, type ShopifyStandIn } from '@shoptok/testkit/shopify';
import { startTikTokStandIn, type TikTokStandIn } from '@shoptok/testkit/tiktok';
import type { Job, Worker } from 'bullmq';
import { runFulfilmentPoll } from './fulfilment.js';
import { orderHandlers } from './handlers.js';
import { runOrderImport } from './orders.js';
import { createStoreServices, type StoreServices } from './services.js';
import { listShopifyCatalogueOnTikTok } from './settings.test-helpers.js';

const STORE = 'cancel-shop';
const WAREHOUSE = '770000000000000029';
const CANCEL = 'POST /return_refund/202309/cancellations';
const logger = createLogger({ level: 'silent', console: false });

describe('seller cancellations to TikTok (real Redis, stand-ins over HTTP)', () => {
  let redis: TestRedis;
  let tts: TikTokStandIn;
  let shopify: ShopifyStandIn;
  let queues: QueueFactory;
  let svc: StoreServices;
  let shopId: string;
  let worker: Worker | undefined;
  const connections: ReturnType<typeof createRedisConnection>[] = [];

  const connection = (role: 'client' | 'worker') => {
    const c = createRedisConnection({ url: redis.url, role, name: `test-seller-cancel-${role}` });
    connections.push(c);
    return c;
  };

  /** One TikTok order awaiting shipment, imported into Shopify. */
  async function importedOrder() {
    const [order] = tts.admin.generateOrders(shopId, { count: 1, status: 'AWAITING_SHIPMENT', maxSkus: 1, maxUnits: 1 });
    await runOrderImport(svc, { dryRun: false, tiktokOrderId: order!.id });
    const shopifyOrder = shopify.state.orders.find((s) => s.sourceIdentifier?.includes(order!.id));
    if (!shopifyOrder) throw new Error(`order ${order!.id} was not imported`);
    return { tiktokOrderId: order!.id, shopifyOrderId: shopifyOrder.id };
  }

  const tiktokOrder = (id: string) => tts.admin.shop(shopId).orders.get(id)!;
  const cancellationsOf = (id: string) => [...tts.admin.shop(shopId).cancellations.values()].filter((c) => c.order_id === id);
  const settled = async (job: Job) => ['completed', 'failed'].includes(await job.getState());

  /** The merchant cancels in Shopify; the orders/cancelled webhook queues the job its plan names. */
  async function cancelledByMerchant(
    order: { tiktokOrderId: string; shopifyOrderId: string | number },
    reason: 'CUSTOMER' | 'STAFF',
    trigger: 'webhook' | 'replay' = 'webhook',
    run?: string,
  ): Promise<Job> {
    shopify.cancelOrder(order.shopifyOrderId, reason);
    await waitUntil(
      async () => Boolean((await svc.shopify.getOrder(`gid://shopify/Order/${order.shopifyOrderId}`))?.cancelledAt),
      {
        what: 'Shopify to cancel the order',
      },
    );
    const job = await queues.add(
      'orders',
      'order-cancel',
      { store: STORE, tiktokOrderId: order.tiktokOrderId, origin: 'shopify', trigger },
      run ? { id: { run } } : {},
    );
    await waitUntil(() => settled(job), { what: 'the order-cancel job to finish', timeoutMs: 15_000 });
    return job;
  }

  beforeAll(async () => {
    redis = await useTestRedis('seller-cancel');
    tts = await startTikTokStandIn({
      auditDelayMs: 10,
      shops: [
        {
          appKey: 'cancel-app',
          appSecret: 'cancel-app-secret-0123456789',
          name: STORE,
          warehouses: [{ id: WAREHOUSE, name: 'Main', isDefault: true }],
        },
      ],
    });
    shopify = await startShopifyStandIn({
      shopDomain: `${STORE}.myshopify.com`,
      accessToken: 'shpat_cancel0123456789abcdef',
      apiSecret: 'cancel-webhook-secret',
      catalogue: { products: 4, seed: 43, locations: 1 },
      bucket: { maximumAvailable: 20_000, restoreRate: 1_000 },
    });
    const shop = tts.shops[0]!;
    shopId = shop.shopId;
    // The Shopify catalogue live on TikTok (unique SKUs only), so TikTok orders import.
    listShopifyCatalogueOnTikTok(tts, shopId, shopify, WAREHOUSE);
    const client = connection('client');
    queues = new QueueFactory({ connection: client, prefix: redis.prefix, retry: { maxRetries: 2, backoffSeconds: 0.05 } });
    const store: StoreConfig = {
      id: STORE,
      name: 'Cancel Shop',
      enabled: true,
      mode: 'live',
      shopify: {
        domain: shopify.shopDomain,
        accessToken: shopify.accessToken,
        apiSecret: shopify.apiSecret,
        apiBase: shopify.url,
      },
      tiktok: {
        appKey: 'cancel-app',
        appSecret: 'cancel-app-secret-0123456789',
        accessToken: shop.tokens.accessToken,
        refreshToken: shop.tokens.refreshToken,
        shopCipher: shop.cipher,
      },
      syncIntervalSeconds: 300,
      batchSize: 50,
      dryRun: false,
      rules: parseStoreRules({}), // tiktokCancellation: cancel (the default)
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
    worker = createStoreWorker({
      queue: 'orders',
      store: STORE,
      handlers: orderHandlers(svc),
      connection: connection('worker'),
      prefix: redis.prefix,
      logger,
      concurrency: 2,
    });
  });

  afterAll(async () => {
    await worker?.close();
    svc?.close();
    await queues?.close();
    await tts?.close();
    await shopify?.close();
    connections.forEach((c) => c.disconnect());
    await redis?.cleanup();
  });

  it('an unshipped order cancelled in Shopify is cancelled on TikTok with the mapped reason, once (poll and webhook)', async () => {
    const order = await importedOrder();
    const before = tts.counters.total({ api: CANCEL }).requests;
    // The fulfilment poll finds it cancelled in Shopify and queues the job; a webhook's job for it is the same job.
    shopify.cancelOrder(order.shopifyOrderId, 'CUSTOMER');
    await waitUntil(
      async () => Boolean((await svc.shopify.getOrder(`gid://shopify/Order/${order.shopifyOrderId}`))?.cancelledAt),
      {
        what: 'Shopify to cancel the order',
      },
    );
    await runFulfilmentPoll(svc, { dryRun: false });
    await waitUntil(async () => (await svc.state.order(order.tiktokOrderId))?.tiktokCancellation?.status === 'cancelled', {
      what: 'the seller cancellation to be recorded as done',
      timeoutMs: 15_000,
    });
    expect(tiktokOrder(order.tiktokOrderId).status).toBe('CANCELLED');
    expect(cancellationsOf(order.tiktokOrderId)).toEqual([
      expect.objectContaining({ role: 'SELLER', cancel_reason: 'seller_cancel_paid_reason_buyer_requested_cancellation' }),
    ]);
    const record = await svc.state.order(order.tiktokOrderId);
    expect(record?.tiktokCancellation).toMatchObject({ reasonKey: 'seller_cancel_paid_reason_buyer_requested_cancellation' });
    expect(record?.tiktokCancellation?.cancelId).toBe(cancellationsOf(order.tiktokOrderId)[0]!.cancel_id);
    expect((await svc.state.orderFailures()).has(order.tiktokOrderId)).toBe(false);
    // The webhook's job for the same order, and another poll, change nothing on TikTok.
    const again = await queues.add(
      'orders',
      'order-cancel',
      { store: STORE, tiktokOrderId: order.tiktokOrderId, origin: 'shopify', trigger: 'webhook' },
      { id: { run: 'again' } },
    );
    await waitUntil(() => settled(again), { what: 'the second job to finish' });
    await runFulfilmentPoll(svc, { dryRun: false });
    expect(await again.getState()).toBe('completed');
    expect(tts.counters.total({ api: CANCEL }).requests - before).toBe(1);
  });

  it('an order already shipped on TikTok is never cancelled: it is flagged for the operator', async () => {
    const order = await importedOrder();
    tts.admin.advanceOrder(shopId, order.tiktokOrderId, 'IN_TRANSIT'); // shipped from Seller Center
    const before = tts.counters.total({ api: CANCEL }).requests;
    const job = await cancelledByMerchant(order, 'CUSTOMER');
    expect(await job.getState()).toBe('completed');
    expect(tts.counters.total({ api: CANCEL }).requests - before).toBe(0);
    expect(tiktokOrder(order.tiktokOrderId).status).toBe('IN_TRANSIT');
    expect((await svc.state.order(order.tiktokOrderId))?.tiktokCancellation?.status).toBe('flagged');
    const failure = (await svc.state.orderFailures()).get(order.tiktokOrderId);
    expect(failure?.reasons).toEqual([
      { code: 'shipped-not-cancelled', message: expect.stringContaining('already shipped on TikTok (IN_TRANSIT)') },
    ]);
  });

  it("a refusal is recorded with TikTok's message (for the orders table), the job fails at once; a replay after the fix cancels", async () => {
    const order = await importedOrder();
    // The operator maps STAFF to a region-suffixed key TikTok does not know here (API-FACTS §5.10: unconfirmed).
    svc.rules = parseStoreRules({ orders: { tiktokCancelReasons: { STAFF: 'seller_cancel_reason_out_of_stock_uk' } } });
    const job = await cancelledByMerchant(order, 'STAFF');
    expect(await job.getState()).toBe('failed');
    const failed = await queues.queue('orders', STORE).getJob(job.id!);
    expect(failed?.attemptsMade).toBe(1); // no retry can change TikTok's answer
    expect(failed?.failedReason).toContain('Unknown return reason');
    expect(tiktokOrder(order.tiktokOrderId).status).toBe('AWAITING_SHIPMENT');
    const record = await svc.state.order(order.tiktokOrderId);
    expect(record?.tiktokCancellation).toMatchObject({ status: 'refused', refusals: 1 });
    const failure = (await svc.state.orderFailures()).get(order.tiktokOrderId);
    expect(failure?.reasons).toEqual([
      {
        code: 'tiktok-cancel-refused',
        message:
          'TikTok refused the cancellation (code 25001014, reason seller_cancel_reason_out_of_stock_uk): Unknown return reason. Please ensure you are passing a valid return reason.',
      },
    ]);

    // Mapping fixed, the operator replays it (the dashboard's Replay on that row queues this job).
    svc.rules = parseStoreRules({ orders: { tiktokCancelReasons: { STAFF: 'out_of_stock' } } });
    const replay = await queues.add(
      'orders',
      'order-cancel',
      { store: STORE, tiktokOrderId: order.tiktokOrderId, origin: 'shopify', trigger: 'replay' },
      { id: { run: 'replay-1' } },
    );
    await waitUntil(() => settled(replay), { what: 'the replay to finish', timeoutMs: 15_000 });
    expect(await replay.getState()).toBe('completed');
    expect(tiktokOrder(order.tiktokOrderId).status).toBe('CANCELLED');
    expect(cancellationsOf(order.tiktokOrderId)).toEqual([
      expect.objectContaining({ role: 'SELLER', cancel_reason: 'seller_cancel_reason_out_of_stock' }),
    ]);
    expect((await svc.state.order(order.tiktokOrderId))?.tiktokCancellation?.status).toBe('cancelled');
    expect((await svc.state.orderFailures()).has(order.tiktokOrderId)).toBe(false);
  });
});
