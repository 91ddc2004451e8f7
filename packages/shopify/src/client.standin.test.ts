import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { shopifyKeys } from '@shoptok/keys';
import { useTestRedis, waitUntil, type TestRedis } from '@shoptok/testkit';
import { startShopifyStandIn, type ShopifyStandIn } from '@shoptok/testkit/shopify';
import { ShopifyClient, SHOPTOK_WEBHOOK_TOPICS, type ShopifyClientOptions } from './client.js';
import { ShopifyAuthError, ShopifyOrderClaimBusyError, ShopifyTransientError } from './errors.js';
import { inventoryItemGid, inventoryLevelUpdateWebhook, verifyShopifyWebhook, WebhookDeduper } from './webhooks.js';

// The client against the Shopify stand-in over real HTTP and a real Redis.

let redis: TestRedis;
let shop: ShopifyStandIn;
const clients: ShopifyClient[] = [];

function client(extra: Partial<ShopifyClientOptions> = {}, target: ShopifyStandIn = shop): ShopifyClient {
  const c = new ShopifyClient({
    storeDomain: target.shopDomain,
    accessToken: target.accessToken,
    apiSecretKey: target.apiSecret,
    redis: redis.client,
    keyPrefix: redis.prefix,
    storeId: target.shopDomain.split('.')[0]!,
    endpoint: target.url,
    backoffBaseMs: 10,
    timeoutMs: 2000,
    ...extra,
  });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  redis = await useTestRedis('shopify');
  shop = await startShopifyStandIn({
    catalogue: { products: 40, seed: 7, locations: 3 },
    bucket: { maximumAvailable: 2000, restoreRate: 1000 },
  });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await shop.close();
  await redis.cleanup();
});

