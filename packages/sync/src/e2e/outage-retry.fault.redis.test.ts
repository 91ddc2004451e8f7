// Fault suite (issue 16 §3): Shopify answers 503 to everything for a while, then recovers. Work
// that must happen (an order import, a TikTok cancellation reaching Shopify, a tracking push)
// retries on its own (the catalog's `eventual` retry class, scaled down here through
// RETRY_BACKOFF / RETRY_MAX_DELAY / RETRY_OUTAGE_WINDOW) and lands after recovery exactly once,
// in the same job, with no replay. A failure no retry can fix still fails at once.
import { jobIds, type JobIdOccasion, type QueueKey } from '@shoptok/queues';
import { waitUntil } from '@shoptok/testkit';
import { startFleet, type Fleet, type FleetStore } from './fleet.test-helpers.js';
import { runForEveryStore, scaled, shopifyOrdersByTikTokId, withQueues } from './fault.test-helpers.js';

const SLOW = 180_000;
const MARK_SHIPPED = 'POST /fulfillment/202309/orders/{order_id}/packages';
/** Failed attempts each job goes through before Shopify recovers: the outage outlasts several retries. */
const OUTAGE_ATTEMPTS = scaled(3, 12);

interface JobState {
  state: string;
  attemptsMade: number;
  failedReason: string;
}

async function jobState(fleet: Fleet, queue: QueueKey, store: string, id: string): Promise<JobState> {
  return withQueues(fleet, async (queues) => {
    const job = await queues.queue(queue, store).getJob(id);
    if (!job) return { state: 'missing', attemptsMade: 0, failedReason: '' };
    return { state: await job.getState(), attemptsMade: job.attemptsMade, failedReason: job.failedReason ?? '' };
  });
}

