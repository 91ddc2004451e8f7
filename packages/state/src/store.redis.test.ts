import { useTestRedis, type TestRedis } from '@shoptok/testkit';
import { StateRecordError, StateStore } from './index.js';

describe('StateStore (real Redis)', () => {
  let redis: TestRedis;
  let state: StateStore;

  beforeAll(async () => {
    redis = await useTestRedis('state');
    state = new StateStore(redis.client, redis.prefix, 'glow');
  });
  afterAll(() => redis.cleanup());

  const link = {
    sellerSku: 'TEE-BLK-M',
    shopifyProductId: 'gid://shopify/Product/1',
    shopifyVariantId: 'gid://shopify/ProductVariant/11',
    shopifyInventoryItemId: 'gid://shopify/InventoryItem/111',
    tiktokProductId: '1729382256910270000',
    tiktokSkuId: '1729382256910270001',
  };

  it('keeps every key of the store under one Redis Cluster hash tag', () => {
    for (const key of Object.values(state.keys)) expect(key.startsWith(`${redis.prefix}:{glow}:state:`)).toBe(true);
  });

  it('saves SKU links and finds them by SKU and by the inventory item a webhook names', async () => {
    await state.saveSkuLinks([link]);
    expect((await state.skuLinks(['TEE-BLK-M', 'NOPE'])).get('TEE-BLK-M')).toEqual(link);
    expect(await state.skuLinkForInventoryItem('gid://shopify/InventoryItem/111')).toEqual(link);
    expect(await state.allSkuLinks()).toEqual([link]);
    await state.removeSkuLinks(['TEE-BLK-M']);
    expect(await state.skuLinkForInventoryItem('gid://shopify/InventoryItem/111')).toBeUndefined();
  });

  it('remembers what TikTok was last told per SKU and warehouse', async () => {
    await state.recordPushed([{ tiktokSkuId: 's1', warehouses: { w1: 4, w2: 0 } }], 1_000);
    expect((await state.lastPushed(['s1', 's2'])).get('s1')).toEqual({ warehouses: { w1: 4, w2: 0 }, at: 1_000 });
    expect((await state.lastPushed(['s2'])).size).toBe(0);
  });

  it('moves an order from failed to imported, and off the tracking list once shipped', async () => {
    await state.recordOrderFailure('5001', [{ code: 'unknown-sku', message: 'SKU X is not in Shopify' }], 1);
    await state.recordOrderFailure('5001', [{ code: 'unknown-sku', message: 'SKU X is not in Shopify' }], 2);
    expect((await state.orderFailures()).get('5001')).toMatchObject({ attempts: 2, at: 2 });

    await state.saveOrder('5001', { shopifyOrderId: 'gid://shopify/Order/9', tiktokStatus: 'AWAITING_SHIPMENT', importedAt: 3 });
    expect((await state.orderFailures()).has('5001')).toBe(false);
    expect(await state.ordersAwaitingTracking()).toEqual(['5001']);
    await state.saveOrder('5001', {
      shopifyOrderId: 'gid://shopify/Order/9',
      tiktokStatus: 'IN_TRANSIT',
      importedAt: 3,
      shippedAt: 4,
      trackingNumber: '1Z999',
    });
    expect(await state.ordersAwaitingTracking()).toEqual([]);
    expect(await state.order('5001')).toMatchObject({ trackingNumber: '1Z999' });
  });

  it("a listing saved clears the product's attention flag", async () => {
    await state.markNeedsAttention('gid://shopify/Product/2', [{ code: 'missing-attribute', message: 'Material is required' }]);
    expect((await state.needsAttention()).get('gid://shopify/Product/2')?.reasons[0]?.code).toBe('missing-attribute');
    await state.saveListing('gid://shopify/Product/2', {
      tiktokProductId: '77',
      contentHash: 'h',
      status: 'PENDING',
      auditFailedReasons: [],
      updatedAt: 5,
    });
    expect((await state.needsAttention()).size).toBe(0);
    expect(await state.listing('gid://shopify/Product/2')).toMatchObject({ status: 'PENDING' });
  });

  it('refuses a damaged record with a plain message instead of acting on it', async () => {
    await redis.client.hset(state.keys.order, '666', '{"shopifyOrderId": 42}');
    await expect(state.order('666')).rejects.toBeInstanceOf(StateRecordError);
    await expect(state.order('666')).rejects.toThrow(/run reconcile to rebuild it/);
  });

  it("keeps the merchant's pins and attribute defaults through clear(), and records category decisions and store flags", async () => {
    await state.pinCategory('gid://shopify/Product/7', '601226', 1_000);
    await state.pinCategory('gid://shopify/Product/8', '600157', 2_000);
    expect(await state.unpinCategory('gid://shopify/Product/8')).toBe(true);
    expect(await state.unpinCategory('gid://shopify/Product/8')).toBe(false);
    await state.setAttributeDefault('601226', 'Material', 'Cotton');
    await state.setAttributeDefault('601226', 'Care: washing', 'Hand wash');
    await state.setAttributeDefault('601226', 'Care: washing', undefined);
    await state.saveCategoryDecision('gid://shopify/Product/7', {
      categoryId: '601226',
      categoryPath: ['Womenswear & Underwear', 'T-shirts'],
      source: 'pin',
      reason: 'pinned by the merchant',
      attributeSources: { Material: 'metafield custom.material' },
      at: 3_000,
    });
    await state.flagStore('mass-removal-held', { message: 'held', at: 4_000, numbers: { wouldRemove: 5, liveListings: 6 } });
    expect(await state.categoryDecision('gid://shopify/Product/7')).toMatchObject({ source: 'pin', categoryId: '601226' });
    expect((await state.storeAttention()).get('mass-removal-held')?.numbers).toEqual({ wouldRemove: 5, liveListings: 6 });
    await state.clear();
    // Sync state is gone (rebuildable); the merchant's own choices are not.
    expect(await state.categoryDecisions()).toEqual(new Map());
    expect(await state.storeAttention()).toEqual(new Map());
    expect([...(await state.categoryPins())]).toEqual([['gid://shopify/Product/7', { categoryId: '601226', at: 1_000 }]]);
    expect(await state.attributeDefaults()).toEqual([{ categoryId: '601226', attributeName: 'Material', value: 'Cotton' }]);
    await redis.client.unlink(...Object.values(state.merchant));
  });

  it('walks a record hash for a page: every record decoded, a damaged one handed over as undefined', async () => {
    const pages = new StateStore(redis.client, redis.prefix, 'pages');
    const ids = Array.from({ length: 250 }, (_, i) => `gid://shopify/Product/${i}`);
    await pages.saveProductSummaries(new Map(ids.map((id, i) => [id, { title: `Product ${i}`, seenAt: i }])));
    await redis.client.hset(
      pages.keys.product,
      'gid://shopify/Product/bad',
      '{"title":7}',
      'gid://shopify/Product/junk',
      'not json',
    );
    const seen = new Map<string, unknown>();
    await pages.scanRecords('product', (id, record) => seen.set(id, record), 50); // several HSCAN rounds
    expect(seen.size).toBe(252);
    expect(seen.get('gid://shopify/Product/42')).toEqual({ title: 'Product 42', seenAt: 42 });
    expect(seen.get('gid://shopify/Product/bad')).toBeUndefined();
    expect(seen.has('gid://shopify/Product/junk')).toBe(true);

    await pages.saveOrder('576', { shopifyOrderId: 'gid://shopify/Order/1', tiktokStatus: 'AWAITING_SHIPMENT', importedAt: 1 });
    await pages.recordOrderFailure('577', [{ code: 'sku_unmapped', message: 'SKU "X" is not mapped' }], 5);
    await redis.client.hset(pages.keys.orderFailed, '578', '{"reasons":"no"}');
    expect(await pages.importedOrderCount()).toBe(1);
    expect(await pages.orderFailure('577')).toEqual({
      reasons: [{ code: 'sku_unmapped', message: 'SKU "X" is not mapped' }],
      at: 5,
      attempts: 1,
    });
    expect(await pages.orderFailure('578')).toBeUndefined();
    expect(await pages.orderFailure('579')).toBeUndefined();
    await pages.clear();
  });

  it('cursors round-trip and clear() drops the whole state', async () => {
    await state.setCursor('orders', '1700000000');
    expect(await state.cursor('orders')).toBe('1700000000');
    await state.clear();
    expect(await state.cursor('orders')).toBeUndefined();
    expect(await redis.client.keys(`${redis.prefix}:{glow}:state:*`)).toEqual([]);
  });
});
