// Issue 7 end to end: Redis, the stand-ins, the scheduler and the workers as separate
// processes, driven the way an operator would (the CLI), over two stores.
import { stateKeys } from '@shoptok/keys';
import { createRedisConnection, QueueFactory, waitForRedis } from '@shoptok/queues';
import { deleteByPattern, waitUntil } from '@shoptok/testkit';
import { shopifyAvailable, startFleet, type Fleet, type FleetStore } from './fleet.test-helpers.js';

const SLOW = 120_000;

/** Every TikTok SKU of the store whose seller SKU names exactly one Shopify variant, with both quantities. */
function stockPairs(fleet: Fleet, store: FleetStore): { sku: string; tiktok: number; shopify: number }[] {
  const bySku = new Map<string, number[]>();
  for (const p of store.shopify.state.products)
    for (const v of p.variants) if (v.sku) bySku.set(v.sku, [...(bySku.get(v.sku) ?? []), v.inventoryItemId]);
  const shop = fleet.tiktok.admin.shop(store.tiktokShopId);
  const pairs: { sku: string; tiktok: number; shopify: number }[] = [];
  for (const product of shop.products.values()) {
    for (const sku of product.skus) {
      const items = bySku.get(sku.seller_sku) ?? [];
      if (items.length !== 1) continue;
      const shopifyProduct = store.shopify.state.products.find((p) => p.variants.some((v) => v.sku === sku.seller_sku));
      const tracked = shopifyProduct?.variants.find((v) => v.sku === sku.seller_sku)?.tracked;
      if (!tracked) continue;
      pairs.push({
        sku: sku.seller_sku,
        tiktok: sku.inventory.find((i) => i.warehouse_id === store.warehouseId)?.quantity ?? -1,
        shopify: shopifyAvailable(store, items[0] as number),
      });
    }
  }
  return pairs;
}

function inventoryCalls(fleet: Fleet): number {
  return fleet.tiktok.counters
    .rows()
    .filter((r) => r.api.includes('inventory/update'))
    .reduce((n, r) => n + r.ok, 0);
}

function summaryOf(stdout: string): Record<string, number> {
  const line = stdout.split('\n').find((l) => l.startsWith('summary:')) ?? '';
  return Object.fromEntries(
    [...line.matchAll(/(\d+) (seen|changed|pushed|skipped|failed)/g)].map((m) => [m[2] as string, Number(m[1])]),
  );
}

