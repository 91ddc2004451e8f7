// Fault suite (issue 10): Redis goes away in the middle of a sync and comes back, on a private
// redis-server (never the shared one). With AOF on, as docker-compose runs it, the workers
// reconnect by themselves and finish what was queued; without persistence (empty after the
// restart), `reconcile` rebuilds the state with no duplicate listing or order and the next sync
// sends only real drift.
import { startPrivateRedis, waitUntil, type PrivateRedis } from '@shoptok/testkit';
import { startFleet, type Fleet } from './fleet.test-helpers.js';
import type { JobSummary } from '@shoptok/queues';
import {
  enqueueForEveryStore,
  invariants,
  jobStates,
  runForEveryStore,
  scaled,
  withQueues,
  stockMismatches,
  tiktokCalls,
  waitForIdleQueues,
  type QueuedJob,
} from './fault.test-helpers.js';

const SLOW = 180_000;
const INVENTORY_UPDATE = 'POST /product/202309/products/{product_id}/inventory/update';

/** Changes Shopify stock of `count` linked SKUs per store (new work for the next sync). */
function changeStock(fleet: Fleet, count: number, seed: number): void {
  for (const store of fleet.stores) {
    const variants = store.shopify.state.products
      .filter((p) => p.status === 'ACTIVE')
      .flatMap((p) => p.variants.filter((v) => v.sku && v.tracked));
    for (let i = 0; i < count; i++) {
      const variant = variants[(i * 7 + seed) % variants.length];
      store.shopify.setStock(
        variant?.inventoryItemId as number,
        store.shopify.state.locations[0]?.id as number,
        10 + ((i + seed) % 40),
      );
    }
  }
}

