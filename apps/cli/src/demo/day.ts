import type { QueueFactory } from '@shoptok/queues';
import { parseQueueName } from '@shoptok/queues';
import type { Job } from 'bullmq';
import { enqueueKind } from '../commands/enqueue.js';
import {
  liveSkus,
  shopifyAvailable,
  shopifyOrdersOf,
  shopifyVariantsWithSku,
  stockMismatches,
  tiktokOrder,
  tiktokQuantity,
  type DemoPlatforms,
} from './observe.js';

/** How long one change may take to show on the other platform before the demo calls it missed. */
const EFFECT_TIMEOUT_MS = 20_000;

export interface DayContext extends DemoPlatforms {
  queues: QueueFactory;
  storeId: string;
  say: (line: string) => void;
  /** Aborted when the demo is stopped (Ctrl-C): every wait gives up at once. */
  signal: AbortSignal;
}

/** What the day showed, checked on the stand-ins. */
export interface DayReport {
  /** One line per expectation that did not hold (empty: all did). */
  missed: string[];
  /** The TikTok orders of the day, in the order they were placed. */
  tiktokOrderIds: string[];
  /** TikTok order id -> the tracking number the merchant entered in Shopify. */
  shipped: Map<string, string>;
  cancelledTikTokOrderId: string | undefined;
  /** The SKU restocked in Shopify, and the one that sold out there. */
  restockedSku: string | undefined;
  soldOutSku: string | undefined;
}

/**
 * Polls `check` until it holds; resolves with the seconds it took, or undefined after
 * `timeoutMs`. The demo's stand-ins live in this process, so polling them costs nothing.
 */
