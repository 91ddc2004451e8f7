// Tracking back to TikTok: real Redis, both stand-ins over HTTP, the real handlers and worker.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StoreConfig } from '@shoptok/config';
import { createLogger } from '@shoptok/logger';
import { createRedisConnection, createStoreWorker, QueueFactory } from '@shoptok/queues';
import { parseStoreRules } from '@shoptok/sync-core';
import { useTestRedis, waitUntil, type TestRedis } from '@shoptok/testkit';
import { startShopifyStandIn, type ShopifyStandIn } from '@shoptok/testkit/shopify';
import { startTikTokStandIn, type TikTokStandIn } from '@shoptok/testkit/tiktok';
import type { Job, Worker } from 'bullmq';
import { AlertNotifier } from './alerts/notifier.js';
import { flushShipByAlerts, runFulfilmentPoll } from './fulfilment.js';
import { fulfilmentHandlers } from './handlers.js';
import { runOrderImport } from './orders.js';
import { createStoreServices, type StoreServices } from './services.js';

const STORE = 'tracking-shop';
const WAREHOUSE = '770000000000000019';
const MARK_SHIPPED = 'POST /fulfillment/202309/orders/{order_id}/packages';
const logger = createLogger({ level: 'silent', console: false });

/** A Slack-compatible webhook that takes every POST and never answers it (until `hangUp`). */
async function startSilentReceiver() {
  const waiting = new Set<ServerResponse>();
  let requests = 0;
  const server = createServer((req, res) => {
    requests += 1;
    req.resume();
    waiting.add(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T0/B0/secret`,
    requests: () => requests,
    /** Drops every connection, so the POSTs still waiting fail now. */
    hangUp: () => server.closeAllConnections(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())).finally(() => server.closeAllConnections()),
  };
}

describe('tracking to TikTok (real Redis, stand-ins over HTTP)', () => {
  let redis: TestRedis;
  let tts: TikTokStandIn;
  let shopify: ShopifyStandIn;
  let receiver: Awaited<ReturnType<typeof startSilentReceiver>>;
  let queues: QueueFactory;
  let svc: StoreServices;
  let notifier: AlertNotifier;
  let shopId: string;
  const connections: ReturnType<typeof createRedisConnection>[] = [];
  const workers: Worker[] = [];
  const ALERT_TIMEOUT_MS = 4_000;

  const connection = (role: 'client' | 'worker') => {
    const c = createRedisConnection({ url: redis.url, role, name: `test-tracking-${role}` });
    connections.push(c);
    return c;
  };

  /** TikTok orders of catalogue SKUs, imported into Shopify; ship-by in `shipWithinSeconds`. */
  async function importedOrders(count: number, shipWithinSeconds: number) {
    const orders = tts.admin.generateOrders(shopId, {
      count,
      status: 'AWAITING_SHIPMENT',
      shipWithinSeconds,
      maxSkus: 1,
      maxUnits: 1,
    });
    for (const o of orders) await runOrderImport(svc, { dryRun: false, tiktokOrderId: o.id });
    return orders.map((o) => {
      const shopifyOrder = shopify.state.orders.find((s) => s.sourceIdentifier?.includes(o.id));
      if (!shopifyOrder) throw new Error(`order ${o.id} was not imported`);
      return { tiktokOrderId: o.id, shopifyOrderId: shopifyOrder.id };
    });
  }

  beforeAll(async () => {
    redis = await useTestRedis('tracking');
    receiver = await startSilentReceiver();
    tts = await startTikTokStandIn({
      auditDelayMs: 10,
      shops: [
        {
          appKey: 'tracking-app',
          appSecret: 'tracking-app-secret-0123456789',
          name: STORE,
          warehouses: [{ id: WAREHOUSE, name: 'Main', isDefault: true }],
          deliveryOptions: [
            { id: '690000000000000019', name: 'Standard', providers: [{ id: '6617675021119438849', name: 'Royal Mail' }] },
          ],
        },
      ],
    });
    shopify = await startShopifyStandIn({
      shopDomain: `${STORE}.myshopify.com`,
      accessToken: 'shpat_tracking0123456789abcdef',
      apiSecret: 'tracking-webhook-secret',
      catalogue: { products: 6, seed: 41, locations: 1 },
      bucket: { maximumAvailable: 20_000, restoreRate: 1_000 },
    });
    const shop = tts.shops[0]!;
    shopId = shop.shopId;
    // The Shopify catalogue live on TikTok (unique SKUs only), so TikTok orders import.
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
    const client = connection('client');
    queues = new QueueFactory({ connection: client, prefix: redis.prefix, retry: { maxRetries: 1, backoffSeconds: 0.05 } });
    notifier = new AlertNotifier({
      redis: client,
      prefix: redis.prefix,
      logger,
      webhookUrlFor: () => receiver.url,
      burstWindowMs: 60_000,
      shipByLeadMs: 6 * 3_600_000,
      authExpiryLeadMs: 14 * 86_400_000,
      timeoutMs: ALERT_TIMEOUT_MS,
      attempts: 1,
    });
    const store: StoreConfig = {
      id: STORE,
      name: 'Tracking Shop',
      enabled: true,
      shopify: {
        domain: shopify.shopDomain,
        accessToken: shopify.accessToken,
        apiSecret: shopify.apiSecret,
        apiBase: shopify.url,
      },
      tiktok: {
        appKey: 'tracking-app',
        appSecret: 'tracking-app-secret-0123456789',
        accessToken: shop.tokens.accessToken,
        refreshToken: shop.tokens.refreshToken,
        shopCipher: shop.cipher,
      },
      syncIntervalSeconds: 300,
      batchSize: 50,
      dryRun: false,
      mode: 'live',
      rules: parseStoreRules({ shipping: { carrierOverrides: {} } }),
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
      alerts: notifier,
    });
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    receiver?.hangUp();
    if (notifier) await flushShipByAlerts(notifier);
    await notifier?.close();
    svc?.close();
    await queues?.close();
    tts?.faults.release();
    await tts?.close();
    await shopify?.close();
    await receiver?.close();
    connections.forEach((c) => c.disconnect());
    await redis?.cleanup();
  });

  it('an alert webhook that never answers does not slow the fulfilment poll, and a dry run sends no alert', async () => {
    const orders = await importedOrders(3, 3_600); // due within the 6-hour lead: each one alerts
    expect(await svc.state.ordersAwaitingTracking()).toEqual(expect.arrayContaining(orders.map((o) => o.tiktokOrderId)));

    await runFulfilmentPoll(svc, { dryRun: true });
    await flushShipByAlerts(notifier);
    expect(receiver.requests()).toBe(0);

    const started = Date.now();
    const summary = await runFulfilmentPoll(svc, { dryRun: false });
    const pollMs = Date.now() - started;
    expect(summary.skipped).toBe(3); // no tracking yet
    // Awaited one by one, the silent webhook cost the poll ALERT_TIMEOUT_MS per order.
    expect(pollMs).toBeLessThan(ALERT_TIMEOUT_MS);
    // The alerts did go out, in the background; closing waits for them.
    await waitUntil(() => receiver.requests() === 3, { what: 'the three ship-by alerts to reach the webhook' });
    receiver.hangUp();
    await flushShipByAlerts(notifier);
  });

  it('two pushes of one order at once (poll and webhook) mark it shipped on TikTok exactly once; both jobs complete', async () => {
    const [order] = await importedOrders(1, 86_400);
    shopify.fulfilOrder(order!.shopifyOrderId, { number: 'RM555000111GB', company: 'Royal Mail' });
    // The first mark-shipped call waits at TikTok until released, so the two pushes overlap.
    tts.faults.inject({ kind: 'hold', api: MARK_SHIPPED });
    const before = tts.counters.total({ api: MARK_SHIPPED }).requests;
    // The poll's job (the domain id) and a webhook's (its burst window) for the same order.
    const jobs: Job[] = await Promise.all(
      [{}, { window: 'w1' }].map((id) =>
        queues.add(
          'fulfilment',
          'tracking-push',
          { store: STORE, tiktokOrderId: order!.tiktokOrderId, shopifyOrderId: `gid://shopify/Order/${order!.shopifyOrderId}` },
          { id },
        ),
      ),
    );
    workers.push(
      createStoreWorker({
        queue: 'fulfilment',
        store: STORE,
        handlers: fulfilmentHandlers(svc),
        connection: connection('worker'),
        prefix: redis.prefix,
        logger,
        concurrency: 2,
      }),
    );

    await waitUntil(() => tts.faults.held() === 1, { what: 'one mark-shipped call held at TikTok' });
    // The other push has either backed off (claimed by the first) or gone ahead on its own.
    const settledOrWaiting = async (job: Job) => (await job.isDelayed()) || (await job.isCompleted()) || (await job.isFailed());
    await waitUntil(async () => (await Promise.all(jobs.map(settledOrWaiting))).some(Boolean), {
      what: 'the second push to wait or finish',
    });
    tts.faults.release();
    await waitUntil(
      async () => (await Promise.all(jobs.map((j) => j.getState()))).every((s) => s === 'completed' || s === 'failed'),
      { what: 'both pushes to finish', timeoutMs: 15_000 },
    );

    expect(await Promise.all(jobs.map((j) => j.getState()))).toEqual(['completed', 'completed']);
    expect(tts.counters.total({ api: MARK_SHIPPED }).requests - before).toBe(1);
    expect(
      tts.admin
        .shop(shopId)
        .orders.get(order!.tiktokOrderId)
        ?.line_items.every((l: { tracking_number?: string }) => l.tracking_number === 'RM555000111GB'),
    ).toBe(true);
    expect((await svc.state.order(order!.tiktokOrderId))?.shippedAt).toBeGreaterThan(0);
  });
});
