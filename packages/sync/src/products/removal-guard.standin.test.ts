// The collections filter and the mass-removal guard, end to end: a real product run over both
// stand-ins and a real Redis, then what TikTok received.
import { createLogger } from '@shoptok/logger';
import type { JobSummary } from '@shoptok/queues';
import { waitUntil } from '@shoptok/testkit';
import type { Product as TikTokProduct } from '@shoptok/testkit/tiktok';
import { AlertNotifier } from '../alerts/notifier.js';
import { MASS_REMOVAL_FLAG } from './handlers.js';
import { jobContext, type ListingHarness, listen, startListingHarness, STORE } from './products.test-helpers.js';

const gid = (id: number) => `gid://shopify/Product/${id}`;
const PICKS = { id: 73_001, handle: 'tiktok-picks', title: 'TikTok picks' };
const GIFTS = { id: 73_002, handle: 'gifts', title: 'Gifts' };

describe('collections filter and mass-removal guard over the stand-ins', () => {
  let h: ListingHarness;
  let receiver: Awaited<ReturnType<typeof listen>>;
  const alerts: string[] = [];
  let notifier: AlertNotifier;

  const tiktokProducts = (): TikTokProduct[] => [...h.tts.admin.shop(h.tts.shops[0]!.cipher).products.values()];
  const deactivations = () => h.tts.counters.total({ api: 'POST /product/202309/products/deactivate' }).requests;
  const batch = (extra: { confirmRemovals?: boolean } = {}) =>
    h.handlers['product-batch']({ store: STORE, dryRun: false, trigger: 'cli', ...extra }, jobContext()) as Promise<JobSummary>;

  beforeAll(async () => {
    h = await startListingHarness({
      label: 'removal-guard',
      products: 40,
      seed: 11,
      rules: {
        listing: {
          // One collection by handle, one by its numeric id (both forms the config takes).
          filters: { collections: [PICKS.handle, String(GIFTS.id)] },
          defaultPackageDimensions: { length: 20, width: 15, height: 10, unit: 'CENTIMETER' },
        },
      },
    });
    receiver = await listen((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        alerts.push((JSON.parse(body) as { text: string }).text);
        res.writeHead(200).end('ok');
      });
    });
    notifier = new AlertNotifier({
      redis: h.redis.client,
      prefix: h.redis.prefix,
      logger: createLogger({ console: false }),
      webhookUrlFor: () => receiver.url,
      burstWindowMs: 60_000,
      shipByLeadMs: 3_600_000,
      authExpiryLeadMs: 86_400_000,
    });
    h.svc.alerts = notifier;
    // Two thirds of the catalogue is in the picks, one product in gifts only, the rest in neither.
    h.shopify.state.products.forEach((p, i) => {
      const collections = i % 3 === 2 ? [] : i === 1 ? [GIFTS] : [PICKS, ...(i % 2 === 0 ? [GIFTS] : [])];
      h.shopify.editProduct(p.id, { collections });
    });
  });

  afterAll(async () => {
    await notifier?.close();
    await receiver?.close();
    await h?.close();
  });

  it('lists exactly the products of the listed collections: the rest are skipped, not removed', async () => {
    const summary = await batch();
    const inFilter = new Set(
      h.shopify.state.products
        .filter((p) => (p.collections ?? []).some((c) => c.id === PICKS.id || c.id === GIFTS.id))
        .map((p) => gid(p.id)),
    );
    const listed = tiktokProducts().map((t) => t.external_product_id ?? '');
    const attention = await h.svc.state.needsAttention();
    expect(listed.length).toBeGreaterThanOrEqual(8);
    for (const id of listed) expect(inFilter.has(id)).toBe(true);
    // Every active product with a SKU in the filter is listed or held back with reasons.
    for (const p of h.shopify.state.products.filter((x) => x.status === 'ACTIVE' && x.variants.some((v) => v.sku))) {
      const id = gid(p.id);
      expect(listed.includes(id) || attention.has(id)).toBe(inFilter.has(id));
    }
    // In gifts only: selected by the collection's id (listed, or held back for its own reasons).
    const giftOnly = gid(h.shopify.state.products[1]!.id);
    expect(listed.includes(giftOnly) || attention.has(giftOnly)).toBe(true);
    expect(summary.skippedReasons.collection).toBe(h.shopify.state.products.filter((_, i) => i % 3 === 2).length);
    expect(deactivations()).toBe(0);
    // Review passes: the listings are live on TikTok (and in our records).
    h.tts.admin.completeAudits();
    for (const record of (await h.svc.state.allListings()).values())
      await h.handlers['listing-status'](
        { store: STORE, dryRun: false, trigger: 'schedule', tiktokProductId: record.tiktokProductId },
        jobContext(),
      );
  });

  it('a run that would deactivate more than 20 % of the live listings stops, flags the store and alerts', async () => {
    const live = [...(await h.svc.state.allListings()).entries()].filter(([, r]) => r.status === 'ACTIVATE');
    // Within the guard first: exactly 20 % of the live listings leave the collection.
    const allowed = Math.floor(live.length * 0.2);
    expect(allowed).toBeGreaterThanOrEqual(1);
    for (const [productId] of live.slice(0, allowed))
      h.shopify.editProduct(Number(productId.split('/').pop()), { collections: [] });
    let summary = await batch();
    expect(deactivations()).toBe(1); // one call for the whole lot
    expect(summary.failures.filter((f) => f.code === MASS_REMOVAL_FLAG)).toEqual([]);

    // Then the merchant empties the collection: every remaining listing would go.
    const remaining = live.slice(allowed);
    for (const [productId] of remaining) h.shopify.editProduct(Number(productId.split('/').pop()), { collections: [] });
    summary = await batch();
    expect(deactivations()).toBe(1);
    for (const [productId, record] of remaining) {
      expect((await h.svc.state.listing(productId))!.status).toBe('ACTIVATE');
      expect(h.tts.admin.getProduct(h.tts.shops[0]!.shopId, record.tiktokProductId)!.status).toBe('ACTIVATE');
    }
    const held = summary.failures.find((f) => f.code === MASS_REMOVAL_FLAG)!;
    expect(held.reason).toContain(`${remaining.length} of ${remaining.length} live TikTok listings`);
    const flag = (await h.svc.state.storeAttention()).get(MASS_REMOVAL_FLAG)!;
    expect(flag.numbers).toEqual({ wouldRemove: remaining.length, liveListings: remaining.length, maxPercent: 20 });
    expect(flag.message).toContain(`pnpm enqueue products --store ${STORE} --confirm-removals`);
    await waitUntil(() => alerts.length === 1, { timeoutMs: 10_000 });
    expect(alerts[0]).toContain(`would deactivate ${remaining.length} of ${remaining.length} live TikTok listings`);

    // The next scheduled run sees the same numbers: still held, no second alert.
    await batch();
    expect(deactivations()).toBe(1);
    expect(alerts).toHaveLength(1);
  });

  it('--confirm-removals goes ahead, and clears the flag', async () => {
    const before = tiktokProducts().filter((t) => t.status !== 'SELLER_DEACTIVATED').length;
    expect(before).toBeGreaterThan(0);
    const summary = await batch({ confirmRemovals: true });
    expect(deactivations()).toBeGreaterThan(1);
    expect(summary.notes.some((n) => n.startsWith('removals confirmed'))).toBe(true);
    for (const [, record] of await h.svc.state.allListings()) expect(record.status).not.toBe('ACTIVATE');
    expect(tiktokProducts().filter((t) => t.status === 'ACTIVATE')).toEqual([]);
    expect((await h.svc.state.storeAttention()).has(MASS_REMOVAL_FLAG)).toBe(false);
  });
});
