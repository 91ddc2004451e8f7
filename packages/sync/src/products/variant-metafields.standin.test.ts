// Attributes from Shopify VARIANT metafields, end to end: a real product run over both stand-ins
// and a real Redis, through the page read (a small catalogue) and the bulk export (from the
// client's bulk threshold, 2,000 products by default, forced to 1 here), then what TikTok received.
import type { JobSummary } from '@shoptok/queues';
import type { StandInMetafield, StandInProduct, StandInVariant } from '@shoptok/testkit/shopify';
import {
  loadCategoryTree,
  MATERIAL_ATTRIBUTE_ID,
  type Product as TikTokProduct,
  WARRANTY_ATTRIBUTE_ID,
} from '@shoptok/testkit/tiktok';
import { jobContext, type ListingHarness, startListingHarness, STORE } from './products.test-helpers.js';

const gid = (id: number) => `gid://shopify/Product/${id}`;
const tree = loadCategoryTree();
const CASUAL = tree.categories.find(
  (c) =>
    c.is_leaf &&
    tree
      .chain(c.id)
      .map((x) => x.local_name)
      .join('>') === "Womenswear & Underwear>Women's Dresses>Casual Dresses",
)!;
const text = (key: string, value: string): StandInMetafield => ({
  namespace: 'custom',
  key,
  type: 'single_line_text_field',
  value,
});

