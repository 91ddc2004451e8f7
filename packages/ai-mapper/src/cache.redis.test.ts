import { startFakeOpenAI, type FakeOpenAI } from '@shoptok/testkit/openai';
import { useTestRedis, type TestRedis } from '@shoptok/testkit';
import { DEFAULT_CACHE_TTL_SECONDS } from './cache.js';
import { bundledCategoryIndex } from './default-tree.js';
import { ProductMapper, type MappingUsage } from './product-mapper.js';
import type { MapperProductInput } from './schemas.js';

const mug: MapperProductInput = {
  id: 'gid://shopify/Product/7',
  title: 'Ceramic Coffee Mug',
  productType: 'Mug',
  tags: ['coffee'],
  descriptionHtml: '<p>Stoneware mug, dishwasher safe.</p>',
};
const answer = {
  categoryId: '600042',
  title: 'Ceramic Coffee Mug, Stoneware',
  descriptionHtml: '<p>Stoneware mug, dishwasher safe.</p>',
  keywords: ['coffee mug'],
  hashtags: ['#coffee'],
  attributes: [],
  reason: 'It is a mug.',
};

describe('AI mapping cache in Redis', () => {
  let redis: TestRedis;
  let fake: FakeOpenAI;
  beforeAll(async () => {
    redis = await useTestRedis('ai-cache');
    fake = await startFakeOpenAI({ models: ['gpt-4o-mini', 'gpt-4.1-mini'] });
    fake.setResponder(() => ({ kind: 'json', content: answer }));
  });
  afterAll(async () => {
    await fake.close();
    await redis.cleanup();
  });

  // One call per product (no department step) keeps the call counts about the cache alone.
  const mapper = (model = 'gpt-4o-mini') =>
    new ProductMapper({
      index: bundledCategoryIndex(),
      ai: { apiKey: fake.apiKey, baseURL: fake.baseURL, model, departmentStep: false },
      cache: { redis: redis.client, keyPrefix: redis.prefix },
    });

  it('answers a re-sync of an unchanged product from the cache, with no AI call', async () => {
    const before = fake.requests.length;
    const first = await mapper().map(mug, { storeId: 'brand-a' });
    expect(first.mapper).toBe('ai');
    expect(fake.requests.length).toBe(before + 1);

    // A new run (new mapper, as a later sync would have) with the same product.
    const again = mapper();
    const second = await again.map({ ...mug, variants: [{ id: 'v1', price: '12.00' }] }, { storeId: 'brand-a' }); // price is not a mapping field
    expect(second.mapper).toBe('cache');
    expect(second.draft).toEqual(first.draft);
    expect(fake.requests.length).toBe(before + 1);
    expect(again.usage()).toMatchObject({ calls: 0, cacheHits: 1 });
  });

  it('tells its observer what each product cost: an AI call with its spend, then a cache hit for free', async () => {
    const seen: MappingUsage[] = [];
    const observed = () =>
      new ProductMapper({
        index: bundledCategoryIndex(),
        ai: { apiKey: fake.apiKey, baseURL: fake.baseURL, departmentStep: false },
        cache: { redis: redis.client, keyPrefix: redis.prefix },
        onUsage: (u) => seen.push(u),
      });
    const first = observed();
    await first.map(mug, { storeId: 'brand-obs' });
    await observed().map(mug, { storeId: 'brand-obs' });
    expect(seen).toEqual([
      { storeId: 'brand-obs', calls: 1, cacheHit: false, costUsd: first.usage().estimatedCostUsd },
      { storeId: 'brand-obs', calls: 0, cacheHit: true, costUsd: 0 },
    ]);
    expect(seen[0]!.costUsd).toBeGreaterThan(0);
  });

  it('maps on when its observer throws', async () => {
    const throwing = new ProductMapper({
      index: bundledCategoryIndex(),
      ai: { apiKey: fake.apiKey, baseURL: fake.baseURL },
      onUsage: () => {
        throw new Error('observer bug');
      },
    });
    expect((await throwing.map(mug, { storeId: 'brand-obs2' })).mapper).toBe('ai');
  });

  it('keys per store under the store hash tag, with the documented TTL', async () => {
    await mapper().map(mug, { storeId: 'brand-b' });
    const keys = await redis.client.keys(`${redis.prefix}:{brand-b}:ai:map:*`);
    expect(keys).toHaveLength(1);
    const ttl = await redis.client.ttl(keys[0]!);
    expect(ttl).toBeGreaterThan(DEFAULT_CACHE_TTL_SECONDS - 60);
    expect(ttl).toBeLessThanOrEqual(DEFAULT_CACHE_TTL_SECONDS);
  });

  it('misses when a mapping field or the model changes', async () => {
    await mapper().map(mug, { storeId: 'brand-c' });
    const before = fake.requests.length;
    expect((await mapper().map({ ...mug, title: 'Ceramic Coffee Mug Large' }, { storeId: 'brand-c' })).mapper).toBe('ai');
    expect((await mapper().map({ ...mug, tags: ['coffee', 'tea'] }, { storeId: 'brand-c' })).mapper).toBe('ai');
    expect((await mapper('gpt-4.1-mini').map(mug, { storeId: 'brand-c' })).mapper).toBe('ai');
    expect(fake.requests.length).toBe(before + 3);
  });

  it('treats a corrupt entry as a miss and replaces it', async () => {
    await mapper().map(mug, { storeId: 'brand-d' });
    const [key] = await redis.client.keys(`${redis.prefix}:{brand-d}:ai:map:*`);
    await redis.client.set(key!, '{"draft": "not a draft"}', 'EX', 60);
    const result = await mapper().map(mug, { storeId: 'brand-d' });
    expect(result.mapper).toBe('ai');
    expect(JSON.parse((await redis.client.get(key!))!)).toMatchObject({ draft: { categoryId: '600042' } });
  });

  it('does not cache a fallback answer, so the next sync asks the AI again', async () => {
    fake.enqueue({ kind: 'text', content: 'nope' }, { kind: 'text', content: 'still nope' });
    const failed = await mapper().map({ ...mug, title: 'Ceramic Tea Mug' }, { storeId: 'brand-e' });
    expect(failed.mapper).toBe('fallback');
    expect(await redis.client.keys(`${redis.prefix}:{brand-e}:ai:map:*`)).toHaveLength(0);
    expect((await mapper().map({ ...mug, title: 'Ceramic Tea Mug' }, { storeId: 'brand-e' })).mapper).toBe('ai');
  });
});
