// Alerts end to end: real Redis, both stand-ins over HTTP, the real handlers, and a local
// Slack-compatible receiver that records every POST.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { alertKeys } from '@shoptok/keys';
import type { StoreConfig } from '@shoptok/config';
import { createLogger } from '@shoptok/logger';
import { createRedisConnection, createStoreWorker, QueueFactory, type JobOutcome } from '@shoptok/queues';
import { parseStoreRules } from '@shoptok/sync-core';
import { useTestRedis, waitUntil, type TestRedis } from '@shoptok/testkit';
import { startShopifyStandIn, type ShopifyStandIn } from '@shoptok/testkit/shopify';
import { startTikTokStandIn, type TikTokStandIn } from '@shoptok/testkit/tiktok';
import type { Worker } from 'bullmq';
import { flushShipByAlerts, runFulfilmentPoll } from '../fulfilment.js';
import { orderHandlers } from '../handlers.js';
import { runTokenRefresh } from '../maintenance.js';
import { runOrderImport } from '../orders.js';
import { createStoreServices, type StoreServices } from '../services.js';
import { AlertNotifier, type AlertNotifierOptions } from './notifier.js';

const STORE = 'alert-shop';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const logger = createLogger({ level: 'silent', console: false });

/** A Slack-compatible incoming webhook: records `{text}` bodies; can refuse the next N posts. */
async function startReceiver() {
  const texts: string[] = [];
  let refuseNext = 0;
  let refuseStatus = 503;
  let attempts = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      attempts += 1;
      if (refuseNext > 0) {
        refuseNext -= 1;
        res.writeHead(refuseStatus).end(refuseStatus === 503 ? 'try later' : 'no_service');
        return;
      }
      const parsed = JSON.parse(body) as { text?: unknown };
      if (req.headers['content-type'] !== 'application/json' || typeof parsed.text !== 'string') {
        res.writeHead(400).end('invalid_payload');
        return;
      }
      texts.push(parsed.text);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T0/B0/secret`,
    texts,
    attempts: () => attempts,
    refuse(n: number, status = 503) {
      refuseNext = n;
      refuseStatus = status;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('alerts (real Redis, stand-ins and a webhook receiver over HTTP)', () => {
  let redis: TestRedis;
  let tts: TikTokStandIn;
  let shopify: ShopifyStandIn;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const connections: ReturnType<typeof createRedisConnection>[] = [];
  let queues: QueueFactory;
  let svc: StoreServices;
  let shopId: string;
  const notifiers: AlertNotifier[] = [];
  const workers: Worker[] = [];
  /** SKUs both sides sell: an order of these imports (GHOST-SKU is TikTok's only). */
  const importableSkus: string[] = [];

  const connection = (role: 'client' | 'worker') => {
    const c = createRedisConnection({ url: redis.url, role, name: `test-alerts-${role}` });
    connections.push(c);
    return c;
  };
  const notifier = (extra: Partial<AlertNotifierOptions> = {}) => {
    const n = new AlertNotifier({
      redis: connection('client'),
      prefix: redis.prefix,
      logger,
      webhookUrlFor: (store) => (store === STORE ? receiver.url : undefined),
      dashboardUrl: 'https://ops.example.com',
      burstWindowMs: 60_000,
      burstGatherMs: 60_000,
      shipByLeadMs: 6 * HOUR,
      authExpiryLeadMs: 14 * DAY,
      retryBaseMs: 10,
      ...extra,
    });
    notifiers.push(n);
    return n;
  };

  beforeAll(async () => {
    redis = await useTestRedis('alerts');
    receiver = await startReceiver();
    tts = await startTikTokStandIn({
      auditDelayMs: 10,
      shops: [
        {
          appKey: 'alerts-app',
          appSecret: 'alerts-app-secret-0123456789',
          name: STORE,
          warehouses: [{ id: '770000000000000009', name: 'Main', isDefault: true }],
          deliveryOptions: [
            { id: '690000000000000009', name: 'Standard', providers: [{ id: '6617675021119438849', name: 'Royal Mail' }] },
          ],
        },
      ],
    });
    shopify = await startShopifyStandIn({
      shopDomain: `${STORE}.myshopify.com`,
      accessToken: 'shpat_alerts0123456789abcdef',
      apiSecret: 'alerts-webhook-secret',
      catalogue: { products: 6, seed: 31, locations: 1 },
      bucket: { maximumAvailable: 20_000, restoreRate: 1_000 },
    });
    const shop = tts.shops[0]!;
    shopId = shop.shopId;
    // The Shopify catalogue, live on TikTok (unique SKUs only), plus a SKU Shopify never had.
    const seen = new Map<string, number>();
    for (const p of shopify.state.products) for (const v of p.variants) if (v.sku) seen.set(v.sku, (seen.get(v.sku) ?? 0) + 1);
    let skuId = 1_731_000_000_000_000_000n;
    for (const product of shopify.state.products.filter((p) => p.status === 'ACTIVE')) {
      const variants = product.variants.filter((v) => v.sku && seen.get(v.sku) === 1);
      if (variants.length === 0) continue;
      importableSkus.push(...variants.map((v) => v.sku as string));
      tts.admin.seedProduct(shopId, {
        title: product.title.padEnd(25, '.'),
        category_id: '601226',
        status: 'ACTIVATE',
        skus: variants.map((v, i) => ({
          id: String(skuId++),
          seller_sku: v.sku as string,
          price: { amount: v.price, currency: 'GBP' },
          inventory: [{ warehouse_id: '770000000000000009', quantity: 50 }],
          sales_attributes: [{ name: 'Variant', value_name: `${v.title} ${i}` }],
        })),
      });
    }
    tts.admin.seedProduct(shopId, {
      title: 'A product Shopify does not sell....',
      category_id: '601226',
      status: 'ACTIVATE',
      skus: [
        {
          id: String(skuId++),
          seller_sku: 'GHOST-SKU',
          price: { amount: '9.99', currency: 'GBP' },
          inventory: [{ warehouse_id: '770000000000000009', quantity: 50 }],
          sales_attributes: [],
        },
      ],
    });

    const client = connection('client');
    queues = new QueueFactory({ connection: client, prefix: redis.prefix, retry: { maxRetries: 1, backoffSeconds: 0.05 } });
    const store: StoreConfig = {
      id: STORE,
      name: 'Alert Shop',
      enabled: true,
      shopify: {
        domain: shopify.shopDomain,
        accessToken: shopify.accessToken,
        apiSecret: shopify.apiSecret,
        apiBase: shopify.url,
      },
      tiktok: {
        appKey: 'alerts-app',
        appSecret: 'alerts-app-secret-0123456789',
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
      alerts: notifier(),
    });
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await Promise.all(notifiers.map((n) => n.close()));
    svc?.close();
    await queues?.close();
    await tts?.close();
    await shopify?.close();
    await receiver?.close();
    connections.forEach((c) => c.disconnect());
    await redis?.cleanup();
  });

  beforeEach(() => {
    receiver.texts.length = 0;
  });

  it('a burst of failed imports handled by two worker processes makes exactly one message, with count, reasons and link', async () => {
    // Two "processes": each its own Redis connections, worker and notifier.
    const outcomes: JobOutcome[] = [];
    for (let i = 0; i < 2; i++) {
      const own = notifier();
      workers.push(
        createStoreWorker({
          queue: 'orders',
          store: STORE,
          handlers: orderHandlers(svc),
          connection: connection('worker'),
          prefix: redis.prefix,
          logger,
          concurrency: 2,
          onOutcome: (o) => {
            outcomes.push(o);
            own.jobOutcome(o);
          },
        }),
      );
    }
    const orders = tts.admin.generateOrders(shopId, {
      count: 5,
      status: 'AWAITING_SHIPMENT',
      sellerSkus: ['GHOST-SKU'],
      maxSkus: 1,
      maxUnits: 1,
    });
    for (const o of orders) await queues.add('orders', 'order-import', { store: STORE, tiktokOrderId: o.id });
    await waitUntil(() => outcomes.filter((o) => o.status === 'failed').length === 5, {
      what: 'five failed imports',
      timeoutMs: 20_000,
    });
    expect(outcomes.every((o) => o.final)).toBe(true);
    // Closing a process sends the burst it leads now (the gather delay is a minute here).
    await Promise.all(workers.map((w) => w.close()));
    await Promise.all(notifiers.slice(-2).map((n) => n.close()));
    expect(receiver.texts).toHaveLength(1);
    const [text] = receiver.texts as [string];
    expect(text).toContain('5 jobs failed in store *alert-shop*, queue orders (order-import)');
    expect(text).toMatch(/First reason: .*TikTok order \d+ cannot be imported/);
    expect(text).toContain('https://ops.example.com/queues/queue/orders-%7Balert-shop%7D?status=failed');
  });

  it('the first failure of a burst is sent after the gather delay; retries with an attempt left and other stores stay quiet; a new window makes a new message', async () => {
    const n = notifier({ burstWindowMs: 800, burstGatherMs: 100 });
    const failed = (store: string, final: boolean): JobOutcome => ({
      queue: 'inventory',
      store,
      name: 'inventory-sync',
      jobId: 'j',
      status: 'failed',
      durationMs: 1,
      dueAt: Date.now(),
      reason: 'Shopify answered 401',
      final,
    });
    n.jobOutcome(failed(STORE, false));
    n.jobOutcome(failed(STORE, true));
    n.jobOutcome(failed(STORE, true));
    n.jobOutcome(failed('another-store', true)); // its webhook is unset: logged, not posted here
    await waitUntil(() => receiver.texts.length === 1, { what: 'the burst message' });
    expect(receiver.texts[0]).toContain('2 jobs failed in store *alert-shop*, queue inventory (inventory-sync)');
    const windowEnd = Number(await redis.client.hget(alertKeys(redis.prefix, STORE).burst('inventory'), 'until'));
    await waitUntil(() => Date.now() > windowEnd, { what: 'the burst window to end' });
    n.jobOutcome(failed(STORE, true));
    await waitUntil(() => receiver.texts.length === 2, { what: 'a second burst message' });
    expect(receiver.texts[1]).toContain('1 job failed');
  });

  it('failures that go on after the burst message are reported once more at the window end: 1 then 50 make exactly two messages (1, then 50 more of 51)', async () => {
    // Two "processes" share the burst; the window is short here (15 min in production).
    const timing = { burstWindowMs: 2_000, burstGatherMs: 100, burstTakeoverMarginMs: 300 };
    const [a, b] = [notifier(timing), notifier(timing)] as [AlertNotifier, AlertNotifier];
    const failed = (i: number): JobOutcome => ({
      queue: 'products',
      store: STORE,
      name: 'product-sync',
      jobId: `p${i}`,
      status: 'failed',
      durationMs: 1,
      dueAt: Date.now(),
      reason: i === 0 ? 'first reason' : `later reason ${i % 2}`,
      final: true,
    });
    a.jobOutcome(failed(0));
    await waitUntil(() => receiver.texts.length === 1, { what: 'the burst message' });
    expect(receiver.texts[0]).toContain('1 job failed in store *alert-shop*, queue products (product-sync)');
    for (let i = 1; i <= 50; i++) (i % 2 ? a : b).jobOutcome(failed(i));
    await waitUntil(() => receiver.texts.length === 2, { what: 'the follow-up at the window end' });
    await Promise.all([a.close(), b.close()]);
    expect(receiver.texts).toHaveLength(2);
    const followUp = receiver.texts[1]!;
    expect(followUp).toMatch(
      /^:rotating_light: shoptok: 50 more jobs failed in store \*alert-shop\*, queue products \(product-sync\) since \S+ \(51 in this burst since /,
    );
    expect(followUp).toContain('First reason: later reason 1');
    expect(followUp).toContain('Also: later reason 0');
    expect(followUp).not.toContain('first reason');
  });

  it('a burst whose leader dies before sending is taken over by the next failure, which reports the whole burst', async () => {
    const timing = { burstWindowMs: 30_000, burstGatherMs: 100, burstTakeoverMarginMs: 300 };
    const key = alertKeys(redis.prefix, STORE).burst('fulfilment');
    const failed = (i: number): JobOutcome => ({
      queue: 'fulfilment',
      store: STORE,
      name: 'fulfilment-sync',
      jobId: `f${i}`,
      status: 'failed',
      durationMs: 1,
      dueAt: Date.now(),
      reason: 'TikTok answered 500',
      final: true,
    });
    // The leader counts the first failure, then its process dies: its Redis connection goes with it.
    const leaderConnection = createRedisConnection({ url: redis.url, role: 'client', name: 'test-alerts-doomed-leader' });
    const leader = new AlertNotifier({
      redis: leaderConnection,
      prefix: redis.prefix,
      logger,
      webhookUrlFor: () => receiver.url,
      burstWindowMs: timing.burstWindowMs,
      burstGatherMs: 60_000,
      shipByLeadMs: HOUR,
      authExpiryLeadMs: DAY,
    });
    leader.jobOutcome(failed(0));
    const leaderAt = Number(await waitUntil(() => redis.client.hget(key, 'leaderAt'), { what: 'the burst to open' }));
    leaderConnection.disconnect();
    const survivor = notifier(timing);
    survivor.jobOutcome(failed(1)); // within the leader's gather delay: counted, no message yet
    await waitUntil(async () => (await redis.client.hget(key, 'count')) === '2', { what: 'the second failure counted' });
    expect(receiver.texts).toEqual([]);
    await waitUntil(() => Date.now() > leaderAt + timing.burstGatherMs + timing.burstTakeoverMarginMs, {
      what: 'the leader to be overdue',
    });
    survivor.jobOutcome(failed(2));
    await waitUntil(() => receiver.texts.length === 1, { what: 'the taken-over burst message' });
    await survivor.close();
    expect(receiver.texts).toHaveLength(1);
    expect(receiver.texts[0]).toContain('3 jobs failed in store *alert-shop*, queue fulfilment (fulfilment-sync)');
  });

  it('an order without tracking near its ship-by time alerts once, however often the poll runs; one due later does not', async () => {
    const [urgent] = tts.admin.generateOrders(shopId, {
      count: 1,
      status: 'AWAITING_SHIPMENT',
      shipWithinSeconds: 2 * 3600,
      sellerSkus: importableSkus,
      maxSkus: 1,
    });
    const [relaxed] = tts.admin.generateOrders(shopId, {
      count: 1,
      status: 'AWAITING_SHIPMENT',
      shipWithinSeconds: 3 * 86_400,
      sellerSkus: importableSkus,
      maxSkus: 1,
    });
    for (const o of [urgent!, relaxed!]) await runOrderImport(svc, { dryRun: false, tiktokOrderId: o.id });
    expect((await svc.state.order(urgent!.id))?.shipByAt).toBe(urgent!.rts_sla_time * 1000);
    for (let i = 0; i < 3; i++) await runFulfilmentPoll(svc, { dryRun: false });
    await Promise.all(notifiers.map((n) => flushShipByAlerts(n).then(() => n.close()))); // waits for every POST in flight
    expect(receiver.texts).toHaveLength(1);
    expect(receiver.texts[0]).toContain(`TikTok order ${urgent!.id} of store *alert-shop* has no tracking yet`);
    expect(receiver.texts[0]).toMatch(/is due in (1 h 5\d min|2 h)/);
  });

  it('a refused alert POST is retried a little, and one that never gets through is tried again by the next run', async () => {
    const n = notifier();
    receiver.refuse(2);
    const before = receiver.attempts();
    await expect(n.once(STORE, 'test-retry', 60_000, { text: 'third time lucky' })).resolves.toBe(true);
    expect(receiver.attempts() - before).toBe(3);
    expect(receiver.texts).toEqual(['third time lucky']);

    receiver.refuse(3);
    await expect(n.once(STORE, 'test-lost', 60_000, { text: 'lost' })).resolves.toBe(false);
    await expect(n.once(STORE, 'test-lost', 60_000, { text: 'found' })).resolves.toBe(true);
    await expect(n.once(STORE, 'test-lost', 60_000, { text: 'not again' })).resolves.toBe(false);
    expect(receiver.texts).toEqual(['third time lucky', 'found']);
  });

  it('a webhook that answers 4xx (other than 429) is a configuration mistake: not retried, logged at error level naming the store', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
    const n = notifier({ logger: createLogger({ level: 'info', console: sink, pretty: false }) });
    receiver.refuse(3, 404);
    const before = receiver.attempts();
    await expect(n.post(STORE, { text: 'into the void' })).resolves.toBe(false);
    receiver.refuse(0);
    expect(receiver.attempts() - before).toBe(1);
    const errors = lines
      .map((l) => JSON.parse(l) as { level: string; store?: string; problem?: string })
      .filter((l) => l.level === 'error');
    expect(errors).toEqual([expect.objectContaining({ store: STORE, problem: 'HTTP 404' })]);
    expect(lines.join('')).not.toContain(receiver.url);
  });

  it('token upkeep alerts once when the authorization ends within ALERT_AUTH_EXPIRY_DAYS', async () => {
    const fresh = notifier();
    const upkeep = { ...svc, alerts: fresh };
    await runTokenRefresh(upkeep, { dryRun: false });
    const tokens = await svc.tiktok.tokens.read();
    expect(receiver.texts).toEqual([]); // a year or more left
    const threeDaysBefore = () => tokens!.refreshTokenExpiresAt - 3 * DAY;
    await runTokenRefresh(upkeep, { dryRun: false }, undefined, threeDaysBefore);
    await runTokenRefresh(upkeep, { dryRun: false }, undefined, threeDaysBefore);
    expect(receiver.texts).toHaveLength(1);
    expect(receiver.texts[0]).toContain('the TikTok authorization of store *alert-shop* ends in 3 d');
  });
});
