import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useTestRedis, waitUntil, type TestRedis } from '@shoptok/testkit';
import { startShopifyStandIn, type ShopifyStandIn } from '@shoptok/testkit/shopify';
import { quoteSearchValue, ShopifyClient, type ShopifyClientOptions } from './client.js';
import { ShopifyClientError, ShopifyTransientError, ShopifyUserError } from './errors.js';
import {
  fulfillmentWebhook,
  orderGid as orderGidOf,
  orderWebhook,
  productGid,
  productWebhook,
  verifyShopifyWebhook,
} from './webhooks.js';

// What the sync workers need beyond the basics: taxonomy category, SKU lookup, the fulfilment
// poll and order cancellation, against the stand-in over real HTTP and a real Redis.

let redis: TestRedis;
let shop: ShopifyStandIn;
const clients: ShopifyClient[] = [];

function client(extra: Partial<ShopifyClientOptions> = {}): ShopifyClient {
  const c = new ShopifyClient({
    storeDomain: shop.shopDomain,
    accessToken: shop.accessToken,
    apiSecretKey: shop.apiSecret,
    redis: redis.client,
    keyPrefix: redis.prefix,
    storeId: shop.shopDomain.split('.')[0]!,
    endpoint: shop.url,
    backoffBaseMs: 10,
    timeoutMs: 2000,
    cancelPollIntervalMs: 20,
    ...extra,
  });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  redis = await useTestRedis('shopify-sync');
  shop = await startShopifyStandIn({
    catalogue: { products: 30, seed: 11, locations: 2 },
    bucket: { maximumAvailable: 4000, restoreRate: 2000 },
  });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await shop.close();
  await redis.cleanup();
});

const orderGid = (id: number) => `gid://shopify/Order/${id}`;
const totalStock = (itemId: number) => [...shop.state.stock.get(itemId)!.values()].reduce((a, b) => a + b, 0);

describe('product category', () => {
  it('reads the taxonomy category (or null) through pages and bulk alike', async () => {
    const paged = await client().fetchCatalogue();
    const bulk = await client({ bulkThreshold: 1, bulkPollIntervalMs: 20 }).fetchCatalogue();
    expect(bulk.via).toBe('bulk');
    for (const result of [paged, bulk]) {
      const byId = new Map(result.products.map((p) => [p.id, p.category]));
      for (const p of shop.state.products) expect(byId.get(`gid://shopify/Product/${p.id}`)).toEqual(p.category ?? null);
    }
    const categories = paged.products.map((p) => p.category);
    expect(categories).toContain(null);
    expect(categories.find((c) => c?.fullName.startsWith('Health & Beauty > Personal Care > Cosmetics'))?.id).toMatch(
      /^gid:\/\/shopify\/TaxonomyCategory\/hb-/,
    );
  });
});