describe('fault suite: Redis restarts (private redis-server, apps as processes)', () => {
  let redis: PrivateRedis;
  let fleet: Fleet;
  const orders: Record<string, string[]> = {};

  beforeAll(async () => {
    redis = await startPrivateRedis({ persistence: 'aof' });
    // TikTok is not documented to rotate refresh tokens: with a rotating one, a Redis that comes
    // back empty has lost the current refresh token and the shop must be authorized again
    // (packages/tiktok tokens.standin.test.ts covers that answer).
    fleet = await startFleet({ productsPerStore: scaled(40, 200), redisUrl: redis.url, rotateRefreshToken: false });
    for (const store of fleet.stores) orders[store.id] = [];
    fleet.startApp('inventory-worker');
    fleet.startApp('order-worker');
  }, SLOW);

  afterAll(async () => {
    try {
      await fleet?.close();
    } finally {
      await redis?.close();
    }
  }, SLOW);

  /** Queues a stock sync and an order poll of both stores, stops Redis once TikTok has seen a few updates, starts it again. */
  async function restartMidSync(signal: 'SIGTERM' | 'SIGKILL'): Promise<QueuedJob[]> {
    // Each stock update takes a while, so the stop lands in the middle of the run.
    fleet.tiktok.faults.inject({ kind: 'slow', api: INVENTORY_UPDATE, delayMs: 40, times: 100_000 });
    for (const store of fleet.stores)
      orders[store.id]?.push(
        ...fleet.tiktok.admin
          .generateOrders(store.tiktokShopId, { count: scaled(4, 25), status: 'AWAITING_SHIPMENT' })
          .map((o) => o.id),
      );
    const before = tiktokCalls(fleet, 'inventory/update');
    const jobs = [
      ...(await enqueueForEveryStore(fleet, 'inventory', 'inventory-sync')),
      ...(await enqueueForEveryStore(fleet, 'orders', 'order-poll')),
    ];
    await waitUntil(() => tiktokCalls(fleet, 'inventory/update') >= before + 3, {
      timeoutMs: 60_000,
      what: 'the stock sync to be under way',
    });
    await redis.stop(signal);
    const duringOutage = tiktokCalls(fleet, 'inventory/update');
    await redis.start();
    fleet.tiktok.faults.clear();
    // The workers were not restarted: they reconnect by themselves and carry on.
    await waitUntil(
      async () => Object.values(await jobStates(fleet, jobs)).every((s) => s === 'completed' || s.startsWith('failed')),
      { timeoutMs: 90_000, intervalMs: 250, what: 'the queued jobs to finish after the restart' },
    );
    expect(await jobStates(fleet, jobs)).toEqual(Object.fromEntries(jobs.map((j) => [j.id, 'completed'])));
    expect(tiktokCalls(fleet, 'inventory/update')).toBeGreaterThan(duringOutage);
    await waitForIdleQueues(fleet);
    return jobs;
  }

  /**
   * The stand-in does not take sold units off TikTok's stock as TikTok does, so the SKUs of the
   * orders imported after the stock sync read them differ until the next sync: it runs here, and
   * must send exactly those.
   */
  async function syncStockAfterOrders(): Promise<{ drift: number; summary: JobSummary }> {
    const drift = stockMismatches(fleet).length;
    const run = await runForEveryStore(fleet, 'inventory', 'inventory-sync');
    expect(run.failed).toEqual([]);
    return { drift, summary: run.summary };
  }

  it(
    'AOF on, SIGTERM mid-sync: the workers reconnect, the queued sync and order imports complete, nothing is lost',
    async () => {
      await restartMidSync('SIGTERM');
      const after = await syncStockAfterOrders();
      // The state survived the restart: its links are there and only the real drift is sent.
      expect(after.summary.notes.filter((n) => n.includes('no SKU links yet'))).toEqual([]);
      expect(after.summary).toMatchObject({ pushed: after.drift, failed: 0 });
      const result = await invariants(fleet, 'redis SIGTERM, AOF', orders);
      expect(result.mismatches).toEqual([]);
      expect({
        missing: result.missing,
        duplicated: result.duplicated,
        failed: result.failed,
        unfinished: result.unfinished,
      }).toEqual({ missing: [], duplicated: [], failed: [], unfinished: [] });
    },
    SLOW,
  );

  it(
    'AOF on, SIGKILL mid-sync (a crash): the same; at most the last second of writes is redone',
    async () => {
      changeStock(fleet, scaled(15, 80), 3);
      await restartMidSync('SIGKILL');
      const after = await syncStockAfterOrders();
      expect(after.summary.notes.filter((n) => n.includes('no SKU links yet'))).toEqual([]);
      // A "last pushed" record lost with that second makes one more (harmless) push, never one less.
      expect(after.summary.pushed).toBeGreaterThanOrEqual(after.drift);
      expect(after.summary.failed).toBe(0);
      const result = await invariants(fleet, 'redis SIGKILL, AOF', orders);
      expect(result.mismatches).toEqual([]);
      expect({
        missing: result.missing,
        duplicated: result.duplicated,
        failed: result.failed,
        unfinished: result.unfinished,
      }).toEqual({ missing: [], duplicated: [], failed: [], unfinished: [] });
    },
    SLOW,
  );

  it(
    'no persistence (empty after the restart): reconcile rebuilds the state; no duplicate order; the next sync sends only the real drift',
    async () => {
      const ordersBefore = fleet.stores.map((s) => s.shopify.state.orders.length);
      const productsBefore = fleet.stores.map((s) => fleet.tiktok.admin.shop(s.tiktokShopId).products.size);
      await redis.stop('SIGKILL');
      // While Redis is away the shop goes on: stock moves in Shopify, new orders come in on TikTok.
      changeStock(fleet, 5, 11);
      for (const store of fleet.stores)
        orders[store.id]?.push(
          ...fleet.tiktok.admin.generateOrders(store.tiktokShopId, { count: 2, status: 'AWAITING_SHIPMENT' }).map((o) => o.id),
        );
      await redis.start({ empty: true });

      const reconcile = await fleet.cli(['enqueue', 'reconcile', '--wait']);
      expect(`exit ${reconcile.code}\n${reconcile.stdout}${reconcile.stderr.slice(-2000)}`).toMatch(/^exit 0\n/);
      // The order cursor is gone too: the poll looks back days and sees every order again, and
      // imports only the two new ones per store.
      expect((await runForEveryStore(fleet, 'orders', 'order-poll')).failed).toEqual([]);
      await waitForIdleQueues(fleet);
      expect(fleet.stores.map((s, i) => s.shopify.state.orders.length - (ordersBefore[i] as number))).toEqual(
        fleet.stores.map(() => 2),
      );

      const callsBefore = tiktokCalls(fleet, 'inventory/update');
      const after = await syncStockAfterOrders();
      expect(after.drift).toBeGreaterThan(0);
      expect(after.summary).toMatchObject({ pushed: after.drift, failed: 0 });
      expect(tiktokCalls(fleet, 'inventory/update') - callsBefore).toBeLessThanOrEqual(after.drift);
      const result = await invariants(fleet, 'redis restart, no persistence', orders);
      expect(result.mismatches).toEqual([]);
      expect({
        missing: result.missing,
        duplicated: result.duplicated,
        failed: result.failed,
        unfinished: result.unfinished,
      }).toEqual({ missing: [], duplicated: [], failed: [], unfinished: [] });
      // No listing was made twice.
      expect(fleet.stores.map((s) => fleet.tiktok.admin.shop(s.tiktokShopId).products.size)).toEqual(productsBefore);
    },
    SLOW,
  );

  it(
    'no persistence: the running scheduler puts every schedule back by itself (the polling safety net does not silently stop)',
    async () => {
      const schedules = () =>
        withQueues(fleet, async (queues) =>
          (await Promise.all(fleet.stores.map((s) => queues.queue('inventory', s.id).getJobSchedulers())))
            .flat()
            .map((j) => j.key)
            .sort(),
        );
      const scheduler = fleet.startApp('scheduler');
      await waitUntil(() => scheduler.output().includes('scheduler running'), {
        timeoutMs: 60_000,
        what: `the scheduler to be running\n${scheduler.output().slice(-2000)}`,
      });
      const expected = await schedules();
      expect(expected).toHaveLength(fleet.stores.length);
      const outputBefore = scheduler.output().length;
      await redis.stop('SIGKILL');
      await redis.start({ empty: true }); // the schedules are gone with everything else
      await waitUntil(async () => (await schedules()).length === fleet.stores.length, {
        timeoutMs: 30_000,
        what: `the schedules back after the empty restart\n${scheduler.output().slice(-2000)}`,
      });
      // Put back by the running scheduler on reconnect, not by a restart of it.
      expect(scheduler.output().slice(outputBefore)).toContain('redis connection back: making sure every schedule is there');
      expect(await schedules()).toEqual(expected);
      expect(scheduler.child.exitCode).toBeNull();
      await waitForIdleQueues(fleet);
      const result = await invariants(fleet, 'redis restart, no persistence, scheduler', orders);
      expect({ missing: result.missing, duplicated: result.duplicated, failed: result.failed }).toEqual({
        missing: [],
        duplicated: [],
        failed: [],
      });
    },
    SLOW,
  );
});
