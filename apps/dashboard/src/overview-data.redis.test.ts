// The store page's reader against a real Redis, over records in the exact shape packages/state
// writes them, at the literal keys (it reads through packages/state; a renamed key or field must fail here).
import { useTestRedis } from '@shoptok/testkit';
import { renderStorePage } from './pages.js';
import { readStoreOverview } from './overview-data.js';

it('shows a store flagged for a held mass removal, and who chose each product category', async () => {
  const redis = await useTestRedis('dash-merchant');
  try {
    const base = `${redis.prefix}:{glow}:state`;
    await redis.client.hset(
      `${base}:store-attention`,
      'mass-removal-held',
      JSON.stringify({
        message: 'This run would deactivate 40 of 50 live TikTok listings',
        at: 1_700_000_000_000,
        numbers: { wouldRemove: 40, liveListings: 50, maxPercent: 20 },
      }),
    );
    const decision = (source: string, extra: object = {}) =>
      JSON.stringify({
        categoryId: '601226',
        categoryPath: ['Womenswear & Underwear', "Women's Dresses", 'Casual Dresses'],
        source,
        reason: 'rules.listing.categories[0] matched tag "dress"',
        attributeSources: { Material: 'metafield custom.material' },
        at: 1,
        ...extra,
      });
    await redis.client.hset(`${base}:category-decision`, 'gid://shopify/Product/1', decision('rule', { ruleIndex: 0 }));
    await redis.client.hset(`${base}:category-decision`, 'gid://shopify/Product/2', decision('pin'));
    await redis.client.hset(`${base}:category-decision`, 'gid://shopify/Product/3', decision('offline'));
    await redis.client.hset(
      `${base}:attention`,
      'gid://shopify/Product/1',
      JSON.stringify({ reasons: [{ code: 'price', message: 'too cheap' }], at: 2 }),
    );

    const overview = await readStoreOverview(redis.client as never, redis.prefix, 'glow');
    expect(overview.unreadable).toBe(0);
    expect(overview.storeFlags).toEqual([
      expect.objectContaining({ code: 'mass-removal-held', numbers: { wouldRemove: 40, liveListings: 50, maxPercent: 20 } }),
    ]);
    expect(overview.categoriesByChooser).toEqual({ 'rule 0': 1, pin: 1, offline: 1 });
    expect(overview.attention[0]!.category).toMatchObject({ id: '601226', chosenBy: 'rule 0' });

    const page = renderStorePage({ id: 'glow', name: 'Glow', enabled: true }, overview, { now: 0 });
    expect(page).toContain('data-store-flag="mass-removal-held"');
    expect(page).toContain('would deactivate 40 of 50 live TikTok listings');
    expect(page).toMatch(/Casual Dresses \(rule 0\)/);
  } finally {
    await redis.cleanup();
  }
});
