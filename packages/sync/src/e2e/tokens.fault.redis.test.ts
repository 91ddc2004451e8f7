// Fault suite (issue 10): the TikTok access token expires in the middle of a run (refreshed once
// for the whole fleet, the run completes), and the seller revokes the authorization (that store's
// jobs fail for good with a reason that names the fix; the other store goes on).
import { storeQueueName } from '@shoptok/keys';
import { waitUntil } from '@shoptok/testkit';
import { startFleet, type Fleet, type FleetStore } from './fleet.test-helpers.js';
import {
  enqueueForEveryStore,
  invariants,
  jobStates,
  runForEveryStore,
  scaled,
  stockMismatches,
  tiktokCalls,
  waitForIdleQueues,
  withQueues,
} from './fault.test-helpers.js';

const SLOW = 150_000;
const INVENTORY_UPDATE = 'POST /product/202309/products/{product_id}/inventory/update';

/** Sets new Shopify stock on `count` linked SKUs of the store (work for the next sync). */
function changeStock(store: FleetStore, count: number, seed: number): void {
  const variants = store.shopify.state.products
    .filter((p) => p.status === 'ACTIVE')
    .flatMap((p) => p.variants.filter((v) => v.sku && v.tracked));
  for (let i = 0; i < count; i++) {
    const variant = variants[(i * 3 + seed) % variants.length];
    store.shopify.setStock(
      variant?.inventoryItemId as number,
      store.shopify.state.locations[0]?.id as number,
      100 + ((i + seed) % 70),
    );
  }
}

