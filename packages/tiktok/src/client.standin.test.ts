import { type Harness, pngBytes, startHarness } from './standin.test-helpers.js';
import { TikTokInvalidInputError, type TikTokProductInput, type TikTokShopClient } from './index.js';

const STORAGE_BOX = '600621'; // Home Supplies > Home Organizers > Storage Boxes & Bins
const KNICKERS = '601247'; // Womenswear & Underwear > Women's Underwear > Knickers: Material is required
const SOFAS = '604468'; // Furniture: package dimensions required

let h: Harness;
let client: TikTokShopClient;
let warehouseId: string;

beforeAll(async () => {
  h = await startHarness('tt-client', {
    // Audits finish only when a test completes them: a busy machine must not decide what a test sees.
    auditDelayMs: 3_600_000,
    shopSeed: {
      warehouses: [
        { id: '7200000000000000001', name: 'Leeds' },
        { id: '7200000000000000002', name: 'Bristol' },
      ],
    },
  });
  client = h.client();
  warehouseId = '7200000000000000001';
});
afterAll(async () => {
  await h.close();
});

const calls = (api: string) => h.tts.counters.total({ api }).requests;

async function mainImage(salt: number): Promise<string> {
  return (
    await client.uploadImage({
      data: pngBytes(800, 800, salt),
      useCase: 'MAIN_IMAGE',
      sourceKey: `https://cdn.shopify.test/img-${salt}.png`,
    })
  ).uri;
}

function productInput(uri: string, sellerSku: string, over: Partial<TikTokProductInput> = {}): TikTokProductInput {
  return {
    title: 'Stackable Storage Box 30L',
    description: '<p>A strong stackable box with a clip-on lid.</p>',
    category_id: STORAGE_BOX,
    main_images: [{ uri }],
    package_weight: { value: '1.2', unit: 'KILOGRAM' },
    skus: [
      {
        seller_sku: sellerSku,
        price: { amount: '12.99', currency: 'GBP' },
        inventory: [{ warehouse_id: warehouseId, quantity: 10 }],
      },
    ],
    ...over,
  };
}

describe('shops, categories, brands', () => {
  it('finds the shop cipher', async () => {
    const shops = await client.getAuthorizedShops();
    expect(shops).toEqual([expect.objectContaining({ id: h.shop.shopId, cipher: h.shop.cipher, region: 'GB' })]);
  });

  it('serves the English tree and caches it in Redis with its version', async () => {
    const first = await client.getCategories();
    const again = await h.client().getCategories(); // another process: same Redis cache
    expect(again).toEqual(first);
    expect(calls('GET /product/202309/categories')).toBe(1);
    expect(first.find((c) => c.id === STORAGE_BOX)).toMatchObject({ local_name: 'Storage Boxes & Bins', is_leaf: true });
    const keys = await h.redis.client.keys(`${h.redis.prefix}:{store-1}:tiktok:cache:categories:v1:*`);
    expect(keys).toHaveLength(1);
  });

  it('reads attributes and rules of a leaf and refuses a parent category', async () => {
    const attributes = await client.getCategoryAttributes(KNICKERS);
    expect(attributes.find((a) => a.name === 'Material')).toMatchObject({ is_requried: true, type: 'PRODUCT_PROPERTY' });
    expect((await client.getCategoryRules(SOFAS)).package_dimension?.is_required).toBe(true);
    await expect(client.getCategoryAttributes('600001')).rejects.toMatchObject({
      name: 'TikTokInvalidInputError',
      code: 12052024,
      retryable: false,
    });
  });

  it('recommends a leaf category and pages brands', async () => {
    const rec = await client.recommendCategory({ productTitle: 'Plastic storage boxes with lids' });
    expect(rec?.categories.at(-1)).toMatchObject({ id: rec?.leaf_category_id, is_leaf: true });
    expect(rec?.categories.at(-1)?.name).toMatch(/box/i);
    expect(rec?.categories.at(-1)?.permission_statuses).toContain('AVAILABLE');
    expect(rec?.categories.map((c) => c.level)).toEqual(rec?.categories.map((_, i) => i + 1));
    // No match (12019064) is an answer, not an error; a refused title is an input error.
    expect(await client.recommendCategory({ productTitle: 'Zxqv Wobbleflorp' })).toBeNull();
    await expect(client.recommendCategory({ productTitle: 'Тёплый шарф' })).rejects.toMatchObject({
      name: 'TikTokInvalidInputError',
      code: 12052266,
      retryable: false,
    });
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.getBrands({ pageSize: 2, pageToken: token });
      names.push(...page.brands.map((b) => b.name));
      token = page.next_page_token || undefined;
    } while (token);
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeGreaterThanOrEqual(5);
  });
});

