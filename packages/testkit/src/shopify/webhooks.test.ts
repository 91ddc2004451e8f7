import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitUntil } from '../redis.js';
import { generateCatalogue } from './catalogue.js';
import { startShopifyStandIn, type ShopifyStandIn } from './server.js';
import { matches, parseSearch } from './state.js';

describe('parseSearch / matches', () => {
  const record = {
    sku: () => ['ABC-1', 'abc', '1'],
    tag: () => ['tiktok', 'vip'],
    updated_at: () => '2026-01-02T00:00:00.000Z',
    status: () => 'open',
  };
  it.each([
    ['sku:"ABC-1"', true],
    ['sku:"XYZ" OR sku:"abc-1"', true],
    ['sku:"XYZ" OR sku:"QQQ"', false],
    ["tag:'tiktok' updated_at:>='2026-01-01T00:00:00Z'", true],
    ["tag:tiktok AND updated_at:>'2026-01-03T00:00:00Z'", false],
    ['(sku:"XYZ" OR sku:"ABC-1") tag:vip', true],
    ['-tag:vip', false],
    ['NOT status:closed', true],
    ['sku:"X:1 OR \\"Y\\""', false],
    ['unknown_field:anything', true],
    ['', true],
  ])('%s -> %s', (query, expected) => {
    expect(matches(parseSearch(query), record)).toBe(expected);
  });

  it('keeps quoted values with search syntax and escapes as one literal value', () => {
    expect(parseSearch('sku:"X:1 OR (Y)\\""')).toEqual({
      kind: 'term',
      field: 'sku',
      op: '=',
      value: 'X:1 OR (Y)"',
      negated: false,
    });
  });
});

describe('catalogue categories', () => {
  it('gives most products a taxonomy category matching their kind, and leaves some without', () => {
    const { products } = generateCatalogue({ products: 120, seed: 9 });
    const withCategory = products.filter((p) => p.category);
    expect(withCategory.length).toBeGreaterThan(80);
    expect(withCategory.length).toBeLessThan(products.length);
    for (const p of withCategory) {
      expect(p.category!.id).toMatch(/^gid:\/\/shopify\/TaxonomyCategory\/[a-z]{2}(-\d+)+$/);
      expect(p.category!.fullName.endsWith(` > ${p.category!.name}`)).toBe(true);
      const root = p.category!.fullName.split(' > ')[0];
      expect(root).toBe(
        { fashion: 'Apparel & Accessories', beauty: 'Health & Beauty', home: 'Home & Garden' }[
          p.tags[0] as 'fashion' | 'beauty' | 'home'
        ],
      );
    }
  });
});

