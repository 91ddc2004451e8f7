import type { JobIdOccasion, JobInput, JobName, QueueKey } from '@shoptok/queues';
import { burstWindow, jobIdFor } from '@shoptok/queues';

// The burst window is part of the job id: the catalog owns it (the bench builds the same ids).
export { BURST_WINDOW_MS, burstWindow } from '@shoptok/queues';
import {
  fulfillmentWebhook,
  inventoryItemGid,
  inventoryLevelUpdateWebhook,
  orderGid,
  orderWebhook,
  productGid,
  productWebhook,
} from '@shoptok/shopify';
import {
  cancellationStatusChangeSchema,
  orderStatusChangeSchema,
  productAuditStatusChangeSchema,
  productStatusChangeSchema,
  WEBHOOK_TYPES,
  type TikTokWebhookEnvelope,
} from '@shoptok/tiktok';
import { z } from 'zod';

/** One job a webhook asks for: queue, kind, payload and the BullMQ options that de-duplicate it. */
export interface PlannedJob {
  queue: QueueKey;
  name: string;
  data: { store: string; trigger: 'webhook' } & Record<string, unknown>;
  /** What sets this job apart from the kind's domain id (its burst window); the catalog builds the id. */
  occasion: JobIdOccasion;
  /** The id the catalog gives it (`jobIdFor`), for logs and the leading-edge marker. */
  jobId: string;
  /** Milliseconds to hold the job so a burst of changes joins it (see {@link burstWindow}). */
  delayMs: number;
  /**
   * The first change of a window runs at once (as `<jobId>-lead`, no delay) and only later
   * changes of the window wait for the held job: a lone stock change reaches TikTok without
   * waiting out the window, a burst still makes at most two jobs.
   */
  leadingEdge?: boolean;
}

/** What a verified delivery turns into: jobs, or why none (logged, answered 200). */
export type WebhookPlan =
  | {
      jobs: PlannedJob[];
      note?: string;
      problem?: undefined;
      /** Something only the merchant can fix: logged as an error. */
      operatorAction?: string;
      /** The shop's TikTok authorization ends soon or was revoked: the operator is alerted once. */
      authorization?: 'expiring' | 'revoked';
    }
  | { jobs: []; problem: string; note?: undefined; operatorAction?: undefined; authorization?: undefined };

/** One planned job; `w` joins it to a burst window (held until the window ends), without `w` it is the domain job. */
function job<Q extends QueueKey, J extends JobName<Q>>(
  queue: Q,
  name: J,
  data: JobInput<Q, J> & { store: string; trigger: 'webhook' },
  w?: { window: string; delayMs: number },
): PlannedJob {
  const occasion: JobIdOccasion = w ? { window: w.window } : {};
  const jobId = jobIdFor(queue, name, data, occasion);
  return { queue, name, data: data as PlannedJob['data'], occasion, jobId, delayMs: w?.delayMs ?? 0 };
}

function problemOf(topic: string, error: z.ZodError): WebhookPlan {
  return { jobs: [], problem: `${topic} body does not match the expected shape:\n${z.prettifyError(error)}` };
}

/** A Shopify order made by shoptok names its TikTok order in `source_identifier` and in a tag. */
export function tiktokOrderIdOf(order: { source_identifier?: string | null; tags?: string | null }): string | undefined {
  const fromSource = /^tiktok-(\d{1,20})$/.exec(order.source_identifier ?? '');
  if (fromSource) return fromSource[1];
  for (const tag of (order.tags ?? '').split(',')) {
    const m = /^tiktok-order-(\d{1,20})$/.exec(tag.trim());
    if (m) return m[1];
  }
  return undefined;
}

const shopifyOrderBody = orderWebhook.extend({ tags: z.string().nullable().optional() });

