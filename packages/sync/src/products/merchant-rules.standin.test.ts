// Category rules, pins and attributes from the merchant's own data, end to end: a real product
// run over both stand-ins and a real Redis, then what TikTok received.
import type { JobSummary } from '@shoptok/queues';
import type { StandInProduct, StandInVariant } from '@shoptok/testkit/shopify';
import { loadCategoryTree, MATERIAL_ATTRIBUTE_ID, type Product as TikTokProduct } from '@shoptok/testkit/tiktok';
import { jobContext, type ListingHarness, startListingHarness, STORE } from './products.test-helpers.js';
import { checkCategoryLeaf } from './shop.js';

const gid = (id: number) => `gid://shopify/Product/${id}`;
const tree = loadCategoryTree();
const leafNamed = (path: string) => {
  const leaf = tree.categories.find(
    (c) =>
      c.is_leaf &&
      tree
        .chain(c.id)
        .map((x) => x.local_name)
        .join('>') === path,
  );
  if (!leaf) throw new Error(`no leaf ${path} in the stand-in tree`);
  return leaf;
};
const CASUAL = leafNamed("Womenswear & Underwear>Women's Dresses>Casual Dresses");
const FORMAL = leafNamed("Womenswear & Underwear>Women's Dresses>Formal Dresses");
const CANDLES = leafNamed('Home Supplies>Home Decor>Candles');
const HOLDERS = leafNamed('Home Supplies>Home Decor>Candle Holders');
const DRESSES_PARENT = tree.byId.get(CASUAL.parent_id)!;