describe('the fleet, end to end (real Redis, stand-ins over HTTP, apps as processes)', () => {
  let fleet: Fleet;

  beforeAll(async () => {
    fleet = await startFleet({ productsPerStore: 40 });
    fleet.startApp('scheduler');
    fleet.startApp('inventory-worker');
    fleet.startApp('order-worker');
  }, SLOW);

  afterAll(async () => {
    await fleet?.close();
  }, SLOW);

  it(
    'a full inventory sync makes TikTok stock equal Shopify stock for every linked SKU of both stores',
    async () => {
      const run = await fleet.cli(['enqueue', 'inventory', '--wait']);
      expect({ code: run.code, out: run.stdout.slice(-3000), err: run.stderr.slice(-3000) }).toMatchObject({ code: 0 });
      for (const store of fleet.stores) {
        const pairs = stockPairs(fleet, store);
        expect(pairs.length).toBeGreaterThan(50);
        expect(pairs.filter((p) => p.tiktok !== p.shopify)).toEqual([]);
      }
      // The scheduler's first cycle may have pushed before this run: either way every SKU was seen.
      expect(summaryOf(run.stdout).seen).toBeGreaterThan(100);
    },
    SLOW,
  );

  it(
    'a second run sends nothing',
    async () => {
      const before = inventoryCalls(fleet);
      const run = await fleet.cli(['enqueue', 'inventory', '--wait']);
      expect(run.code).toBe(0);
      expect(summaryOf(run.stdout)).toMatchObject({ changed: 0, pushed: 0 });
      expect(inventoryCalls(fleet)).toBe(before);
    },
    SLOW,
  );

  it(
    'a stock change in Shopify is pushed on the next cycle, with one call for its product',
    async () => {
      const store = fleet.stores[0] as FleetStore;
      const [pair] = stockPairs(fleet, store);
      const variant = store.shopify.state.products.flatMap((p) => p.variants).find((v) => v.sku === pair?.sku);
      const location = store.shopify.state.locations[0]?.id as number;
      store.shopify.setStock(variant?.inventoryItemId as number, location, 250);
      const before = inventoryCalls(fleet);
      const run = await fleet.cli(['enqueue', 'inventory', '--store', store.id, '--wait']);
      expect(run.code).toBe(0);
      expect(summaryOf(run.stdout)).toMatchObject({ changed: 1, pushed: 1 });
      expect(inventoryCalls(fleet)).toBe(before + 1);
      expect(stockPairs(fleet, store).find((p) => p.sku === pair?.sku)).toMatchObject({
        tiktok: shopifyAvailable(store, variant?.inventoryItemId as number),
      });
    },
    SLOW,
  );

  it(
    'status explains where a SKU stands, and sync --mode runs the same handlers inline',
    async () => {
      const store = fleet.stores[1] as FleetStore;
      const [pair] = stockPairs(fleet, store);
      const variant = store.shopify.state.products.flatMap((p) => p.variants).find((v) => v.sku === pair?.sku);
      store.shopify.setStock(variant?.inventoryItemId as number, store.shopify.state.locations[1]?.id as number, 31);
      const expected = shopifyAvailable(store, variant?.inventoryItemId as number);

      const status = await fleet.cli(['status', '--store', store.id, '--sku', pair?.sku as string]);
      expect(status.code).toBe(0);
      expect(status.stdout).toContain(`${expected} available over 2 location(s)`);
      expect(status.stdout).toContain(`TikTok should show ${expected}`);
      expect(status.stdout).toMatch(/last sent \{"\d+":\d+\} at \d{4}-/);

      const inline = await fleet.cli(['sync', '--mode=inventory', '--store', store.id]);
      expect(inline.code).toBe(0);
      expect(summaryOf(inline.stdout)).toMatchObject({ pushed: 1 });
      expect(stockPairs(fleet, store).find((p) => p.sku === pair?.sku)?.tiktok).toBe(expected);
    },
    SLOW,
  );

  it(
    '--dry changes nothing and reports the would-be payloads',
    async () => {
      const store = fleet.stores[1] as FleetStore;
      const [pair] = stockPairs(fleet, store);
      const variant = store.shopify.state.products.flatMap((p) => p.variants).find((v) => v.sku === pair?.sku);
      store.shopify.setStock(variant?.inventoryItemId as number, store.shopify.state.locations[0]?.id as number, 7);
      const before = inventoryCalls(fleet);
      const run = await fleet.cli(['enqueue', 'inventory', '--store', store.id, '--dry', '--wait']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(
        /would send POST \/product\/202309\/products\/\{product_id\}\/inventory\/update \d+: \{"skus":\[/,
      );
      expect(inventoryCalls(fleet)).toBe(before);
      expect(stockPairs(fleet, store).find((p) => p.sku === pair?.sku)?.tiktok).toBe(pair?.tiktok);
    },
    SLOW,
  );

  it(
    'a TikTok order becomes exactly one Shopify order, even when its import runs twice, and its tracking reaches TikTok',
    async () => {
      const store = fleet.stores[0] as FleetStore;
      const orders = fleet.tiktok.admin.generateOrders(store.tiktokShopId, { count: 3, status: 'AWAITING_SHIPMENT' });
      const first = await fleet.cli(['enqueue', 'orders', '--store', store.id, '--wait']);
      expect(first.code).toBe(0);
      const importedOnce = () =>
        orders.every((o) => store.shopify.state.orders.filter((s) => s.sourceIdentifier?.includes(o.id)).length === 1);
      await waitUntil(importedOnce, { timeoutMs: 30_000, what: 'every TikTok order imported' });

      // The poll again (same job ids: nothing queued twice) ...
      const again = await fleet.cli(['enqueue', 'orders', '--store', store.id, '--wait']);
      expect(again.code).toBe(0);
      // ... and the import of one order run a second time under a new job id, after shoptok lost
      // its record of it (a worker that died between orderCreate and writing its state).
      const replayed = (orders[1] as { id: string }).id;
      await fleet.redis.client.hdel(stateKeys(fleet.redis.prefix, store.id).order, replayed);
      const connection = createRedisConnection({ url: fleet.redis.url, role: 'producer' });
      const queues = new QueueFactory({ connection, prefix: fleet.redis.prefix, retry: { maxRetries: 0, backoffSeconds: 1 } });
      try {
        await waitForRedis(connection);
        const job = await queues.add(
          'orders',
          'order-import',
          { store: store.id, tiktokOrderId: replayed, trigger: 'replay' },
          { id: { run: 'replay-test' } },
        );
        await waitUntil(() => job.isCompleted(), { timeoutMs: 30_000, what: 'the replayed import to finish' });
      } finally {
        await queues.close();
        connection.disconnect();
      }
      expect(importedOnce()).toBe(true);
      expect(store.shopify.state.orders.filter((s) => orders.some((o) => s.sourceIdentifier?.includes(o.id)))).toHaveLength(3);

      // The merchant ships the first order in Shopify; the next cycle sends its tracking to TikTok.
      const shopifyOrder = store.shopify.state.orders.find((s) => s.sourceIdentifier?.includes((orders[0] as { id: string }).id));
      store.shopify.fulfilOrder(shopifyOrder?.id as number, { number: 'RM123456789GB', company: 'Royal Mail' });
      await fleet.cli(['enqueue', 'orders', '--store', store.id, '--wait']);
      await waitUntil(
        () =>
          fleet.tiktok.admin
            .shop(store.tiktokShopId)
            .orders.get((orders[0] as { id: string }).id)
            ?.line_items.every((l: { tracking_number?: string }) => l.tracking_number === 'RM123456789GB'),
        { timeoutMs: 30_000, what: 'tracking on TikTok' },
      );
    },
    SLOW,
  );

  it(
    'a cancellation on TikTok reaches Shopify',
    async () => {
      const store = fleet.stores[0] as FleetStore;
      const [order] = fleet.tiktok.admin.generateOrders(store.tiktokShopId, { count: 1, status: 'AWAITING_SHIPMENT' });
      await fleet.cli(['enqueue', 'orders', '--store', store.id, '--wait']);
      await waitUntil(() => store.shopify.state.orders.some((s) => s.sourceIdentifier?.includes(order?.id as string)), {
        timeoutMs: 30_000,
        what: 'order imported',
      });
      fleet.tiktok.admin.cancelOrder(store.tiktokShopId, order?.id as string);
      await fleet.cli(['enqueue', 'orders', '--store', store.id, '--wait']);
      await waitUntil(
        () => store.shopify.state.orders.find((s) => s.sourceIdentifier?.includes(order?.id as string))?.cancelledAt,
        { timeoutMs: 30_000, what: 'Shopify order cancelled' },
      );
    },
    SLOW,
  );

  it(
    'reconcile rebuilds the state after it is wiped, without a duplicate anywhere',
    async () => {
      const ordersBefore = fleet.stores.map((s) => s.shopify.state.orders.length);
      const callsBefore = inventoryCalls(fleet);
      // Redis loses shoptok's sync state (not the queues, which the workers hold open).
      await deleteByPattern(fleet.redis.client, `${fleet.redis.prefix}:{*}:state:*`);
      const reconcile = await fleet.cli(['enqueue', 'reconcile', '--wait']);
      expect(reconcile.code).toBe(0);
      // Stock: only what really differs is sent (the --dry change above, and SKUs that orders
      // took from Shopify since the last sync), not the whole catalogue again.
      const drifting = fleet.stores.flatMap((store) => stockPairs(fleet, store).filter((p) => p.tiktok !== p.shopify));
      expect(drifting.length).toBeLessThan(20);
      const inventory = await fleet.cli(['enqueue', 'inventory', '--wait']);
      expect(inventory.code).toBe(0);
      expect(summaryOf(inventory.stdout).pushed).toBe(drifting.length);
      expect(inventoryCalls(fleet) - callsBefore).toBeLessThanOrEqual(drifting.length);
      for (const store of fleet.stores) expect(stockPairs(fleet, store).filter((p) => p.tiktok !== p.shopify)).toEqual([]);
      // Orders: polling again creates none of them a second time.
      const orders = await fleet.cli(['enqueue', 'orders', '--wait']);
      expect(orders.code).toBe(0);
      expect(fleet.stores.map((s) => s.shopify.state.orders.length)).toEqual(ordersBefore);
    },
    SLOW,
  );
});
