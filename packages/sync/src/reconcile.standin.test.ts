// reconcile on a TikTok shop bigger than Search Products' 10,000-result window (API-FACTS §5.5):
// every link is rebuilt, and a shop that cannot be read whole leaves the links as they were.
import { ProductSearchWindowError } from '@shoptok/tiktok';
import { type ListingHarness, startListingHarness } from './products/products.test-helpers.js';
import { runReconcile } from './reconcile.js';

const FILLERS = 12_000;
/** Older than every filler: a straight read, newest-updated first, would reach them only past the 10,000th result. */
const OLD = 1_600_000_000;

describe('reconcile on a shop with more than 10,000 TikTok products', () => {
  let h: ListingHarness;
  let expected: Map<string, string>;

  beforeAll(async () => {
    h = await startListingHarness({ label: 'reconcile-big', products: 30, seed: 5 });
    const shop = h.tts.shops[0]!;
    const warehouseId = h.tts.admin.shop(shop.shopId).warehouses[0]!.id;
    const sku = (sellerSku: string, i: number, quantity?: number) => ({
      id: `19${String(i).padStart(17, '0')}`,
      seller_sku: sellerSku,
      price: { amount: '5.00', currency: 'GBP' },
      inventory: quantity === undefined ? [] : [{ warehouse_id: warehouseId, quantity }],
      sales_attributes: [],
    });
    // Shopify SKUs used by exactly one variant (the generated catalogue also has duplicates and blanks).
    const { products } = await h.svc.shopify.fetchCatalogue();
    const counts = new Map<string, number>();
    for (const p of products)
      for (const v of p.variants) if (v.sku?.trim()) counts.set(v.sku.trim(), (counts.get(v.sku.trim()) ?? 0) + 1);
    const unique = [...counts].filter(([, n]) => n === 1).map(([s]) => s);
    expect(unique.length).toBeGreaterThan(50);
    expected = new Map();
    unique.forEach((sellerSku, i) => {
      const p = h.tts.admin.seedProduct(shop.shopId, {
        title: `Listed ${i}`,
        category_id: '600621',
        create_time: OLD + i,
        update_time: OLD + i,
        skus: [sku(sellerSku, i, 7)],
      });
      expected.set(sellerSku, p.id);
    });
    for (let i = 0; i < FILLERS; i++)
      h.tts.admin.seedProduct(shop.shopId, {
        title: `Other ${i}`,
        category_id: '600621',
        skus: [sku(`OTHER-${i}`, 100_000 + i)],
      });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('links every SKU, including listings past the 10,000th search result, and drops stale links', async () => {
    await h.svc.state.saveSkuLinks([
      {
        sellerSku: 'GONE-1',
        shopifyProductId: 'gid://shopify/Product/1',
        shopifyVariantId: 'gid://shopify/ProductVariant/1',
        shopifyInventoryItemId: 'gid://shopify/InventoryItem/1',
        tiktokProductId: '1799999999999999999',
        tiktokSkuId: '1899999999999999999',
      },
    ]);
    const summary = await runReconcile(h.svc, { dryRun: false });
    expect(summary.failures.filter((f) => f.code === 'duplicate-tiktok-sku')).toEqual([]);
    expect(summary.skippedReasons['no-shopify-variant']).toBe(FILLERS);
    const links = await h.svc.state.allSkuLinks();
    expect(new Map(links.map((l) => [l.sellerSku, l.tiktokProductId]))).toEqual(expected);
    const pushed = await h.svc.state.lastPushed(links.map((l) => l.tiktokSkuId));
    expect(pushed.size).toBe(expected.size);
  });

  it('fails with a clear error and keeps the links when the shop cannot be read whole', async () => {
    const before = await h.svc.state.allSkuLinks();
    const shop = h.tts.shops[0]!;
    // 10,001 products stamped with one create second: no create-time window can hold them.
    for (let i = 0; i < 10_001; i++)
      h.tts.admin.seedProduct(shop.shopId, { title: `Import ${i}`, category_id: '600621', create_time: 1_500_000_000, skus: [] });
    await expect(runReconcile(h.svc, { dryRun: false })).rejects.toBeInstanceOf(ProductSearchWindowError);
    expect(await h.svc.state.allSkuLinks()).toEqual(before);
  });
});
