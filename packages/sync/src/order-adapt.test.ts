import { buildOrderCreateInput, buildSkuIndex, parseStoreRules } from '@shoptok/sync-core';
import type { TikTokOrder } from '@shoptok/tiktok';
import { toCoreTikTokOrder } from './order-adapt.js';

// An order as the TikTok client's zod schema leaves it: blank defaults for names and SKUs.
const apiOrder = (over: Partial<TikTokOrder> = {}): TikTokOrder => ({
  id: '576400000000000001',
  status: 'AWAITING_SHIPMENT',
  create_time: 1_760_000_000,
  update_time: 1_760_000_100,
  packages: [],
  payment: { currency: 'GBP', total_amount: '12.00', shipping_fee: '2.00' },
  line_items: [
    { id: 'l1', sku_id: 's1', product_id: 'p1', product_name: '', sku_name: '', seller_sku: '', original_price: '10.00' },
  ],
  ...over,
});

describe('toCoreTikTokOrder', () => {
  it('turns the client’s blank defaults into absent fields, so a custom line gets a real title', () => {
    const core = toCoreTikTokOrder(apiOrder());
    expect(core.line_items[0]).toMatchObject({ id: 'l1', seller_sku: null, product_name: undefined, sku_name: undefined });
    const rules = parseStoreRules({ orders: { unknownSku: 'custom-line-item' } });
    const built = buildOrderCreateInput(core, buildSkuIndex([]), rules);
    expect(built.ok && built.variables.order.lineItems[0]?.title).toBe('TikTok Shop item');
  });

  it('keeps an order without payment without one; order translation refuses it with its own reason', () => {
    const core = toCoreTikTokOrder(apiOrder({ payment: undefined }));
    expect(core.payment).toBeUndefined();
    const built = buildOrderCreateInput(core, buildSkuIndex([]), parseStoreRules({}));
    expect(built).toMatchObject({ ok: false, reasons: [{ code: 'no-payment' }] });
  });
});
