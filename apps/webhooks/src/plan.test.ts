import { burstWindow, planShopifyWebhook, planTikTokWebhook, tiktokOrderIdOf } from './plan.js';

const NOW = 1_780_000_000_123;
const envelope = (type: number, data: Record<string, unknown>) => ({
  type,
  tts_notification_id: '7001',
  shop_id: '7490001',
  timestamp: Math.floor(NOW / 1000),
  data,
});

describe('burstWindow', () => {
  it('holds a change until its window ends, so the job runs after every change that joined it', () => {
    const a = burstWindow(10_000, 1_000);
    const b = burstWindow(10_999, 1_000);
    expect(a.window).toBe(b.window);
    expect(10_000 + a.delayMs).toBe(11_000);
    expect(10_999 + b.delayMs).toBe(11_000);
    expect(burstWindow(11_000, 1_000).window).not.toBe(a.window);
  });
});

describe('planShopifyWebhook', () => {
  it('turns a stock change into one inventory-item job for that item', () => {
    const plan = planShopifyWebhook(
      'brand-a',
      'inventory_levels/update',
      { inventory_item_id: 4401, location_id: 77, available: 3 },
      NOW,
    );
    expect(plan.jobs).toEqual([
      expect.objectContaining({
        queue: 'inventory',
        name: 'inventory-item',
        data: { store: 'brand-a', trigger: 'webhook', inventoryItemId: 'gid://shopify/InventoryItem/4401' },
        jobId: `brand-a-item-4401-w${Math.floor(NOW / 1000)}`,
      }),
    ]);
  });

  it.each(['products/create', 'products/update', 'products/delete'])('%s syncs that one product', (topic: string) => {
    const plan = planShopifyWebhook('brand-a', topic, { id: 812 }, NOW);
    expect(plan.jobs).toEqual([
      expect.objectContaining({
        queue: 'products',
        name: 'product-sync-one',
        data: { store: 'brand-a', trigger: 'webhook', productId: 'gid://shopify/Product/812' },
      }),
    ]);
  });

  it('pushes tracking for a fulfilled TikTok order, and ignores orders shoptok did not make', () => {
    const plan = planShopifyWebhook(
      'brand-a',
      'orders/fulfilled',
      { id: 55, source_identifier: 'tiktok-576460752303423488' },
      NOW,
    );
    expect(plan.jobs[0]).toMatchObject({
      queue: 'fulfilment',
      name: 'tracking-push',
      data: { tiktokOrderId: '576460752303423488', shopifyOrderId: 'gid://shopify/Order/55' },
    });
    expect(planShopifyWebhook('brand-a', 'orders/fulfilled', { id: 56, source_identifier: null }, NOW)).toEqual({
      jobs: [],
      note: 'not a TikTok order',
    });
  });

  it('cancels on TikTok side only for TikTok orders (by source identifier or tag)', () => {
    const plan = planShopifyWebhook('brand-a', 'orders/cancelled', { id: 57, tags: 'vip, tiktok-order-1234' }, NOW);
    expect(plan.jobs[0]).toMatchObject({
      name: 'order-cancel',
      data: { tiktokOrderId: '1234', origin: 'shopify' },
      jobId: 'brand-a-cancel-shopify-1234',
    });
  });

  it('polls fulfilments for a fulfilment event (its body names no TikTok order)', () => {
    const plan = planShopifyWebhook('brand-a', 'fulfillments/create', { id: 1, order_id: 55 }, NOW);
    expect(plan.jobs[0]).toMatchObject({
      queue: 'fulfilment',
      name: 'fulfilment-poll',
      data: { store: 'brand-a', trigger: 'webhook' },
    });
  });

  it('reports a body it does not understand instead of skipping it silently', () => {
    const plan = planShopifyWebhook('brand-a', 'inventory_levels/update', { inventory_item_id: 'x' }, NOW);
    expect(plan.jobs).toEqual([]);
    expect(plan.problem).toMatch(/inventory_item_id/);
  });
});

describe('tiktokOrderIdOf', () => {
  it('reads the TikTok order id from the source identifier or the tag, nothing else', () => {
    expect(tiktokOrderIdOf({ source_identifier: 'tiktok-42' })).toBe('42');
    expect(tiktokOrderIdOf({ tags: 'a, tiktok-order-43' })).toBe('43');
    expect(tiktokOrderIdOf({ source_identifier: 'pos-42', tags: 'tiktok-orderx-1' })).toBeUndefined();
  });
});

describe('planTikTokWebhook', () => {
  const imports = ['AWAITING_SHIPMENT'];

  it('imports an order once it reaches a status the store imports, not before', () => {
    const paid = planTikTokWebhook(
      'brand-a',
      envelope(1, { order_id: '5764', order_status: 'AWAITING_SHIPMENT', update_time: 1 }),
      imports,
      NOW,
    );
    expect(paid.jobs).toEqual([
      expect.objectContaining({ queue: 'orders', name: 'order-import', jobId: 'brand-a-order-5764', delayMs: 0 }),
    ]);
    const unpaid = planTikTokWebhook(
      'brand-a',
      envelope(1, { order_id: '5764', order_status: 'UNPAID', update_time: 1 }),
      imports,
      NOW,
    );
    expect(unpaid.jobs).toEqual([]);
  });

  it('cancels on CANCEL (the webhook word) and on a cancellation event', () => {
    expect(
      planTikTokWebhook('brand-a', envelope(1, { order_id: '9', order_status: 'CANCEL', update_time: 1 }), imports, NOW).jobs[0],
    ).toMatchObject({ name: 'order-cancel', data: { origin: 'tiktok', tiktokOrderId: '9' } });
    expect(
      planTikTokWebhook(
        'brand-a',
        envelope(11, { order_id: '9', cancel_status: 'CANCELLATION_REQUEST_PENDING', cancel_id: '3' }),
        imports,
        NOW,
      ).jobs[0],
    ).toMatchObject({ name: 'order-cancel' });
  });

  it('follows a listing on product status and audit events', () => {
    for (const type of [5, 37]) {
      const data =
        type === 5
          ? { product_id: '1729587969628441234', status: 'PRODUCT_STATUS_CHANGED', update_time: 1 }
          : { product_id: '1729587969628441234', audit: { status: 'APPROVED' }, update_time: 1 };
      expect(planTikTokWebhook('brand-a', envelope(type, data), imports, NOW).jobs[0]).toMatchObject({
        queue: 'products',
        name: 'listing-status',
        data: { tiktokProductId: '1729587969628441234' },
      });
    }
  });

  it('refreshes tokens when authorization is about to expire and explains a revoked one', () => {
    expect(
      planTikTokWebhook('brand-a', envelope(7, { message: 'soon', expiration_time: '1' }), imports, NOW).jobs[0],
    ).toMatchObject({ queue: 'maintenance', name: 'token-refresh' });
    const revoked = planTikTokWebhook('brand-a', envelope(6, { message: 'bye' }), imports, NOW);
    expect(revoked.jobs).toEqual([]);
    expect(revoked.operatorAction).toMatch(/authorized for the shop again/);
    expect(revoked.authorization).toBe('revoked');
    expect(planTikTokWebhook('brand-a', envelope(7, { message: 'soon', expiration_time: '1' }), imports, NOW).authorization).toBe(
      'expiring',
    );
    expect(
      planTikTokWebhook(
        'brand-a',
        envelope(1, { order_id: '5764000000000000001', order_status: 'AWAITING_SHIPMENT', update_time: 1 }),
        imports,
        NOW,
      ).authorization,
    ).toBeUndefined();
  });
});
