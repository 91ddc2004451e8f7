// Fault suite (issue 7, issue 10): kill -9 an order-worker in the middle of an order import,
// at three precise points, start a fresh one, and show each TikTok order exists exactly once in
// Shopify, its state is recorded and its tracking later reaches TikTok. The Shopify stand-in
// holds one request (the `hold` fault) so the kill lands exactly where we want it:
//   before:  the claim is taken, the lookup by source identifier is in flight, no orderCreate yet;
//   during:  orderCreate is in flight; Shopify runs it only after the worker died;
//   after:   orderCreate ran (the order exists), the answer never reached shoptok.
import { stateKeys } from '@shoptok/keys';
import type { ShopifyFault } from '@shoptok/testkit/shopify';
import type { AppProcess } from '@shoptok/testkit';
import { waitUntil } from '@shoptok/testkit';
import { startFleet, type Fleet, type FleetStore } from './fleet.test-helpers.js';
import {
  enqueueForEveryStore,
  openAndFailedJobs,
  scaled,
  stockMismatches,
  stockPairs,
  waitForIdleQueues,
} from './fault.test-helpers.js';

const SLOW = 120_000;
const ORDERS_PER_STORE = scaled(3, 12);
// A dead worker's job moves on within ~3 s; an unsure order-create claim lapses after 16 s, and
// Shopify calls time out after 60 % of it (~10 s): time enough to hold every request and kill
// the worker before it gives up on them, even on a busy CI machine.
const FAST_RECOVERY = { JOB_LOCK_SECONDS: '3', JOB_MAX_STALLED: '5', SHOPIFY_ORDER_CLAIM_TTL: '16' };

/** How many Shopify orders carry each source identifier (`tiktok-<TikTok order id>`). */
function shopifyOrdersByIdentifier(store: FleetStore): Map<string, number> {
  const counts = new Map<string, number>();
  for (const o of store.shopify.state.orders)
    if (o.sourceIdentifier) counts.set(o.sourceIdentifier, (counts.get(o.sourceIdentifier) ?? 0) + 1);
  return counts;
}

const HOLDS = {
  before: { kind: 'hold', operation: 'OrdersSearch', phase: 'before-run' },
  during: { kind: 'hold', operation: 'OrderCreate', phase: 'before-run' },
  after: { kind: 'hold', operation: 'OrderCreate', phase: 'after-run' },
} satisfies Record<string, ShopifyFault>;
type KillPoint = keyof typeof HOLDS;