describe('images', () => {
  it('uploads an image once per source, across processes and concurrent callers', async () => {
    const before = calls('POST /product/202309/images/upload');
    const a = await client.uploadImage({
      data: pngBytes(900, 900, 1),
      useCase: 'MAIN_IMAGE',
      sourceKey: 'https://cdn.shopify.test/a.png',
    });
    const b = await h
      .client()
      .uploadImage({ data: pngBytes(900, 900, 1), useCase: 'MAIN_IMAGE', sourceKey: 'https://cdn.shopify.test/a.png' });
    expect(b.uri).toBe(a.uri);
    // No source key: the bytes' hash is the identity; three concurrent callers upload once.
    const same = await Promise.all(
      [1, 2, 3].map(() => client.uploadImage({ data: pngBytes(700, 700, 2), useCase: 'MAIN_IMAGE' })),
    );
    expect(new Set(same.map((i) => i.uri)).size).toBe(1);
    expect(calls('POST /product/202309/images/upload') - before).toBe(2);
    expect(await client.cachedImageFor('https://cdn.shopify.test/a.png', 'MAIN_IMAGE')).toMatchObject({ uri: a.uri });
  });
});

describe('products', () => {
  it('creates a product that passes audit, then edits price and stock without audit', async () => {
    const created = await client.createProduct(productInput(await mainImage(10), 'BOX-30L'));
    expect(created.product_id).toMatch(/^\d{19}$/);
    expect((await client.getProduct(created.product_id)).status).toBe('PENDING');
    h.tts.admin.completeAudits();
    const live = await client.getProduct(created.product_id);
    expect(live.status).toBe('ACTIVATE');
    expect(live.audit?.status).toBe('APPROVED');
    const skuId = live.skus[0]!.id;

    await client.updatePrice(created.product_id, [{ id: skuId, price: { amount: '14.50', currency: 'GBP' } }]);
    const result = await client.updateInventory(created.product_id, [
      { id: skuId, inventory: [{ warehouse_id: warehouseId, quantity: 3 }] },
    ]);
    expect(result.errors).toEqual([]);
    const after = await client.getProduct(created.product_id);
    expect(after.status).toBe('ACTIVATE'); // price/stock edits skip audit
    expect(after.skus[0]).toMatchObject({
      price: { tax_exclusive_price: '14.50' },
      inventory: [{ warehouse_id: warehouseId, quantity: 3 }],
    });
  });

  it("surfaces an audit failure with TikTok's reason", async () => {
    const created = await client.createProduct(
      productInput(await mainImage(11), 'BOX-REPLICA', { title: 'Replica designer storage box' }),
    );
    h.tts.admin.completeAudits();
    const failed = await client.getProduct(created.product_id);
    expect(failed.audit?.status).toBe('FAILED');
    expect(failed.audit_failed_reasons[0]).toMatchObject({ position: 'title', reasons: [expect.stringContaining('replica')] });
  });

  it("refuses invalid products with TikTok's code, message and request id", async () => {
    const uri = await mainImage(12);
    const missingMaterial = client.createProduct(
      productInput(uri, 'KNICKERS-1', { title: 'Cotton knickers', category_id: KNICKERS }),
    );
    await expect(missingMaterial).rejects.toBeInstanceOf(TikTokInvalidInputError);
    await expect(missingMaterial).rejects.toMatchObject({
      code: 12052104,
      retryable: false,
      requestId: expect.stringMatching(/^\d{14}[0-9A-F]+$/),
      tiktokMessage: expect.stringContaining('Material'),
    });
    await client.createProduct(
      productInput(uri, 'KNICKERS-2', {
        title: 'Cotton knickers',
        category_id: KNICKERS,
        product_attributes: [{ id: '100701', values: [{ id: '1000001', name: 'Cotton' }] }],
      }),
    );

    await expect(client.createProduct(productInput('tos-not-uploaded/abc', 'BOX-X'))).rejects.toMatchObject({ code: 12052300 });
    await expect(client.createProduct(productInput(uri, 'BOX-30L'))).rejects.toMatchObject({
      code: 12052910,
      tiktokMessage: expect.stringContaining('already used'),
    });
    await expect(client.createProduct(productInput(uri, 'BOX-Y', { title: 'x'.repeat(256) }))).rejects.toMatchObject({
      code: 12052051,
    });
    await expect(
      client.createProduct(productInput(uri, 'BOX-Z', { main_images: Array.from({ length: 10 }, () => ({ uri })) })),
    ).rejects.toMatchObject({ code: 12052306 });
    await expect(client.createProduct(productInput(uri, 'SOFA-1', { category_id: SOFAS }))).rejects.toMatchObject({
      code: 12019012,
    });
    // Caught before any call: our own input schema.
    await expect(client.createProduct({ ...productInput(uri, 'BOX-Q'), skus: [] })).rejects.toBeInstanceOf(
      TikTokInvalidInputError,
    );
  });

  it('full edit blanks omitted fields and re-enters audit; partial edit keeps them', async () => {
    const uri = await mainImage(13);
    const created = await client.createProduct(productInput(uri, 'BOX-BRAND', { brand_id: '7082427311584347905' }));
    h.tts.admin.completeAudits();
    expect((await client.getProduct(created.product_id)).status).toBe('ACTIVATE');
    await client.partialEditProduct(created.product_id, { title: 'Stackable Storage Box 30L, clear' });
    const partial = await client.getProduct(created.product_id);
    expect(partial).toMatchObject({ title: 'Stackable Storage Box 30L, clear', brand: { id: '7082427311584347905' } });

    const skuId = partial.skus[0]!.id;
    await client.editProduct(created.product_id, {
      ...productInput(uri, 'BOX-BRAND'),
      skus: [{ id: skuId, seller_sku: 'BOX-BRAND' }],
    });
    const edited = await client.getProduct(created.product_id);
    expect(edited.status).toBe('PENDING');
    expect(edited.brand).toBeUndefined();
    // Price and stock were omitted for the existing SKU: they stay (§5.4).
    expect(edited.skus[0]).toMatchObject({
      id: skuId,
      price: { tax_exclusive_price: '12.99' },
      inventory: [{ warehouse_id: warehouseId, quantity: 10 }],
    });
  });

  it('reports per-item inventory failures answered with code 0', async () => {
    const uri = await mainImage(14);
    const created = await client.createProduct(
      productInput(uri, 'BOX-2WH-A', {
        skus: [
          {
            seller_sku: 'BOX-2WH-A',
            price: { amount: '9.99', currency: 'GBP' },
            inventory: [
              { warehouse_id: '7200000000000000001', quantity: 5 },
              { warehouse_id: '7200000000000000002', quantity: 5 },
            ],
          },
          {
            seller_sku: 'BOX-2WH-B',
            price: { amount: '9.99', currency: 'GBP' },
            inventory: [{ warehouse_id: '7200000000000000001', quantity: 5 }],
          },
        ],
      }),
    );
    const [a, b] = created.skus;
    const result = await client.updateInventory(created.product_id, [
      { id: a!.id, inventory: [{ warehouse_id: '7200000000000000001', quantity: 1 }] }, // Bristol missing
      { id: b!.id, inventory: [{ warehouse_id: '7200000000000000001', quantity: 0 }] },
      { id: '1700000000000000000', inventory: [{ quantity: 1 }] },
    ]);
    expect(result.errors).toEqual([
      expect.objectContaining({ code: 12019028, detail: expect.objectContaining({ sku_id: a!.id }) }),
      expect.objectContaining({ code: 12052556, detail: { sku_id: '1700000000000000000' } }),
    ]);
    const product = await client.getProduct(created.product_id);
    expect(product.skus.find((s) => s.id === b!.id)?.inventory).toEqual([{ warehouse_id: '7200000000000000001', quantity: 0 }]);
    expect(product.skus.find((s) => s.id === a!.id)?.inventory.map((i) => i.quantity)).toEqual([5, 5]);
  });

  it('deactivates, activates and deletes, reporting unknown ids per item', async () => {
    const created = await client.createProduct(productInput(await mainImage(15), 'BOX-STATUS'));
    h.tts.admin.completeAudits();
    expect((await client.getProduct(created.product_id)).status).toBe('ACTIVATE');
    expect((await client.deactivateProducts([created.product_id])).errors).toEqual([]);
    expect((await client.getProduct(created.product_id)).status).toBe('SELLER_DEACTIVATED');
    expect((await client.activateProducts([created.product_id, '1799999999999999999'])).errors).toEqual([
      expect.objectContaining({ code: 12052032, detail: { product_id: '1799999999999999999' } }),
    ]);
    expect((await client.deleteProducts([created.product_id])).errors).toEqual([]);
    await expect(client.getProduct(created.product_id)).rejects.toMatchObject({ code: 12052901 });
  });
});