describe('category rules, pins and merchant attributes over the stand-ins', () => {
  let h: ListingHarness;
  let nextId = 96_000_000;
  const p: Record<string, StandInProduct> = {};

  const tiktokOf = (product: StandInProduct): TikTokProduct | undefined =>
    [...h.tts.admin.shop(h.tts.shops[0]!.cipher).products.values()].find((t) => t.external_product_id === gid(product.id));
  const materialOf = (t: TikTokProduct | undefined) => t?.product_attributes.find((a) => a.id === MATERIAL_ATTRIBUTE_ID)?.values;
  const batch = () =>
    h.handlers['product-batch']({ store: STORE, dryRun: false, trigger: 'cli' }, jobContext()) as Promise<JobSummary>;
  const syncOne = (product: StandInProduct) =>
    h.handlers['product-sync-one'](
      { store: STORE, dryRun: false, trigger: 'cli', productId: gid(product.id) },
      jobContext(),
    ) as Promise<JobSummary>;

  function variant(sku: string): StandInVariant {
    return {
      id: ++nextId,
      title: 'Default Title',
      sku,
      price: '40.00',
      compareAtPrice: null,
      barcode: null,
      position: 1,
      selectedOptions: [{ name: 'Title', value: 'Default Title' }],
      inventoryItemId: ++nextId,
      tracked: true,
      weight: { unit: 'GRAMS', value: 400 },
    };
  }
  function add(key: string, input: Partial<StandInProduct> & { title: string }): void {
    const product = h.shopify.addProduct({
      vendor: 'Atelier Sol',
      productType: 'Gift',
      tags: [],
      descriptionHtml: `<p>${input.title}.</p>`,
      media: [{ id: ++nextId, url: `https://cdn.shopify.example/s/files/${key}.jpg`, alt: null }],
      variants: [variant(`MR-${key.toUpperCase()}`)],
      ...input,
    });
    for (const v of product.variants) h.shopify.setStock(v.inventoryItemId, 70_000_001, 9);
    p[key] = product;
  }

  beforeAll(async () => {
    h = await startListingHarness({
      label: 'merchant-rules',
      products: 3,
      rules: {
        listing: {
          defaultPackageDimensions: { length: 20, width: 15, height: 10, unit: 'CENTIMETER' },
          categories: [
            { match: { tag: 'tiktok:casual-dress' }, category: CASUAL.id },
            { match: { productType: ['Occasion Dress', 'Formal Dress'] }, category: FORMAL.id },
            { match: { vendor: 'Hearth Studio', titleWords: ['soy', 'candle'] }, category: CANDLES.id },
          ],
          attributes: [{ category: FORMAL.id, values: { Material: 'Silk blend' } }],
        },
      },
    });
    // Rule 0 decides; Material from a product metafield (a listed value: sent by its id).
    add('metafield', {
      title: 'Everyday Jersey Dress',
      tags: ['tiktok:casual-dress'],
      metafields: [{ namespace: 'custom', key: 'material', type: 'single_line_text_field', value: 'Cotton' }],
    });
    // Rule 1 decides; Material from the store rule for that category (a custom value).
    add('store-rule', { title: 'Evening Wrap Dress', productType: 'Occasion Dress' });
    // Rule 0 decides; Material from a `material:` tag.
    add('tag', { title: 'Garden Party Dress', tags: ['tiktok:casual-dress', 'material:polyester'] });
    // Rule 0 decides; nothing gives Material: held back, saying where to set it.
    add('missing', { title: 'Linen Tea Dress', tags: ['tiktok:casual-dress'] });
    // Rule 2 would say Candles; the merchant pins it to Candle Holders.
    add('pinned', { title: 'Fig Soy Candle Lantern', vendor: 'Hearth Studio' });
    // Rule 2 decides (vendor and both title words).
    add('candle', { title: 'Cedar Soy Candle', vendor: 'Hearth Studio' });
    // Pinned to a category that is not a leaf.
    add('bad-pin', { title: 'Ribbon Gift Box', productType: 'Gift' });
    await h.svc.state.pinCategory(gid(p.pinned!.id), HOLDERS.id);
    await h.svc.state.pinCategory(gid(p['bad-pin']!.id), DRESSES_PARENT.id);
  });

  afterAll(async () => {
    await h?.close();
  });

  it('rules and pins choose the category; metafields, tags and store rules fill the attribute; each decision is recorded', async () => {
    const summary = await batch();
    expect(tiktokOf(p.metafield!)!.category_id).toBe(CASUAL.id);
    expect(materialOf(tiktokOf(p.metafield!))).toEqual([{ id: '1000001' }]); // Cotton, by id
    expect(tiktokOf(p['store-rule']!)!.category_id).toBe(FORMAL.id);
    expect(materialOf(tiktokOf(p['store-rule']!))).toEqual([{ name: 'Silk blend' }]);
    expect(materialOf(tiktokOf(p.tag!))).toEqual([{ id: '1000002' }]); // polyester -> Polyester
    expect(tiktokOf(p.candle!)!.category_id).toBe(CANDLES.id);
    expect(tiktokOf(p.pinned!)!.category_id).toBe(HOLDERS.id);

    const decision = (key: string) => h.svc.state.categoryDecision(gid(p[key]!.id));
    expect(await decision('metafield')).toMatchObject({
      categoryId: CASUAL.id,
      source: 'rule',
      ruleIndex: 0,
      reason: expect.stringContaining('tag "tiktok:casual-dress"'),
      attributeSources: { Material: 'metafield custom.material' },
    });
    expect(await decision('store-rule')).toMatchObject({
      source: 'rule',
      ruleIndex: 1,
      attributeSources: { Material: 'rules.listing.attributes[0]' },
    });
    expect(await decision('tag')).toMatchObject({ attributeSources: { Material: 'tag material:polyester' } });
    expect(await decision('candle')).toMatchObject({ source: 'rule', ruleIndex: 2 });
    expect(await decision('pinned')).toMatchObject({ categoryId: HOLDERS.id, source: 'pin' });
    // Products no rule or pin decides are the mapper's (offline here: no OpenAI key).
    const generated = h.shopify.state.products.find((x) => x.id < 90_000_000 && x.status === 'ACTIVE')!;
    const theirs = await h.svc.state.categoryDecision(gid(generated.id));
    if (theirs) expect(theirs.source).toBe('offline');

    const attention = await h.svc.state.needsAttention();
    const missing = attention.get(gid(p.missing!.id))!.reasons.find((r) => r.code === 'attribute-required')!;
    expect(missing.message).toContain('metafield custom.material');
    expect(missing.message).toContain(`pnpm shoptok map default --store ${STORE} --category ${CASUAL.id} --attribute "Material"`);
    const badPin = attention.get(gid(p['bad-pin']!.id))!.reasons[0]!;
    expect(badPin.code).toBe('category-pin-invalid');
    expect(badPin.message).toContain(`store ${STORE}`);
    expect(badPin.message).toContain(DRESSES_PARENT.id);
    expect(badPin.message).toContain('not a leaf');
    expect(tiktokOf(p['bad-pin']!)).toBeUndefined();
    expect(summary.failures.map((f) => f.item).join(' ')).toContain(String(p.missing!.id));
  });

  it('a pin survives re-syncs: the next run changes nothing, and an unpin hands the product back to the rules', async () => {
    const edits = () => h.tts.counters.total({ api: 'PUT /product/202309/products/{product_id}' }).requests;
    const before = edits();
    await batch();
    expect(edits()).toBe(before);
    expect(tiktokOf(p.pinned!)!.category_id).toBe(HOLDERS.id);
    expect(await h.svc.state.unpinCategory(gid(p.pinned!.id))).toBe(true);
    await syncOne(p.pinned!);
    expect(edits()).toBe(before + 1);
    expect(tiktokOf(p.pinned!)!.category_id).toBe(CANDLES.id);
    expect(await h.svc.state.categoryDecision(gid(p.pinned!.id))).toMatchObject({ source: 'rule', ruleIndex: 2 });
  });

  it('a category default stored in Redis (shoptok map default) fills the missing attribute on the next run', async () => {
    await h.svc.state.setAttributeDefault(CASUAL.id, 'Material', 'Wool');
    const summary = await syncOne(p.missing!);
    expect(summary.failures).toEqual([]);
    expect(materialOf(tiktokOf(p.missing!))).toEqual([{ id: '1000003' }]);
    expect((await h.svc.state.categoryDecision(gid(p.missing!.id)))!.attributeSources.Material).toContain('shoptok map default');
    // The product's own value still wins over the default.
    expect(materialOf(tiktokOf(p.metafield!))).toEqual([{ id: '1000001' }]);
  });

  it('shoptok map pin/default check the category against the live tree first (a non-leaf or unknown id is refused)', async () => {
    const parent = await checkCategoryLeaf(h.svc, DRESSES_PARENT.id);
    expect(parent).toEqual({ problem: expect.stringContaining('not a leaf') });
    expect(await checkCategoryLeaf(h.svc, '999999999')).toEqual({ problem: expect.stringContaining('does not have') });
    const leaf = await checkCategoryLeaf(h.svc, CASUAL.id);
    if ('problem' in leaf) throw new Error(leaf.problem);
    expect(leaf.row.id).toBe(CASUAL.id);
    expect((await leaf.attributes()).map((a) => a.name)).toContain('Material');
  });

  it('a rule naming a category that is not a leaf stops the run with a config error naming the store, the rule and the id', async () => {
    const saved = h.svc.rules.listing.categories;
    h.svc.rules.listing.categories = [...saved, { match: { tag: ['never-used'] }, category: DRESSES_PARENT.id }];
    try {
      await expect(batch()).rejects.toThrow(
        new RegExp(
          `store ${STORE}: rules\\.listing\\.categories\\[3\\] names TikTok category ${DRESSES_PARENT.id}, .*not a leaf`,
        ),
      );
    } finally {
      h.svc.rules.listing.categories = saved;
    }
  });
});