describe('getVariantsBySku', () => {
  it('returns exact matches only, shows duplicates and misses, in bounded batches', async () => {
    const variants = shop.state.products.flatMap((p) => p.variants.map((v) => ({ p, v })));
    const unique = variants.filter(({ v }) => v.sku && variants.filter((x) => x.v.sku === v.sku).length === 1).slice(0, 30);
    const target = unique[0]!;
    // A near miss the fuzzy search also finds: the same SKU in other case, and a SKU fragment.
    const sku = target.v.sku!;
    const lookalike = shop.addProduct({
      title: 'Lookalike',
      variants: [
        {
          id: 99_000_001,
          title: 'Default Title',
          sku: sku.toLowerCase(),
          price: '1.00',
          compareAtPrice: null,
          barcode: null,
          position: 1,
          selectedOptions: [{ name: 'Title', value: 'Default Title' }],
          inventoryItemId: 99_000_002,
          tracked: true,
          weight: null,
        },
      ],
    });
    // A duplicate: a second product with the same SKU, archived.
    const dup = shop.addProduct({
      title: 'Old copy',
      status: 'ARCHIVED',
      variants: [
        {
          id: 99_000_003,
          title: 'Default Title',
          sku,
          price: '2.00',
          compareAtPrice: null,
          barcode: null,
          position: 1,
          selectedOptions: [{ name: 'Title', value: 'Default Title' }],
          inventoryItemId: 99_000_004,
          tracked: false,
          weight: null,
        },
      ],
    });
    const fragment = sku.split('-')[0]!; // e.g. "TSH": matches many SKUs by search, none exactly
    try {
      const asked = [...unique.map(({ v }) => v.sku!), fragment, 'NO-SUCH-SKU', '', sku];
      const before = shop.requestLog.length;
      const found = await client().getVariantsBySku(asked);

      const forTarget = found.filter((f) => f.sku === sku);
      expect(forTarget.map((f) => f.productId).sort()).toEqual(
        [`gid://shopify/Product/${target.p.id}`, `gid://shopify/Product/${dup.id}`].sort(),
      );
      expect(forTarget.find((f) => f.productId === `gid://shopify/Product/${target.p.id}`)!.productStatus).toBe(target.p.status);
      expect(forTarget.find((f) => f.productId === `gid://shopify/Product/${dup.id}`)).toMatchObject({
        id: 'gid://shopify/ProductVariant/99000003',
        inventoryItemId: 'gid://shopify/InventoryItem/99000004',
        tracked: false,
        price: '2.00',
      });
      expect(found.some((f) => f.productId === `gid://shopify/Product/${lookalike.id}`)).toBe(false);
      expect(found.some((f) => f.sku === fragment || f.sku === 'NO-SUCH-SKU')).toBe(false);
      for (const { p, v } of unique.slice(1)) {
        expect(found.filter((f) => f.sku === v.sku)).toEqual([
          {
            id: `gid://shopify/ProductVariant/${v.id}`,
            sku: v.sku,
            title: v.title,
            price: v.price,
            inventoryItemId: `gid://shopify/InventoryItem/${v.inventoryItemId}`,
            tracked: v.tracked,
            productId: `gid://shopify/Product/${p.id}`,
            productTitle: p.title,
            productStatus: p.status,
          },
        ]);
      }
      // 32 distinct non-blank SKUs: two searches of at most 25 terms, fuzzy hits paged through.
      const searches = shop.requestLog.slice(before).filter((e) => e.operation === 'VariantsBySku');
      const queries = new Set(searches.map((e) => (JSON.parse(e.variables) as { query: string }).query));
      expect(queries.size).toBe(2);
      for (const q of queries) expect(q.split(' OR ').length).toBeLessThanOrEqual(25);
      expect(searches.every((e) => e.outcome === 'ok')).toBe(true);
    } finally {
      shop.deleteProduct(lookalike.id);
      shop.deleteProduct(dup.id);
    }
  });

  it('does not find a deleted product, and needs no request for nothing', async () => {
    const p =
      shop.state.products.find((x) => x.variants.length === 1 && x.variants[0]!.sku) ??
      shop.state.products.find((x) => x.variants.every((v) => v.sku))!;
    const skus = p.variants.map((v) => v.sku!);
    const c = client();
    expect((await c.getVariantsBySku(skus)).length).toBeGreaterThanOrEqual(skus.length);
    const copy = structuredClone(p);
    const stock = p.variants.map((v) => [v.inventoryItemId, new Map(shop.state.stock.get(v.inventoryItemId))] as const);
    shop.deleteProduct(p.id);
    try {
      const after = await c.getVariantsBySku(skus);
      expect(after.some((f) => f.productId === `gid://shopify/Product/${p.id}`)).toBe(false);
    } finally {
      // Put it back as it was, stock included, for the tests that follow.
      shop.state.products.push(copy);
      for (const [item, levels] of stock) shop.state.stock.set(item, levels);
    }
    const before = shop.counters.requests;
    expect(await c.getVariantsBySku(['', '  '])).toEqual([]);
    expect(shop.counters.requests).toBe(before);
  });

  it('quotes SKUs so search syntax in them is taken literally', async () => {
    expect(quoteSearchValue('A"B\\C')).toBe('"A\\"B\\\\C"');
    const odd = shop.addProduct({
      title: 'Odd SKU',
      variants: [
        {
          id: 99_000_011,
          title: 'Default Title',
          sku: 'X:1 OR (Y)"',
          price: '3.00',
          compareAtPrice: null,
          barcode: null,
          position: 1,
          selectedOptions: [{ name: 'Title', value: 'Default Title' }],
          inventoryItemId: 99_000_012,
          tracked: true,
          weight: null,
        },
      ],
    });
    try {
      const found = await client().getVariantsBySku(['X:1 OR (Y)"']);
      expect(found.map((f) => f.id)).toEqual(['gid://shopify/ProductVariant/99000011']);
    } finally {
      shop.deleteProduct(odd.id);
    }
  });
});

