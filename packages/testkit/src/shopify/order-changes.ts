import { levelPayload, orderPayload, fulfillmentPayload } from './payloads.js';
import type { CancelOptions } from './resolvers.js';
import type { ShopifyServerState, StandInCancelJob, StandInOrder } from './state.js';
import { emit } from './webhooks.js';

// What happens to an order after orderCreate, and the webhooks each change sends.

// An order's updatedAt always moves forward, even within one millisecond, so `updated_at:>=` polls see every change.
function touchOrder(o: StandInOrder): string {
  o.updatedAt = new Date(Math.max(Date.now(), Date.parse(o.updatedAt) + 1)).toISOString();
  return o.updatedAt;
}

/** orderCreate made an order: orders/create, and inventory_levels/update per changed level. */
export function orderCreated(
  s: ShopifyServerState,
  order: StandInOrder,
  changedLevels: { itemId: number; locationId: number; available: number }[],
): void {
  s.counters.ordersCreated += 1;
  emit(s, 'ORDERS_CREATE', orderPayload(order));
  for (const l of changedLevels) emit(s, 'INVENTORY_LEVELS_UPDATE', levelPayload(l.itemId, l.locationId, l.available));
}

/** Cancels the order (restocking where asked): orders/cancelled, orders/updated, inventory_levels/update. */
export function applyCancellation(s: ShopifyServerState, o: StandInOrder, c: CancelOptions): void {
  const { store } = s;
  o.cancelledAt = touchOrder(o);
  o.cancelReason = c.reason;
  o.cancellation = { staffNote: c.staffNote, restocked: c.restock, refunded: c.refund, notifiedCustomer: c.notifyCustomer };
  if (c.restock) {
    for (const li of o.lineItems) {
      if (li.locationId === null || li.locationId === undefined || li.variantId === null) continue;
      const found = store.variantById(li.variantId);
      if (!found) continue;
      const levels = store.stock.get(found.variant.inventoryItemId) ?? new Map<number, number>();
      const available = (levels.get(li.locationId) ?? 0) + li.quantity;
      levels.set(li.locationId, available);
      store.stock.set(found.variant.inventoryItemId, levels);
      emit(s, 'INVENTORY_LEVELS_UPDATE', levelPayload(found.variant.inventoryItemId, li.locationId, available));
    }
  }
  emit(s, 'ORDERS_CANCELLED', orderPayload(o));
  emit(s, 'ORDERS_UPDATED', orderPayload(o));
}

/** An `orderCancel` job: the cancellation applies a moment after the mutation answers, as Shopify runs it async. */
export function startCancel(s: ShopifyServerState, order: StandInOrder, cancel: CancelOptions): StandInCancelJob {
  const job: StandInCancelJob = { id: s.store.id(), orderId: order.id, done: false, status: 'STARTED', errors: [] };
  s.store.cancelJobs.push(job);
  s.later(s.config.cancelDelayMs, () => {
    if (order.cancelledAt) {
      job.errors.push({ field: ['orderId'], message: 'Order has already been cancelled', code: 'INVALID' });
      job.status = 'FAILED';
    } else {
      applyCancellation(s, order, cancel);
      job.status = 'SUCCEEDED';
    }
    job.done = true;
  });
  return job;
}

/** The merchant fulfils every line item at once: fulfillments/create, orders/fulfilled, orders/updated. */
export function fulfilOrder(
  s: ShopifyServerState,
  o: StandInOrder,
  tracking: { number: string; company: string; url?: string },
): void {
  const f = {
    id: s.store.id(),
    status: 'SUCCESS' as const,
    createdAt: touchOrder(o),
    trackingInfo: [{ number: tracking.number, company: tracking.company, url: tracking.url ?? null }],
  };
  o.fulfillments.push(f);
  emit(s, 'FULFILLMENTS_CREATE', fulfillmentPayload(o, f, o.fulfillments.length - 1));
  emit(s, 'ORDERS_FULFILLED', orderPayload(o));
  emit(s, 'ORDERS_UPDATED', orderPayload(o));
}
