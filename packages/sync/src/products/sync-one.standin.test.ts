// product-sync-one (a webhook's product) reads that product, never the catalogue, and decides
// exactly as a full product-batch does.
import type { JobSummary } from '@shoptok/queues';
import { jobContext, type ListingHarness, STORE, startListingHarness } from './products.test-helpers.js';

const CATALOGUE_READS = new Set(['ProductsPage', 'ProductsCount', 'BulkRunQuery']);

function operations(h: ListingHarness, since: number): string[] {
  return h.shopify.requestLog.slice(since).map((e) => e.operation ?? '?');
}

/** The products read for one product's sync: it, and every other product (any status) using one of its SKUs. */
function productsSharingSkus(h: ListingHarness, productGid: string): number {
  const id = Number(productGid.split('/').pop());
  const skus = new Set(
    h.shopify.state.products
      .find((p) => p.id === id)
      ?.variants.map((v) => v.sku)
      .filter(Boolean),
  );
  return h.shopify.state.products.filter((p) => p.id === id || p.variants.some((v) => v.sku && skus.has(v.sku))).length;
}

describe('product-sync-one reads one product', () => {
  let one: ListingHarness;
  let batch: ListingHarness;

  beforeAll(async () => {
    // The same catalogue twice: one store syncs products one by one, the other in one batch.
    [one, batch] = await Promise.all([
      startListingHarness({ label: 'sync-one-single', products: 30, seed: 8 }),
      startListingHarness({ label: 'sync-one-batch', products: 30, seed: 8 }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([one?.close(), batch?.close()]);
  });

  it('lists the product from its own read (no bulk export, no product pages) with the listing a batch makes', async () => {
    await batch.handlers['product-batch']({ store: STORE, dryRun: false, trigger: 'cli' }, jobContext('batch-1'));
    const listedByBatch = await batch.svc.state.allListings();
    expect(listedByBatch.size).toBeGreaterThan(3);

    // Every product the batch listed, each by its own product-sync-one.
    for (const productId of listedByBatch.keys()) {
      const before = one.shopify.requestLog.length;
      const summary = (await one.handlers['product-sync-one'](
        { store: STORE, dryRun: false, trigger: 'webhook', productId },
        jobContext(`one-${productId}`),
      )) as JobSummary;
      expect(summary.pushed).toBe(1);
      const ops = operations(one, before);
      expect(ops.filter((op) => CATALOGUE_READS.has(op))).toEqual([]);
      expect(ops.filter((op) => op === 'ProductById').length).toBe(productsSharingSkus(one, productId));
    }
    const listedOneByOne = await one.svc.state.allListings();
    expect([...listedOneByOne.keys()].sort()).toEqual([...listedByBatch.keys()].sort());
    // The same listing on TikTok (image uris aside: each TikTok shop names its own uploads).
    const onTikTok = (h: ListingHarness, tiktokProductId: string) => {
      const p = h.tts.admin.getProduct(h.tts.shops[0]!.shopId, tiktokProductId);
      return {
        title: p?.title,
        description: p?.description,
        category: p?.category_id,
        skus: p?.skus.map((k) => `${k.seller_sku} ${k.price.amount}`).sort(),
      };
    };
    for (const [productId, record] of listedByBatch) {
      const mine = listedOneByOne.get(productId);
      expect(mine?.priceHash).toBe(record.priceHash);
      expect(onTikTok(one, mine!.tiktokProductId)).toEqual(onTikTok(batch, record.tiktokProductId));
      expect((await one.svc.state.categoryDecision(productId))?.categoryId).toBe(
        (await batch.svc.state.categoryDecision(productId))?.categoryId,
      );
    }
    const links = (s: ListingHarness) =>
      s.svc.state.allSkuLinks().then((all) => all.map((l) => `${l.sellerSku}>${l.shopifyVariantId}`).sort());
    expect(await links(one)).toEqual(await links(batch));

    // Again: in step, nothing sent, still no catalogue read.
    const [productId] = [...listedByBatch.keys()];
    const before = one.shopify.requestLog.length;
    const again = (await one.handlers['product-sync-one'](
      { store: STORE, dryRun: false, trigger: 'webhook', productId: productId! },
      jobContext('one-again'),
    )) as JobSummary;
    expect(again.pushed).toBe(0);
    expect(again.skippedReasons.unchanged).toBe(1);
    expect(operations(one, before).filter((op) => CATALOGUE_READS.has(op))).toEqual([]);
  });

  it('still holds back a SKU another product uses, reading only the products that share it', async () => {
    // A SKU two active products of the catalogue share (the generator repeats some).
    const owners = new Map<string, Set<number>>();
    for (const p of one.shopify.state.products)
      if (p.status === 'ACTIVE')
        for (const v of p.variants) if (v.sku) owners.set(v.sku, (owners.get(v.sku) ?? new Set()).add(p.id));
    const shared = [...owners.entries()].find(([, ids]) => ids.size > 1);
    expect(shared).toBeDefined();
    const [sku, ids] = shared!;
    const productId = `gid://shopify/Product/${[...ids][0]}`;
    const before = one.shopify.requestLog.length;
    const summary = (await one.handlers['product-sync-one'](
      { store: STORE, dryRun: false, trigger: 'webhook', productId },
      jobContext('one-duplicate'),
    )) as JobSummary;
    expect(summary.failures.map((f) => f.code)).toContain('duplicate-sku');
    expect(summary.failures.find((f) => f.code === 'duplicate-sku')?.reason).toContain(sku);
    const ops = operations(one, before);
    expect(ops.filter((op) => CATALOGUE_READS.has(op))).toEqual([]);
    expect(ops.filter((op) => op === 'ProductById').length).toBe(productsSharingSkus(one, productId));
    expect(productsSharingSkus(one, productId)).toBeGreaterThanOrEqual(ids.size);
    expect((await one.svc.state.listing(productId)) ?? null).toBeNull();
  });
});