async function until(check: () => boolean, signal: AbortSignal, timeoutMs = EFFECT_TIMEOUT_MS): Promise<number | undefined> {
  const start = Date.now();
  for (;;) {
    signal.throwIfAborted();
    if (check()) return (Date.now() - start) / 1000;
    if (Date.now() - start > timeoutMs) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const secs = (s: number) => `${s.toFixed(1)} s`;

/** Waits for jobs to complete or fail, without a progress bar. */
async function settle(jobs: Job[], queues: QueueFactory, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (const job of jobs) {
    const where = parseQueueName(job.queueName);
    if (!where) continue;
    for (;;) {
      signal.throwIfAborted();
      const state = await queues.queue(where.queue, where.store).getJobState(job.id ?? '');
      if (state === 'completed' || state === 'failed' || state === 'unknown' || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * A day of the shop, every change made where the merchant or a buyer makes it (Shopify's admin,
 * TikTok's app), reaching the other side through webhooks, and each effect read back from the
 * other platform with the time it took.
 */
export async function simulateDay(ctx: DayContext): Promise<DayReport> {
  const { shopify, tiktok, shopId, say, signal } = ctx;
  const report: DayReport = {
    missed: [],
    tiktokOrderIds: [],
    shipped: new Map(),
    cancelledTikTokOrderId: undefined,
    restockedSku: undefined,
    soldOutSku: undefined,
  };
  const miss = (what: string) => {
    report.missed.push(what);
    say(`  NOT SEEN within ${EFFECT_TIMEOUT_MS / 1000} s: ${what}`);
  };
  const skus = liveSkus(ctx);
  const [restock, soldOut] = skus;
  const locations = shopify.state.locations.map((l) => l.id);

  // Stock: a delivery arrives, another SKU sells out in the shop.
  if (restock) {
    report.restockedSku = restock.sellerSku;
    const item = restock.variant.inventoryItemId;
    const here = shopify.state.stock.get(item)?.get(locations[0] ?? 0) ?? 0;
    shopify.setStock(item, locations[0] ?? 0, here + 40);
    const took = await until(() => tiktokQuantity(ctx, restock.sellerSku) === shopifyAvailable(ctx, item), signal);
    if (took === undefined) miss(`TikTok stock of ${restock.sellerSku} after a restock in Shopify`);
    else
      say(
        `  stock     40 units of ${restock.sellerSku} arrive in Shopify: TikTok shows ${tiktokQuantity(ctx, restock.sellerSku)} after ${secs(took)}`,
      );
  }
  if (soldOut) {
    report.soldOutSku = soldOut.sellerSku;
    const item = soldOut.variant.inventoryItemId;
    for (const location of locations) shopify.setStock(item, location, 0);
    const took = await until(() => tiktokQuantity(ctx, soldOut.sellerSku) === 0, signal);
    if (took === undefined) miss(`TikTok stock of ${soldOut.sellerSku} after it sold out in Shopify`);
    else say(`  stock     ${soldOut.sellerSku} sells out in the shop: TikTok shows 0 after ${secs(took)} (nothing to oversell)`);
  }

  // Orders: placed on TikTok, held there for an hour (no import), then released.
  // Orders of SKUs shoptok can import (a SKU shared with a draft product is refused, with its reason).
  const orderable = skus
    .filter(
      (s) =>
        s.sellerSku !== soldOut?.sellerSku &&
        shopifyVariantsWithSku(ctx, s.sellerSku) === 1 &&
        shopifyAvailable(ctx, s.variant.inventoryItemId) >= 10,
    )
    .map((s) => s.sellerSku);
  if (orderable.length === 0) {
    miss('a SKU with stock to order');
    return report;
  }
  const orders = tiktok.admin.generateOrders(shopId, {
    count: 5,
    status: 'ON_HOLD',
    sellerSkus: orderable,
    maxSkus: 2,
    maxUnits: 2,
  });
  report.tiktokOrderIds = orders.map((o) => o.id);
  for (const o of orders) tiktok.admin.advanceOrder(shopId, o.id, 'AWAITING_SHIPMENT');
  const imported = await until(() => orders.every((o) => shopifyOrdersOf(ctx, o.id).length > 0), signal);
  if (imported === undefined)
    miss(
      `${orders.length} TikTok orders in Shopify (${orders.filter((o) => shopifyOrdersOf(ctx, o.id).length > 0).length} arrived)`,
    );
  // The poll that backs up the webhooks sees the same orders again: it must add none.
  await settle(await enqueueKind(ctx.queues, 'orders', [ctx.storeId], { dryRun: false }), ctx.queues, signal);
  const copies = orders.map((o) => shopifyOrdersOf(ctx, o.id).length);
  const names = orders.map((o) => shopifyOrdersOf(ctx, o.id)[0]?.name).filter(Boolean);
  if (copies.some((n) => n !== 1)) miss(`each TikTok order exactly once in Shopify (copies per order: ${copies.join(', ')})`);
  if (imported !== undefined) {
    say(
      `  orders    ${orders.length} TikTok orders leave TikTok's 1-hour hold: Shopify has them (${names.join(', ')}) after ${secs(imported)}`,
    );
    say(
      `            then the safety-net poll sees all ${orders.length} again: Shopify orders per TikTok order: ${copies.join(', ')}`,
    );
  }

  // Fulfilment: the merchant ships three of them in Shopify.
  const toShip = orders.slice(0, 3);
  for (const o of toShip) {
    const shopifyOrder = shopifyOrdersOf(ctx, o.id)[0];
    if (!shopifyOrder) continue;
    const tracking = `RM${String(shopifyOrder.id).slice(-8)}GB`;
    report.shipped.set(o.id, tracking);
    shopify.fulfilOrder(shopifyOrder.id, { number: tracking, company: 'Royal Mail' });
  }
  const hasTracking = (id: string) => {
    const items = tiktokOrder(ctx, id)?.line_items ?? [];
    return items.length > 0 && items.every((li) => li.tracking_number === report.shipped.get(id));
  };
  const tracked = await until(() => [...report.shipped.keys()].every(hasTracking), signal);
  if (tracked === undefined || report.shipped.size === 0)
    miss(`tracking on TikTok for ${toShip.length} orders shipped in Shopify`);
  else {
    const statuses = [...new Set([...report.shipped.keys()].map((id) => tiktokOrder(ctx, id)?.status))].join('/');
    say(
      `  shipping  the merchant ships ${report.shipped.size} in Shopify (Royal Mail): TikTok shows them ${statuses} with their tracking numbers after ${secs(tracked)}`,
    );
  }

  // Cancellation: a buyer cancels an order that has not shipped.
  const cancel = orders.find((o) => !report.shipped.has(o.id));
  if (cancel) {
    report.cancelledTikTokOrderId = cancel.id;
    tiktok.admin.cancelOrder(shopId, cancel.id, 'No longer needed');
    const took = await until(() => shopifyOrdersOf(ctx, cancel.id).every((o) => o.cancelledAt !== null), signal);
    const shopifyOrder = shopifyOrdersOf(ctx, cancel.id)[0];
    if (took === undefined || !shopifyOrder) miss(`the Shopify order of cancelled TikTok order ${cancel.id} cancelled`);
    else {
      const units = shopifyOrder.lineItems.reduce((n, li) => n + li.quantity, 0);
      say(
        `  cancel    a buyer cancels TikTok order ${cancel.id}: Shopify cancels ${shopifyOrder.name} after ${secs(took)}${shopifyOrder.cancellation?.restocked ? `, its ${units} unit(s) back in stock` : ''}`,
      );
    }
  }

  // End of the day: every listed SKU shows on TikTok what Shopify has (sales and restocks included).
  const equal = await until(() => stockMismatches(ctx).length === 0, signal);
  const listed = liveSkus(ctx).length;
  if (equal === undefined) {
    const off = stockMismatches(ctx);
    miss(
      `TikTok stock equal to Shopify's: ${off.length} of ${listed} differ (${off
        .slice(0, 3)
        .map((m) => `${m.sku.sellerSku} TikTok ${m.tiktok} Shopify ${m.shopify}`)
        .join('; ')})`,
    );
  } else say(`  evening   TikTok shows Shopify's stock on ${listed} of ${listed} listed SKUs`);
  return report;
}