describe('webhooks from admin changes and mutations', () => {
  let shop: ShopifyStandIn;
  let receiver: Server;
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    shop = await startShopifyStandIn({ catalogue: { products: 6, seed: 4, locations: 2 }, cancelDelayMs: 5 });
    shop.setWebhookTarget(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`);
  });
  afterAll(async () => {
    await shop.close();
    await new Promise((r) => receiver.close(r));
  });

  // Checks a delivery the way a receiver must (own HMAC code: testkit imports nothing of ours).
  const verified = (r: { headers: IncomingHttpHeaders; body: string }) => {
    const expected = createHmac('sha256', shop.apiSecret).update(r.body).digest();
    const given = Buffer.from(String(r.headers['x-shopify-hmac-sha256']), 'base64');
    return (
      given.length === expected.length &&
      timingSafeEqual(given, expected) &&
      r.headers['x-shopify-shop-domain'] === shop.shopDomain &&
      typeof r.headers['x-shopify-webhook-id'] === 'string' &&
      typeof r.headers['x-shopify-triggered-at'] === 'string'
    );
  };
  const collect = async (start: number, topics: string[]) => {
    await waitUntil(
      () => topics.every((t) => received.slice(start).some((r) => r.headers['x-shopify-topic'] === t)) || undefined,
      { timeoutMs: 3000, what: `webhooks ${topics.join(', ')}` },
    );
    const got = received.slice(start);
    for (const r of got) expect(verified(r)).toBe(true);
    return (topic: string) =>
      got.filter((r) => r.headers['x-shopify-topic'] === topic).map((r) => JSON.parse(r.body) as Record<string, unknown>);
  };
  const graphql = async <T>(query: string, variables: Record<string, unknown>) => {
    const res = await fetch(`${shop.url}/admin/api/2026-10/graphql.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shopify-access-token': shop.accessToken },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as { data: T; errors?: unknown };
  };

  it('products/update and products/delete', async () => {
    const [a, b] = shop.state.products;
    const start = received.length;
    shop.editProduct(a!.id, { title: 'Renamed' });
    shop.deleteProduct(b!.id);
    const by = await collect(start, ['products/update', 'products/delete']);
    expect(by('products/update')[0]).toMatchObject({
      id: a!.id,
      admin_graphql_api_id: `gid://shopify/Product/${a!.id}`,
      title: 'Renamed',
      variants: expect.arrayContaining([
        expect.objectContaining({ product_id: a!.id, inventory_item_id: a!.variants[0]!.inventoryItemId }),
      ]),
    });
    expect(by('products/delete')).toEqual([{ id: b!.id }]);
  });

  it('inventory_levels/update from an admin stock change and from an order that takes stock', async () => {
    const v = shop.state.products[2]!.variants[0]!;
    const loc = shop.state.locations[1]!.id;
    let start = received.length;
    shop.setStock(v.inventoryItemId, loc, 40);
    let by = await collect(start, ['inventory_levels/update']);
    expect(by('inventory_levels/update')).toEqual([
      expect.objectContaining({ inventory_item_id: v.inventoryItemId, location_id: loc, available: 40 }),
    ]);

    const first = shop.state.locations[0]!.id;
    const had = shop.state.stock.get(v.inventoryItemId)!.get(first)!;
    start = received.length;
    const created = await graphql<{ orderCreate: { userErrors: unknown[] } }>(
      'mutation M($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) { orderCreate(order: $order, options: $options) { order { id } userErrors { message } } }',
      {
        order: { lineItems: [{ variantId: `gid://shopify/ProductVariant/${v.id}`, quantity: 2 }], tags: ['tiktok'] },
        options: { inventoryBehaviour: 'DECREMENT_IGNORING_POLICY' },
      },
    );
    expect(created.data.orderCreate.userErrors).toEqual([]);
    by = await collect(start, ['orders/create', 'inventory_levels/update']);
    expect(by('inventory_levels/update')).toEqual([
      expect.objectContaining({ inventory_item_id: v.inventoryItemId, location_id: first, available: had - 2 }),
    ]);
  });

  it('fulfillments/create, orders/fulfilled and orders/updated when the merchant fulfils', async () => {
    const order = shop.state.orders[0]!;
    const start = received.length;
    shop.fulfilOrder(order.id, { number: '1Z999', company: 'UPS', url: 'https://ups.example/1Z999' });
    const by = await collect(start, ['fulfillments/create', 'orders/fulfilled', 'orders/updated']);
    expect(by('fulfillments/create')[0]).toMatchObject({
      order_id: order.id,
      status: 'success',
      tracking_number: '1Z999',
      tracking_numbers: ['1Z999'],
      tracking_company: 'UPS',
      tracking_url: 'https://ups.example/1Z999',
      admin_graphql_api_id: expect.stringMatching(/^gid:\/\/shopify\/Fulfillment\//),
    });
    expect(by('orders/fulfilled')[0]).toMatchObject({
      id: order.id,
      fulfillment_status: 'fulfilled',
      fulfillments: [expect.objectContaining({ tracking_number: '1Z999' })],
    });
  });

  it('orders/cancelled and restock levels when the merchant cancels, and when orderCancel runs', async () => {
    const v = shop.state.products[3]!.variants[0]!;
    const make = async () => {
      const start = received.length;
      const r = await graphql<{ orderCreate: { order: { id: string } } }>(
        'mutation M($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) { orderCreate(order: $order, options: $options) { order { id } } }',
        {
          order: { lineItems: [{ variantId: `gid://shopify/ProductVariant/${v.id}`, quantity: 1 }] },
          options: { inventoryBehaviour: 'DECREMENT_IGNORING_POLICY' },
        },
      );
      // Let the order's own webhooks arrive first, so they are not mistaken for the cancellation's.
      await collect(start, ['orders/create', 'inventory_levels/update']);
      return r.data.orderCreate.order.id;
    };
    const loc = shop.state.locations[0]!.id;
    const merchantOrder = await make();
    const before = shop.state.stock.get(v.inventoryItemId)!.get(loc)!;
    let start = received.length;
    shop.cancelOrder(merchantOrder, 'CUSTOMER');
    let by = await collect(start, ['orders/cancelled', 'inventory_levels/update']);
    expect(by('orders/cancelled')[0]).toMatchObject({
      admin_graphql_api_id: merchantOrder,
      cancel_reason: 'customer',
      cancelled_at: expect.any(String),
    });
    expect(by('inventory_levels/update')).toEqual([
      expect.objectContaining({ inventory_item_id: v.inventoryItemId, location_id: loc, available: before + 1 }),
    ]);

    const apiOrder = await make();
    const levelBeforeApiCancel = shop.state.stock.get(v.inventoryItemId)!.get(loc);
    start = received.length;
    const cancel = await graphql<{ orderCancel: { jobResult: { id: string } } }>(
      'mutation C($id: ID!) { orderCancel(orderId: $id, reason: STAFF, restock: false) { jobResult { id done status } orderCancelUserErrors { code message } } }',
      { id: apiOrder },
    );
    expect(cancel.data.orderCancel).toMatchObject({ jobResult: { done: false, status: 'STARTED' }, orderCancelUserErrors: [] });
    by = await collect(start, ['orders/cancelled']);
    expect(by('orders/cancelled')[0]).toMatchObject({ admin_graphql_api_id: apiOrder, cancel_reason: 'staff' });
    expect(by('inventory_levels/update')).toEqual([]); // restock: false
    expect(shop.state.stock.get(v.inventoryItemId)!.get(loc)).toBe(levelBeforeApiCancel);
    const job = await graphql<{ job: unknown }>('query J($id: ID!) { job(id: $id) { done } }', {
      id: cancel.data.orderCancel.jobResult.id,
    });
    expect(job.data.job).toEqual({ done: true });
    const again = await graphql<{ orderCancel: unknown }>(
      'mutation C($id: ID!) { orderCancel(orderId: $id, reason: STAFF, restock: false) { jobResult { id } orderCancelUserErrors { code field } } }',
      { id: apiOrder },
    );
    expect(again.data.orderCancel).toEqual({ jobResult: null, orderCancelUserErrors: [{ code: 'INVALID', field: ['orderId'] }] });
  });
});
