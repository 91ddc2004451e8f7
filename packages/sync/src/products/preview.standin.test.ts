// Issue 16 §1: a store in preview that already sells on TikTok (listed by another connector)
// counts those listings as adopted by seller SKU, would create none of them again, and writes nothing.
import { ProductMapper } from '@shoptok/ai-mapper';
import type { JobSummary } from '@shoptok/queues';
import { runReconcile } from '../reconcile.js';
import { withWriteDecision } from '../write-mode.js';
import { productHandlers } from './handlers.js';
import { jobContext, type ListingHarness, pngBytes, startListingHarness, STORE } from './products.test-helpers.js';
import { loadCategoryIndex } from './shop.js';

const WRITE_APIS = [
  'POST /product/202309/products',
  'PUT /product/202309/products/{product_id}',
  'POST /product/202309/products/{product_id}/prices/update',
  'POST /product/202309/products/{product_id}/inventory/update',
  'POST /product/202309/images/upload',
  'POST /product/202309/products/activate',
  'POST /product/202309/products/deactivate',
];

describe('product listings in preview', () => {
  let h: ListingHarness;
  const tiktokWrites = () => WRITE_APIS.reduce((n, api) => n + h.tts.counters.total({ api }).requests, 0);

  beforeAll(async () => {
    h = await startListingHarness({ label: 'preview-adopt', products: 24, seed: 21 });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('listings that exist on TikTok are counted as adopted, none as created, and nothing is written', async () => {
    // The brand's catalogue on TikTok, as another connector left it: listed, then shoptok's state gone.
    await h.handlers['product-batch']({ store: STORE, dryRun: false, trigger: 'cli' }, jobContext('listed-before'));
    const listed = [...h.tts.admin.shop(h.tts.shops[0]!.cipher).products.values()];
    expect(listed.length).toBeGreaterThan(5);
    await h.svc.state.clear();
    await runReconcile(h.svc, { dryRun: false }); // learns them by seller SKU, as an operator runs it first
    const requestsBefore = h.tts.counters.total().requests;
    const writesBefore = tiktokWrites();

    const mapper = new ProductMapper({ index: await loadCategoryIndex(h.svc), region: 'GB' });
    const previewHandlers = withWriteDecision('products', { ...h.svc, mode: 'preview' }, (jobSvc) =>
      productHandlers(jobSvc, { mapper, fetchImage: async () => pngBytes(800, 800) }),
    );
    const job = { id: 'preview-batch', data: { store: STORE, dryRun: false }, updateData: async () => undefined };
    const summary = (await previewHandlers['product-batch'](
      { store: STORE, dryRun: false, trigger: 'schedule' },
      { ...jobContext('preview-batch'), job: job as never },
    )) as JobSummary;

    const totals = await h.svc.state.previewTotals();
    expect({ adopt: totals.adopt, create: totals.create }).toEqual({ adopt: listed.length, create: 0 });
    expect(summary.wouldSend.filter((w) => w.api === 'POST /product/202309/products')).toEqual([]);
    expect(h.tts.admin.shop(h.tts.shops[0]!.cipher).products.size).toBe(listed.length);
    const writesAfter = tiktokWrites();
    expect(writesAfter).toBe(writesBefore);
    expect(h.tts.counters.total().requests).toBeGreaterThan(requestsBefore); // it did read TikTok
    expect((await h.svc.state.allListings()).size).toBe(0); // and recorded no listing of its own
  }, 120_000);
});