describe('products', () => {
  it('pages through the whole catalogue with every variant, SKU-less and duplicate SKUs included', async () => {
    const result = await client().fetchCatalogue();
    expect(result.via).toBe('pages');
    expect(result.products.map((p) => p.id).sort()).toEqual(
      shop.state.products.map((p) => `gid://shopify/Product/${p.id}`).sort(),
    );
    const expectedVariants = shop.state.products.reduce((n, p) => n + p.variants.length, 0);
    expect(result.products.reduce((n, p) => n + p.variants.length, 0)).toBe(expectedVariants);
    // Products with more than the 25 variants embedded in a page are completed by follow-up pages.
    expect(shop.state.products.some((p) => p.variants.length > 25)).toBe(true);
    const skus = result.products.flatMap((p) => p.variants.map((v) => v.sku));
    expect(skus).toContain(null);
    expect(new Set(skus.filter(Boolean)).size).toBeLessThan(skus.filter(Boolean).length);
    const sample = result.products[0]!;
    const source = shop.state.products.find((p) => `gid://shopify/Product/${p.id}` === sample.id)!;
    expect(sample.images.map((i) => i.url)).toEqual(source.media.map((m) => m.url));
    expect(sample.variants[0]!.inventoryItemId).toBe(`gid://shopify/InventoryItem/${source.variants[0]!.inventoryItemId}`);
    expect(sample.variants[0]!.weight).toEqual(source.variants[0]!.weight);
  });

  it('reads only products changed since a time', async () => {
    const since = new Date();
    const [a, b] = shop.state.products;
    shop.editProduct(a!.id, { title: 'Renamed A' });
    shop.editProduct(b!.id, { tags: ['sale'] });
    const result = await client().fetchCatalogue({ updatedSince: since });
    expect(result.products.map((p) => p.title).sort()).toEqual(['Renamed A', b!.title].sort());
  });

  it('uses a bulk operation from the threshold on, with the same products as paging', async () => {
    const c = client({ bulkThreshold: 10, bulkPollIntervalMs: 20 });
    const bulk = await c.fetchCatalogue();
    expect(bulk.via).toBe('bulk');
    const paged = await client().fetchCatalogue();
    const norm = (ps: typeof bulk.products) => [...ps].sort((x, y) => x.id.localeCompare(y.id));
    expect(norm(bulk.products)).toEqual(norm(paged.products));
    expect(shop.counters.byOperation.BulkRunQuery).toBeGreaterThanOrEqual(1);
  });

  it('reads every collection and the metafields of a product, the same in pages and in a bulk export', async () => {
    const [a, b] = shop.state.products;
    // More collections than a page embeds: the rest come from follow-up pages.
    const collections = Array.from({ length: 13 }, (_, i) => ({ id: 71_000 + i, handle: `edit-${i}`, title: `Edit ${i}` }));
    const metafields = [
      { namespace: 'custom', key: 'material', type: 'single_line_text_field', value: 'Merino wool' },
      { namespace: 'custom', key: 'care', type: 'list.single_line_text_field', value: '["Hand wash","Dry flat"]' },
    ];
    shop.editProduct(a!.id, { collections, metafields });
    shop.editProduct(b!.id, { collections: [{ id: 72_000, handle: 'candles', title: 'Candles' }], metafields: [] });
    const paged = await client().fetchCatalogue();
    const bulk = await client({ bulkThreshold: 1, bulkPollIntervalMs: 20 }).fetchCatalogue();
    expect(bulk.via).toBe('bulk');
    for (const result of [paged, bulk]) {
      const readA = result.products.find((p) => p.id === `gid://shopify/Product/${a!.id}`)!;
      expect(readA.collections.map((c) => c.handle).sort()).toEqual(collections.map((c) => c.handle).sort());
      expect(readA.collections[0]!.id).toMatch(/^gid:\/\/shopify\/Collection\/\d+$/);
      expect(readA.metafields).toEqual(metafields);
      const readB = result.products.find((p) => p.id === `gid://shopify/Product/${b!.id}`)!;
      expect(readB.collections).toEqual([{ id: 'gid://shopify/Collection/72000', handle: 'candles' }]);
      expect(readB.metafields).toEqual([]);
    }
    expect(shop.counters.byOperation.ProductCollectionsPage).toBeGreaterThanOrEqual(1);
  });

  it("the stand-in refuses a bulk query past Shopify's limits (five connections, two levels deep), as Shopify does", async () => {
    const inner =
      '{ products { edges { node { id variants { edges { node { id metafields { edges { node { id } } } } } } } } } }';
    const res = await fetch(`${shop.url}/admin/api/2026-10/graphql.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shopify-access-token': shop.accessToken },
      body: JSON.stringify({
        query:
          'mutation Run($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { field message } } }',
        variables: { q: inner },
      }),
    });
    const body = (await res.json()) as {
      data: { bulkOperationRunQuery: { bulkOperation: unknown; userErrors: { message: string }[] } };
    };
    expect(body.data.bulkOperationRunQuery.bulkOperation).toBeNull();
    expect(body.data.bulkOperationRunQuery.userErrors[0]!.message).toMatch(/nested more than 2 levels/);
  });
});

describe('inventory', () => {
  it('reads available per item and location, and sees a change', async () => {
    const items = shop.state.products.slice(0, 12).flatMap((p) => p.variants.map((v) => v.inventoryItemId));
    const c = client();
    const levels = await c.getAvailableInventory(items.map(inventoryItemGid));
    expect(levels).toHaveLength(items.length * 3);
    const first = items[0]!;
    const loc = shop.state.locations[1]!.id;
    expect(
      levels.find((l) => l.inventoryItemId === inventoryItemGid(first) && l.locationId === `gid://shopify/Location/${loc}`)
        ?.available,
    ).toBe(shop.state.stock.get(first)!.get(loc));
    shop.setStock(first, loc, 123);
    const after = await c.getAvailableInventory([inventoryItemGid(first)]);
    expect(after.find((l) => l.locationId === `gid://shopify/Location/${loc}`)?.available).toBe(123);
  });
});

