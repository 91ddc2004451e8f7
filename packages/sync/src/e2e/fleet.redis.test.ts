// Issue 7 end to end: Redis, the stand-ins, the scheduler and the workers as separate
// processes, driven the way an operator would (the CLI), over two stores.
import { deleteByPattern, waitUntil } from '@shoptok/testkit';
import { shopifyAvailable, startFleet, type Fleet, type FleetStore } from './fleet.test-helpers.js';

jest.setTimeout(120_000);

/** Every TikTok SKU of the store whose seller SKU names exactly one Shopify variant, with both quantities. */
function stockPairs(fleet: Fleet, store: FleetStore): { sku: string; tiktok: number; shopify: number }[] {
  const bySku = new Map<string, number[]>();
  for (const p of store.shopify.state.products) for (const v of p.variants) if (v.sku) bySku.set(v.sku, [...(bySku.get(v.sku) ?? []), v.inventoryItemId]);
  const shop = fleet.tiktok.admin.shop(store.tiktokShopId);
  const pairs: { sku: string; tiktok: number; shopify: number }[] = [];
  for (const product of shop.products.values()) {
    for (const sku of product.skus) {
      const items = bySku.get(sku.seller_sku) ?? [];
      if (items.length !== 1) continue;
      const shopifyProduct = store.shopify.state.products.find((p) => p.variants.some((v) => v.sku === sku.seller_sku));
      const tracked = shopifyProduct?.variants.find((v) => v.sku === sku.seller_sku)?.tracked;
      if (!tracked) continue;
      pairs.push({ sku: sku.seller_sku, tiktok: sku.inventory.find((i) => i.warehouse_id === store.warehouseId)?.quantity ?? -1, shopify: shopifyAvailable(store, items[0] as number) });
    }
  }
  return pairs;
}

function inventoryCalls(fleet: Fleet): number {
  return fleet.tiktok.counters.rows().filter((r) => r.api.includes('inventory/update')).reduce((n, r) => n + r.ok, 0);
}

function summaryOf(stdout: string): Record<string, number> {
  const line = stdout.split('\n').find((l) => l.startsWith('summary:')) ?? '';
  return Object.fromEntries([...line.matchAll(/(\d+) (seen|changed|pushed|skipped|failed)/g)].map((m) => [m[2] as string, Number(m[1])]));
}

