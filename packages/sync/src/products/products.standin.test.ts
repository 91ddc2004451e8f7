// End to end over both stand-ins and a real Redis: a seeded catalogue of a few hundred products
// goes through the product handlers as the product worker runs them.
import { jobIds, type JobSummary } from '@shoptok/queues';
import { stateKeys } from '@shoptok/state';
import type { StandInProduct, StandInVariant } from '@shoptok/testkit/shopify';
import type { Product as TikTokProduct } from '@shoptok/testkit/tiktok';
import { jobContext, type ListingHarness, startListingHarness, STORE } from './products.test-helpers.js';

const gid = (id: number) => `gid://shopify/Product/${id}`;
const C = {
  create: 'POST /product/202309/products',
  edit: 'PUT /product/202309/products/{product_id}',
  price: 'POST /product/202309/products/{product_id}/prices/update',
  stock: 'POST /product/202309/products/{product_id}/inventory/update',
  upload: 'POST /product/202309/images/upload',
  deactivate: 'POST /product/202309/products/deactivate',
};

// The store's price rule, computed here on its own: +10 %, then up to the next x.99.
function expectedPrice(shopifyPrice: string): string {
  const cents = Math.round(Number(shopifyPrice) * 100);
  const marked = Math.ceil((cents * 110) / 100);
  let end = Math.floor(marked / 100) * 100 + 99;
  if (end < marked) end += 100;
  return (end / 100).toFixed(2);
}