describe('fault suite: kill -9 an order-worker mid-import (apps as processes, stand-ins over HTTP)', () => {
  let fleet: Fleet;
  let orderWorker: AppProcess;
  const orders: Record<string, string[]> = {};

  beforeAll(async () => {
    fleet = await startFleet({ productsPerStore: scaled(12, 60) });
    for (const store of fleet.stores) orders[store.id] = [];
    fleet.startApp('inventory-worker', FAST_RECOVERY);
    orderWorker = fleet.startApp('order-worker', FAST_RECOVERY);
  }, SLOW);

  afterAll(async () => {
    await fleet?.close();
  }, SLOW);

  const recorded = async (store: FleetStore, tiktokOrderId: string) =>
    (await fleet.redis.client.hget(stateKeys(fleet.redis.prefix, store.id).order, tiktokOrderId)) !== null;

  /**
   * New TikTok orders in each store; the store's Shopify holds one request per kill point (two
   * imports run at once per store, so both are held together); once every store has them held,
   * kill -9 the order-worker, let Shopify finish what it holds (for a client that is gone),
   * start a fresh worker and wait until every order is imported and recorded.
   */
  async function killMidImport(points: Record<string, KillPoint[]>): Promise<void> {
    const stores = fleet.stores.filter((s) => points[s.id]);
    const fresh: Record<string, string[]> = {};
    const createsBefore = new Map(stores.map((s) => [s.id, s.shopify.counters.byOperation.OrderCreate ?? 0]));
    for (const store of stores) {
      for (const point of points[store.id] ?? []) store.shopify.injectFault(HOLDS[point]);
      fresh[store.id] = fleet.tiktok.admin
        .generateOrders(store.tiktokShopId, { count: ORDERS_PER_STORE, status: 'AWAITING_SHIPMENT' })
        .map((o) => o.id);
      orders[store.id]?.push(...(fresh[store.id] ?? []));
    }
    await enqueueForEveryStore(fleet, 'orders', 'order-poll', stores);
    await waitUntil(() => stores.some((s) => s.shopify.heldCount() > 0), {
      timeoutMs: 30_000,
      what: 'a first request held mid-import',
    });
    const firstHeldAt = Date.now();
    await waitUntil(() => stores.every((s) => s.shopify.heldCount() === points[s.id]?.length), {
      timeoutMs: 30_000,
      what: 'each store to have its requests held mid-import',
    });

    expect(await orderWorker.kill()).toBe(-1);
    // Killed before the worker gave up on any held call (Shopify timeout: 60 % of the claim).
    const heldForMs = Date.now() - firstHeldAt;
    expect(heldForMs).toBeLessThan(16_000 * 0.6);
    const inShopifyAtKill: Record<string, number> = {};
    for (const store of stores) {
      expect(store.shopify.releaseHeld()).toBe(points[store.id]?.length);
      const counts = shopifyOrdersByIdentifier(store);
      inShopifyAtKill[store.id] = (fresh[store.id] ?? []).filter((id) => counts.get(`tiktok-${id}`)).length;
    }
    console.log(
      `fault suite [order-worker kill ${JSON.stringify(points)}] killed ${heldForMs} ms after the first hold; orders in Shopify when the worker died: ${JSON.stringify(inShopifyAtKill)} of ${ORDERS_PER_STORE} per store`,
    );

    orderWorker = fleet.startApp('order-worker', FAST_RECOVERY);
    await waitUntil(
      async () => {
        for (const store of stores) for (const id of fresh[store.id] ?? []) if (!(await recorded(store, id))) return false;
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: 'every order imported and recorded by the fresh worker' },
    );
    for (const store of stores) {
      const counts = shopifyOrdersByIdentifier(store);
      expect((fresh[store.id] ?? []).map((id) => [id, counts.get(`tiktok-${id}`) ?? 0])).toEqual(
        (fresh[store.id] ?? []).map((id) => [id, 1]),
      );
      // One orderCreate per order: the one Shopify ran for a dead worker was never sent again.
      expect((store.shopify.counters.byOperation.OrderCreate ?? 0) - (createsBefore.get(store.id) as number)).toBe(
        ORDERS_PER_STORE,
      );
    }
  }

  it(
    'killed before orderCreate (claim taken, lookup in flight), during it (Shopify creates the order after the worker died) and after it (created, answer lost): one order each',
    async () => {
      const [a, b] = fleet.stores as [FleetStore, FleetStore];
      await killMidImport({ [a.id]: ['before', 'after'], [b.id]: ['during', 'after'] });
    },
    SLOW,
  );

  it(
    "every killed order's tracking reaches TikTok, stock is in step, and nothing failed or was dropped",
    async () => {
      let tracked = 0;
      for (const store of fleet.stores) {
        for (const order of store.shopify.state.orders) {
          store.shopify.fulfilOrder(order.id, { number: `RM${String(order.id).padStart(9, '0')}GB`, company: 'Royal Mail' });
          tracked++;
        }
      }
      await enqueueForEveryStore(fleet, 'fulfilment', 'fulfilment-poll');
      await waitUntil(
        () =>
          fleet.stores.every((store) =>
            (orders[store.id] ?? []).every((id) => {
              const shopifyOrder = store.shopify.state.orders.find((o) => o.sourceIdentifier === `tiktok-${id}`);
              const expected = `RM${String(shopifyOrder?.id).padStart(9, '0')}GB`;
              return fleet.tiktok.admin
                .shop(store.tiktokShopId)
                .orders.get(id)
                ?.line_items.every((l: { tracking_number?: string }) => l.tracking_number === expected);
            }),
          ),
        { timeoutMs: 60_000, intervalMs: 200, what: 'tracking of every order on TikTok' },
      );

      await enqueueForEveryStore(fleet, 'inventory', 'inventory-sync');
      await waitForIdleQueues(fleet);
      const copies = fleet.stores.flatMap((store) => {
        const counts = shopifyOrdersByIdentifier(store);
        return (orders[store.id] ?? []).map((id) => ({ store: store.id, id, inShopify: counts.get(`tiktok-${id}`) ?? 0 }));
      });
      const mismatches = stockMismatches(fleet);
      const jobs = await openAndFailedJobs(fleet);
      const linked = fleet.stores.reduce((n, s) => n + stockPairs(fleet, s).length, 0);
      console.log(
        `fault suite [order-worker kill -9] tiktokOrders=${copies.length} exactlyOnce=${copies.filter((c) => c.inShopify === 1).length} missing=${copies.filter((c) => c.inShopify === 0).length} duplicated=${copies.filter((c) => c.inShopify > 1).length} tracked=${tracked} linkedSkus=${linked} stockMismatches=${mismatches.length} failedJobs=${jobs.failed.length} unfinishedJobs=${jobs.unfinished.length}`,
      );
      expect(copies).toHaveLength(fleet.stores.length * ORDERS_PER_STORE);
      expect(copies.filter((c) => c.inShopify !== 1)).toEqual([]);
      expect(linked).toBeGreaterThan(20);
      expect({ mismatches, failed: jobs.failed, unfinished: jobs.unfinished }).toEqual({
        mismatches: [],
        failed: [],
        unfinished: [],
      });
    },
    SLOW,
  );
});