describe('throttling', () => {
  it('paces every client of a store to the restore rate through Redis; no request is refused twice in a row', async () => {
    const slow = await startShopifyStandIn({
      catalogue: { products: 5, seed: 3 },
      bucket: { maximumAvailable: 100, restoreRate: 200 },
    });
    try {
      const storeId = 'paced-store';
      const a = client({ storeId }, slow);
      const b = client({ storeId }, slow); // a second "process" sharing the bucket through Redis
      const items = slow.state.products.flatMap((p) => p.variants.map((v) => v.inventoryItemId)).slice(0, 14);
      expect(items).toHaveLength(14);
      await a.getAvailableInventory([inventoryItemGid(items[0]!)]); // learn the live bucket
      const cost = slow.requestLog.at(-1)!.requestedCost!;
      const started = Date.now();
      await Promise.all(items.slice(1).map((id, i) => (i % 2 ? a : b).getAvailableInventory([inventoryItemGid(id)])));
      const elapsed = Date.now() - started;
      // 13 requests of `cost` through a 100-point bucket restoring 200/s cannot finish sooner.
      const minimum = ((13 * cost - 100) / 200) * 1000;
      expect(elapsed).toBeGreaterThanOrEqual(minimum * 0.9);
      const byRequest = new Map<string, string[]>();
      for (const e of slow.requestLog) byRequest.set(e.variables, [...(byRequest.get(e.variables) ?? []), e.outcome]);
      for (const outcomes of byRequest.values()) {
        for (let i = 1; i < outcomes.length; i++)
          expect(outcomes[i - 1] === 'throttled' && outcomes[i] === 'throttled').toBe(false);
        expect(outcomes.at(-1)).toBe('ok');
      }
      expect(slow.counters.throttled).toBeLessThanOrEqual(2);
      const snapshot = await a.bucketSnapshot();
      expect(snapshot).toMatchObject({ max: 100, rate: 200 });
    } finally {
      await slow.close();
    }
  });
});