describe('orders', () => {
  const variant = () => shop.state.products.find((p) => p.status === 'ACTIVE' && p.variants[0]!.sku)!.variants[0]!;
  const input = (quantity = 1) => ({
    lineItems: [
      {
        variantId: `gid://shopify/ProductVariant/${variant().id}`,
        quantity,
        priceSet: { shopMoney: { amount: '19.99', currencyCode: 'GBP' } },
      },
    ],
    currency: 'GBP',
    financialStatus: 'PAID' as const,
  });

  it('reads only our orders changed since a time, with tracking and cancellation, across pages', async () => {
    const c = client();
    const made: Awaited<ReturnType<ShopifyClient['createOrderOnce']>>['order'][] = [];
    for (let i = 0; i < 7; i++) made.push((await c.createOrderOnce(`5764610000000000${10 + i}`, input())).order);
    // An order that is not ours (no tiktok tag) changes too: the poll must not see it.
    const foreign = await c.createOrderOnce('576461000000000099', { ...input(), tags: [] });
    shop.state.orders.find((o) => orderGid(o.id) === foreign.order.id)!.tags = ['web'];

    const since = new Date(Math.max(...made.map((o) => Date.parse(o.updatedAt))) + 1);
    shop.fulfilOrder(made[1]!.id, { number: 'TRK-1', company: 'Royal Mail', url: 'https://rm.example/TRK-1' });
    shop.cancelOrder(made[4]!.id, 'CUSTOMER');
    shop.fulfilOrder(made[6]!.id, { number: 'TRK-2', company: 'DPD' });
    shop.fulfilOrder(foreign.order.id, { number: 'TRK-X', company: 'DPD' });

    const before = shop.requestLog.length;
    const { orders, nextSince } = await c.getOrdersUpdatedSince(since, { pageSize: 2, overlapMs: 0 });
    expect(orders.map((o) => o.id).sort()).toEqual([made[1]!.id, made[4]!.id, made[6]!.id].sort());
    expect(orders.find((o) => o.id === made[1]!.id)!.fulfillments[0]!.trackingInfo).toEqual([
      { number: 'TRK-1', company: 'Royal Mail', url: 'https://rm.example/TRK-1' },
    ]);
    expect(orders.find((o) => o.id === made[4]!.id)).toMatchObject({ cancelReason: 'CUSTOMER', cancelledAt: expect.any(String) });
    // Only changed orders were read, two per page.
    expect(shop.requestLog.slice(before).filter((e) => e.operation === 'OrdersUpdatedPage')).toHaveLength(2);
    expect(nextSince.getTime()).toBe(Math.max(...orders.map((o) => Date.parse(o.updatedAt))));

    // The next poll from nextSince re-reads only the orders on the boundary; a fresh change shows up.
    const again = await c.getOrdersUpdatedSince(nextSince, { overlapMs: 0 });
    for (const o of again.orders) expect(Date.parse(o.updatedAt)).toBe(nextSince.getTime());
    shop.fulfilOrder(made[0]!.id, { number: 'TRK-3', company: 'UPS' });
    const later = await c.getOrdersUpdatedSince(nextSince);
    expect(later.orders.map((o) => o.id)).toContain(made[0]!.id);
    // The default overlap keeps nextSince behind the newest change (search indexes late).
    expect(later.nextSince.getTime()).toBeLessThan(Date.parse(later.orders.find((o) => o.id === made[0]!.id)!.updatedAt));
  });

  it('cancels an order through the job, restocks where it was taken, and is idempotent', async () => {
    const c = client();
    const item = variant().inventoryItemId;
    const stockBefore = totalStock(item);
    const levelsBefore = [...shop.state.stock.get(item)!];
    const { order } = await c.createOrderOnce('576461000000000020', input(3));
    expect(totalStock(item)).toBe(stockBefore - 3);

    const first = await c.cancelOrder(order.id, { reason: 'INVENTORY', staffNote: 'TikTok buyer cancelled' });
    expect(first.cancelled).toBe(true);
    expect(first.order).toMatchObject({ id: order.id, cancelReason: 'INVENTORY', cancelledAt: expect.any(String) });
    expect([...shop.state.stock.get(item)!]).toEqual(levelsBefore);
    const held = shop.state.orders.find((o) => orderGid(o.id) === order.id)!;
    expect(held.cancellation).toEqual({
      staffNote: 'TikTok buyer cancelled',
      restocked: true,
      refunded: false,
      notifiedCustomer: false,
    });

    const cancelsBefore = shop.counters.byOperation.OrderCancel ?? 0;
    const second = await c.cancelOrder(order.id, { reason: 'INVENTORY' });
    expect(second).toEqual({
      order: expect.objectContaining({ id: order.id, cancelledAt: first.order.cancelledAt }),
      cancelled: false,
    });
    expect(shop.counters.byOperation.OrderCancel ?? 0).toBe(cancelsBefore);
    expect(totalStock(item)).toBe(stockBefore);
  });

  it('cancels without restock, with a refund, when asked', async () => {
    const c = client();
    const item = variant().inventoryItemId;
    const { order } = await c.createOrderOnce('576461000000000021', input(2));
    const stockAfterOrder = totalStock(item);
    await c.cancelOrder(order.id, { reason: 'CUSTOMER', restock: false, refund: true, notifyCustomer: true });
    expect(totalStock(item)).toBe(stockAfterOrder);
    expect(shop.state.orders.find((o) => orderGid(o.id) === order.id)!.cancellation).toEqual({
      staffNote: null,
      restocked: false,
      refunded: true,
      notifiedCustomer: true,
    });
  });

  it('an order the merchant cancelled meanwhile is a success; a refused cancellation is not retryable', async () => {
    const c = client();
    const { order } = await c.createOrderOnce('576461000000000022', input());
    shop.cancelOrder(order.id, 'FRAUD');
    await expect(c.cancelOrder(order.id, { reason: 'CUSTOMER' })).resolves.toMatchObject({
      cancelled: false,
      order: { cancelReason: 'FRAUD' },
    });

    const fulfilled = await c.createOrderOnce('576461000000000023', input());
    shop.fulfilOrder(fulfilled.order.id, { number: 'TRK-9', company: 'UPS' });
    const err = await c.cancelOrder(fulfilled.order.id, { reason: 'CUSTOMER' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShopifyUserError);
    expect(err).toMatchObject({ retryable: false, code: 'INVALID', operation: 'orderCancel' });
  });

  it('refuses bad input before calling Shopify, and a missing order plainly', async () => {
    const c = client();
    const before = shop.counters.requests;
    await expect(c.cancelOrder('12345', { reason: 'CUSTOMER' })).rejects.toMatchObject({
      retryable: false,
      message: expect.stringContaining('gid://shopify/Order/'),
    });
    await expect(c.cancelOrder(orderGid(1), { reason: 'BORED' as never })).rejects.toBeInstanceOf(ShopifyClientError);
    await expect(c.cancelOrder(orderGid(1), { reason: 'OTHER', staffNote: 'x'.repeat(256) })).rejects.toMatchObject({
      retryable: false,
    });
    expect(shop.counters.requests).toBe(before);
    await expect(c.cancelOrder(orderGid(1), { reason: 'OTHER' })).rejects.toMatchObject({ retryable: false, code: 'NOT_FOUND' });
  });

  it('a cancellation job still running past the wait is a retryable error; the retry then succeeds', async () => {
    const slow = await startShopifyStandIn({ catalogue: { products: 3, seed: 5 }, cancelDelayMs: 400 });
    const c = new ShopifyClient({
      storeDomain: slow.shopDomain,
      accessToken: slow.accessToken,
      apiSecretKey: slow.apiSecret,
      redis: redis.client,
      keyPrefix: redis.prefix,
      storeId: 'slow-cancel',
      endpoint: slow.url,
      timeoutMs: 2000,
      cancelWaitMs: 50,
      cancelPollIntervalMs: 20,
    });
    try {
      const v = slow.state.products[0]!.variants[0]!;
      const { order } = await c.createOrderOnce('576461000000000030', {
        lineItems: [{ variantId: `gid://shopify/ProductVariant/${v.id}`, quantity: 1 }],
      });
      const err = await c.cancelOrder(order.id, { reason: 'CUSTOMER' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ShopifyTransientError);
      expect(err).toMatchObject({ retryable: true, code: 'CANCEL_PENDING' });
      const done = await waitUntil(
        async () => (await c.cancelOrder(order.id, { reason: 'CUSTOMER' }).catch(() => undefined)) ?? undefined,
        { timeoutMs: 5000, intervalMs: 50, what: 'the cancellation to finish' },
      );
      expect(done.order.cancelledAt).not.toBeNull();
      expect(slow.counters.byOperation.OrderCancel).toBe(1);
    } finally {
      c.close();
      await slow.close();
    }
  });
});

describe('webhook bodies of the topics we subscribe to', () => {
  it('verify and parse as the stand-in delivers them, and name the resources by GraphQL id', async () => {
    const received: { headers: IncomingHttpHeaders; body: string }[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    shop.setWebhookTarget(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`);
    try {
      const c = client();
      const v = shop.state.products.find((p) => p.status === 'ACTIVE')!.variants[0]!;
      const { order } = await c.createOrderOnce('576461000000000040', {
        lineItems: [{ variantId: `gid://shopify/ProductVariant/${v.id}`, quantity: 1 }],
      });
      const [edited, deleted] = shop.state.products.slice(-2);
      shop.editProduct(edited!.id, { title: 'Edited' });
      shop.deleteProduct(deleted!.id);
      shop.fulfilOrder(order.id, { number: 'TRK-W', company: 'UPS' });
      const second = await c.createOrderOnce('576461000000000041', {
        lineItems: [{ variantId: `gid://shopify/ProductVariant/${v.id}`, quantity: 1 }],
      });
      await c.cancelOrder(second.order.id, { reason: 'CUSTOMER' });
      const topics = ['products/update', 'products/delete', 'fulfillments/create', 'orders/fulfilled', 'orders/cancelled'];
      await waitUntil(() => topics.every((t) => received.some((r) => r.headers['x-shopify-topic'] === t)) || undefined, {
        timeoutMs: 3000,
        what: 'the deliveries',
      });
      const body = (topic: string) => {
        const r = received.find((x) => x.headers['x-shopify-topic'] === topic)!;
        expect(
          verifyShopifyWebhook({
            rawBody: r.body,
            headers: r.headers,
            secret: shop.apiSecret,
            expectedShopDomain: shop.shopDomain,
          }).ok,
        ).toBe(true);
        return JSON.parse(r.body) as unknown;
      };
      expect(productGid(productWebhook.parse(body('products/update')).id)).toBe(`gid://shopify/Product/${edited!.id}`);
      expect(productWebhook.parse(body('products/delete'))).toEqual({ id: deleted!.id });
      const f = fulfillmentWebhook.parse(body('fulfillments/create'));
      expect([orderGidOf(f.order_id), f.tracking_number]).toEqual([order.id, 'TRK-W']);
      expect(orderGidOf(orderWebhook.parse(body('orders/fulfilled')).id)).toBe(order.id);
      expect(orderWebhook.parse(body('orders/cancelled'))).toMatchObject({
        admin_graphql_api_id: second.order.id,
        cancelled_at: expect.any(String),
      });
    } finally {
      shop.setWebhookTarget(null);
      await new Promise((r) => receiver.close(r));
    }
  });
});
