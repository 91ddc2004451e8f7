// Fault suite (issue 10): TikTok and Shopify misbehave for a while (429, 5xx, 503, timeouts,
// garbage bodies), then recover. The sync converges, a 429 costs no attempt (BullMQ rate limit
// on that store's queue only), and a failure that outlasts the retries is a failed job with its
// reason, never a silent skip.
import { waitUntil } from '@shoptok/testkit';
import { startFleet, type Fleet, type FleetStore } from './fleet.test-helpers.js';
import {
  FAULT_SCALE,
  invariants,
  runForEveryStore,
  scaled,
  stockMismatches,
  waitForIdleQueues,
  withQueues,
} from './fault.test-helpers.js';

const SLOW = 150_000;
const INVENTORY_UPDATE = 'POST /product/202309/products/{product_id}/inventory/update';
const ORDER_DETAIL = 'GET /order/202309/orders';

/** Sets new Shopify stock on `count` linked SKUs of the store (work for the next sync). */
function changeStock(store: FleetStore, count: number, seed: number): void {
  const variants = store.shopify.state.products
    .filter((p) => p.status === 'ACTIVE')
    .flatMap((p) => p.variants.filter((v) => v.sku && v.tracked));
  for (let i = 0; i < count; i++) {
    const variant = variants[(i * 5 + seed) % variants.length];
    store.shopify.setStock(
      variant?.inventoryItemId as number,
      store.shopify.state.locations[0]?.id as number,
      60 + ((i * 3 + seed) % 50),
    );
  }
}