describe('faults', () => {
  it.each([
    ['HTTP 500', { kind: 'http-error', status: 500 }],
    ['HTTP 503', { kind: 'http-error', status: 503 }],
    ['a timeout', { kind: 'timeout' }],
    ['malformed JSON', { kind: 'malformed-json' }],
    ['a reset connection', { kind: 'reset' }],
  ] as const)('retries %s and succeeds', async (_label, fault) => {
    const c = client({ timeoutMs: 300 });
    const before = shop.counters.faults;
    shop.injectFault(fault, 2);
    const { count } = await c.countProducts();
    expect(count).toBe(shop.state.products.length);
    expect(shop.counters.faults - before).toBe(2);
  });

  it('gives up after its retries with a retryable error', async () => {
    const c = client({ maxTransientRetries: 2 });
    shop.injectFault({ kind: 'http-error', status: 502 }, 3);
    const err = await c.countProducts().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShopifyTransientError);
    expect(err).toMatchObject({ name: 'ShopifyTransientError', retryable: true, status: 502 });
  });

  it('refuses a wrong token without retrying and without leaking it', async () => {
    const c = client({ accessToken: 'shpat_wrongwrongwrong0123456789' });
    const before = shop.counters.requests;
    const err = (await c.countProducts().catch((e: unknown) => e)) as ShopifyAuthError;
    expect(err).toBeInstanceOf(ShopifyAuthError);
    expect(err.retryable).toBe(false);
    expect(err.message).not.toContain('wrongwrong');
    expect(shop.counters.requests - before).toBe(1);
  });

  it('the stand-in refuses an operation the real schema rejects', async () => {
    const res = await fetch(`${shop.url}/admin/api/2026-10/graphql.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shopify-access-token': shop.accessToken },
      body: JSON.stringify({ query: '{ products(first: 1) { nodes { id inventory_quantity } } }' }),
    });
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(body.errors[0]!.message).toContain('inventory_quantity');
  });
});

describe('orders', () => {
  const variant = () => shop.state.products[3]!.variants[0]!;
  const input = () => ({
    lineItems: [
      {
        variantId: `gid://shopify/ProductVariant/${variant().id}`,
        quantity: 2,
        priceSet: { shopMoney: { amount: '19.99', currencyCode: 'GBP' } },
      },
    ],
    currency: 'GBP',
    financialStatus: 'PAID' as const,
  });

  it('creates once; a retry returns the same order; stock is decremented', async () => {
    const c = client();
    const item = variant().inventoryItemId;
    const stockBefore = [...shop.state.stock.get(item)!.values()].reduce((a, b) => a + b, 0);
    const first = await c.createOrderOnce('576460000000000001', input());
    const again = await c.createOrderOnce('576460000000000001', input());
    expect(first.created).toBe(true);
    expect(again).toEqual({ order: expect.objectContaining({ id: first.order.id }), created: false });
    expect(shop.state.orders.filter((o) => o.sourceIdentifier === 'tiktok-576460000000000001')).toHaveLength(1);
    expect([...shop.state.stock.get(item)!.values()].reduce((a, b) => a + b, 0)).toBe(stockBefore - 2);
  });

  it('two workers racing create exactly one order', async () => {
    const [a, b] = [client(), client()];
    const results = await Promise.allSettled(
      [0, 1, 2, 3, 4, 5].map((i) => (i % 2 ? a : b).createOrderOnce('576460000000000002', input())),
    );
    const created = results.filter((r) => r.status === 'fulfilled' && r.value.created);
    expect(created).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ShopifyOrderClaimBusyError);
    expect(shop.state.orders.filter((o) => o.sourceIdentifier === 'tiktok-576460000000000002')).toHaveLength(1);
  });

  it('a lost response (created, answer never arrived) does not lead to a second order', async () => {
    const c = client({ timeoutMs: 400, maxThrottleWaitMs: 100, orderClaimTtlMs: 600 });
    shop.injectFault({ kind: 'lost-response', operation: 'OrderCreate' });
    await expect(c.createOrderOnce('576460000000000003', input())).rejects.toBeInstanceOf(ShopifyTransientError);
    expect(shop.state.orders.filter((o) => o.sourceIdentifier === 'tiktok-576460000000000003')).toHaveLength(1);
    // The claim holds while the outcome is unknown, then the lookup finds the order.
    await expect(c.createOrderOnce('576460000000000003', input())).rejects.toBeInstanceOf(ShopifyOrderClaimBusyError);
    const settled = await waitUntil(() => c.createOrderOnce('576460000000000003', input()).catch(() => undefined), {
      timeoutMs: 5000,
      intervalMs: 100,
      what: 'the claim to lapse',
    });
    expect(settled.created).toBe(false);
    expect(shop.state.orders.filter((o) => o.sourceIdentifier === 'tiktok-576460000000000003')).toHaveLength(1);
  });

  it('an orderCreate Shopify runs after the client gave up (timeout) still makes one order: the claim holds a whole TTL from the timeout', async () => {
    const ttl = 1_500;
    const c = client({ timeoutMs: 500, maxThrottleWaitMs: 200, orderClaimTtlMs: ttl });
    const key = shopifyKeys(redis.prefix, shop.shopDomain.split('.')[0]!).order('576460000000000006');
    shop.injectFault({ kind: 'hold', operation: 'OrderCreate', phase: 'before-run' });
    await expect(c.createOrderOnce('576460000000000006', input())).rejects.toBeInstanceOf(ShopifyTransientError);
    // Renewed at the timeout, not left to lapse ~1 s later with what was left after the send.
    expect(await redis.client.pttl(key)).toBeGreaterThan(ttl - 150);
    expect(shop.releaseHeld()).toBe(1); // Shopify runs the request late: the order exists now
    await expect(c.createOrderOnce('576460000000000006', input())).rejects.toBeInstanceOf(ShopifyOrderClaimBusyError);
    const settled = await waitUntil(() => c.createOrderOnce('576460000000000006', input()).catch(() => undefined), {
      timeoutMs: 5000,
      intervalMs: 100,
      what: 'the claim to lapse',
    });
    expect(settled.created).toBe(false);
    expect(shop.state.orders.filter((o) => o.sourceIdentifier === 'tiktok-576460000000000006')).toHaveLength(1);
  });

  it('finds an order made earlier even when Redis forgot it', async () => {
    const c = client();
    const first = await c.createOrderOnce('576460000000000004', input());
    await redis.client.del(shopifyKeys(redis.prefix, shop.shopDomain.split('.')[0]!).order('576460000000000004'));
    const again = await c.createOrderOnce('576460000000000004', input());
    expect(again.created).toBe(false);
    expect(again.order.id).toBe(first.order.id);
  });

  it('reads fulfilments with tracking, and cancellations', async () => {
    const c = client();
    const { order } = await c.createOrderOnce('576460000000000005', input());
    shop.fulfilOrder(order.id, { number: '1Z999AA10123456784', company: 'UPS', url: 'https://ups.example/t/1Z999' });
    const fulfilled = await c.getOrder(order.id);
    expect(fulfilled?.fulfillments[0]?.trackingInfo[0]).toEqual({
      number: '1Z999AA10123456784',
      company: 'UPS',
      url: 'https://ups.example/t/1Z999',
    });
    shop.cancelOrder(order.id, 'CUSTOMER');
    const cancelled = await c.getOrder(order.id);
    expect(cancelled?.cancelledAt).not.toBeNull();
    expect(cancelled?.cancelReason).toBe('CUSTOMER');
  });
});

