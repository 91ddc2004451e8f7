import { useTestRedis, waitUntil, type TestRedis } from '@shoptok/testkit';
import { startShopifyStandIn, type ShopifyStandIn } from '@shoptok/testkit/shopify';
import { ShopifyClient } from './client.js';
import { ShopifyBulkBusyError } from './errors.js';

// Admin API 2026-01 and later run up to five bulk queries of an app per shop at once; the sixth
// is refused. shoptok's exports (stock sync, reconcile, product batches) then overlap safely, and
// a refused one comes back later without spending a job attempt.

let redis: TestRedis;
let shop: ShopifyStandIn;

beforeAll(async () => {
  redis = await useTestRedis('shopify-bulk-busy');
  shop = await startShopifyStandIn({ catalogue: { products: 8, seed: 9, locations: 1 }, bulkDelayMs: 1_500 });
});
afterAll(async () => {
  await shop.close();
  await redis.cleanup();
});

const client = (id: string) => new ShopifyClient({ storeDomain: shop.shopDomain, accessToken: shop.accessToken, apiSecretKey: shop.apiSecret, redis: redis.client, keyPrefix: redis.prefix, storeId: id, endpoint: shop.url, bulkPollIntervalMs: 20, bulkBusyRetryMs: 12_000 });

describe('bulk queries running at once', () => {
  it('five run side by side; a sixth is refused with a wait that costs no attempt; once they end the next one runs', async () => {
    const running = () => shop.state.bulkOps.filter((b) => b.status === 'CREATED' || b.status === 'RUNNING').length;
    const exports = Array.from({ length: 5 }, (_, i) => client(`worker-${i}`).exportProductsBulk());
    await waitUntil(() => running() === 5, { what: 'five bulk queries running' });

    const refused = await client('worker-6').exportProductsBulk().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(ShopifyBulkBusyError);
    expect(refused).toMatchObject({ retryable: true, retryInMs: 12_000, code: 'LIMIT_REACHED', operation: 'BulkRunQuery' });

    const results = await Promise.all(exports);
    const activeOrNot = shop.state.products.length;
    for (const products of results) expect(products).toHaveLength(activeOrNot);
    await expect(client('worker-7').exportProductsBulk()).resolves.toHaveLength(activeOrNot);
  });
});
