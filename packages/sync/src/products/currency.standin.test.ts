// A Shopify store in USD selling on TikTok UK: the listing run reads the Shopify shop's currency
// and refuses to list $20 items at £20, unless the price rule names the conversion.
import type { JobSummary } from '@shoptok/queues';
import { jobContext, startListingHarness, STORE, type ListingHarness } from './products.test-helpers.js';

const CREATE = 'POST /product/202309/products';

describe('listing across currencies (USD Shopify store, GB TikTok shop)', () => {
  const harnesses: ListingHarness[] = [];
  const batch = (h: ListingHarness) =>
    h.handlers['product-batch'](
      { store: STORE, dryRun: false, trigger: 'cli' },
      jobContext('batch-currency'),
    ) as Promise<JobSummary>;

  afterAll(async () => {
    for (const h of harnesses) await h.close();
  });

  it('refuses to list without a conversion, saying which currencies and what to set', async () => {
    const h = await startListingHarness({ label: 'currency-refused', products: 8, shopifyCurrency: 'USD' });
    harnesses.push(h);
    await expect(batch(h)).rejects.toMatchObject({
      name: 'ShopSetupError',
      message: expect.stringContaining(
        'the Shopify store prices in USD and the TikTok shop sells in GBP; shoptok lists and imports nothing across currencies unless rules.listing.price.conversion',
      ),
    });
    expect(h.tts.counters.total({ api: CREATE }).requests).toBe(0);
  });

  it('lists at the converted price when rules.listing.price.conversion names USD to GBP', async () => {
    const h = await startListingHarness({
      label: 'currency-converted',
      products: 8,
      shopifyCurrency: 'USD',
      rules: { listing: { price: { conversion: { from: 'USD', to: 'GBP', rate: '0.8' } } } },
    });
    harnesses.push(h);
    await batch(h);
    const listed = [...h.tts.admin.shop(h.tts.shops[0]!.cipher).products.values()];
    expect(listed.length).toBeGreaterThan(0);
    const priceBySku = new Map(h.shopify.state.products.flatMap((p) => p.variants.map((v) => [v.sku, v.price] as const)));
    for (const product of listed)
      for (const sku of product.skus) {
        const usd = Number(priceBySku.get(sku.seller_sku));
        expect(sku.price).toMatchObject({ currency: 'GBP', amount: (Math.ceil(usd * 0.8 * 100 - 1e-9) / 100).toFixed(2) });
      }
  });

  it('refuses a conversion that names other currencies than the two shops use', async () => {
    const h = await startListingHarness({
      label: 'currency-wrong',
      products: 4,
      shopifyCurrency: 'USD',
      rules: { listing: { price: { conversion: { from: 'EUR', to: 'GBP', rate: '0.85' } } } },
    });
    harnesses.push(h);
    await expect(batch(h)).rejects.toMatchObject({
      message: expect.stringContaining('converts EUR to GBP, but the Shopify store prices in USD'),
    });
  });
});