describe('the fleet, end to end (real Redis, stand-ins over HTTP, apps as processes)', () => {
  let fleet: Fleet;

  beforeAll(async () => {
    fleet = await startFleet({ productsPerStore: 40 });
    fleet.startApp('scheduler');
    fleet.startApp('inventory-worker');
    fleet.startApp('order-worker');
  });

  afterAll(async () => {
    await fleet?.close();
  });

  it('a full inventory sync makes TikTok stock equal Shopify stock for every linked SKU of both stores', async () => {
    const run = await fleet.cli(['enqueue', 'inventory', '--wait']);
    expect(run.stderr).not.toMatch(/FAILED/);
    expect(run.code).toBe(0);
    for (const store of fleet.stores) {
      const pairs = stockPairs(fleet, store);
      expect(pairs.length).toBeGreaterThan(50);
      expect(pairs.filter((p) => p.tiktok !== p.shopify)).toEqual([]);
    }
    expect(summaryOf(run.stdout).pushed).toBeGreaterThan(100);
  });

  it('a second run sends nothing', async () => {
    const before = inventoryCalls(fleet);
    const run = await fleet.cli(['enqueue', 'inventory', '--wait']);
    expect(run.code).toBe(0);
    expect(summaryOf(run.stdout)).toMatchObject({ changed: 0, pushed: 0 });
    expect(inventoryCalls(fleet)).toBe(before);
  });

  it('a stock change in Shopify is pushed on the next cycle, with one call for its product', async () => {
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
    expect(stockPairs(fleet, store).find((p) => p.sku === pair?.sku)).toMatchObject({ tiktok: shopifyAvailable(store, variant?.inventoryItemId as number) });
  });

  it('--dry changes nothing and reports the would-be payloads', async () => {
    const store = fleet.stores[1] as FleetStore;
    const [pair] = stockPairs(fleet, store);
    const variant = store.shopify.state.products.flatMap((p) => p.variants).find((v) => v.sku === pair?.sku);
    store.shopify.setStock(variant?.inventoryItemId as number, store.shopify.state.locations[0]?.id as number, 7);
    const before = inventoryCalls(fleet);
    const run = await fleet.cli(['enqueue', 'inventory', '--store', store.id, '--dry', '--wait']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/would send POST \/product\/202309\/products\/\{product_id\}\/inventory\/update \d+: \{"skus":\[/);
    expect(inventoryCalls(fleet)).toBe(before);
    expect(stockPairs(fleet, store).find((p) => p.sku === pair?.sku)?.tiktok).toBe(pair?.tiktok);
  });

  it('a TikTok order becomes exactly one Shopify order, even when its import runs twice, and its tracking reaches TikTok', async () => {
    const store = fleet.stores[0] as FleetStore;
    const orders = fleet.tiktok.admin.generateOrders(store.tiktokShopId, { count: 3, status: 'AWAITING_SHIPMENT' });
    const first = await fleet.cli(['enqueue', 'orders', '--store', store.id, '--wait']);
    expect(first.code).toBe(0);
    const importedOnce = () => orders.every((o) => store.shopify.state.orders.filter((s) => s.sourceIdentifier?.includes(o.id)).length === 1);
    await waitUntil(importedOnce, { timeoutMs: 30_000, what: 'every TikTok order imported' });

    // The poll again, and a replay of one import under a new job id: still one order each.
    await fleet.cli(['enqueue', 'orders', '--store', store.id, '--wait']);
    const replay = await fleet.cli(['enqueue', 'orders', '--store', store.id, '--wait']);
    expect(replay.code).toBe(0);
    expect(importedOnce()).toBe(true);
    expect(store.shopify.state.orders.filter((s) => orders.some((o) => s.sourceIdentifier?.includes(o.id)))).toHaveLength(3);

    // The merchant ships the first order in Shopify; the next cycle sends its tracking to TikTok.
    const shopifyOrder = store.shopify.state.orders.find((s) => s.sourceIdentifier?.includes((orders[0] as { id: string }).id));
    store.shopify.fulfilOrder(shopifyOrder?.id as number, { number: 'RM123456789GB', company: 'Royal Mail' });
    await fleet.cli(['enqueue', 'orders', '--store', store.id, '--wait']);
    await waitUntil(
      () => fleet.tiktok.admin.shop(store.tiktokShopId).orders.get((orders[0] as { id: string }).id)?.line_items.every((l: { tracking_number?: string }) => l.tracking_number === 'RM123456789GB'),
      { timeoutMs: 30_000, what: 'tracking on TikTok' },
    );
  });

  it('a cancellation on TikTok reaches Shopify', async () => {
    const store = fleet.stores[0] as FleetStore;
    const [order] = fleet.tiktok.admin.generateOrders(store.tiktokShopId, { count: 1, status: 'AWAITING_SHIPMENT' });
    await fleet.cli(['enqueue', 'orders', '--store', store.id, '--wait']);
    await waitUntil(() => store.shopify.state.orders.some((s) => s.sourceIdentifier?.includes(order?.id as string)), { timeoutMs: 30_000, what: 'order imported' });
    fleet.tiktok.admin.cancelOrder(store.tiktokShopId, order?.id as string);
    await fleet.cli(['enqueue', 'orders', '--store', store.id, '--wait']);
    await waitUntil(() => store.shopify.state.orders.find((s) => s.sourceIdentifier?.includes(order?.id as string))?.cancelledAt, { timeoutMs: 30_000, what: 'Shopify order cancelled' });
  });

  it('reconcile rebuilds the state after it is wiped, without a duplicate anywhere', async () => {
    const ordersBefore = fleet.stores.map((s) => s.shopify.state.orders.length);
    const callsBefore = inventoryCalls(fleet);
    // Redis loses shoptok's sync state (not the queues, which the workers hold open).
    await deleteByPattern(fleet.redis.client, `${fleet.redis.prefix}:{*}:state:*`);
    const reconcile = await fleet.cli(['enqueue', 'reconcile', '--wait']);
    expect(reconcile.code).toBe(0);
    // Stock: TikTok already shows Shopify's numbers (but for the --dry change above), so at most that one is sent.
    const inventory = await fleet.cli(['enqueue', 'inventory', '--wait']);
    expect(inventory.code).toBe(0);
    expect(summaryOf(inventory.stdout).pushed).toBeLessThanOrEqual(1);
    expect(inventoryCalls(fleet) - callsBefore).toBeLessThanOrEqual(1);
    for (const store of fleet.stores) expect(stockPairs(fleet, store).filter((p) => p.tiktok !== p.shopify)).toEqual([]);
    // Orders: polling again creates none of them a second time.
    const orders = await fleet.cli(['enqueue', 'orders', '--wait']);
    expect(orders.code).toBe(0);
    expect(fleet.stores.map((s) => s.shopify.state.orders.length)).toEqual(ordersBefore);
  });
});
