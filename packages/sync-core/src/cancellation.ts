import { SHOPIFY_CANCEL_REASONS, type ShopifyCancelReason, type TikTokCancelReasonName } from './cancel-reasons.js';
import type { TikTokOrder } from './tiktok-types.js';

export { SHOPIFY_CANCEL_REASONS, TIKTOK_CANCEL_REASON_NAMES } from './cancel-reasons.js';
export type { ShopifyCancelReason, TikTokCancelReasonName } from './cancel-reasons.js';

/** The order rules this module reads (a structural type: rules.ts is not imported here). */
export interface CancellationRules {
  orders: { tiktokCancellation: 'flag' | 'cancel'; tiktokCancelReasons: Partial<Record<ShopifyCancelReason, string>> };
}

const UNPAID_KEYS: Partial<Record<TikTokCancelReasonName, string>> = {
  out_of_stock: 'seller_cancel_unpaid_reason_out_of_stock',
  wrong_price: 'seller_cancel_unpaid_reason_wrong_price',
  buyer_requested_cancellation: 'seller_cancel_unpaid_reason_buyer_requested_cancellation',
  buyer_hasnt_paid_within_time_allowed: 'seller_cancel_unpaid_reason_buyer_hasnt_paid_within_time_allowed',
};
const PAID_KEYS: Partial<Record<TikTokCancelReasonName, string>> = {
  out_of_stock: 'seller_cancel_reason_out_of_stock',
  wrong_price: 'seller_cancel_reason_wrong_price',
  buyer_requested_cancellation: 'seller_cancel_paid_reason_buyer_requested_cancellation',
  address_not_deliver: 'seller_cancel_paid_reason_address_not_deliver',
};

/**
 * Shopify's reason -> TikTok's, unless the store's rules say otherwise. A buyer's wish stays a
 * buyer's wish; everything else falls back to out of stock, API-FACTS §5.10's safe default.
 */
export const DEFAULT_TIKTOK_CANCEL_REASONS: Record<ShopifyCancelReason, TikTokCancelReasonName> = {
  CUSTOMER: 'buyer_requested_cancellation',
  INVENTORY: 'out_of_stock',
  DECLINED: 'out_of_stock',
  FRAUD: 'out_of_stock',
  OTHER: 'out_of_stock',
  STAFF: 'out_of_stock',
};

// Past the point a seller may cancel: the package is on its way or the order is over.
const SHIPPED_STATUSES = new Set(['PARTIALLY_SHIPPING', 'IN_TRANSIT', 'DELIVERED', 'COMPLETED']);

export type TikTokCancellationPlan =
  | { action: 'cancel'; reasonKey: string; message: string }
  | { action: 'flag'; code: 'tiktok-cancel-off' | 'shipped-not-cancelled' | 'tiktok-cancel-not-possible'; message: string }
  | { action: 'none'; reason: 'already-cancelled' };

/** The TikTok reason key for a reason name (or a full key the operator gave) at an order status; undefined: none documented. */
export function tiktokCancelReasonKey(status: string, reason: string): string | undefined {
  // A full key (e.g. a region-suffixed one TikTok asked for) is the operator's call: sent as is.
  if (reason.startsWith('seller_cancel_')) return reason;
  const name = reason as TikTokCancelReasonName;
  if (status === 'UNPAID') return UNPAID_KEYS[name];
  if (status === 'AWAITING_SHIPMENT') return PAID_KEYS[name];
  return undefined;
}

/**
 * What to do on TikTok when the merchant cancelled the Shopify order of a TikTok order. Cancels
 * only while nothing has shipped and the order's status has documented seller reasons (UNPAID,
 * AWAITING_SHIPMENT); anything else is flagged for the operator, never cancelled.
 * `trackingSent`: shoptok already marked the order shipped on TikTok.
 */
export function planTikTokCancellation(
  order: Pick<TikTokOrder, 'id' | 'status' | 'line_items'>,
  shopifyReason: string | null | undefined,
  rules: CancellationRules,
  options: { trackingSent: boolean },
): TikTokCancellationPlan {
  if (order.status === 'CANCELLED' || order.status === 'CANCEL') return { action: 'none', reason: 'already-cancelled' };
  const shipped =
    options.trackingSent || SHIPPED_STATUSES.has(order.status) || order.line_items.some((l) => Boolean(l.package_id));
  if (shipped) {
    return {
      action: 'flag',
      code: 'shipped-not-cancelled',
      message: `cancelled in Shopify but already shipped on TikTok (${order.status}): a shipped order is never cancelled; handle it as a return in TikTok Seller Center`,
    };
  }
  if (rules.orders.tiktokCancellation === 'flag') {
    return {
      action: 'flag',
      code: 'tiktok-cancel-off',
      message:
        "cancelled in Shopify but still open on TikTok (rules.orders.tiktokCancellation is flag): cancel it in TikTok Seller Center with the buyer's reason so it is not shipped or penalised",
    };
  }
  const known = (SHOPIFY_CANCEL_REASONS as readonly string[]).includes(shopifyReason ?? '');
  const shopify = (known ? shopifyReason : 'OTHER') as ShopifyCancelReason;
  const chosen = rules.orders.tiktokCancelReasons[shopify] ?? DEFAULT_TIKTOK_CANCEL_REASONS[shopify];
  const reasonKey = tiktokCancelReasonKey(order.status, chosen) ?? tiktokCancelReasonKey(order.status, 'out_of_stock');
  if (!reasonKey) {
    // ON_HOLD, AWAITING_COLLECTION (a label may be with the courier) and the like: no documented
    // seller reason, or not safely unshipped. The safe side is the operator's decision.
    return {
      action: 'flag',
      code: 'tiktok-cancel-not-possible',
      message: `cancelled in Shopify but TikTok order ${order.id} is ${order.status}, where shoptok does not cancel by itself: check it in TikTok Seller Center`,
    };
  }
  return {
    action: 'cancel',
    reasonKey,
    message: `Shopify reason ${shopifyReason ?? 'none'} -> TikTok reason ${reasonKey}`,
  };
}
