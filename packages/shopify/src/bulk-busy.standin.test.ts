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

const client = (id: string) =>
  new ShopifyClient({
    storeDomain: shop.shopDomain,
    accessToken: shop.accessToken,
    apiSecretKey: shop.apiSecret,
    redis: redis.client,
    keyPrefix: redis.prefix,
    storeId: id,
    endpoint: shop.url,
    bulkPollIntervalMs: 20,
    bulkBusyRetryMs: 12_000,
  });

describe('bulk queries running at once', () => {
  it('five run side by side; a sixth is refused with a wait that costs no attempt; once they end the next one runs', async () => {
    const running = () => shop.state.bulkOps.filter((b) => b.status === 'CREATED' || b.status === 'RUNNING').length;
    const exports = Array.from({ length: 5 }, (_, i) => client(`worker-${i}`).exportProductsBulk());
    await waitUntil(() => running() === 5, { what: 'five bulk queries running' });

    const refused = await client('worker-6')
      .exportProductsBulk()
      .then(
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

  it("a bulk query shoptok started and nobody waits for any more (its worker died) is cancelled by the next one that finds the shop's slots full", async () => {
    const full = await startShopifyStandIn({
      catalogue: { products: 3, seed: 4, locations: 1 },
      bulkDelayMs: 60_000,
      maxConcurrentBulkQueries: 1,
    });
    try {
      const on = (id: string, bulkTimeoutMs: number) =>
        new ShopifyClient({
          storeDomain: full.shopDomain,
          accessToken: full.accessToken,
          apiSecretKey: full.apiSecret,
          redis: redis.client,
          keyPrefix: redis.prefix,
          storeId: 'slots',
          endpoint: full.url,
          bulkPollIntervalMs: 20,
          bulkTimeoutMs,
          bulkBusyRetryMs: 12_000,
        });
      // The "dead" worker's export: started, never finishing within the test (a minute-long query).
      const abandoned = on('dead', 600_000)
        .exportProductsBulk()
        .then(
          () => 'finished',
          (err: unknown) => err,
        );
      await waitUntil(() => full.state.bulkOps.some((b) => b.status === 'RUNNING'), { what: 'the abandoned query running' });
      // A runner whose timeout says anything started over 200 ms ago has been given up on.
      const next = on('next', 200);
      const fresh = await next.exportProductsBulk().catch((err: unknown) => err);
      expect(fresh).toMatchObject({ name: 'ShopifyBulkBusyError', retryInMs: 12_000 }); // not stale yet: just wait
      await waitUntil(() => Date.now() - Date.parse(full.state.bulkOps[0]!.createdAt) > 250, {
        what: 'the abandoned query to be older than the timeout',
      });
      const afterCancel = await next.exportProductsBulk().catch((err: unknown) => err);
      expect(afterCancel).toMatchObject({ name: 'ShopifyBulkBusyError', retryInMs: 5_000 });
      expect(full.state.bulkOps[0]!.status).toBe('CANCELED');
      expect(await abandoned).toMatchObject({ name: 'ShopifyBulkOperationError', code: 'CANCELED' });
      expect(await redis.client.hlen(`${redis.prefix}:{slots}:shopify:bulk-running`)).toBe(0);
    } finally {
      await full.close();
    }
  });
});