describe('paging', () => {
  it('pages every product and searches by SKU and update time', async () => {
    for (let i = 0; i < 23; i++) {
      h.tts.admin.seedProduct(h.shop.shopId, {
        title: `Seeded ${i}`,
        category_id: STORAGE_BOX,
        update_time: 1_700_000_000 + i,
        skus: [
          {
            id: `17100000000000000${String(i).padStart(2, '0')}`,
            seller_sku: `SEED-${i}`,
            price: { amount: '5.00', currency: 'GBP' },
            inventory: [{ warehouse_id: warehouseId, quantity: 1 }],
            sales_attributes: [],
          },
        ],
      });
    }
    const before = calls('POST /product/202309/products/search');
    const ids: string[] = [];
    for await (const p of client.iterateProducts(
      { status: 'ACTIVATE', updateTimeGe: 1_700_000_000, updateTimeLe: 1_700_000_022 },
      5,
    ))
      ids.push(p.id);
    expect(ids).toHaveLength(23);
    expect(new Set(ids).size).toBe(23);
    expect(calls('POST /product/202309/products/search') - before).toBe(5);
    const bySku = await client.searchProducts({ sellerSkus: ['SEED-3', 'SEED-4'] });
    expect(bySku.products.map((p) => p.skus[0]!.seller_sku).sort()).toEqual(['SEED-3', 'SEED-4']);
    await expect(client.searchProducts({ sellerSkus: Array.from({ length: 11 }, (_, i) => `S${i}`) })).rejects.toBeInstanceOf(
      TikTokInvalidInputError,
    );
  });
});

