// TikTok's Recommend Category as one vote of the category mapping, end to end: a real product run
// over both stand-ins and a real Redis, the mapper's cache holding the recommendation, and the
// stand-in's request counters saying how often TikTok was asked.
import { ProductMapper } from '@shoptok/ai-mapper';
import { aiRecommendationKey } from '@shoptok/keys';
import type { JobSummary } from '@shoptok/queues';
import type { StandInProduct } from '@shoptok/testkit/shopify';
import type { Product as TikTokProduct } from '@shoptok/testkit/tiktok';
import { productHandlers } from './handlers.js';
import { jobContext, type ListingHarness, pngBytes, startListingHarness, STORE } from './products.test-helpers.js';
import { loadCategoryIndex } from './shop.js';

const RECOMMEND_API = 'POST /product/202309/categories/recommend';
const gid = (id: number) => `gid://shopify/Product/${id}`;

describe("TikTok's Recommend Category as a vote in a product run", () => {
  let h: ListingHarness;
  let handlers: ListingHarness['handlers'];
  let mapper: ProductMapper;
  let nextId = 97_000_000;

  const recommendCalls = () => h.tts.counters.total({ api: RECOMMEND_API }).requests;
  const tiktokOf = (product: StandInProduct): TikTokProduct | undefined =>
    [...h.tts.admin.shop(h.tts.shops[0]!.cipher).products.values()].find((t) => t.external_product_id === gid(product.id));
  const syncOne = (product: StandInProduct) =>
    handlers['product-sync-one'](
      { store: STORE, dryRun: false, trigger: 'cli', productId: gid(product.id) },
      jobContext(),
    ) as Promise<JobSummary>;
  const add = (title: string, sku: string): StandInProduct => {
    const product = h.shopify.addProduct({
      title,
      vendor: 'Atelier Sol',
      productType: 'Gift',
      tags: [],
      descriptionHtml: `<p>${title}.</p>`,
      media: [{ id: ++nextId, url: `https://cdn.shopify.example/s/files/${sku}.jpg`, alt: null }],
      variants: [
        {
          id: ++nextId,
          title: 'Default Title',
          sku,
          price: '18.00',
          compareAtPrice: null,
          barcode: null,
          position: 1,
          selectedOptions: [{ name: 'Title', value: 'Default Title' }],
          inventoryItemId: ++nextId,
          tracked: true,
          weight: { unit: 'GRAMS', value: 300 },
        },
      ],
    });
    for (const v of product.variants) h.shopify.setStock(v.inventoryItemId, 70_000_001, 5);
    return product;
  };

  beforeAll(async () => {
    h = await startListingHarness({
      label: 'recommend-vote',
      products: 1,
      rules: { listing: { defaultPackageDimensions: { length: 20, width: 15, height: 10, unit: 'CENTIMETER' } } },
    });
    // The worker's mapper: offline (no AI key), with the mapping cache in Redis.
    mapper = new ProductMapper({
      index: await loadCategoryIndex(h.svc),
      region: 'GB',
      cache: { redis: h.redis.client, keyPrefix: h.redis.prefix },
    });
    handlers = productHandlers(h.svc, { mapper, fetchImage: async () => pngBytes(800, 800) });
  });

  afterAll(async () => {
    await h?.close();
  });

  it("TikTok's answer breaks the offline mapper's near-tie; a re-sync asks TikTok nothing", async () => {
    const bag = add('Canvas Tote Bag', 'RV-BAG');
    // What TikTok recommends for it, and what the offline mapper alone would choose: they differ.
    const recommended = await h.svc.tiktok.recommendCategory({ productTitle: 'Canvas Tote Bag' });
    const alone = await new ProductMapper({ index: mapper.index }).map({
      title: 'Canvas Tote Bag',
      descriptionHtml: '<p>Canvas Tote Bag.</p>',
      productType: 'Gift',
      vendor: 'Atelier Sol',
    });
    expect(recommended?.leaf_category_id).toBeDefined();
    expect(alone.draft.categoryId).not.toBe(recommended?.leaf_category_id);
    h.tts.counters.reset();

    await syncOne(bag);
    expect(tiktokOf(bag)?.category_id).toBe(recommended?.leaf_category_id);
    expect(recommendCalls()).toBe(1);
    expect(await h.svc.state.categoryDecision(gid(bag.id))).toMatchObject({
      categoryId: recommended?.leaf_category_id,
      source: 'offline',
      reason: expect.stringContaining("TikTok's Recommend Category"),
    });
    const keys = await h.redis.client.keys(aiRecommendationKey(h.redis.prefix, STORE, '*'));
    expect(keys).toHaveLength(1);

    // A re-sync of the unchanged product: the recommendation comes from the cache, also for a new
    // mapper (a worker makes one per job) that has only Redis to go on.
    await syncOne(bag);
    expect(recommendCalls()).toBe(1);
    const freshMapper = new ProductMapper({
      index: mapper.index,
      region: 'GB',
      cache: { redis: h.redis.client, keyPrefix: h.redis.prefix },
    });
    const fresh = productHandlers(h.svc, { mapper: freshMapper, fetchImage: async () => pngBytes(800, 800) });
    await fresh['product-sync-one']({ store: STORE, dryRun: false, trigger: 'cli', productId: gid(bag.id) }, jobContext());
    expect(recommendCalls()).toBe(1);
    expect(freshMapper.recommendUsage().calls).toBe(0);
    expect(tiktokOf(bag)?.category_id).toBe(recommended?.leaf_category_id);
  });

  it('a failing Recommend Category never fails the mapping, is not cached, and is asked again next sync', async () => {
    const lamp = add('Desk Lamp', 'RV-LAMP');
    const offline = await new ProductMapper({ index: mapper.index }).map({
      title: 'Desk Lamp',
      descriptionHtml: '<p>Desk Lamp.</p>',
      productType: 'Gift',
      vendor: 'Atelier Sol',
    });
    h.tts.counters.reset();
    // TikTok keeps failing the call (more times than the client retries).
    h.tts.faults.inject({ kind: 'server-error', api: RECOMMEND_API, times: 50 });
    const summary = await syncOne(lamp);
    h.tts.faults.clear();
    expect(summary).toBeDefined();
    expect(tiktokOf(lamp)?.category_id).toBe(offline.draft.categoryId);
    expect(recommendCalls()).toBeGreaterThanOrEqual(1);
    expect(mapper.recommendUsage().failures).toBe(1);

    // TikTok answers again: the next sync asks (nothing was cached) and takes the vote.
    const before = recommendCalls();
    await syncOne(lamp);
    expect(recommendCalls()).toBe(before + 1);
    expect((await h.svc.state.categoryDecision(gid(lamp.id)))?.reason).toContain("TikTok's Recommend Category");
  });

  it('a title TikTok refuses (non-English) is no vote, cached as such: one call, then none', async () => {
    const scarf = add('Тёплый шарф', 'RV-SCARF');
    h.tts.counters.reset();
    await syncOne(scarf);
    await syncOne(scarf);
    expect(h.tts.counters.total({ api: RECOMMEND_API })).toMatchObject({ requests: 1, errors: 1 });
    expect((await h.svc.state.categoryDecision(gid(scarf.id)))?.reason ?? '').not.toContain('TikTok');
  });
});
