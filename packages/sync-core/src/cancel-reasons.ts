// The cancel reasons on both sides, in a module of their own: rules.ts and cancellation.ts both
// need them, and rules.ts must not import cancellation.ts (which reads the rules' types).

/** Why a Shopify order was cancelled (Shopify's `OrderCancelReason`). */
export const SHOPIFY_CANCEL_REASONS = ['CUSTOMER', 'DECLINED', 'FRAUD', 'INVENTORY', 'OTHER', 'STAFF'] as const;
export type ShopifyCancelReason = (typeof SHOPIFY_CANCEL_REASONS)[number];

/**
 * Seller cancel reasons by name; the TikTok key depends on the order's status (API-FACTS §5.10):
 * UNPAID takes `seller_cancel_unpaid_reason_*`, a paid order the `seller_cancel_(paid_)reason_*` keys.
 */
export const TIKTOK_CANCEL_REASON_NAMES = [
  'out_of_stock',
  'wrong_price',
  'buyer_requested_cancellation',
  'address_not_deliver',
  'buyer_hasnt_paid_within_time_allowed',
] as const;
export type TikTokCancelReasonName = (typeof TIKTOK_CANCEL_REASON_NAMES)[number];
