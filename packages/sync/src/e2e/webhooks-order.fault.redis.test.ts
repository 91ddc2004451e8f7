// Fault suite (issue 10): webhooks arrive twice and out of order (apps/webhooks as a process,
// Shopify deliveries from the stand-in and hand-signed ones, TikTok events signed as TikTok
// signs them). A duplicate makes no second job; an older stock webhook arriving after a newer
// one never puts a stale number on TikTok (the job re-reads Shopify); order events out of order
// still make exactly one Shopify order.
import { createHmac, randomUUID } from 'node:crypto';
import { freePort, waitUntil } from '@shoptok/testkit';
import { shopifyAvailable, startFleet, type Fleet, type FleetStore } from './fleet.test-helpers.js';
import {
  invariants,
  runForEveryStore,
  scaled,
  shopifyOrdersByTikTokId,
  stockPairs,
  tiktokCalls,
  waitForIdleQueues,
  withQueues,
} from './fault.test-helpers.js';

const SLOW = 150_000;

/** How many jobs of a kind the store's queue holds (any state): a duplicate delivery must not add one. */
async function jobCount(fleet: Fleet, queue: 'inventory' | 'orders', store: string, name: string): Promise<number> {
  return withQueues(
    fleet,
    async (queues) =>
      (await queues.queue(queue, store).getJobs(['completed', 'failed', 'delayed', 'waiting', 'active', 'prioritized'])).filter(
        (j) => j.name === name,
      ).length,
  );
}

