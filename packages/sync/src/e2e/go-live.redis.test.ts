// Issue 16 §1 and issue 19 items 1-2 end to end: one store starts in preview (no mode in the
// stores file), the other is live; the workers run as their own processes and the operator
// drives them through the CLI, as in production.
import { createRedisConnection, QueueFactory, waitForRedis, type RedisConnection } from '@shoptok/queues';
import { waitUntil } from '@shoptok/testkit';
import { shopifyAvailable, startFleet, type Fleet, type FleetStore } from './fleet.test-helpers.js';

const SLOW = 420_000; // five CLI runs, each its own process, on a shared machine
const INVENTORY_UPDATE = 'POST /product/202309/products/{product_id}/inventory/update';

function shopifyOrdersOf(store: FleetStore, tiktokOrderId: string) {
  return store.shopify.state.orders.filter((o) => o.sourceIdentifier === `tiktok-${tiktokOrderId}`);
}

/** TikTok's quantity and Shopify's for every TikTok SKU whose seller SKU names one tracked Shopify variant. */
function stockPairs(fleet: Fleet, store: FleetStore): { sku: string; tiktok: number; shopify: number }[] {
  const pairs: { sku: string; tiktok: number; shopify: number }[] = [];
  for (const product of fleet.tiktok.admin.shop(store.tiktokShopId).products.values())
    for (const sku of product.skus) {
      const variants = store.shopify.state.products.flatMap((p) => p.variants).filter((v) => v.sku === sku.seller_sku);
      if (variants.length !== 1 || !variants[0]?.tracked) continue;
      pairs.push({
        sku: sku.seller_sku,
        tiktok: sku.inventory.find((i) => i.warehouse_id === store.warehouseId)?.quantity ?? -1,
        shopify: shopifyAvailable(store, variants[0].inventoryItemId),
      });
    }
  return pairs;
}

