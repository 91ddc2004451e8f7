import type { JobContext, JobSummary } from '@shoptok/queues';
import type { ShopifyOrder } from '@shoptok/shopify';
import { buildTikTokShipment, type ShopifyFulfillment } from '@shoptok/sync-core';
import type { AlertNotifier } from './alerts/notifier.js';
import { toCoreTikTokOrder } from './order-adapt.js';
import type { StoreServices } from './services.js';
import { RunReport } from './summary.js';
import { queueTargetedJob } from './write-mode.js';

/** A shipment TikTok cannot take as it is (no tracking, a carrier with no TikTok provider, ...). */
export class ShipmentNotPossibleError extends Error {
  readonly retryable = false;
  constructor(tiktokOrderId: string, reasons: { code: string; message: string }[]) {
    super(`tracking of TikTok order ${tiktokOrderId} cannot be sent: ${reasons.map((r) => r.message).join('; ')}`);
    this.name = 'ShipmentNotPossibleError';
  }
}

function fulfilmentsOf(order: ShopifyOrder): ShopifyFulfillment[] {
  return order.fulfillments.map((f) => ({
    id: f.id,
    status: f.status,
    trackingInfo: f.trackingInfo,
    lineItems: f.fulfillmentLineItems,
  }));
}

// Ship-by alerts still being sent, per notifier: the process waits for them before it closes
// the notifier (their once-only mark is already set, so one cut off would never be sent).
const alertsInFlight = new WeakMap<AlertNotifier, Set<Promise<unknown>>>();

function sendInBackground(notifier: AlertNotifier, sending: Promise<unknown>): void {
  let pending = alertsInFlight.get(notifier);
  if (!pending) alertsInFlight.set(notifier, (pending = new Set()));
  const tracked = sending.catch(() => undefined); // the notifier logs its own failures
  pending.add(tracked);
  void tracked.finally(() => pending.delete(tracked));
}

/** Waits for the ship-by alerts the fulfilment poll is still sending through `notifier` (call before closing it). */
export async function flushShipByAlerts(notifier: AlertNotifier): Promise<void> {
  await Promise.all([...(alertsInFlight.get(notifier) ?? [])]);
}

/**
 * `fulfilment-poll`: imported orders still waiting for tracking. A Shopify order with tracking
 * gets a `tracking-push` job; one cancelled in Shopify gets an `order-cancel` job (both retry
 * through a partner outage: see their retry class in the queue catalog).
 */
export async function runFulfilmentPoll(
  svc: StoreServices,
  data: { dryRun: boolean; limit?: number },
  ctx?: Pick<JobContext, 'progress'>,
  now: () => number = Date.now,
): Promise<JobSummary> {
  const report = new RunReport(ctx);
  const waiting = await svc.state.ordersAwaitingTracking();
  const dryRun = data.dryRun || svc.dryRun;
  let done = 0;
  for (const tiktokOrderId of data.limit ? waiting.slice(0, data.limit) : waiting) {
    await report.progress('checking Shopify for tracking', done++, waiting.length);
    report.summary.seen++;
    const record = await svc.state.order(tiktokOrderId);
    if (!record) continue;
    const order = await svc.shopify.getOrder(record.shopifyOrderId);
    if (!order) {
      report.fail(
        `TikTok order ${tiktokOrderId}`,
        `its Shopify order ${record.shopifyOrderId} was deleted; ship it on TikTok by hand`,
      );
      continue;
    }
    if (order.cancelledAt) {
      await queueTargetedJob(svc.queues, 'orders', 'order-cancel', {
        store: svc.storeId,
        tiktokOrderId,
        origin: 'shopify',
        dryRun,
      });
      report.summary.changed++;
      continue;
    }
    if (order.fulfillments.some((f) => f.trackingInfo.some((t) => t.number))) {
      await queueTargetedJob(svc.queues, 'fulfilment', 'tracking-push', {
        store: svc.storeId,
        tiktokOrderId,
        shopifyOrderId: record.shopifyOrderId,
        dryRun,
      });
      report.summary.changed++;
    } else {
      report.skip('no-tracking-yet');
      // Once per order (across the fleet), from ALERT_SHIP_BY_HOURS before TikTok's deadline; sent
      // in the background, so a slow alert webhook never holds up the tracking of other orders.
      if (svc.alerts && !dryRun && record.shipByAt !== undefined && record.shipByAt - now() <= svc.alerts.shipByLeadMs) {
        sendInBackground(
          svc.alerts,
          svc.alerts.shipByApproaching(
            svc.storeId,
            { tiktokOrderId, shopifyOrderId: record.shopifyOrderId, shipBy: record.shipByAt },
            now(),
          ),
        );
      }
    }
  }
  return report.summary;
}

/**
 * How long one order's tracking push holds its claim: longer than its TikTok and Shopify calls
 * take (a crashed holder blocks the order this long at most).
 */
export const TRACKING_PUSH_CLAIM_TTL_MS = 120_000;
/** How soon a push that found the order claimed tries again (the holder is usually done in well under this). */
const CLAIM_BUSY_RETRY_MS = 1_000;