/** The jobs a verified Shopify delivery asks for, from its topic and parsed body. Pure. */
export function planShopifyWebhook(store: string, topic: string, body: unknown, now: number): WebhookPlan {
  const trigger = 'webhook' as const;
  const w = burstWindow(now);
  switch (topic) {
    case 'inventory_levels/update': {
      const p = inventoryLevelUpdateWebhook.safeParse(body);
      if (!p.success) return problemOf(topic, p.error);
      const item = p.data.inventory_item_id;
      // Stock is where a held change costs most (TikTok may sell what Shopify no longer has).
      return {
        jobs: [
          {
            ...job('inventory', 'inventory-item', { store, trigger, inventoryItemId: inventoryItemGid(item) }, w),
            leadingEdge: true,
          },
        ],
      };
    }
    case 'products/create':
    case 'products/update':
    case 'products/delete': {
      // A delete is a sync of that product too: the handler finds it gone and deactivates the listing.
      const p = productWebhook.safeParse(body);
      if (!p.success) return problemOf(topic, p.error);
      const gid = productGid(p.data.id);
      return {
        jobs: [job('products', 'product-sync-one', { store, trigger, productId: gid }, w)],
      };
    }
    case 'orders/cancelled': {
      const p = shopifyOrderBody.safeParse(body);
      if (!p.success) return problemOf(topic, p.error);
      const tiktokOrderId = tiktokOrderIdOf(p.data);
      if (!tiktokOrderId) return { jobs: [], note: 'not a TikTok order' };
      return {
        jobs: [job('orders', 'order-cancel', { store, trigger, tiktokOrderId, origin: 'shopify' })],
      };
    }
    case 'orders/fulfilled': {
      const p = shopifyOrderBody.safeParse(body);
      if (!p.success) return problemOf(topic, p.error);
      const tiktokOrderId = tiktokOrderIdOf(p.data);
      if (!tiktokOrderId) return { jobs: [], note: 'not a TikTok order' };
      return {
        jobs: [job('fulfilment', 'tracking-push', { store, trigger, tiktokOrderId, shopifyOrderId: orderGid(p.data.id) }, w)],
      };
    }
    case 'fulfillments/create':
    case 'fulfillments/update': {
      // The fulfilment body names only the Shopify order; the poll maps it to the TikTok order.
      const p = fulfillmentWebhook.safeParse(body);
      if (!p.success) return problemOf(topic, p.error);
      return {
        jobs: [job('fulfilment', 'fulfilment-poll', { store, trigger }, w)],
      };
    }
    default:
      return { jobs: [], note: `topic ${topic} is not handled` };
  }
}

/** The jobs a verified TikTok event asks for. `importStatuses`: the store's order rules. Pure. */
export function planTikTokWebhook(
  store: string,
  event: TikTokWebhookEnvelope,
  importStatuses: readonly string[],
  now: number,
): WebhookPlan {
  const trigger = 'webhook' as const;
  const w = burstWindow(now);
  const topic = `type ${event.type}`;
  switch (event.type) {
    case WEBHOOK_TYPES.ORDER_STATUS_CHANGE: {
      const p = orderStatusChangeSchema.safeParse(event.data);
      if (!p.success) return problemOf(topic, p.error);
      const { order_id: tiktokOrderId, order_status: status } = p.data;
      // The order webhook says CANCEL where the API says CANCELLED (API-FACTS §7).
      if (status === 'CANCEL' || status === 'CANCELLED') {
        return {
          jobs: [job('orders', 'order-cancel', { store, trigger, tiktokOrderId, origin: 'tiktok' })],
        };
      }
      // The import job id is the order's domain key: only a status the store imports may claim it,
      // or an early UNPAID job would block the import once the order is paid.
      if (!importStatuses.includes(status)) return { jobs: [], note: `order status ${status} is not imported` };
      return {
        jobs: [job('orders', 'order-import', { store, trigger, tiktokOrderId })],
      };
    }
    case WEBHOOK_TYPES.CANCELLATION_STATUS_CHANGE: {
      const p = cancellationStatusChangeSchema.safeParse(event.data);
      if (!p.success) return problemOf(topic, p.error);
      // A buyer's request may still be pending: the cancel handler acts only on an imported order,
      // and the order-status webhook (CANCEL) follows once TikTok cancels it.
      const tiktokOrderId = p.data.order_id;
      return {
        jobs: [job('orders', 'order-cancel', { store, trigger, tiktokOrderId, origin: 'tiktok' }, w)],
      };
    }
    case WEBHOOK_TYPES.PRODUCT_STATUS_CHANGE:
    case WEBHOOK_TYPES.PRODUCT_AUDIT_STATUS_CHANGE: {
      const schema =
        event.type === WEBHOOK_TYPES.PRODUCT_STATUS_CHANGE ? productStatusChangeSchema : productAuditStatusChangeSchema;
      const p = schema.safeParse(event.data);
      if (!p.success) return problemOf(topic, p.error);
      const tiktokProductId = p.data.product_id;
      return {
        jobs: [job('products', 'listing-status', { store, trigger, tiktokProductId }, w)],
      };
    }
    case WEBHOOK_TYPES.UPCOMING_AUTHORIZATION_EXPIRATION:
      return {
        jobs: [job('maintenance', 'token-refresh', { store, trigger }, w)],
        operatorAction: 'TikTok authorization of this shop expires soon: authorize the app for the shop again',
        authorization: 'expiring',
      };
    case WEBHOOK_TYPES.SELLER_DEAUTHORIZATION:
      // No job can fix this: every TikTok call of the store will fail until the seller authorizes again.
      return {
        jobs: [],
        note: 'authorization revoked',
        operatorAction:
          'the seller revoked the TikTok authorization: every TikTok call of this store fails until the app is authorized for the shop again and the new tokens are set',
        authorization: 'revoked',
      };
    default:
      return { jobs: [], note: `event type ${event.type} is not handled` };
  }
}