describe('webhooks', () => {
  let receiver: Server;
  let receiverUrl: string;
  const received: { headers: IncomingMessage['headers']; body: Buffer; status: number }[] = [];
  let failNext = 0;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const status = failNext > 0 ? (failNext--, 500) : 200;
        received.push({ headers: req.headers, body: Buffer.concat(chunks), status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/shopify`;
  });
  afterAll(async () => {
    shop.setWebhookTarget(null);
    await new Promise((r) => receiver.close(r));
  });

  it('manages subscriptions idempotently', async () => {
    const c = client();
    const first = await c.ensureWebhookSubscriptions({ uri: receiverUrl });
    expect([...first.created].sort()).toEqual([...SHOPTOK_WEBHOOK_TOPICS].sort());
    const again = await c.ensureWebhookSubscriptions({ uri: receiverUrl });
    expect(again).toEqual({ created: [], deleted: [] });
    const moved = await c.ensureWebhookSubscriptions({ uri: `${receiverUrl}/v2`, topics: ['INVENTORY_LEVELS_UPDATE'] });
    expect(moved.created).toEqual(['INVENTORY_LEVELS_UPDATE']);
    expect(moved.deleted).toHaveLength(1);
    await c.ensureWebhookSubscriptions({ uri: receiverUrl, topics: ['INVENTORY_LEVELS_UPDATE'] });
  });

  it('verifies a real delivery, de-duplicates Shopify retries, refuses forged and stale ones', async () => {
    const deduper = new WebhookDeduper(redis.client, redis.prefix);
    const storeId = 'wh-store';
    failNext = 1; // the first attempt fails: Shopify retries with the same webhook id
    const item = shop.state.products[5]!.variants[0]!.inventoryItemId;
    const loc = shop.state.locations[0]!.id;
    const start = received.length;
    shop.setStock(item, loc, 7);
    await waitUntil(() => received.slice(start).some((r) => r.status === 200), { what: 'the retried delivery' });
    const attempts = received.slice(start);
    expect(attempts.length).toBe(2);
    const ids = attempts.map((r) => r.headers['x-shopify-webhook-id']);
    expect(ids[0]).toBe(ids[1]);

    const outcomes = [];
    for (const r of attempts) {
      const verdict = verifyShopifyWebhook({
        rawBody: r.body,
        headers: r.headers,
        secret: shop.apiSecret,
        expectedShopDomain: shop.shopDomain,
      });
      expect(verdict.ok).toBe(true);
      if (verdict.ok) outcomes.push(await deduper.firstSeen(storeId, verdict.webhookId));
    }
    expect(outcomes).toEqual([true, false]);
    const body = inventoryLevelUpdateWebhook.parse(JSON.parse(attempts[0]!.body.toString('utf8')));
    expect(body).toMatchObject({ inventory_item_id: item, location_id: loc, available: 7 });
    expect(body.admin_graphql_api_id).toMatch(/^gid:\/\/shopify\/InventoryLevel\//);

    const forged = shop.buildWebhook('inventory_levels/update', body, { secret: 'shpss_not-the-app-secret' });
    expect(verifyShopifyWebhook({ rawBody: forged.body, headers: forged.headers, secret: shop.apiSecret })).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
    const genuine = shop.buildWebhook('inventory_levels/update', body);
    expect(
      verifyShopifyWebhook({
        rawBody: genuine.body.replace('"available":7', '"available":70'),
        headers: genuine.headers,
        secret: shop.apiSecret,
      }),
    ).toMatchObject({ ok: false, reason: 'bad-signature' });
    const stale = shop.buildWebhook('inventory_levels/update', body, { triggeredAt: new Date(Date.now() - 2 * 24 * 3600_000) });
    expect(verifyShopifyWebhook({ rawBody: stale.body, headers: stale.headers, secret: shop.apiSecret })).toMatchObject({
      ok: false,
      reason: 'stale',
    });
    const { 'x-shopify-hmac-sha256': _dropped, ...unsigned } = genuine.headers;
    expect(verifyShopifyWebhook({ rawBody: genuine.body, headers: unsigned, secret: shop.apiSecret })).toMatchObject({
      ok: false,
      reason: 'missing-header',
    });
    expect(verifyShopifyWebhook({ rawBody: genuine.body, headers: genuine.headers, secret: shop.apiSecret })).toMatchObject({
      ok: true,
    });
  });
});

describe('the API call observer (metrics)', () => {
  it('is told every request: a THROTTLED answer apart from an HTTP 429, as the stand-in counts them', async () => {
    const calls: unknown[] = [];
    const observe = { onApiCall: (call: unknown) => calls.push(call) };
    // A shop of its own with an empty, slow bucket: the first request is refused THROTTLED.
    const slow = await startShopifyStandIn({
      shopDomain: 'observer-slow.myshopify.com',
      catalogue: { products: 1, seed: 3 },
      bucket: { maximumAvailable: 1000, restoreRate: 1 },
    });
    try {
      slow.setBucket({ currentlyAvailable: 0 });
      await expect(client({ ...observe, maxThrottleWaitMs: 1 }, slow).countProducts()).rejects.toMatchObject({
        name: 'ShopifyRateLimitError',
      });
      expect(slow.counters).toMatchObject({ requests: 1, throttled: 1 });
    } finally {
      await slow.close();
    }
    const before = shop.counters.requests;
    shop.injectFault({ kind: 'http-error', status: 429 });
    await client(observe).countProducts(); // waits out the 429, then answered
    expect(shop.counters.requests - before).toBe(2);
    expect(calls).toEqual([
      { api: 'shopify', operation: 'ProductsCount', status: 200, throttled: true },
      { api: 'shopify', operation: 'ProductsCount', status: 429, throttled: false },
      { api: 'shopify', operation: 'ProductsCount', status: 200, throttled: false },
    ]);
  });

  it('a throwing observer does not fail the call', async () => {
    await expect(
      client({
        onApiCall: () => {
          throw new Error('observer bug');
        },
      }).countProducts(),
    ).resolves.toMatchObject({ exact: true });
  });
});