describe('fault suite: duplicate and out-of-order webhooks (apps/webhooks as a process)', () => {
  let fleet: Fleet;
  let a: FleetStore;
  let url: string;
  const orders: Record<string, string[]> = {};

  /** POSTs a Shopify webhook as built by the stand-in (signed with the store's secret). */
  async function postShopify(message: { headers: Record<string, string>; body: string }): Promise<number> {
    const res = await fetch(`${url}/webhooks/shopify`, { method: 'POST', headers: message.headers, body: message.body });
    await res.arrayBuffer();
    return res.status;
  }

  /** POSTs a TikTok event signed as TikTok signs it: HMAC-SHA256(app secret, app key + body), hex. */
  async function postTikTok(event: {
    type: number;
    notificationId: string;
    shopId: string;
    data: Record<string, unknown>;
  }): Promise<number> {
    const body = JSON.stringify({
      type: event.type,
      tts_notification_id: event.notificationId,
      shop_id: event.shopId,
      timestamp: Math.floor(Date.now() / 1000),
      data: event.data,
    });
    const signature = createHmac('sha256', fleet.env.TIKTOK_SECRET as string)
      .update(`${fleet.env.TIKTOK_APP_KEY}${body}`)
      .digest('hex');
    const res = await fetch(`${url}/webhooks/tiktok`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: signature },
      body,
    });
    await res.arrayBuffer();
    return res.status;
  }

  beforeAll(async () => {
    fleet = await startFleet({ productsPerStore: scaled(30, 200) });
    a = fleet.stores[0] as FleetStore;
    for (const store of fleet.stores) orders[store.id] = [];
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const webhooks = fleet.startApp('webhooks', { WEBHOOKS_PORT: String(port) });
    fleet.startApp('inventory-worker');
    fleet.startApp('order-worker');
    expect((await runForEveryStore(fleet, 'inventory', 'inventory-sync', { timeoutMs: 90_000 })).failed).toEqual([]);
    // Both stores sign with one app: TikTok events are taken once the app has looked up each store's shop.
    await waitUntil(
      async () =>
        (await postTikTok({
          type: 1,
          notificationId: randomUUID(),
          shopId: a.tiktokShopId,
          data: {
            order_id: '5700000000000000001',
            order_status: 'UNPAID',
            is_on_hold_order: false,
            update_time: Math.floor(Date.now() / 1000),
          },
        }).catch(() => 0)) === 200,
      {
        timeoutMs: 60_000,
        intervalMs: 250,
        what: `the webhook service to take TikTok events\n${webhooks.output().slice(-2000)}`,
      },
    );
    for (const store of fleet.stores) store.shopify.setWebhookTarget(`${url}/webhooks/shopify`);
  }, SLOW);

  afterAll(async () => {
    for (const store of fleet?.stores ?? []) store.shopify.setWebhookTarget(null);
    await fleet?.close();
  }, SLOW);

  it(
    'a duplicate stock webhook makes no second job; an older one arriving late never puts a stale number on TikTok',
    async () => {
      const pairs = stockPairs(fleet, a).slice(0, scaled(3, 20));
      const variants = a.shopify.state.products.flatMap((p) => p.variants);
      const location = a.shopify.state.locations[0]?.id as number;
      const late: { headers: Record<string, string>; body: string }[] = [];
      const firstDelivery = a.shopify.deliveries.length;
      for (const [i, pair] of pairs.entries()) {
        const item = variants.find((v) => v.sku === pair.sku)?.inventoryItemId as number;
        // The older change, whose delivery will come late (Shopify retries a failed delivery later).
        late.push(
          a.shopify.buildWebhook(
            'inventory_levels/update',
            {
              inventory_item_id: item,
              location_id: location,
              available: 90 + i,
              updated_at: new Date(Date.now() - 60_000).toISOString(),
            },
            { triggeredAt: new Date(Date.now() - 60_000) },
          ),
        );
        a.shopify.setStock(item, location, 5 + i); // the newer change, delivered now by the stand-in
      }
      const fresh = a.shopify.deliveries.slice(firstDelivery).filter((d) => d.topic === 'inventory_levels/update');
      expect(fresh).toHaveLength(pairs.length);
      const expected = () =>
        pairs.map((p) => ({
          sku: p.sku,
          tiktok: shopifyAvailable(a, variants.find((v) => v.sku === p.sku)?.inventoryItemId as number),
        }));
      await waitUntil(
        () => {
          const now = stockPairs(fleet, a);
          return expected().every((e) => now.find((p) => p.sku === e.sku)?.tiktok === e.tiktok);
        },
        { timeoutMs: 30_000, what: 'the newer stock on TikTok via the webhook' },
      );
      await waitForIdleQueues(fleet);

      // Each delivery again with its webhook id (as Shopify retries one it thinks failed): de-duplicated, no job.
      expect(fresh.every((d) => d.delivered)).toBe(true);
      const itemJobs = await jobCount(fleet, 'inventory', a.id, 'inventory-item');
      for (const [i, pair] of pairs.entries()) {
        const item = variants.find((v) => v.sku === pair.sku)?.inventoryItemId as number;
        expect(
          await postShopify(
            a.shopify.buildWebhook(
              'inventory_levels/update',
              { inventory_item_id: item, location_id: location, available: 5 + i },
              { webhookId: fresh[i]?.webhookId },
            ),
          ),
        ).toBe(200);
      }
      expect(await jobCount(fleet, 'inventory', a.id, 'inventory-item')).toBe(itemJobs);

      // The older changes arrive now: their jobs run, read Shopify as it is, and send nothing.
      const callsBefore = tiktokCalls(fleet, 'inventory/update');
      for (const message of late) expect(await postShopify(message)).toBe(200);
      await waitUntil(async () => (await jobCount(fleet, 'inventory', a.id, 'inventory-item')) >= itemJobs + 1, {
        what: 'the late deliveries to make their jobs',
      });
      await waitForIdleQueues(fleet);
      expect(tiktokCalls(fleet, 'inventory/update')).toBe(callsBefore);
      const now = stockPairs(fleet, a);
      expect(expected().map((e) => ({ sku: e.sku, tiktok: now.find((p) => p.sku === e.sku)?.tiktok }))).toEqual(expected());
      const result = await invariants(fleet, 'duplicate and late stock webhooks', orders);
      expect({ mismatches: result.mismatches, failed: result.failed }).toEqual({ mismatches: [], failed: [] });
    },
    SLOW,
  );

  it(
    'order events twice and out of order (a late UNPAID after AWAITING_SHIPMENT), with a poll at the same time: one Shopify order each',
    async () => {
      const generated = fleet.tiktok.admin.generateOrders(a.tiktokShopId, { count: scaled(3, 20), status: 'AWAITING_SHIPMENT' });
      orders[a.id]?.push(...generated.map((o) => o.id));
      const updateTime = Math.floor(Date.now() / 1000);
      for (const order of generated) {
        const paid = {
          type: 1,
          notificationId: `${order.id}1`,
          shopId: a.tiktokShopId,
          data: { order_id: order.id, order_status: 'AWAITING_SHIPMENT', is_on_hold_order: false, update_time: updateTime },
        };
        expect(await postTikTok(paid)).toBe(200);
        expect(await postTikTok(paid)).toBe(200); // the same notification again: replayed, no job
        // TikTok sends the status again under a new notification id, and the older UNPAID event arrives last.
        expect(await postTikTok({ ...paid, notificationId: `${order.id}2` })).toBe(200);
        expect(
          await postTikTok({
            ...paid,
            notificationId: `${order.id}0`,
            data: { ...paid.data, order_status: 'UNPAID', update_time: updateTime - 120 },
          }),
        ).toBe(200);
      }
      const poll = runForEveryStore(fleet, 'orders', 'order-poll', { stores: [a] });
      expect((await poll).failed).toEqual([]);
      await waitUntil(() => generated.every((o) => shopifyOrdersByTikTokId(a).get(o.id) === 1), {
        timeoutMs: 30_000,
        what: 'every order in Shopify',
      });
      await waitForIdleQueues(fleet);
      // One import job per order, whatever reached us: the job id is the order's domain key.
      expect(await jobCount(fleet, 'orders', a.id, 'order-import')).toBeGreaterThanOrEqual(generated.length);
      const importIds = await withQueues(fleet, async (queues) =>
        (await queues.queue('orders', a.id).getJobs(['completed', 'failed']))
          .filter((j) => j.name === 'order-import')
          .map((j) => j.id),
      );
      for (const order of generated)
        expect(importIds.filter((id) => id?.includes(order.id))).toEqual([`${a.id}-order-${order.id}`]);

      expect((await runForEveryStore(fleet, 'inventory', 'inventory-sync')).failed).toEqual([]); // the orders took stock in Shopify
      const result = await invariants(fleet, 'duplicate and out-of-order order webhooks', orders);
      expect({
        missing: result.missing,
        duplicated: result.duplicated,
        failed: result.failed,
        mismatches: result.mismatches,
      }).toEqual({ missing: [], duplicated: [], failed: [], mismatches: [] });
    },
    SLOW,
  );
});