describe('fault suite: TikTok tokens expire and authorizations are revoked mid-run', () => {
  let fleet: Fleet;
  let a: FleetStore;
  let b: FleetStore;
  const orders: Record<string, string[]> = {};

  beforeAll(async () => {
    fleet = await startFleet({ productsPerStore: scaled(30, 200) });
    [a, b] = fleet.stores as [FleetStore, FleetStore];
    for (const store of fleet.stores) orders[store.id] = [];
    fleet.startApp('inventory-worker');
    fleet.startApp('order-worker');
    expect((await runForEveryStore(fleet, 'inventory', 'inventory-sync', { timeoutMs: 90_000 })).failed).toEqual([]);
  }, SLOW);

  afterAll(async () => {
    await fleet?.close();
  }, SLOW);

  afterEach(() => fleet.tiktok.faults.clear());

  it(
    'the access token expires mid-run: one refresh for the whole fleet (two worker processes), and the run completes',
    async () => {
      changeStock(a, scaled(40, 300), 1);
      for (const store of fleet.stores)
        orders[store.id]?.push(
          ...fleet.tiktok.admin
            .generateOrders(store.tiktokShopId, { count: scaled(3, 20), status: 'AWAITING_SHIPMENT' })
            .map((o) => o.id),
        );
      fleet.tiktok.faults.inject({ kind: 'slow', shop: a.tiktokShopId, api: INVENTORY_UPDATE, delayMs: 30, times: 100_000 });
      const refreshesBefore = fleet.tiktok.admin.refreshCount(a.tiktokShopId);
      const callsBefore = tiktokCalls(fleet, 'inventory/update');
      const stock = await enqueueForEveryStore(fleet, 'inventory', 'inventory-sync', [a]);
      await waitUntil(() => tiktokCalls(fleet, 'inventory/update') >= callsBefore + 3, {
        timeoutMs: 60_000,
        what: 'the stock sync to be under way',
      });
      fleet.tiktok.admin.expireAccessTokens(a.tiktokShopId);
      // The order worker (another process) calls TikTok for the same shop at the same time.
      const poll = await enqueueForEveryStore(fleet, 'orders', 'order-poll');
      await waitUntil(
        async () =>
          Object.values(await jobStates(fleet, [...stock, ...poll])).every((s) => s === 'completed' || s.startsWith('failed')),
        { timeoutMs: 90_000, what: 'the runs to finish' },
      );
      expect(await jobStates(fleet, [...stock, ...poll])).toEqual(
        Object.fromEntries([...stock, ...poll].map((j) => [j.id, 'completed'])),
      );
      await waitForIdleQueues(fleet);
      // The stored token had days left: only TikTok refusing it (105002) can have caused this refresh.
      expect(fleet.tiktok.admin.refreshCount(a.tiktokShopId) - refreshesBefore).toBe(1);

      expect((await runForEveryStore(fleet, 'inventory', 'inventory-sync')).failed).toEqual([]); // the orders took stock in Shopify
      const result = await invariants(fleet, 'access token expired mid-run', orders);
      expect({
        missing: result.missing,
        duplicated: result.duplicated,
        failed: result.failed,
        mismatches: result.mismatches,
      }).toEqual({ missing: [], duplicated: [], failed: [], mismatches: [] });
    },
    SLOW,
  );

  it(
    'the seller revokes the authorization mid-run: that store fails for good with a reason naming the fix, the other store goes on',
    async () => {
      changeStock(a, scaled(40, 300), 7);
      changeStock(b, scaled(10, 60), 8);
      orders[b.id]?.push(
        ...fleet.tiktok.admin.generateOrders(b.tiktokShopId, { count: 2, status: 'AWAITING_SHIPMENT' }).map((o) => o.id),
      );
      fleet.tiktok.faults.inject({ kind: 'slow', shop: a.tiktokShopId, api: INVENTORY_UPDATE, delayMs: 30, times: 100_000 });
      const callsBefore = tiktokCalls(fleet, 'inventory/update');
      const stockA = await enqueueForEveryStore(fleet, 'inventory', 'inventory-sync', [a]);
      await waitUntil(() => tiktokCalls(fleet, 'inventory/update') >= callsBefore + 3, {
        timeoutMs: 60_000,
        what: 'the stock sync to be under way',
      });
      fleet.tiktok.admin.revokeAuthorization(a.tiktokShopId);
      const others = [
        ...(await enqueueForEveryStore(fleet, 'inventory', 'inventory-sync', [b])),
        ...(await enqueueForEveryStore(fleet, 'orders', 'order-poll')),
      ];
      const all = [...stockA, ...others];
      await waitUntil(
        async () => Object.values(await jobStates(fleet, all)).every((s) => s === 'completed' || s.startsWith('failed')),
        { timeoutMs: 90_000, what: 'the runs to finish' },
      );
      const states = await jobStates(fleet, all);
      for (const job of all) {
        if (job.store === a.id) expect(states[job.id]).toMatch(/^failed: .*re-authorize the shop/);
        else expect(states[job.id]).toBe('completed');
      }
      // Unrecoverable: no retry was spent on a revoked shop.
      const attempts = await withQueues(fleet, async (queues) =>
        Promise.all(
          all.filter((j) => j.store === a.id).map(async (j) => (await queues.queue(j.queue, j.store).getJob(j.id))?.attemptsMade),
        ),
      );
      expect(attempts).toEqual(all.filter((j) => j.store === a.id).map(() => 1));
      await waitForIdleQueues(fleet);
      expect((await runForEveryStore(fleet, 'inventory', 'inventory-sync', { stores: [b] })).failed).toEqual([]); // b's orders took stock in Shopify

      const result = await invariants(fleet, 'authorization revoked', orders, [b]);
      expect(result.mismatches).toEqual([]);
      expect({ missing: result.missing, duplicated: result.duplicated }).toEqual({ missing: [], duplicated: [] });
      expect(result.failed.map((f) => f.queue).sort()).toEqual([
        storeQueueName('inventory', a.id),
        storeQueueName('orders', a.id),
      ]);
      expect(result.counts.failedJobsWithoutReason).toBe(0);
      expect(stockMismatches(fleet, [a]).length).toBeGreaterThan(0); // a waits for the seller, visibly
    },
    SLOW,
  );
});