describe('product listing pipeline over the stand-ins', () => {
  let h: ListingHarness;
  let nextId = 95_000_000;
  const special: Record<string, StandInProduct> = {};

  const tiktokProducts = (): TikTokProduct[] => [...h.tts.admin.shop(h.tts.shops[0]!.cipher).products.values()];
  const writes = () =>
    Object.fromEntries(Object.entries(C).map(([k, api]) => [k, h.tts.counters.total({ api }).requests])) as Record<
      keyof typeof C,
      number
    >;
  const batch = (dryRun = false) =>
    h.handlers['product-batch']({ store: STORE, dryRun, trigger: 'cli' }, jobContext('batch-1')) as Promise<JobSummary>;
  const status = (tiktokProductId: string) =>
    h.handlers['listing-status']({ store: STORE, dryRun: false, trigger: 'schedule', tiktokProductId }, jobContext());
  const listingOf = async (p: StandInProduct) => h.svc.state.listing(gid(p.id));

  function variant(
    sku: string | null,
    price: string,
    options: { name: string; value: string }[] = [{ name: 'Title', value: 'Default Title' }],
    position = 1,
  ): StandInVariant {
    return {
      id: ++nextId,
      title: options.map((o) => o.value).join(' / '),
      sku,
      price,
      compareAtPrice: null,
      barcode: null,
      position,
      selectedOptions: options,
      inventoryItemId: ++nextId,
      tracked: true,
      weight: { unit: 'GRAMS', value: 350 },
    };
  }
  function add(
    key: string,
    input: Partial<StandInProduct> & { title: string; variants: StandInVariant[]; images?: number },
  ): StandInProduct {
    const media = Array.from({ length: input.images ?? 2 }, (_, i) => ({
      id: ++nextId,
      url: `https://cdn.shopify.example/s/files/${key}-${i + 1}.jpg?v=17`,
      alt: null,
    }));
    const options = input.variants[0]!.selectedOptions.map((o) => ({
      name: o.name,
      values: [...new Set(input.variants.map((v) => v.selectedOptions.find((s) => s.name === o.name)!.value))],
    }));
    const product = h.shopify.addProduct({
      productType: 'Candle',
      vendor: 'Hearth Studio',
      tags: ['home'],
      descriptionHtml: `<p>${input.title}, poured by hand.</p>`,
      options,
      media,
      ...input,
    });
    for (const v of product.variants) h.shopify.setStock(v.inventoryItemId, 70_000_001, 12);
    special[key] = product;
    return product;
  }

  beforeAll(async () => {
    h = await startListingHarness({
      label: 'listing-e2e',
      products: 260,
      rules: {
        listing: {
          price: { markupPercent: 10, ending: '.99' },
          defaultPackageDimensions: { length: 20, width: 15, height: 10, unit: 'CENTIMETER' },
        },
      },
    });
    add('many-images', { title: 'Everyday Soy Candle Gift Set', variants: [variant('CANDLE-SET-1', '24.00')], images: 12 });
    add('banned', { title: 'Counterfeit Fig Soy Candle', variants: [variant('CANDLE-FAKE-1', '18.00')] });
    add('no-sku', { title: 'Cedar Soy Candle Refill', variants: [variant(null, '9.00')] });
    add('dup-a', { title: 'Neroli Soy Candle', variants: [variant('DUP-CANDLE', '20.00')] });
    add('dup-b', { title: 'Tomato Leaf Soy Candle', variants: [variant('DUP-CANDLE', '20.00')] });
    add('dress', {
      title: 'Wrap Midi Dress',
      productType: 'Dress',
      tags: ['fashion'],
      category: {
        id: 'gid://shopify/TaxonomyCategory/aa-1-4',
        fullName: 'Apparel & Accessories > Clothing > Dresses',
        name: 'Dresses',
      },
      descriptionHtml: '<p>A wrap midi dress for every day.</p>',
      variants: [
        variant('DRESS-W-8', '80.00', [{ name: 'Size', value: '8' }]),
        variant('DRESS-W-10', '80.00', [{ name: 'Size', value: '10' }], 2),
      ],
    });
    add('multi', {
      title: 'Signature Soy Candle',
      variants: [
        variant('SIG-FIG', '30.00', [{ name: 'Scent', value: 'Fig' }]),
        variant('SIG-CEDAR', '30.00', [{ name: 'Scent', value: 'Cedar' }], 2),
        variant(null, '30.00', [{ name: 'Scent', value: 'Neroli' }], 3),
      ],
    });
  });

  afterAll(async () => {
    await h?.close();
  });

  it("dry run: prints each product's exact payloads and verdict, and writes nothing anywhere", async () => {
    const summary = await batch(true);
    expect(writes()).toEqual({ create: 0, edit: 0, price: 0, stock: 0, upload: 0, deactivate: 0 });
    expect(h.fetched).toEqual([]);
    const creates = summary.wouldSend.filter((w) => w.api === C.create);
    expect(creates.length).toBeGreaterThan(50);
    const set = creates.find((w) => w.target.includes(String(special['many-images']!.id)))!.payload as {
      main_images: unknown[];
      skus: { seller_sku: string; price: { amount: string } }[];
    };
    expect(set.main_images).toHaveLength(9);
    expect(set.skus).toEqual([
      expect.objectContaining({ seller_sku: 'CANDLE-SET-1', price: { amount: expectedPrice('24.00'), currency: 'GBP' } }),
    ]);
    expect(summary.notes.some((n) => n.includes(`${special['dup-a']!.id}`) && n.includes('pre-flight FAILED'))).toBe(true);
    expect(summary.notes.filter((n) => n.includes('pre-flight passed')).length).toBe(creates.length);
    expect((await h.svc.state.allListings()).size).toBe(0);
    expect((await h.svc.state.needsAttention()).size).toBe(0);
    expect(await h.redis.client.exists(stateKeys(h.redis.prefix, STORE).product)).toBe(0);
  });

  it('first run: every valid product becomes a listing with the right SKUs, prices and images; invalid ones are held back with reasons and cost no call', async () => {
    const summary = await batch();
    const listed = tiktokProducts();
    const attention = await h.svc.state.needsAttention();
    const shopifyProducts = h.shopify.state.products;
    const byGid = new Map(shopifyProducts.map((p) => [gid(p.id), p]));
    expect(listed.length).toBeGreaterThan(50);
    expect(writes().create).toBe(listed.length);
    // The dashboard's Listings page reads each considered product's title and first image.
    const summaries = await h.redis.client.hgetall(stateKeys(h.redis.prefix, STORE).product);
    for (const p of shopifyProducts.filter((x) => x.status === 'ACTIVE' && x.variants.some((v) => v.sku))) {
      expect(JSON.parse(summaries[gid(p.id)] ?? '{}')).toMatchObject({ title: p.title });
      if (p.media[0]) expect(JSON.parse(summaries[gid(p.id)]!).imageUrl).toBe(p.media[0].url);
    }

    let uploadsExpected = 0;
    for (const t of listed) {
      const shopifyProduct = byGid.get(t.external_product_id ?? '')!;
      expect(shopifyProduct.status).toBe('ACTIVE');
      const withSku = shopifyProduct.variants.filter((v) => v.sku);
      // Right SKUs, prices after the rule, images in order up to 9.
      expect(t.skus.map((s) => s.seller_sku).sort()).toEqual(withSku.map((v) => v.sku).sort());
      for (const s of t.skus) expect(s.price.amount).toBe(expectedPrice(withSku.find((v) => v.sku === s.seller_sku)!.price));
      expect(t.main_images).toHaveLength(Math.min(9, shopifyProduct.media.length));
      uploadsExpected += Math.min(9, shopifyProduct.media.length);
      const record = (await h.svc.state.listing(gid(shopifyProduct.id)))!;
      expect(record).toMatchObject({ tiktokProductId: t.id, status: 'PENDING' });
      // Links let the inventory and order workers find each SKU; stock set here counts as pushed.
      const links = await h.svc.state.skuLinks(t.skus.map((s) => s.seller_sku));
      for (const s of t.skus)
        expect(links.get(s.seller_sku)).toMatchObject({
          tiktokProductId: t.id,
          tiktokSkuId: s.id,
          shopifyProductId: gid(shopifyProduct.id),
        });
      const pushed = await h.svc.state.lastPushed(t.skus.map((s) => s.id));
      for (const s of t.skus)
        expect(pushed.get(s.id)?.warehouses).toEqual(Object.fromEntries(s.inventory.map((i) => [i.warehouse_id, i.quantity])));
      expect(attention.has(gid(shopifyProduct.id))).toBe(false);
    }
    // Held back products uploaded nothing: uploads are exactly the listed products' images.
    expect(writes().upload).toBe(uploadsExpected);
    expect(summary.failed).toBe(attention.size);
    expect(summary.failures.every((f) => f.reason.length > 20)).toBe(true);

    // Every active product with a SKU is either listed or held back with its reasons.
    const listedIds = new Set(listed.map((t) => t.external_product_id));
    for (const p of shopifyProducts.filter((x) => x.status === 'ACTIVE' && x.variants.some((v) => v.sku))) {
      const id = gid(p.id);
      expect(listedIds.has(id) !== attention.has(id)).toBe(true);
    }
    const sellerSkus = h.tts.admin.shop(h.tts.shops[0]!.cipher).sellerSkus;
    for (const [id, a] of attention) {
      expect(a.reasons.length).toBeGreaterThan(0);
      for (const v of byGid.get(id)!.variants)
        if (v.sku && !listedIds.has(id))
          expect(
            sellerSkus.get(v.sku) === undefined ||
              listed.some((t) => t.id === sellerSkus.get(v.sku!) && t.external_product_id !== id),
          ).toBe(true);
    }

    // The seeded cases, each for its reason.
    expect(listed.find((t) => t.external_product_id === gid(special['many-images']!.id))!.main_images).toHaveLength(9);
    for (const key of ['dup-a', 'dup-b'])
      expect(attention.get(gid(special[key]!.id))!.reasons.map((r) => r.code)).toContain('duplicate-sku');
    const dress = attention.get(gid(special.dress!.id))!;
    expect(dress.reasons).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'attribute-required', message: expect.stringContaining('Material') }),
      ]),
    );
    expect(listedIds.has(gid(special['no-sku']!.id)) || attention.has(gid(special['no-sku']!.id))).toBe(false);
    expect(summary.skippedReasons['no-sku']).toBeGreaterThan(0);
    const multi = listed.find((t) => t.external_product_id === gid(special.multi!.id))!;
    expect(multi.skus.map((s) => s.sales_attributes.map((a) => `${a.name}=${a.value_name}`))).toEqual([
      ['Scent=Fig'],
      ['Scent=Cedar'],
    ]);

    // A review poll is queued for each new listing, under the domain job id.
    const poll = await h.queues.queue('products', STORE).getJob(jobIds.listingStatus(STORE, multi.id));
    expect(poll && (await poll.getState())).toBe('delayed');
  });

  it('a second run makes no TikTok call at all', async () => {
    const before = h.tts.counters.rows().map((r) => `${r.api}=${r.requests}`);
    const summary = await batch();
    expect(h.tts.counters.rows().map((r) => `${r.api}=${r.requests}`)).toEqual(before);
    expect(summary.changed).toBe(0);
    expect(summary.skippedReasons.unchanged).toBe(tiktokProducts().length);
  });

  it("review: passes become ACTIVATE; a failure is recorded with TikTok's reason and suggestion", async () => {
    h.tts.admin.completeAudits();
    for (const key of ['multi', 'banned']) {
      const record = (await listingOf(special[key]!))!;
      await status(record.tiktokProductId);
    }
    expect((await listingOf(special.multi!))!.status).toBe('ACTIVATE');
    const failed = (await listingOf(special.banned!))!;
    expect(failed.status).toBe('FAILED');
    expect(failed.auditFailedReasons[0]!.reasons.join(' ')).toContain('counterfeit');
    const attention = (await h.svc.state.needsAttention()).get(gid(special.banned!.id))!;
    expect(attention.reasons[0]).toMatchObject({
      code: 'audit-failed',
      message: expect.stringMatching(/counterfeit.*Suggestion: Remove/),
    });
  });

  it('a price change makes one price call and no new review', async () => {
    const p = special['many-images']!;
    const record = (await listingOf(p))!;
    await status(record.tiktokProductId); // ACTIVATE after the audits above
    const before = writes();
    h.shopify.editProduct(p.id, { variants: [{ ...p.variants[0]!, price: '30.00' }] });
    await batch();
    const after = writes();
    expect(after.price - before.price).toBe(1);
    expect(after.edit - before.edit).toBe(0);
    expect(after.create - before.create).toBe(0);
    const t = h.tts.admin.getProduct(h.tts.shops[0]!.shopId, record.tiktokProductId)!;
    expect(t.skus[0]!.price.amount).toBe(expectedPrice('30.00'));
    expect(t.status).toBe('ACTIVATE');
  });

  it('a title change makes one edit, which goes back to review', async () => {
    const p = special.multi!;
    const before = writes();
    h.shopify.editProduct(p.id, { title: 'Signature Soy Candle Trio' });
    await batch();
    const after = writes();
    expect(after.edit - before.edit).toBe(1);
    expect(after.price - before.price + after.create - before.create).toBe(0);
    const record = (await listingOf(p))!;
    const t = h.tts.admin.getProduct(h.tts.shops[0]!.shopId, record.tiktokProductId)!;
    expect(t.title).toContain('Trio');
    expect(t.status).toBe('PENDING');
    expect(t.skus).toHaveLength(2); // same SKUs kept, by id
  });

  it('an operator fixes a held-back product in Shopify and re-queues it alone', async () => {
    const p = special.dress!;
    h.shopify.editProduct(p.id, { descriptionHtml: '<p>A wrap midi dress for every day.</p><p>Material: Cotton</p>' });
    const summary = (await h.handlers['product-sync-one'](
      { store: STORE, dryRun: false, trigger: 'cli', productId: gid(p.id) },
      jobContext(),
    )) as JobSummary;
    expect(summary.failures).toEqual([]);
    const record = (await listingOf(p))!;
    expect(record.status).toBe('PENDING');
    expect((await h.svc.state.needsAttention()).has(gid(p.id))).toBe(false);
    const t = h.tts.admin.getProduct(h.tts.shops[0]!.shopId, record.tiktokProductId)!;
    expect(t.product_attributes).toEqual(expect.arrayContaining([expect.objectContaining({ id: '100701' })]));
  });

  it('a product deleted in Shopify is deactivated on TikTok', async () => {
    const p = special['many-images']!;
    const record = (await listingOf(p))!;
    const before = writes();
    h.shopify.deleteProduct(p.id);
    const summary = await batch();
    expect(writes().deactivate - before.deactivate).toBe(1);
    expect(h.tts.admin.getProduct(h.tts.shops[0]!.shopId, record.tiktokProductId)!.status).toBe('SELLER_DEACTIVATED');
    expect((await listingOf(p))!.status).toBe('SELLER_DEACTIVATED');
    expect(summary.notes.some((n) => n.includes(record.tiktokProductId) && n.includes('deleted in Shopify'))).toBe(true);
    // ...and only once.
    await batch();
    expect(writes().deactivate - before.deactivate).toBe(1);
  });
});