describe('fault suite: Shopify answers 503 for a while (work that must happen lands after recovery)', () => {
  let fleet: Fleet;
  let a: FleetStore;

  beforeAll(async () => {
    fleet = await startFleet({ productsPerStore: scaled(12, 60) });
    a = fleet.stores[0] as FleetStore;
    // Scaled down: waits double from 0.2 s to 0.5 s; the window is far longer than the outage below.
    fleet.env.RETRY_BACKOFF = '0.2';
    fleet.env.RETRY_MAX_DELAY = '0.5';
    fleet.env.RETRY_OUTAGE_WINDOW = String(scaled(30, 120));
    fleet.startApp('order-worker');
  }, SLOW);

  afterAll(async () => {
    await fleet?.close();
  }, SLOW);

  afterEach(() => {
    fleet.tiktok.faults.clear();
    for (const store of fleet.stores) store.shopify.clearFaults();
  });

  /** Shopify answers 503 to every request until `recover` is called. */
  function shopifyDown(store: FleetStore): void {
    store.shopify.injectFault({ kind: 'http-error', status: 503 }, 1_000_000);
  }

  /** Waits until every job has failed `OUTAGE_ATTEMPTS` times and is waiting to retry: the outage outlasted them. */
  async function outageOutlasts(jobs: { queue: QueueKey; id: string }[]): Promise<void> {
    await waitUntil(
      async () => {
        for (const j of jobs) {
          const s = await jobState(fleet, j.queue, a.id, j.id);
          if (s.state === 'failed' || s.state === 'completed')
            throw new Error(`${j.id} ended during the outage: ${s.state} ${s.failedReason}`);
          if (s.attemptsMade < OUTAGE_ATTEMPTS) return false;
        }
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: `every job to fail ${OUTAGE_ATTEMPTS} times during the outage` },
    );
  }

  async function allComplete(jobs: { queue: QueueKey; id: string }[]): Promise<JobState[]> {
    let states: JobState[] = [];
    await waitUntil(
      async () => {
        states = await Promise.all(jobs.map((j) => jobState(fleet, j.queue, a.id, j.id)));
        return states.every((s) => s.state === 'completed' || s.state === 'failed');
      },
      { timeoutMs: 60_000, intervalMs: 100, what: 'every job to land after recovery' },
    );
    return states;
  }

  it(
    'order imports during a Shopify outage land after recovery, each order exactly once, in the same job',
    async () => {
      const placed = fleet.tiktok.admin
        .generateOrders(a.tiktokShopId, { count: scaled(2, 10), status: 'AWAITING_SHIPMENT' })
        .map((o) => o.id);
      shopifyDown(a);
      // The poll asks only TikTok: it queues one import per order while Shopify is down.
      expect((await runForEveryStore(fleet, 'orders', 'order-poll', { stores: [a] })).failed).toEqual([]);
      const jobs = placed.map((id) => ({ queue: 'orders' as const, id: jobIds.orderImport(a.id, id) }));
      await outageOutlasts(jobs);
      a.shopify.clearFaults();
      const states = await allComplete(jobs);
      expect(states.map((s) => s.state)).toEqual(placed.map(() => 'completed'));
      for (const s of states) expect(s.attemptsMade).toBeGreaterThan(OUTAGE_ATTEMPTS);
      const counts = shopifyOrdersByTikTokId(a);
      expect(placed.map((id) => counts.get(id) ?? 0)).toEqual(placed.map(() => 1));
    },
    SLOW,
  );

  it(
    'a TikTok cancellation during a Shopify outage cancels the Shopify order after recovery, once',
    async () => {
      const [order] = fleet.tiktok.admin.generateOrders(a.tiktokShopId, { count: 1, status: 'AWAITING_SHIPMENT' });
      const tiktokOrderId = order?.id as string;
      expect((await runForEveryStore(fleet, 'orders', 'order-poll', { stores: [a] })).failed).toEqual([]);
      await waitUntil(async () => (shopifyOrdersByTikTokId(a).get(tiktokOrderId) ?? 0) === 1, {
        timeoutMs: 30_000,
        what: 'the order to be imported',
      });
      fleet.tiktok.admin.cancelOrder(a.tiktokShopId, tiktokOrderId);
      shopifyDown(a);
      expect((await runForEveryStore(fleet, 'orders', 'order-poll', { stores: [a] })).failed).toEqual([]);
      const jobs = [{ queue: 'orders' as const, id: jobIds.orderCancel(a.id, tiktokOrderId, 'tiktok') }];
      await outageOutlasts(jobs);
      a.shopify.clearFaults();
      const [state] = await allComplete(jobs);
      expect(state?.state).toBe('completed');
      const shopifyOrder = a.shopify.state.orders.find((o) => o.sourceIdentifier === `tiktok-${tiktokOrderId}`);
      expect(shopifyOrder?.cancelledAt).toBeTruthy();
      // Exactly one cancel ran in Shopify (the ones during the outage were answered 503 unrun).
      expect(a.shopify.requestLog.filter((r) => r.operation === 'OrderCancel' && r.outcome === 'ok')).toHaveLength(1);
    },
    SLOW,
  );

  it(
    'a tracking push during a Shopify outage marks the order shipped on TikTok after recovery, once; an impossible one fails at once',
    async () => {
      const placed = fleet.tiktok.admin
        .generateOrders(a.tiktokShopId, { count: 2, status: 'AWAITING_SHIPMENT' })
        .map((o) => o.id);
      expect((await runForEveryStore(fleet, 'orders', 'order-poll', { stores: [a] })).failed).toEqual([]);
      await waitUntil(async () => placed.every((id) => (shopifyOrdersByTikTokId(a).get(id) ?? 0) === 1), {
        timeoutMs: 30_000,
        what: 'the orders to be imported',
      });
      const shopifyIdOf = (id: string) => a.shopify.state.orders.find((o) => o.sourceIdentifier === `tiktok-${id}`)?.id;
      const [shipped, impossible] = placed as [string, string];
      a.shopify.fulfilOrder(shopifyIdOf(shipped) as number, { number: 'RM123456785GB', company: 'Royal Mail' });
      // A carrier TikTok has no provider for: no retry can fix it.
      a.shopify.fulfilOrder(shopifyIdOf(impossible) as number, { number: 'ZZ1', company: 'Owl Post' });
      const shippedBefore = fleet.tiktok.counters.total({ shopId: a.tiktokShopId, api: MARK_SHIPPED }).ok;

      shopifyDown(a);
      // Queued as the orders/fulfilled webhook queues it (its burst window in the id).
      const push = (id: string, occasion: JobIdOccasion) =>
        withQueues(fleet, (queues) =>
          queues.add(
            'fulfilment',
            'tracking-push',
            { store: a.id, tiktokOrderId: id, shopifyOrderId: `gid://shopify/Order/${shopifyIdOf(id)}`, trigger: 'webhook' },
            { id: occasion },
          ),
        );
      const pushJob = await push(shipped, { window: 'w1' });
      const jobs = [{ queue: 'fulfilment' as const, id: pushJob.id as string }];
      await outageOutlasts(jobs);
      a.shopify.clearFaults();
      const [state] = await allComplete(jobs);
      expect(state?.state).toBe('completed');
      expect(fleet.tiktok.counters.total({ shopId: a.tiktokShopId, api: MARK_SHIPPED }).ok - shippedBefore).toBe(1);

      const impossibleJob = await push(impossible, { window: 'w2' });
      const [failed] = await allComplete([{ queue: 'fulfilment', id: impossibleJob.id as string }]);
      expect(failed).toMatchObject({ state: 'failed', attemptsMade: 1 });
      expect(failed?.failedReason).toMatch(/cannot be sent/);
      expect(fleet.tiktok.counters.total({ shopId: a.tiktokShopId, api: MARK_SHIPPED }).ok - shippedBefore).toBe(1);
    },
    SLOW,
  );
});