describe('preview and go-live (two stores, one in each mode; workers as processes)', () => {
  let fleet: Fleet;
  let preview: FleetStore;
  let live: FleetStore;
  let connection: RedisConnection;
  let queues: QueueFactory;

  beforeAll(async () => {
    fleet = await startFleet({ productsPerStore: 12, modes: { 'fleet-a': 'unset', 'fleet-b': 'live' } });
    [preview, live] = fleet.stores as [FleetStore, FleetStore];
    connection = createRedisConnection({ url: fleet.redis.url, role: 'client', name: 'go-live-test' });
    await waitForRedis(connection);
    queues = new QueueFactory({ connection, prefix: fleet.redis.prefix, retry: { maxRetries: 0, backoffSeconds: 1 } });
    fleet.startApp('inventory-worker');
    fleet.startApp('product-worker');
    fleet.startApp('order-worker');
  }, SLOW);

  afterAll(async () => {
    await queues?.close();
    connection?.disconnect();
    await fleet?.close();
  }, SLOW);

  it(
    'a store without a mode previews (writes nothing, counts what it would send), goes live without a restart, and never imports orders from before go-live',
    async () => {
      // An order the brand's previous connector already handled: created an hour before go-live.
      const [old] = fleet.tiktok.admin.generateOrders(preview.tiktokShopId, {
        count: 1,
        status: 'AWAITING_SHIPMENT',
        createTime: Math.floor(Date.now() / 1000) - 3600,
      });
      const [liveOrder] = fleet.tiktok.admin.generateOrders(live.tiktokShopId, { count: 1, status: 'AWAITING_SHIPMENT' });
      const tiktokProductsBefore = fleet.tiktok.admin.shop(preview.tiktokShopId).products.size;

      const reconcile = await fleet.cli(['enqueue', 'reconcile', '--wait']);
      expect({ code: reconcile.code, err: reconcile.stderr.slice(-2000) }).toMatchObject({ code: 0 });
      // One plain line for the store in preview, with the command that ends it; none for the live one.
      expect(reconcile.stderr).toContain(
        'store fleet-a is in preview: nothing is written to TikTok or Shopify, what would be sent is recorded (pnpm shoptok status --store fleet-a); to go live: pnpm shoptok go-live --store fleet-a',
      );
      expect(reconcile.stderr).not.toContain('store fleet-b is in preview');

      const sync = await fleet.cli(['enqueue', 'full-sync', '--wait']);
      expect({ code: sync.code, err: sync.stderr.slice(-2000) }).toMatchObject({ code: expect.any(Number) });
      // The live store wrote: its order is in Shopify, its stock on TikTok equals Shopify's.
      await waitUntil(() => shopifyOrdersOf(live, liveOrder!.id).length === 1, {
        timeoutMs: 60_000,
        what: 'the live store imports its order',
      });
      // (exact equality is checked for fleet-a below: here the import takes units after the stock push)
      expect(fleet.tiktok.counters.total({ shopId: live.tiktokShopId, api: INVENTORY_UPDATE }).ok).toBeGreaterThan(0);
      // The preview store wrote nothing to either shop.
      expect(shopifyOrdersOf(preview, old!.id)).toEqual([]);
      expect(preview.shopify.state.orders).toEqual([]);
      expect(fleet.tiktok.admin.shop(preview.tiktokShopId).products.size).toBe(tiktokProductsBefore);
      const previewPairs = stockPairs(fleet, preview);
      expect(previewPairs.length).toBeGreaterThan(5);
      expect(previewPairs.every((p) => p.tiktok === 0)).toBe(true); // as listed before shoptok
      const writes = fleet.tiktok.counters
        .rows()
        .filter(
          (r) =>
            r.shopId === preview.tiktokShopId && /inventory\/update|prices\/update|packages|activate|images\/upload/.test(r.api),
        );
      expect(writes).toEqual([]);

      // What the preview counted, for the operator.
      const status = await fleet.cli(['status', '--store', 'fleet-a']);
      expect(status.code).toBe(0);
      const totals =
        /would create (\d+) listings?, adopt (\d+), (?:edit \d+, )?change stock on (\d+) SKUs?, import (\d+) orders?/.exec(
          status.stdout,
        );
      expect({ totals: totals?.slice(1).map(Number), out: status.stdout }).toMatchObject({
        totals: [expect.any(Number), expect.any(Number), expect.any(Number), 0],
      });
      // (this generated catalogue is held back by pre-flight, so it would create and adopt nothing;
      // adoption in preview is covered by products.standin.test.ts)
      const [, , , stock] = (totals ?? []).map(Number);
      expect(stock).toBe(previewPairs.filter((p) => p.shopify !== 0).length);
      expect(status.stdout).toContain('To go live: pnpm shoptok go-live --store fleet-a');

      const goLive = await fleet.cli(['go-live', '--store', 'fleet-a']);
      expect({ code: goLive.code, out: goLive.stdout }).toMatchObject({
        code: 0,
        out: expect.stringMatching(/store fleet-a is live from \S+Z: the workers write/),
      });

      // Live now, with no restart: the same workers write, and only orders created since go-live come in.
      const [fresh] = fleet.tiktok.admin.generateOrders(preview.tiktokShopId, { count: 1, status: 'AWAITING_SHIPMENT' });
      const liveRun = await fleet.cli(['enqueue', 'full-sync', '--store', 'fleet-a', '--wait']);
      expect(liveRun.stderr).not.toContain('is in preview');
      expect(liveRun.stdout).toMatch(/created-before-cutoff 1/);
      await waitUntil(() => shopifyOrdersOf(preview, fresh!.id).length === 1, {
        timeoutMs: 60_000,
        what: 'the order created after go-live is imported',
      });
      expect(shopifyOrdersOf(preview, old!.id)).toEqual([]);
      // Stock is live too: every SKU equals Shopify's, but those of the new order (imported after the
      // stock push of the same run, it took units in Shopify that the next sync sends).
      const ordered = new Set(fresh!.line_items.map((li) => li.seller_sku));
      expect(stockPairs(fleet, preview).filter((p) => !ordered.has(p.sku) && p.tiktok !== p.shopify)).toEqual([]);
      // Listings that already existed were adopted: no second TikTok product for them.
      expect(fleet.tiktok.admin.shop(preview.tiktokShopId).products.size).toBe(tiktokProductsBefore);
    },
    SLOW,
  );

  it(
    'a dry order poll followed by a real one imports the order, and a dry fulfilment poll does not hold back the tracking',
    async () => {
      const [order] = fleet.tiktok.admin.generateOrders(live.tiktokShopId, { count: 1, status: 'AWAITING_SHIPMENT' });
      const dry = await fleet.cli(['enqueue', 'orders', '--store', 'fleet-b', '--dry', '--wait']);
      expect(dry.code).toBe(0);
      // The dry import ran, under its own id, and wrote nothing.
      const dryJob = await waitUntil(
        async () => {
          const job = await queues.queue('orders', 'fleet-b').getJob(`dry-fleet-b-order-${order!.id}`);
          return job && (await job.isCompleted()) ? job : undefined;
        },
        { timeoutMs: 60_000, what: 'the dry import job completes' },
      );
      expect(dryJob.data).toMatchObject({ dryRun: true, tiktokOrderId: order!.id });
      expect(shopifyOrdersOf(live, order!.id)).toEqual([]);

      const real = await fleet.cli(['enqueue', 'orders', '--store', 'fleet-b', '--wait']);
      expect(real.code).toBe(0);
      await waitUntil(() => shopifyOrdersOf(live, order!.id).length === 1, {
        timeoutMs: 60_000,
        what: 'the real poll imports the order the dry poll saw',
      });

      // Tracking: a dry fulfilment poll first, then the real one reaches TikTok.
      const shopifyOrder = shopifyOrdersOf(live, order!.id)[0]!;
      live.shopify.fulfilOrder(shopifyOrder.id, { number: 'RM123456785GB', company: 'Royal Mail' });
      const hasTracking = () =>
        fleet.tiktok.admin
          .shop(live.tiktokShopId)
          .orders.get(order!.id)
          ?.line_items.every((li) => li.tracking_number === 'RM123456785GB');
      expect((await fleet.cli(['enqueue', 'orders', '--store', 'fleet-b', '--dry', '--wait'])).code).toBe(0);
      await waitUntil(
        async () => {
          const job = await queues.queue('fulfilment', 'fleet-b').getJob(`dry-fleet-b-tracking-${order!.id}`);
          return job && (await job.isCompleted());
        },
        { timeoutMs: 60_000, what: 'the dry tracking push completes' },
      );
      expect(hasTracking()).toBe(false);
      expect((await fleet.cli(['enqueue', 'orders', '--store', 'fleet-b', '--wait'])).code).toBe(0);
      await waitUntil(hasTracking, { timeoutMs: 60_000, what: 'the real poll sends the tracking to TikTok' });
    },
    SLOW,
  );
});