describe('attributes from variant metafields over the stand-ins', () => {
  let h: ListingHarness;
  let nextId = 97_000_000;
  const p: Record<string, StandInProduct> = {};

  const tiktokOf = (product: StandInProduct): TikTokProduct | undefined =>
    [...h.tts.admin.shop(h.tts.shops[0]!.cipher).products.values()].find((t) => t.external_product_id === gid(product.id));
  const valuesOf = (t: TikTokProduct | undefined, id: string) => t?.product_attributes.find((a) => a.id === id)?.values;
  const batch = () =>
    h.handlers['product-batch']({ store: STORE, dryRun: false, trigger: 'cli' }, jobContext()) as Promise<JobSummary>;

  function variant(sku: string, size: string, metafields: StandInMetafield[]): StandInVariant {
    return {
      id: ++nextId,
      title: size,
      sku,
      price: '40.00',
      compareAtPrice: null,
      barcode: null,
      position: Number(sku.at(-1)),
      selectedOptions: [{ name: 'Size', value: size }],
      inventoryItemId: ++nextId,
      tracked: true,
      weight: { unit: 'GRAMS', value: 400 },
      metafields,
    };
  }
  /** A dress the rule puts in Casual Dresses (Material required), sizes S and M, each with `metafields[i]`. */
  function add(key: string, title: string, metafields: [StandInMetafield[], StandInMetafield[]]): void {
    const code = key.toUpperCase();
    const product = h.shopify.addProduct({
      title,
      vendor: 'Atelier Sol',
      productType: 'Dress',
      tags: ['tiktok:casual-dress'],
      descriptionHtml: `<p>${title}.</p>`,
      options: [{ name: 'Size', values: ['S', 'M'] }],
      media: [{ id: ++nextId, url: `https://cdn.shopify.example/s/files/${key}.jpg`, alt: null }],
      variants: [variant(`VM-${code}-1`, 'S', metafields[0]), variant(`VM-${code}-2`, 'M', metafields[1])],
    });
    for (const v of product.variants) h.shopify.setStock(v.inventoryItemId, 70_000_001, 9);
    p[key] = product;
  }

  beforeAll(async () => {
    h = await startListingHarness({
      label: 'variant-metafields',
      products: 2,
      rules: {
        listing: {
          defaultPackageDimensions: { length: 20, width: 15, height: 10, unit: 'CENTIMETER' },
          categories: [{ match: { tag: 'tiktok:casual-dress' }, category: CASUAL.id }],
        },
      },
    });
    // Material (required, several values allowed) only in the variants' metafields, the same on both;
    // Warranty Period (one value) the same on both.
    add('agree', 'Linen Shirt Dress', [
      [text('material', 'Cotton'), text('warranty_period', '1 year')],
      [text('material', 'cotton'), text('warranty_period', '1 year')],
    ]);
    // Variants disagree: Material takes both; Warranty Period (one value) takes neither.
    add('split', 'Two-Tone Midi Dress', [
      [text('material', 'Cotton'), text('warranty_period', '1 year')],
      [text('material', 'Wool'), text('warranty_period', '2 years')],
    ]);
    // Nowhere: held back, and the reason names the variant metafield too.
    add('none', 'Plain Slip Dress', [[], []]);
  });

  afterAll(async () => {
    await h?.close();
  });

  it('a page read: the value set only on the variants reaches TikTok, and the decision says where it came from', async () => {
    const before = h.shopify.counters.byOperation.VariantMetafields ?? 0;
    const summary = await batch();
    expect(h.shopify.counters.byOperation.VariantMetafields ?? 0).toBeGreaterThan(before);
    expect(h.shopify.state.bulkOps).toHaveLength(0); // a small catalogue is paged

    const agree = tiktokOf(p.agree!);
    expect(agree!.category_id).toBe(CASUAL.id);
    expect(valuesOf(agree, MATERIAL_ATTRIBUTE_ID)).toEqual([{ id: '1000001' }]); // Cotton, by its listed id
    expect(valuesOf(agree, WARRANTY_ATTRIBUTE_ID)).toEqual([{ id: '1000102' }]); // 1 year
    expect((await h.svc.state.categoryDecision(gid(p.agree!.id)))!.attributeSources).toMatchObject({
      Material: 'variant metafield custom.material (2 of 2 variants)',
      'Warranty Period': 'variant metafield custom.warranty_period (2 of 2 variants)',
    });
    // The SKUs still carry their sizes as sales attributes.
    expect(agree!.skus.map((s) => s.sales_attributes?.map((a) => a.value_name))).toEqual([['S'], ['M']]);

    const split = tiktokOf(p.split!);
    expect(valuesOf(split, MATERIAL_ATTRIBUTE_ID)).toEqual([{ id: '1000001' }, { id: '1000003' }]); // Cotton, Wool
    expect((await h.svc.state.categoryDecision(gid(p.split!.id)))!.attributeSources['Warranty Period']).toBeUndefined();
    expect(valuesOf(split, WARRANTY_ATTRIBUTE_ID)).not.toEqual([{ id: '1000102' }]);

    expect(tiktokOf(p.none!)).toBeUndefined();
    const none = (await h.svc.state.needsAttention()).get(gid(p.none!.id))!;
    const reason = none.reasons.find((r) => r.code === 'attribute-required')!;
    expect(reason.message).toContain(
      'metafield custom.material (or the same value on its variants as variant metafield custom.material)',
    );
    expect(summary.failures.map((f) => f.item).join(' ')).toContain(String(p.none!.id));
  });

  it('the bulk export: a variant metafield added later is read by the second bulk query and fills the held-back product', async () => {
    // The client switches to a bulk export from its bulk threshold (2,000 products by default).
    const shopify = h.svc.shopify;
    const fetchCatalogue = shopify.fetchCatalogue.bind(shopify);
    shopify.fetchCatalogue = (params = {}) => fetchCatalogue({ ...params, bulkThreshold: 1 });
    const none = h.shopify.state.products.find((x) => x.id === p.none!.id)!;
    for (const v of none.variants) v.metafields = [text('material', 'Polyester')];
    try {
      const summary = await batch();
      expect(h.shopify.state.bulkOps.map((b) => (b.query.includes('productVariants') ? 'variants' : 'products'))).toEqual([
        'products',
        'variants',
      ]);
      expect(summary.failures.map((f) => f.item).join(' ')).not.toContain(String(p.none!.id));
      expect(valuesOf(tiktokOf(p.none!), MATERIAL_ATTRIBUTE_ID)).toEqual([{ id: '1000002' }]); // Polyester
      expect((await h.svc.state.categoryDecision(gid(p.none!.id)))!.attributeSources.Material).toBe(
        'variant metafield custom.material (2 of 2 variants)',
      );
      // Read the same way as by pages: nothing else changed, so nothing else was edited.
      expect(valuesOf(tiktokOf(p.agree!), MATERIAL_ATTRIBUTE_ID)).toEqual([{ id: '1000001' }]);
    } finally {
      shopify.fetchCatalogue = fetchCatalogue;
    }
  });
});