describe('orders and fulfilment', () => {
  it('pages orders by update time, reads details 50 at a time, ships and cancels', async () => {
    h.tts.admin.seedProduct(h.shop.shopId, {
      title: 'Order me',
      category_id: STORAGE_BOX,
      skus: [
        {
          id: '1720000000000000001',
          seller_sku: 'ORD-A',
          price: { amount: '7.50', currency: 'GBP' },
          inventory: [{ warehouse_id: warehouseId, quantity: 100 }],
          sales_attributes: [],
        },
        {
          id: '1720000000000000002',
          seller_sku: 'ORD-B',
          price: { amount: '3.25', currency: 'GBP' },
          inventory: [{ warehouse_id: warehouseId, quantity: 100 }],
          sales_attributes: [],
        },
      ],
    });
    const orders = h.tts.admin.generateOrders(h.shop.shopId, {
      count: 60,
      sellerSkus: ['ORD-A', 'ORD-B'],
      createTime: 1_750_000_000,
    });
    const seen: string[] = [];
    for await (const o of client.iterateOrders(
      { updateTimeGe: 1_750_000_000, updateTimeLt: 1_750_000_001, sortField: 'update_time', sortOrder: 'ASC' },
      25,
    ))
      seen.push(o.id);
    expect(new Set(seen)).toEqual(new Set(orders.map((o) => o.id)));

    const before = calls('GET /order/202309/orders');
    const details = await client.getOrders(orders.map((o) => o.id));
    expect(details).toHaveLength(60);
    expect(calls('GET /order/202309/orders') - before).toBe(2);
    // One line item per unit: no quantity field anywhere.
    expect(details.every((o) => o.line_items.length >= 1 && o.line_items.every((li) => li.seller_sku.startsWith('ORD-')))).toBe(
      true,
    );

    const order = details[0]!;
    h.tts.admin.advanceOrder(h.shop.shopId, order.id, 'AWAITING_SHIPMENT');
    const providers = await client.getShippingProviders(order.delivery_option_id!);
    const royalMail = providers.find((p) => p.name === 'Royal Mail')!;
    const shipped = await client.markPackageShipped(order.id, {
      trackingNumber: 'RM123456789GB',
      shippingProviderId: royalMail.id,
    });
    expect(shipped.order_line_item_ids.sort()).toEqual(order.line_items.map((li) => li.id).sort());
    await expect(
      client.markPackageShipped(order.id, { trackingNumber: 'RM123456789GB', shippingProviderId: royalMail.id }),
    ).rejects.toMatchObject({ code: 21008099, retryable: false });
    await client.updateShippingInfo(order.id, { trackingNumber: 'RM999999999GB', shippingProviderId: royalMail.id });
    const [after] = await client.getOrders([order.id]);
    expect(after).toMatchObject({ status: 'IN_TRANSIT', tracking_number: 'RM999999999GB' });

    const victim = details[1]!;
    h.tts.admin.cancelOrder(h.shop.shopId, victim.id);
    const cancellations = await client.searchCancellations({ orderIds: [victim.id] });
    expect(cancellations.cancellations).toEqual([
      expect.objectContaining({ order_id: victim.id, cancel_status: 'CANCELLATION_REQUEST_COMPLETE' }),
    ]);
    expect((await client.getOrders([victim.id]))[0]!.status).toBe('CANCELLED');
  });

  it("cancels an order as the seller with a reason key that fits its status; TikTok's refusals come back with their code", async () => {
    h.tts.admin.seedProduct(h.shop.shopId, {
      title: 'Cancel me',
      category_id: STORAGE_BOX,
      skus: [
        {
          id: '1720000000000000009',
          seller_sku: 'CXL-A',
          price: { amount: '5.00', currency: 'GBP' },
          inventory: [{ warehouse_id: warehouseId, quantity: 100 }],
          sales_attributes: [],
        },
      ],
    });
    const [paid, shipped] = h.tts.admin.generateOrders(h.shop.shopId, {
      count: 2,
      sellerSkus: ['CXL-A'],
      status: 'AWAITING_SHIPMENT',
    });
    // An unpaid-order key on a paid order: refused, nothing cancelled.
    await expect(
      client.cancelOrder(paid!.id, {
        cancelReason: 'seller_cancel_unpaid_reason_out_of_stock',
        idempotencyKey: `k-${paid!.id}-1`,
      }),
    ).rejects.toMatchObject({ code: 25001021, retryable: false, tiktokMessage: 'Reason not match order status' });
    await expect(
      client.cancelOrder(paid!.id, { cancelReason: 'seller_cancel_reason_out_of_stock_uk', idempotencyKey: `k-${paid!.id}-2` }),
    ).rejects.toMatchObject({ code: 25001014 });
    const done = await client.cancelOrder(paid!.id, {
      cancelReason: 'seller_cancel_reason_out_of_stock',
      idempotencyKey: `k-${paid!.id}`,
    });
    expect(done).toMatchObject({ cancel_status: 'CANCELLATION_REQUEST_COMPLETE' });
    // The same idempotency key again (a resend after a lost answer) is the same cancellation.
    const again = await client.cancelOrder(paid!.id, {
      cancelReason: 'seller_cancel_reason_out_of_stock',
      idempotencyKey: `k-${paid!.id}`,
    });
    expect(again.cancel_id).toBe(done.cancel_id);
    const [record] = (await client.searchCancellations({ orderIds: [paid!.id] })).cancellations;
    expect(record).toMatchObject({
      cancel_id: done.cancel_id,
      role: 'SELLER',
      cancel_reason: 'seller_cancel_reason_out_of_stock',
    });
    expect((await client.getOrders([paid!.id]))[0]!.status).toBe('CANCELLED');

    const providers = await client.getShippingProviders(shipped!.delivery_option_id);
    await client.markPackageShipped(shipped!.id, { trackingNumber: 'RM000000001GB', shippingProviderId: providers[0]!.id });
    await expect(
      client.cancelOrder(shipped!.id, { cancelReason: 'seller_cancel_reason_out_of_stock', idempotencyKey: `k-${shipped!.id}` }),
    ).rejects.toMatchObject({ code: 25001045 });
  });

  it('sends no body for an unfiltered search (as the official SDK), and the JSON body it signed for a filtered one', async () => {
    const sent = (api: string) => h.tts.admin.requests().filter((r) => r.api === api);
    const ORDERS = 'POST /order/202309/orders/search';
    const PRODUCTS = 'POST /product/202309/products/search';
    const CANCELLATIONS = 'POST /return_refund/202309/cancellations/search';
    const before = { orders: sent(ORDERS).length, products: sent(PRODUCTS).length, cancellations: sent(CANCELLATIONS).length };
    // Unfiltered: each accepted by the stand-in's signature check with nothing appended.
    await client.searchOrders();
    await client.searchProducts({}, { pageSize: 10 });
    await client.searchCancellations();
    const unfiltered = [
      ...sent(ORDERS).slice(before.orders),
      ...sent(PRODUCTS).slice(before.products),
      ...sent(CANCELLATIONS).slice(before.cancellations),
    ];
    expect(unfiltered).toHaveLength(3);
    expect(unfiltered.map((r) => r.bodyBytes)).toEqual([0, 0, 0]);
    // Filtered: the body goes, signed, as before.
    const filtered = await client.searchOrders({ orderStatus: 'AWAITING_SHIPMENT' });
    expect(filtered.orders.every((o) => o.status === 'AWAITING_SHIPMENT')).toBe(true);
    const last = sent(ORDERS).at(-1)!;
    expect(last.bodyBytes).toBe(Buffer.byteLength('{"order_status":"AWAITING_SHIPMENT"}'));
    expect(last.contentType).toBe('application/json');
  });

  it('lists warehouses and manages webhook subscriptions', async () => {
    expect((await client.getWarehouses()).map((w) => w.id)).toEqual(['7200000000000000001', '7200000000000000002']);
    await client.putWebhook({ eventType: 'ORDER_STATUS_CHANGE', address: 'https://hooks.example.com/tiktok' });
    expect(await client.getWebhooks()).toEqual([
      { event_type: 'ORDER_STATUS_CHANGE', address: 'https://hooks.example.com/tiktok' },
    ]);
  });
});

