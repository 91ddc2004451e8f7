import { useTestRedis, type TestRedis } from '@shoptok/testkit';
import { startShopifyStandIn, type ShopifyStandIn } from '@shoptok/testkit/shopify';
import { ShopifyClient, type ShopifyClientOptions } from './client.js';

// Variant metafields over real HTTP and a real Redis: read beside the products in pages (a
// batched `nodes` query) and as a second bulk export, the same either way.

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
    storeId: 'variant-metafields',
    endpoint: shop.url,
    backoffBaseMs: 10,
    timeoutMs: 2000,
    ...extra,
  });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  redis = await useTestRedis('shopify-variant-metafields');
  shop = await startShopifyStandIn({
    catalogue: { products: 12, seed: 11, locations: 1 },
    bucket: { maximumAvailable: 2000, restoreRate: 1000 },
    bulkDelayMs: 5,
  });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await shop.close();
  await redis.cleanup();
});

describe('variant metafields', () => {
  it('come with every variant in pages and in a bulk export, past the first page of a variant too', async () => {
    const product = shop.state.products.find((p) => p.variants.length >= 2)!;
    const [first, second] = product.variants;
    // More than the 25 a batched read embeds: the rest come from VariantMetafieldsPage.
    const many = Array.from({ length: 30 }, (_, i) => ({
      namespace: 'custom',
      key: `note_${i}`,
      type: 'single_line_text_field',
      value: `value ${i}`,
    }));
    first!.metafields = [{ namespace: 'custom', key: 'material', type: 'single_line_text_field', value: 'Linen' }, ...many];
    second!.metafields = [{ namespace: 'custom', key: 'material', type: 'single_line_text_field', value: 'Linen' }];
    const pagesBefore = shop.counters.byOperation.VariantMetafieldsPage ?? 0;

    const paged = await client().fetchCatalogue();
    const bulk = await client({ bulkThreshold: 1, bulkPollIntervalMs: 20 }).fetchCatalogue();
    expect(paged.via).toBe('pages');
    expect(bulk.via).toBe('bulk');
    for (const result of [paged, bulk]) {
      const read = result.products.find((p) => p.id === `gid://shopify/Product/${product.id}`)!;
      const v1 = read.variants.find((v) => v.id === `gid://shopify/ProductVariant/${first!.id}`)!;
      const v2 = read.variants.find((v) => v.id === `gid://shopify/ProductVariant/${second!.id}`)!;
      expect(v1.metafields).toHaveLength(31);
      expect(v1.metafields![0]).toEqual({ namespace: 'custom', key: 'material', type: 'single_line_text_field', value: 'Linen' });
      expect(v1.metafields!.at(-1)).toMatchObject({ key: 'note_29', value: 'value 29' });
      expect(v2.metafields).toEqual([{ namespace: 'custom', key: 'material', type: 'single_line_text_field', value: 'Linen' }]);
      // Every other variant says it has none (read, not skipped).
      const others = result.products.flatMap((p) => p.variants).filter((v) => v.id !== v1.id && v.id !== v2.id);
      expect(others.every((v) => Array.isArray(v.metafields) && v.metafields.length === 0)).toBe(true);
    }
    expect(shop.counters.byOperation.VariantMetafieldsPage ?? 0).toBeGreaterThan(pagesBefore);
    // The bulk path ran two exports: the products, then the store's variant metafields.
    expect(shop.state.bulkOps.some((b) => b.query.includes('productVariants'))).toBe(true);
  });

  it('a read that does not want them (stock, reconcile) sends no extra request', async () => {
    const before = shop.counters.byOperation.VariantMetafields ?? 0;
    const bulksBefore = shop.state.bulkOps.length;
    const paged = await client().fetchCatalogue({ variantMetafields: false });
    const bulk = await client({ bulkThreshold: 1, bulkPollIntervalMs: 20 }).fetchCatalogue({ variantMetafields: false });
    expect(shop.counters.byOperation.VariantMetafields ?? 0).toBe(before);
    expect(shop.state.bulkOps.length).toBe(bulksBefore + 1);
    for (const result of [paged, bulk])
      expect(result.products.flatMap((p) => p.variants).every((v) => v.metafields === undefined)).toBe(true);
  });
});
