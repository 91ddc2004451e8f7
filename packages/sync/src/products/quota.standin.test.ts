// TikTok's daily listing quota (12052093). The stand-in has no quota, so a small proxy in front
// of it answers every create with the documented error and passes everything else through.
import type { IncomingMessage } from 'node:http';
import type { JobSummary } from '@shoptok/queues';
import { jobContext, listen, type ListingHarness, startListingHarness, STORE } from './products.test-helpers.js';
import { LISTING_PAUSE_CURSOR } from './listing-state.js';

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

// Only the headers TikTok reads; hop-by-hop ones (transfer-encoding, connection) stay here.
function forwarded(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['content-type', 'x-tts-access-token']) {
    const value = req.headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

describe('listing quota', () => {
  let h: ListingHarness;
  let creates = 0;
  const now = Date.UTC(2026, 5, 10, 14, 0);

  beforeAll(async () => {
    h = await startListingHarness({
      label: 'listing-quota',
      products: 40,
      seed: 3,
      now: () => now,
      tiktokFront: (target) =>
        listen(async (req, res) => {
          const raw = await body(req);
          const path = (req.url ?? '').split('?')[0];
          if (req.method === 'POST' && path === '/product/202309/products') {
            creates++;
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(
              JSON.stringify({
                code: 12052093,
                message: 'Exceeded the product listing limit for the seller',
                request_id: '20260610140000QUOTA',
                data: null,
              }),
            );
            return;
          }
          const answer = await fetch(`${target}${req.url}`, {
            method: req.method,
            headers: forwarded(req),
            ...(raw.length > 0 ? { body: raw } : {}),
          });
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
          res.end(Buffer.from(await answer.arrayBuffer()));
        }),
    });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('pauses creates until the next day instead of failing every product', async () => {
    const summary = (await h.handlers['product-batch'](
      { store: STORE, dryRun: false, trigger: 'cli' },
      jobContext('q-1'),
    )) as JobSummary;
    expect(creates).toBe(1);
    expect(summary.failures.filter((f) => f.code === '12052093')).toEqual([]);
    expect(summary.skippedReasons['listing-quota-paused']).toBeGreaterThan(1);
    expect(summary.notes.some((n) => n.includes('12052093') && n.includes('paused until'))).toBe(true);
    // Paused until an hour after midnight in the market's latest time zone (GB: UTC).
    expect(Number(await h.svc.state.cursor(LISTING_PAUSE_CURSOR))).toBe(Date.UTC(2026, 5, 11, 1, 0));
    expect((await h.svc.state.needsAttention()).size).toBe(summary.failed);

    const again = (await h.handlers['product-batch'](
      { store: STORE, dryRun: false, trigger: 'cli' },
      jobContext('q-2'),
    )) as JobSummary;
    expect(creates).toBe(1);
    expect(again.skippedReasons['listing-quota-paused']).toBe(summary.skippedReasons['listing-quota-paused']);
  });
});