describe('fault suite: TikTok and Shopify answer 429 / 5xx / timeouts / garbage for a while', () => {
  let fleet: Fleet;
  let a: FleetStore;
  let b: FleetStore;
  const orders: Record<string, string[]> = {};

  beforeAll(async () => {
    fleet = await startFleet({ productsPerStore: scaled(30, 200) });
    [a, b] = fleet.stores as [FleetStore, FleetStore];
    for (const store of fleet.stores) orders[store.id] = [];
    // A short order claim makes the Shopify client's request timeout short (6 s) for the timeout case.
    fleet.env.SHOPIFY_ORDER_CLAIM_TTL = '10';
    fleet.startApp('inventory-worker');
    fleet.startApp('order-worker');
    // First full sync before any fault: links and "last pushed" exist, as in a running shop.
    expect((await runForEveryStore(fleet, 'inventory', 'inventory-sync', { timeoutMs: 90_000 })).failed).toEqual([]);
  }, SLOW);

  afterAll(async () => {
    await fleet?.close();
  }, SLOW);

  afterEach(() => {
    fleet.tiktok.faults.clear();
    for (const store of fleet.stores) store.shopify.clearFaults();
  });

  it(
    '429s: only that store pauses, no attempt is spent (more 429s than attempts), the sync converges',
    async () => {
      changeStock(a, 10, 1);
      changeStock(b, 10, 2);
      const before = fleet.tiktok.counters.total({ shopId: a.tiktokShopId, api: INVENTORY_UPDATE }).rateLimited;
      // MAX_RETRIES=1 gives two attempts: three 429s would fail the job if they cost attempts.
      const limited = scaled(3, 8);
      fleet.tiktok.faults.inject({ kind: 'rate-limit', shop: a.tiktokShopId, api: INVENTORY_UPDATE, times: limited });
      const run = await runForEveryStore(fleet, 'inventory', 'inventory-sync', { timeoutMs: 90_000 });
      expect(run.failed).toEqual([]);
      expect(fleet.tiktok.counters.total({ shopId: a.tiktokShopId, api: INVENTORY_UPDATE }).rateLimited - before).toBe(limited);
      expect(fleet.tiktok.counters.total({ shopId: b.tiktokShopId, api: INVENTORY_UPDATE }).rateLimited).toBe(0);
      const result = await invariants(fleet, 'tiktok 429', orders);
      expect(result.mismatches).toEqual([]);
      expect(result.failed).toEqual([]);
    },
    SLOW,
  );

  it(
    '5xx, 503, malformed JSON and a body without the envelope, then TikTok recovers: every store converges with no failed job',
    async () => {
      for (const [i, store] of fleet.stores.entries()) {
        changeStock(store, 12, 10 + i);
        // In the order a flaky gateway might answer: each kind once or twice, then the real API again.
        for (const fault of [
          { kind: 'server-error' as const, status: 500 },
          { kind: 'server-error' as const, status: 503 },
          { kind: 'malformed-json' as const },
          { kind: 'wrong-envelope' as const },
        ]) {
          fleet.tiktok.faults.inject({ ...fault, shop: store.tiktokShopId, api: INVENTORY_UPDATE, times: scaled(1, 3) });
        }
      }
      const run = await runForEveryStore(fleet, 'inventory', 'inventory-sync', { timeoutMs: 90_000 });
      expect(fleet.tiktok.faults.pending()).toEqual([]);
      expect(run.failed).toEqual([]);
      expect(run.summary.failures).toEqual([]);
      const result = await invariants(fleet, 'tiktok 5xx and garbage', orders);
      expect(result.mismatches).toEqual([]);
      expect(result.failed).toEqual([]);
    },
    SLOW,
  );

  it(
    'TikTok order reads and Shopify orderCreate fail for a while: every order is imported exactly once',
    async () => {
      for (const store of fleet.stores) {
        orders[store.id]?.push(
          ...fleet.tiktok.admin
            .generateOrders(store.tiktokShopId, { count: scaled(3, 20), status: 'AWAITING_SHIPMENT' })
            .map((o) => o.id),
        );
        fleet.tiktok.faults.inject({ kind: 'server-error', status: 502, shop: store.tiktokShopId, api: ORDER_DETAIL, times: 2 });
        fleet.tiktok.faults.inject({ kind: 'wrong-envelope', shop: store.tiktokShopId, api: ORDER_DETAIL, times: 1 });
        store.shopify.injectFault({ kind: 'http-error', status: 502 }, 2);
        store.shopify.injectFault({ kind: 'malformed-json' }, 1);
        store.shopify.injectFault({ kind: 'http-error', status: 503 }, 1);
      }
      expect((await runForEveryStore(fleet, 'orders', 'order-poll')).failed).toEqual([]);
      await waitForIdleQueues(fleet, 90_000);
      // Imported orders took stock in Shopify; TikTok (the stand-in) does not take it itself.
      expect((await runForEveryStore(fleet, 'inventory', 'inventory-sync')).failed).toEqual([]);
      const result = await invariants(fleet, 'order reads and orderCreate failing', orders);
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
    'a TikTok outage longer than the retries: the job fails with its reason (visible in BullMQ), the other store goes on, the next run converges',
    async () => {
      changeStock(a, 6, 20);
      changeStock(b, 6, 21);
      // 3 tries inside the client x 2 job attempts; more than that is an outage.
      fleet.tiktok.faults.inject({
        kind: 'server-error',
        status: 500,
        shop: a.tiktokShopId,
        api: INVENTORY_UPDATE,
        times: 1_000,
      });
      const run = await runForEveryStore(fleet, 'inventory', 'inventory-sync', { timeoutMs: 90_000 });
      expect(run.failed).toHaveLength(1);
      expect(run.failed[0]).toMatch(new RegExp(`^${a.id}-.*TikTok.*${INVENTORY_UPDATE.replace(/[{}/]/g, '.')}`));
      expect(stockMismatches(fleet, [b])).toEqual([]);
      expect(stockMismatches(fleet, [a]).length).toBeGreaterThan(0);
      const failedJob = await withQueues(fleet, async (queues) =>
        (await queues.queue('inventory', a.id).getJobs(['failed'])).map((j) => ({
          attemptsMade: j.attemptsMade,
          reason: j.failedReason,
        })),
      );
      expect(failedJob).toEqual([
        { attemptsMade: 2, reason: expect.stringMatching(/temporary failure on POST .*inventory\/update .*Internal error/) },
      ]);

      fleet.tiktok.faults.clear(); // TikTok is back
      expect((await runForEveryStore(fleet, 'inventory', 'inventory-sync', { stores: [a] })).failed).toEqual([]);
      const result = await invariants(fleet, 'tiktok outage past the retries', orders);
      expect(result.mismatches).toEqual([]);
      // The failed job stays for the operator, with its reason.
      expect(result.counts).toMatchObject({ failedJobs: 1, failedJobsWithoutReason: 0 });
    },
    SLOW,
  );

  (FAULT_SCALE === 'full' ? it : it.skip)(
    'timeouts (full size only: each costs the client its request timeout): TikTok and Shopify hang for a while, the sync converges',
    async () => {
      changeStock(a, 8, 30);
      orders[a.id]?.push(
        ...fleet.tiktok.admin.generateOrders(a.tiktokShopId, { count: 3, status: 'AWAITING_SHIPMENT' }).map((o) => o.id),
      );
      fleet.tiktok.faults.inject({ kind: 'timeout', shop: a.tiktokShopId, api: INVENTORY_UPDATE, times: 1 });
      a.shopify.injectFault({ kind: 'timeout' }, 1);
      expect((await runForEveryStore(fleet, 'orders', 'order-poll', { stores: [a], timeoutMs: 120_000 })).failed).toEqual([]);
      await waitForIdleQueues(fleet, 120_000);
      expect((await runForEveryStore(fleet, 'inventory', 'inventory-sync', { stores: [a], timeoutMs: 120_000 })).failed).toEqual(
        [],
      );
      await waitUntil(() => fleet.tiktok.faults.pending().length === 0, { what: 'the timeout fault to be used' });
      const result = await invariants(fleet, 'timeouts', orders);
      expect({ missing: result.missing, duplicated: result.duplicated, mismatches: result.mismatches }).toEqual({
        missing: [],
        duplicated: [],
        mismatches: [],
      });
    },
    300_000,
  );
});
