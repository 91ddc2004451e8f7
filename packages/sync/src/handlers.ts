import type { JobHandlers } from '@shoptok/queues';
import { runFulfilmentPoll, runTrackingPush } from './fulfilment.js';
import { runInventoryItem, runInventorySync } from './inventory.js';
import { runTokenRefresh } from './maintenance.js';
import { runOrderCancel, runOrderImport, runOrderPoll } from './orders.js';
import { runReconcile } from './reconcile.js';
import type { StoreServices } from './services.js';

/** The handlers of the inventory queue for one store. */
export function inventoryHandlers(svc: StoreServices): JobHandlers<'inventory'> {
  return {
    'inventory-sync': (data, ctx) => runInventorySync(svc, data, ctx),
    'inventory-item': (data, ctx) => runInventoryItem(svc, data, ctx),
  };
}

/** The handlers of the orders queue for one store. */
export function orderHandlers(svc: StoreServices): JobHandlers<'orders'> {
  return {
    'order-poll': (data, ctx) => runOrderPoll(svc, data, ctx),
    'order-import': (data, ctx) => runOrderImport(svc, data, ctx),
    'order-cancel': (data, ctx) => runOrderCancel(svc, data, ctx),
  };
}

/** The handlers of the fulfilment queue for one store. */
export function fulfilmentHandlers(svc: StoreServices): JobHandlers<'fulfilment'> {
  return {
    'fulfilment-poll': (data, ctx) => runFulfilmentPoll(svc, data, ctx),
    'tracking-push': (data, ctx) => runTrackingPush(svc, data, ctx),
  };
}

/** The handlers of the maintenance queue for one store. */
export function maintenanceHandlers(svc: StoreServices): JobHandlers<'maintenance'> {
  return {
    reconcile: (data, ctx) => runReconcile(svc, data, ctx),
    'token-refresh': (data, ctx) => runTokenRefresh(svc, data, ctx),
  };
}
