// A gateway between shoptok and TikTok garbles the answer to a product create that TikTok
// carried out (a body without TikTok's envelope, then a 502). Both count as transient and are
// sent again: the create's idempotency key makes TikTok answer with the listing it made, so
// retrying never makes a second listing.
import type { IncomingMessage } from 'node:http';
import type { JobSummary } from '@shoptok/queues';
import { jobContext, listen, type ListingHarness, startListingHarness, STORE } from './products.test-helpers.js';

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function forwarded(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['content-type', 'x-tts-access-token']) {
    const value = req.headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

describe('a gateway garbles the answer to a create that TikTok carried out', () => {
  let h: ListingHarness;
  let garbled = 0;

  beforeAll(async () => {
    h = await startListingHarness({
      label: 'listing-gateway',
      products: 12,
      seed: 5,
      tiktokFront: (target) =>
        listen(async (req, res) => {
          const raw = await body(req);
          const path = (req.url ?? '').split('?')[0];
          const answer = await fetch(`${target}${req.url}`, {
            method: req.method,
            headers: forwarded(req),
            ...(raw.length > 0 ? { body: raw } : {}),
          });
          const text = Buffer.from(await answer.arrayBuffer());
          // The first two creates reach TikTok; their answers do not reach shoptok intact.
          if (req.method === 'POST' && path === '/product/202309/products' && garbled < 2) {
            garbled++;
            res.writeHead(garbled === 1 ? 200 : 502, { 'content-type': 'application/json' });
            res.end(garbled === 1 ? JSON.stringify({ status: 'ok', result: { message: 'upstream answered' } }) : 'Bad Gateway');
            return;
          }
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
          res.end(text);
        }),
    });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('the resent creates get the listings TikTok made: no failure, no second listing', async () => {
    const summary = (await h.handlers['product-batch'](
      { store: STORE, dryRun: false, trigger: 'cli' },
      jobContext('gw-1'),
    )) as JobSummary;
    expect(garbled).toBe(2);
    expect(summary.failures.filter((f) => !f.reason.startsWith('held back'))).toEqual([]);
    const shop = h.tts.admin.shop(h.tts.shops[0]?.shopId as string);
    const perSellerSku = new Map<string, number>();
    for (const p of shop.products.values())
      for (const s of p.skus) perSellerSku.set(s.seller_sku, (perSellerSku.get(s.seller_sku) ?? 0) + 1);
    expect([...perSellerSku.values()].every((n) => n === 1)).toBe(true);
    expect(shop.products.size).toBe(summary.pushed);
  });
});
