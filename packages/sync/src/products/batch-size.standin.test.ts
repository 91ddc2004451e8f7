// BATCH_SIZE (a store's batchSize): how many products a listing run handles between two progress
// reports, which is what the dashboard's progress bar shows. It changes no page size, no API
// call and no job split (README, docs/settings.md).
import type { JobSummary } from '@shoptok/queues';
import { startListingHarness, STORE, type ListingHarness } from './products.test-helpers.js';
import { createLogger } from '@shoptok/logger';

describe('BATCH_SIZE on a real listing run', () => {
  let h: ListingHarness;
  afterAll(async () => {
    await h?.close();
  });

  it('reports progress once per BATCH_SIZE products', async () => {
    h = await startListingHarness({ label: 'batch-size', products: 7, batchSize: 3 });
    const reported: number[] = [];
    const summary = (await h.handlers['product-batch'](
      { store: STORE, dryRun: true, trigger: 'cli' },
      {
        job: { id: 'batch-size' } as never,
        logger: createLogger({ console: false }),
        signal: undefined,
        progress: async (p: { phase: string; done: number }) => {
          if (p.phase === 'listing products on TikTok') reported.push(p.done);
        },
      },
    )) as JobSummary;
    const products = h.shopify.state.products.length;
    expect(products).toBe(7);
    expect(reported).toEqual([0, 3, 6]);
    expect(summary.seen + summary.skipped).toBeGreaterThan(0);
  });
});
