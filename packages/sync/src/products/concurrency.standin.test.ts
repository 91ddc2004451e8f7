// rules.listing.concurrency: how many products a listing run works on at once.
import type { JobSummary } from '@shoptok/queues';
import { jobContext, pngBytes, STORE, startListingHarness } from './products.test-helpers.js';

/** Runs one product-batch and returns the most products whose images were being fetched at once. */
async function mostProductsAtOnce(concurrency: number): Promise<{ most: number; summary: JobSummary; listed: number }> {
  const inFlight = new Map<string, number>();
  let most = 0;
  const h = await startListingHarness({
    label: `listing-concurrency-${concurrency}`,
    products: 24,
    seed: 8,
    rules: { listing: { concurrency } },
    // Each image answers after 30 ms, as a CDN does: products that overlap are seen overlapping.
    imageBytes: async (url) => {
      const product = /\/files\/(\d+)-/.exec(url)?.[1] ?? url;
      inFlight.set(product, (inFlight.get(product) ?? 0) + 1);
      most = Math.max(most, inFlight.size);
      await new Promise((resolve) => setTimeout(resolve, 30));
      const left = (inFlight.get(product) ?? 1) - 1;
      if (left === 0) inFlight.delete(product);
      else inFlight.set(product, left);
      return pngBytes(800, 800);
    },
  });
  try {
    const summary = (await h.handlers['product-batch'](
      { store: STORE, dryRun: false, trigger: 'cli' },
      jobContext('c-1'),
    )) as JobSummary;
    return { most, summary, listed: (await h.svc.state.allListings()).size };
  } finally {
    await h.close();
  }
}

describe('rules.listing.concurrency', () => {
  it('works on one product at a time at 1, on several at once above, with the same listings', async () => {
    const serial = await mostProductsAtOnce(1);
    const parallel = await mostProductsAtOnce(6);
    expect(serial.most).toBe(1);
    expect(parallel.most).toBeGreaterThan(1);
    expect(parallel.most).toBeLessThanOrEqual(6);
    expect(serial.listed).toBeGreaterThan(3);
    expect(parallel.listed).toBe(serial.listed);
    expect(parallel.summary.failed).toBe(serial.summary.failed);
    expect(parallel.summary.skipped).toBe(serial.summary.skipped);
  });
});