/** Another push of the same order (poll and webhook) is running: this job waits, spending no attempt. */
export class TrackingPushBusyError extends Error {
  readonly retryable = true;
  constructor(
    tiktokOrderId: string,
    /** Read by the store worker: the job goes back to wait this long without spending an attempt. */
    readonly retryInMs: number,
  ) {
    super(`tracking of TikTok order ${tiktokOrderId} is being sent by another job; trying again in ${retryInMs} ms`);
    this.name = 'TrackingPushBusyError';
  }
}

/**
 * `tracking-push`: marks the TikTok package shipped with Shopify's tracking number and carrier.
 * The fulfilment poll and the ORDERS_FULFILLED webhook queue it under different job ids, so a
 * per-order claim keeps two pushes of one order from both marking it shipped: the second waits,
 * then sees it shipped.
 */
export async function runTrackingPush(
  svc: StoreServices,
  data: { dryRun: boolean; tiktokOrderId: string },
  ctx?: Pick<JobContext, 'progress'>,
  now: () => number = Date.now,
): Promise<JobSummary> {
  const claimName = `tracking-push:${data.tiktokOrderId}`;
  const claim = await svc.state.claim(claimName, TRACKING_PUSH_CLAIM_TTL_MS);
  if (!('token' in claim))
    throw new TrackingPushBusyError(data.tiktokOrderId, Math.min(Math.max(claim.heldForMs, 1), CLAIM_BUSY_RETRY_MS));
  try {
    return await pushTrackingClaimed(svc, data, ctx, now);
  } finally {
    // A release Redis refuses must not hide the push's own outcome; the claim lapses by itself.
    await svc.state
      .releaseClaim(claimName, claim.token)
      .catch((err: unknown) =>
        svc.logger.warn(
          { tiktokOrderId: data.tiktokOrderId, err: err instanceof Error ? err.message : String(err) },
          'tracking push claim not released; it lapses by itself',
        ),
      );
  }
}

async function pushTrackingClaimed(
  svc: StoreServices,
  data: { dryRun: boolean; tiktokOrderId: string },
  ctx: Pick<JobContext, 'progress'> | undefined,
  now: () => number,
): Promise<JobSummary> {
  const report = new RunReport(ctx);
  report.summary.seen = 1;
  const record = await svc.state.order(data.tiktokOrderId);
  if (!record) {
    report.skip('not-imported');
    return report.summary;
  }
  if (record.shippedAt) {
    report.skip('already-shipped');
    return report.summary;
  }
  const shopifyOrder = await svc.shopify.getOrder(record.shopifyOrderId);
  const fulfilment = shopifyOrder ? fulfilmentsOf(shopifyOrder).find((f) => f.trackingInfo.some((t) => t.number)) : undefined;
  if (!fulfilment) {
    report.skip('no-tracking-yet');
    return report.summary;
  }
  const [tiktokOrder] = await svc.tiktok.getOrders([data.tiktokOrderId]);
  if (!tiktokOrder)
    throw new ShipmentNotPossibleError(data.tiktokOrderId, [{ code: 'not-found', message: 'TikTok does not return this order' }]);
  const deliveryOptionId = tiktokOrder.delivery_option_id;
  const providers = deliveryOptionId ? await svc.tiktok.getShippingProviders(deliveryOptionId) : [];
  const shipment = buildTikTokShipment(fulfilment, toCoreTikTokOrder(tiktokOrder), providers, svc.rules);
  if (!shipment.ok) {
    if (shipment.reasons.every((r) => r.code === 'already-shipped')) {
      await svc.state.saveOrder(data.tiktokOrderId, { ...record, shippedAt: now() });
      report.skip('already-shipped');
      return report.summary;
    }
    const reasons = shipment.reasons.map((r) => ({ code: r.code, message: r.message }));
    await svc.state.recordOrderFailure(data.tiktokOrderId, reasons);
    throw new ShipmentNotPossibleError(data.tiktokOrderId, reasons);
  }
  for (const warning of shipment.warnings) report.note(warning);
  if (data.dryRun || svc.dryRun) {
    svc.preview?.add('tracking', data.tiktokOrderId);
    report.wouldSend('POST /fulfillment/202309/orders/{order_id}/packages', data.tiktokOrderId, shipment.body);
    return report.summary;
  }
  await svc.tiktok.markPackageShipped(shipment.orderId, {
    trackingNumber: shipment.body.tracking_number,
    shippingProviderId: shipment.body.shipping_provider_id,
    orderLineItemIds: shipment.body.order_line_item_ids,
  });
  await svc.state.saveOrder(data.tiktokOrderId, {
    ...record,
    tiktokStatus: 'AWAITING_COLLECTION',
    shippedAt: now(),
    trackingNumber: shipment.body.tracking_number,
  });
  report.summary.changed = 1;
  report.summary.pushed = 1;
  svc.logger.info(
    { tiktokOrderId: data.tiktokOrderId, tracking: shipment.body.tracking_number, provider: shipment.provider },
    'tracking sent to TikTok',
  );
  return report.summary;
}