describe('the API call observer (metrics)', () => {
  it('is told every request with its status: a 429 counts as one call, as the stand-in counts it', async () => {
    const calls: unknown[] = [];
    const observed = h.client({ onApiCall: (call) => calls.push(call) });
    const WAREHOUSES = 'GET /logistics/202309/warehouses';
    const before = h.tts.counters.total({ api: WAREHOUSES });
    h.tts.faults.inject({ shop: h.shop.shopId, kind: 'rate-limit', api: WAREHOUSES });
    await expect(observed.getWarehouses()).rejects.toMatchObject({ name: 'TikTokRateLimitError' });
    h.tts.faults.inject({ shop: h.shop.shopId, kind: 'server-error', status: 503, api: WAREHOUSES });
    await observed.getWarehouses(); // a read: retried after the 503
    expect(calls).toEqual([
      { api: 'tiktok', operation: WAREHOUSES, status: 429, throttled: false },
      { api: 'tiktok', operation: WAREHOUSES, status: 503, throttled: false },
      { api: 'tiktok', operation: WAREHOUSES, status: 200, throttled: false },
    ]);
    const after = h.tts.counters.total({ api: WAREHOUSES });
    expect({ requests: after.requests - before.requests, rateLimited: after.rateLimited - before.rateLimited }).toEqual({
      requests: 3,
      rateLimited: 1,
    });
  });
});
