import { startFakeOpenAI, type FakeChatRequest, type FakeOpenAI } from '@shoptok/testkit/openai';
import { bundledCategoryIndex } from './default-tree.js';
import { ProductMapper } from './product-mapper.js';
import type { MapperProductInput } from './schemas.js';
import type { RecommendQuery } from './recommendation.js';

const index = bundledCategoryIndex();
const leafByPath = (path: string) => index.leafCategories().find((l) => l.path.join(' > ') === path)!;
const bag: MapperProductInput = { title: 'Canvas Tote Bag', productType: 'Gift', descriptionHtml: '<p>Canvas Tote Bag.</p>' };
const payloadOf = (req: FakeChatRequest) =>
  JSON.parse(String(req.messages.find((m) => m.role === 'user')?.content)) as { candidateCategories: { id: string }[] };

describe("TikTok's Recommend Category as a vote", () => {
  it('offline: breaks a near-tie, never overrides clear evidence, and is asked with the title and the start of the description', async () => {
    const alone = await new ProductMapper({ index }).map(bag);
    const tote = leafByPath("Luggage & Bags > Women's Bags > Tote Bags");
    expect(alone.draft.categoryId).not.toBe(tote.id);
    const asked: RecommendQuery[] = [];
    const voted = await new ProductMapper({ index }).map(bag, {
      recommend: async (q) => {
        asked.push(q);
        return tote.id;
      },
    });
    expect(voted.draft.categoryId).toBe(tote.id);
    expect(voted.reason).toContain("TikTok's Recommend Category");
    expect(asked).toEqual([{ title: 'Canvas Tote Bag', descriptionHtml: '<p>Canvas Tote Bag.</p>' }]);

    // A plain T-shirt stays a T-shirt whatever TikTok says.
    const tee = { title: "Women's Cotton T-Shirt", productType: 'T-Shirt' };
    const wrong = leafByPath('Home Supplies > Home Decor > Candles');
    const result = await new ProductMapper({ index }).map(tee, { recommend: async () => wrong.id });
    expect(result.draft.categoryPath.at(-1)).toBe('T-shirts');
    expect(result.reason).toContain('outvoted');
  });

  it('a failed call or an unknown leaf is no vote, and the product is still mapped', async () => {
    const alone = await new ProductMapper({ index }).map(bag);
    const mapper = new ProductMapper({ index });
    const failed = await mapper.map(bag, { recommend: () => Promise.reject(new Error('TikTok is down')) });
    expect(failed.draft.categoryId).toBe(alone.draft.categoryId);
    expect(mapper.recommendUsage()).toEqual({ calls: 1, failures: 1 });
    const unknown = await mapper.map(bag, { recommend: async () => '999999999' });
    expect(unknown.draft.categoryId).toBe(alone.draft.categoryId);
  });

  describe('AI', () => {
    let fake: FakeOpenAI;
    beforeEach(async () => {
      fake = await startFakeOpenAI();
    });
    afterEach(async () => {
      await fake.close();
    });

    it("adds TikTok's leaf to the candidates the model sees (and its schema enum)", async () => {
      const wrong = leafByPath('Home Supplies > Home Decor > Candles');
      const mapper = new ProductMapper({
        index,
        ai: { apiKey: fake.apiKey, baseURL: fake.baseURL, timeoutMs: 5_000, departmentStep: false },
      });
      // Without the vote (first request) the model is not offered Candles; with it, it is.
      await new ProductMapper({
        index,
        ai: { apiKey: fake.apiKey, baseURL: fake.baseURL, timeoutMs: 5_000, departmentStep: false },
      }).map(bag);
      const before = fake.requests.length;
      await mapper.map(bag, { recommend: async () => wrong.id });
      const request = fake.requests[before]!;
      expect(payloadOf(fake.requests[0]!).candidateCategories.map((c) => c.id)).not.toContain(wrong.id);
      expect(payloadOf(request).candidateCategories.map((c) => c.id)).toContain(wrong.id);
    });
  });
});
