import { planTikTokCancellation, tiktokCancelReasonKey } from './cancellation.js';
import { parseStoreRules } from './rules.js';

const order = (status: string, packaged = false) => ({
  id: '576461413038785752',
  status,
  line_items: [{ id: '1', sku_id: '2', seller_sku: 'A', sale_price: '1.00', ...(packaged ? { package_id: '11' } : {}) }],
});
const rules = parseStoreRules({});
const unshipped = { trackingSent: false };

describe('planTikTokCancellation', () => {
  it('cancels by default, with the reason key that fits the order status', () => {
    expect(planTikTokCancellation(order('AWAITING_SHIPMENT'), 'CUSTOMER', rules, unshipped)).toMatchObject({
      action: 'cancel',
      reasonKey: 'seller_cancel_paid_reason_buyer_requested_cancellation',
    });
    expect(planTikTokCancellation(order('UNPAID'), 'CUSTOMER', rules, unshipped)).toMatchObject({
      action: 'cancel',
      reasonKey: 'seller_cancel_unpaid_reason_buyer_requested_cancellation',
    });
    // Reasons without a mapping, or none at all, take the documented safe default.
    for (const reason of ['STAFF', 'FRAUD', null, 'SOMETHING_NEW'])
      expect(planTikTokCancellation(order('AWAITING_SHIPMENT'), reason, rules, unshipped)).toMatchObject({
        reasonKey: 'seller_cancel_reason_out_of_stock',
      });
  });

  it("takes the store's mapping, names per status and full keys as given", () => {
    const mapped = parseStoreRules({
      orders: { tiktokCancelReasons: { STAFF: 'wrong_price', OTHER: 'seller_cancel_reason_out_of_stock_uk' } },
    });
    expect(planTikTokCancellation(order('UNPAID'), 'STAFF', mapped, unshipped)).toMatchObject({
      reasonKey: 'seller_cancel_unpaid_reason_wrong_price',
    });
    expect(planTikTokCancellation(order('AWAITING_SHIPMENT'), 'OTHER', mapped, unshipped)).toMatchObject({
      reasonKey: 'seller_cancel_reason_out_of_stock_uk',
    });
    // A name with no key at this status falls back to out of stock rather than guessing.
    expect(tiktokCancelReasonKey('AWAITING_SHIPMENT', 'buyer_hasnt_paid_within_time_allowed')).toBeUndefined();
    expect(() => parseStoreRules({ orders: { tiktokCancelReasons: { STAFF: 'because' } } })).toThrow(/reason name/);
    expect(() => parseStoreRules({ orders: { tiktokCancellation: 'maybe' } })).toThrow();
  });

  it('never cancels a shipped order: flags it, whatever the policy', () => {
    for (const [o, trackingSent] of [
      [order('IN_TRANSIT'), false],
      [order('PARTIALLY_SHIPPING'), false],
      [order('AWAITING_SHIPMENT', true), false],
      [order('AWAITING_SHIPMENT'), true],
    ] as const)
      expect(planTikTokCancellation(o, 'CUSTOMER', rules, { trackingSent })).toMatchObject({
        action: 'flag',
        code: 'shipped-not-cancelled',
      });
  });

  it('flags under the flag policy, and where no seller reason is documented (safe side)', () => {
    const flag = parseStoreRules({ orders: { tiktokCancellation: 'flag' } });
    expect(planTikTokCancellation(order('AWAITING_SHIPMENT'), 'CUSTOMER', flag, unshipped)).toMatchObject({
      action: 'flag',
      code: 'tiktok-cancel-off',
    });
    for (const status of ['ON_HOLD', 'AWAITING_COLLECTION'])
      expect(planTikTokCancellation(order(status), 'CUSTOMER', rules, unshipped)).toMatchObject({
        action: 'flag',
        code: 'tiktok-cancel-not-possible',
      });
    expect(planTikTokCancellation(order('CANCELLED'), 'CUSTOMER', rules, unshipped)).toEqual({
      action: 'none',
      reason: 'already-cancelled',
    });
  });
});
