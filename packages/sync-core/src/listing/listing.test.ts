import { parseStoreRules, type StoreRulesInput } from '../rules.js';
import { buildListingDraft, type ListingDraftContext } from './draft.js';
import { buildTikTokProductPayload } from './payload.js';
import { listingContentHash, listingStateFrom, planListingChange } from './plan.js';
import { preflightListing } from './preflight.js';
import { applyPriceRule } from './price.js';
import { selectProducts } from './select.js';
import type { ListingDraft, ShopifyListingProduct, ShopifyListingVariant, TikTokCategoryAttribute } from './types.js';
import { convertLength, convertWeight, tiktokUnitsFor } from './units.js';

const rules = (listing: StoreRulesInput['listing'] = {}) => parseStoreRules({ listing });

function variant(
  n: number,
  sku: string | null,
  options: [string, string][] = [['Size', `S${n}`]],
  extra: Partial<ShopifyListingVariant> = {},
): ShopifyListingVariant {
  return {
    id: `gid://shopify/ProductVariant/${n}`,
    sku,
    title: options.map((o) => o[1]).join(' / '),
    price: '19.99',
    compareAtPrice: null,
    selectedOptions: options.map(([name, value]) => ({ name, value })),
    weight: { value: 250, unit: 'GRAMS' },
    barcode: null,
    ...extra,
  };
}
function product(n: number, extra: Partial<ShopifyListingProduct> = {}): ShopifyListingProduct {
  return {
    id: `gid://shopify/Product/${n}`,
    handle: `product-${n}`,
    title: `Glow Serum ${n}`,
    descriptionHtml: '<p>Brightens skin.</p><img src="https://cdn.shopify.com/x.jpg">',
    status: 'ACTIVE',
    vendor: 'Glow',
    productType: 'Serum',
    tags: ['Skincare'],
    collections: [{ id: 'gid://shopify/Collection/7', handle: 'best-sellers' }],
    images: [
      { url: 'https://cdn.shopify.com/a.jpg', width: 1000, height: 1000 },
      { url: 'https://cdn.shopify.com/b.jpg', width: 1000, height: 1000 },
    ],
    variants: [variant(1, 'SER-S'), variant(2, 'SER-M', [['Size', 'M']], { weight: { value: 0.5, unit: 'KILOGRAMS' } })],
    ...extra,
  };
}

describe('selectProducts', () => {
  const products = [
    product(1),
    product(2, { status: 'DRAFT' }),
    product(3, { tags: ['Skincare', 'no-tiktok'] }),
    product(4, { variants: [variant(9, null)] }),
    product(5, { vendor: 'Other', collections: [] }),
  ];
  it('by default lists every active product with a SKU, dropping SKU-less variants', () => {
    const sel = selectProducts(
      [...products, product(6, { variants: [variant(1, 'A'), variant(2, ' ')] })],
      rules().listing.filters,
    );
    expect(sel.selected.map((s) => s.product.id)).toEqual([
      'gid://shopify/Product/1',
      'gid://shopify/Product/3',
      'gid://shopify/Product/5',
      'gid://shopify/Product/6',
    ]);
    expect(sel.excluded.map((e) => [e.productId, e.reason])).toEqual([
      ['gid://shopify/Product/2', 'status'],
      ['gid://shopify/Product/4', 'no-sku'],
    ]);
    expect(sel.excludedVariants).toEqual([
      { productId: 'gid://shopify/Product/4', variantId: 'gid://shopify/ProductVariant/9', reason: 'no-sku' },
      { productId: 'gid://shopify/Product/6', variantId: 'gid://shopify/ProductVariant/2', reason: 'no-sku' },
    ]);
  });
  it('applies collections, tags, vendors, types, include and exclude lists', () => {
    const f = rules({
      filters: {
        collections: ['best-sellers'],
        excludeTags: ['NO-TIKTOK'],
        vendors: ['glow'],
        includeProducts: ['product-5'],
        excludeProducts: ['1'],
        excludeSkus: ['SER-M'],
      },
    }).listing.filters;
    const sel = selectProducts(products, f);
    // 1 excluded by id, 3 by tag, 5 included despite vendor and collection.
    expect(sel.selected.map((s) => s.product.id)).toEqual(['gid://shopify/Product/5']);
    expect(sel.selected[0]?.variants.map((v) => v.sku)).toEqual(['SER-S']);
    expect(sel.excluded.map((e) => e.reason)).toEqual(['excluded-product', 'status', 'excluded-tag', 'no-sku']);
    const byType = selectProducts(
      [product(1, { productType: 'Cream' })],
      rules({ filters: { productTypes: ['serum'] } }).listing.filters,
    );
    expect(byType.excluded[0]?.reason).toBe('product-type');
    const byTag = selectProducts([product(1)], rules({ filters: { tags: ['sale'] } }).listing.filters);
    expect(byTag.excluded[0]?.reason).toBe('tag');
  });
});

describe('applyPriceRule', () => {
  const price = (p: string, r: StoreRulesInput['listing'], currency = 'USD', compareAtPrice: string | null = null) =>
    applyPriceRule({ price: p, compareAtPrice }, rules(r).listing.price, currency);
  it('passes the price through by default', () => expect(price('19.99', {})).toBe('19.99'));
  it('adds a percentage then a fixed markup, rounding up to the cent', () => {
    expect(price('19.99', { price: { markupPercent: 10 } })).toBe('21.99'); // 21.989 -> 21.99
    expect(price('10.00', { price: { markupPercent: 15, markupFixed: '0.50' } })).toBe('12.00');
    expect(price('10.00', { price: { markupPercent: -10 } })).toBe('9.00');
  });
  it('rounds up to a price ending', () => {
    expect(price('12.30', { price: { ending: '.99' } })).toBe('12.99');
    expect(price('12.99', { price: { ending: '.99' } })).toBe('12.99');
    expect(price('13.00', { price: { ending: '.99' } })).toBe('13.99');
    expect(price('13.96', { price: { ending: '.95' } })).toBe('14.95');
  });
  it('uses the compare-at price when asked and set, else the price', () => {
    expect(price('15.00', { price: { source: 'compare-at' } }, 'USD', '20.00')).toBe('20.00');
    expect(price('15.00', { price: { source: 'compare-at' } }, 'USD', null)).toBe('15.00');
  });
  it('rounds zero-decimal currencies to whole units, and refuses a non-amount', () => {
    expect(price('1234', { price: { markupPercent: 5, ending: '.99' } }, 'JPY')).toBe('1296');
    expect(price('abc', {})).toBeUndefined();
  });
});

describe('units', () => {
  it('picks imperial for US and metric elsewhere', () => {
    expect(tiktokUnitsFor('us')).toEqual({ weight: 'POUND', dimension: 'INCH' });
    expect(tiktokUnitsFor('GB')).toEqual({ weight: 'KILOGRAM', dimension: 'CENTIMETER' });
  });
  it('converts and rounds up to 2 decimals, never to 0', () => {
    expect(convertWeight(500, 'GRAMS', 'KILOGRAM')).toBe('0.50');
    expect(convertWeight(1, 'KILOGRAMS', 'POUND')).toBe('2.21'); // 2.2046
    expect(convertWeight(1, 'GRAMS', 'KILOGRAM')).toBe('0.01');
    expect(convertWeight(8, 'OUNCES', 'POUND')).toBe('0.50');
    expect(convertLength(10, 'INCH', 'CENTIMETER')).toBe('25.40');
    expect(convertLength(30, 'CENTIMETER', 'INCH')).toBe('11.82'); // 11.811
  });
});

const ctx: ListingDraftContext = {
  region: 'US',
  currency: 'USD',
  categoryId: '601226',
  productAttributes: [{ id: '100198', values: [{ id: '1001' }] }],
  imageUris: { 'https://cdn.shopify.com/a.jpg': 'tos-maliva-i-a', 'https://cdn.shopify.com/b.jpg': 'tos-maliva-i-b' },
  inventory: {
    'gid://shopify/ProductVariant/1': [{ warehouse_id: 'W1', quantity: 5 }],
    'gid://shopify/ProductVariant/2': [{ warehouse_id: 'W1', quantity: 0 }],
  },
};
const attributes: TikTokCategoryAttribute[] = [
  { id: '100198', name: 'Skin type', type: 'PRODUCT_PROPERTY', is_requried: true, values: [{ id: '1001', name: 'All' }] },
  {
    id: '100200',
    name: 'Volume',
    type: 'PRODUCT_PROPERTY',
    is_customizable: true,
    requirement_conditions: [{ condition_type: 'VALUE_ID_MATCH', attribute_id: '100198', attribute_value_id: '1002' }],
  },
  { id: '100300', name: 'Size', type: 'SALES_PROPERTY' },
];

function draftOf(
  p = product(1),
  r = rules({ defaultPackageDimensions: { length: 10, width: 5, height: 5, unit: 'CENTIMETER' } }),
  c = ctx,
): ListingDraft {
  return buildListingDraft(p, p.variants, c, r).draft;
}

describe('buildListingDraft', () => {
  it("maps price, currency, images, options, weight and dimensions in the region's units", () => {
    const { draft, warnings } = buildListingDraft(
      product(1),
      product(1).variants,
      { ...ctx, imageUris: { 'https://cdn.shopify.com/a.jpg': 'tos-a' } },
      rules({
        price: { markupPercent: 10, ending: '.99' },
        defaultPackageDimensions: { length: 10, width: 5, height: 5, unit: 'CENTIMETER' },
      }),
    );
    expect(draft.mainImages).toEqual([{ uri: 'tos-a', width: 1000, height: 1000 }]);
    expect(warnings).toEqual(['1 image(s) are not uploaded to TikTok yet and were left out.']);
    expect(draft.description).toBe('<p>Brightens skin.</p>'); // Shopify-hosted <img> removed
    expect(draft.categoryVersion).toBe('v2'); // US uses the v2 tree
    expect(draft.skus.map((s) => [s.sellerSku, s.price, s.salesAttributes, s.inventory])).toEqual([
      [
        'SER-S',
        { amount: '21.99', currency: 'USD' },
        [{ name: 'Size', value_name: 'S1' }],
        [{ warehouse_id: 'W1', quantity: 5 }],
      ],
      ['SER-M', { amount: '21.99', currency: 'USD' }, [{ name: 'Size', value_name: 'M' }], [{ warehouse_id: 'W1', quantity: 0 }]],
    ]);
    // Heaviest variant (0.5 kg) in pounds; dimensions in inches.
    expect(draft.packageWeight).toEqual({ value: '1.11', unit: 'POUND' });
    expect(draft.packageDimensions).toEqual({ length: '3.94', width: '1.97', height: '1.97', unit: 'INCH' });
  });
  it('drops the "Default Title" option and uses the default weight when Shopify has none', () => {
    const single = product(1, {
      variants: [variant(1, 'ONE', [['Title', 'Default Title']], { weight: null, barcode: '012345678905' })],
    });
    const { draft } = buildListingDraft(
      single,
      single.variants,
      { ...ctx, region: 'GB', currency: 'GBP' },
      rules({ defaultPackageWeight: { value: 300, unit: 'GRAM' } }),
    );
    expect(draft.skus[0]?.salesAttributes).toEqual([]);
    expect(draft.skus[0]?.identifierCode).toEqual({ code: '012345678905', type: 'UPC' });
    expect(draft.packageWeight).toEqual({ value: '0.30', unit: 'KILOGRAM' });
    expect(draft.categoryVersion).toBeUndefined();
  });
  it('falls back to the title when the description is empty', () => {
    expect(draftOf(product(1, { descriptionHtml: '  <p> </p>', title: 'A & B' })).description).toBe('<p>A &amp; B</p>');
  });
});

describe('preflightListing', () => {
  const codes = (d: ListingDraft, extra: Parameters<typeof preflightListing>[1] = {}, region = 'US', attrs = attributes) => {
    const result = preflightListing(d, extra, attrs, {
      region,
      category: { id: '601226', is_leaf: true, permission_statuses: ['AVAILABLE'] },
    });
    return result.ok ? [] : result.reasons.map((r) => r.code);
  };
  it('passes a good draft', () => expect(preflightListing(draftOf(), {}, attributes, { region: 'US' })).toEqual({ ok: true }));
  it('checks title length per region and title content', () => {
    expect(codes({ ...draftOf(), title: 'Short serum' }, {}, 'MY')).toEqual(['title-length']); // 25-255 outside the listed regions
    expect(codes({ ...draftOf(), title: 'x'.repeat(256) })).toEqual(['title-length']);
    expect(codes({ ...draftOf(), title: 'x'.repeat(300) }, {}, 'BR')).toEqual([]);
    expect(codes({ ...draftOf(), title: 'Serum&nbsp;30ml ✨' })).toEqual(['title-content', 'title-content']);
    expect(codes({ ...draftOf(), title: '精华液 Serum' })).toEqual(['title-content']);
    expect(codes({ ...draftOf(), title: '美容液 セラム' }, {}, 'JP')).toEqual([]);
  });
  it('refuses non-leaf, invite-only and prohibited categories', () => {
    const r = preflightListing(draftOf(), {}, attributes, {
      region: 'US',
      category: { id: '5', is_leaf: false, permission_statuses: ['INVITE_ONLY', 'PROHIBITED'] },
    });
    expect(r.ok === false && r.reasons.map((x) => x.code)).toEqual([
      'category-not-leaf',
      'category-not-allowed',
      'category-not-allowed',
    ]);
  });
  it('checks images, SKU count, seller SKUs, options and prices', () => {
    const d = draftOf();
    expect(codes({ ...d, mainImages: [] })).toEqual(['images-missing']);
    expect(codes({ ...d, mainImages: [{ uri: 'x', width: 200, height: 5000 }] })).toEqual(['image-size', 'image-size']);
    const many = Array.from({ length: 101 }, (_, i) => ({
      ...d.skus[0]!,
      sellerSku: `S-${i}`,
      salesAttributes: [{ name: 'Size', value_name: `${i}` }],
    }));
    expect(codes({ ...d, skus: many }, {}, 'MY').filter((c) => c !== 'title-length' && c !== 'price')).toEqual(['sku-count']);
    expect(codes({ ...d, skus: many }, {}, 'US')).toEqual([]);
    const s0 = d.skus[0]!;
    expect(
      codes({
        ...d,
        skus: [
          { ...s0, sellerSku: 'HAS SPACE' },
          { ...d.skus[1]!, sellerSku: 'HAS SPACE' },
        ],
      }),
    ).toEqual(['seller-sku', 'seller-sku', 'duplicate-seller-sku']);
    expect(codes({ ...d, skus: [s0, { ...d.skus[1]!, salesAttributes: [{ name: 'Size', value_name: 'S1' }] }] })).toEqual([
      'sales-attributes',
    ]);
    expect(codes({ ...d, skus: [s0, { ...d.skus[1]!, salesAttributes: [{ name: 'Colour', value_name: 'Red' }] }] })).toEqual([
      'sales-attributes',
    ]);
    const fourOptions = ['A', 'B', 'C', 'D'].map((name) => ({ name, value_name: '1' }));
    expect(codes({ ...d, skus: [{ ...s0, salesAttributes: fourOptions }] })).toEqual(['sales-attributes']);
    expect(codes({ ...d, skus: [{ ...s0, price: { amount: '7600.01', currency: 'USD' } }] })).toEqual(['price']);
    expect(codes({ ...d, skus: [{ ...s0, price: { amount: '', currency: 'USD' } }] })).toEqual(['price']);
    expect(codes({ ...d, skus: [{ ...s0, inventory: [{ warehouse_id: 'W1', quantity: 100_000 }] }] })).toEqual(['inventory']);
    expect(codes({ ...d, skus: [{ ...s0, inventory: [] }] })).toEqual(['inventory']);
  });
  it('checks required, conditional and listed attribute values', () => {
    const d = draftOf();
    expect(codes({ ...d, productAttributes: [] })).toEqual(['attribute-required']);
    // Choosing value 1002 makes "Volume" required; 1002 is also not a listed value.
    expect(codes({ ...d, productAttributes: [{ id: '100198', values: [{ id: '1002' }] }] })).toEqual([
      'attribute-value',
      'attribute-required',
    ]);
    expect(codes({ ...d, productAttributes: [{ id: '100198', values: [{ name: 'Oily' }] }] })).toEqual(['attribute-value']);
    expect(
      codes({
        ...d,
        productAttributes: [
          { id: '100198', values: [{ id: '1001' }] },
          { id: '100200', values: [{ name: '30 ml' }] },
        ],
      }),
    ).toEqual([]);
  });
  it('applies the category rules: package dimensions, size chart, certifications, and needs a weight', () => {
    const { packageDimensions: _d, ...noDims } = draftOf();
    expect(
      codes(noDims, {
        package_dimension: { is_required: true },
        size_chart: { is_required: true },
        product_certifications: [
          { id: 'C1', name: 'CE', is_required: true },
          { id: 'C2', name: 'Other' },
        ],
      }),
    ).toEqual(['package-dimensions', 'size-chart', 'certification']);
    const { packageWeight: _w, ...noWeight } = draftOf();
    expect(codes(noWeight)).toEqual(['package-weight']);
  });
});

describe('buildTikTokProductPayload', () => {
  it('shapes a create body as API-FACTS §5.4 says', () => {
    const body = buildTikTokProductPayload(draftOf(), { mode: 'create', idempotencyKey: 'k1' });
    expect(body).toEqual({
      title: 'Glow Serum 1',
      description: '<p>Brightens skin.</p>',
      category_id: '601226',
      category_version: 'v2',
      main_images: [{ uri: 'tos-maliva-i-a' }, { uri: 'tos-maliva-i-b' }],
      skus: [
        {
          seller_sku: 'SER-S',
          price: { amount: '19.99', currency: 'USD' },
          inventory: [{ warehouse_id: 'W1', quantity: 5 }],
          sales_attributes: [{ name: 'Size', value_name: 'S1' }],
          external_sku_id: 'gid://shopify/ProductVariant/1',
        },
        {
          seller_sku: 'SER-M',
          price: { amount: '19.99', currency: 'USD' },
          inventory: [{ warehouse_id: 'W1', quantity: 0 }],
          sales_attributes: [{ name: 'Size', value_name: 'M' }],
          external_sku_id: 'gid://shopify/ProductVariant/2',
        },
      ],
      package_weight: { value: '1.11', unit: 'POUND' },
      package_dimensions: { length: '3.94', width: '1.97', height: '1.97', unit: 'INCH' },
      product_attributes: [{ id: '100198', values: [{ id: '1001' }] }],
      external_product_id: 'gid://shopify/Product/1',
      save_mode: 'LISTING',
      idempotency_key: 'k1',
    });
  });
  it('refuses a draft without weight and a too-long idempotency key', () => {
    const { packageWeight: _w, ...noWeight } = draftOf();
    expect(() => buildTikTokProductPayload(noWeight, { mode: 'create' })).toThrow(/package weight/);
    expect(() => buildTikTokProductPayload(draftOf(), { mode: 'create', idempotencyKey: 'k'.repeat(129) })).toThrow(/128/);
  });
});

describe('planListingChange', () => {
  const r = rules();
  const base = draftOf();
  const state = listingStateFrom(base, 'TP1', { 'SER-S': 'TS1', 'SER-M': 'TS2' });
  it('creates a product TikTok does not have, with a stable idempotency key', () => {
    const plan = planListingChange(undefined, base, r);
    expect(plan.kind).toBe('create');
    const again = planListingChange(undefined, draftOf(), r);
    expect(plan.kind === 'create' && again.kind === 'create' && plan.body.idempotency_key === again.body.idempotency_key).toBe(
      true,
    );
  });
  it('does nothing when nothing changed', () => expect(planListingChange(state, draftOf(), r)).toEqual({ kind: 'none' }));
  it('sends a price change through the price endpoint only (no review)', () => {
    const next = {
      ...base,
      skus: base.skus.map((s, i) => (i === 0 ? { ...s, price: { amount: '17.99', currency: 'USD' } } : s)),
    };
    expect(planListingChange(state, next, r)).toEqual({
      kind: 'price-only',
      tiktokProductId: 'TP1',
      price: { skus: [{ id: 'TS1', price: { amount: '17.99', currency: 'USD' } }] },
    });
  });
  it('sends a stock change through the inventory endpoint only, or both', () => {
    const stock = {
      ...base,
      skus: base.skus.map((s, i) => (i === 1 ? { ...s, inventory: [{ warehouse_id: 'W1', quantity: 3 }] } : s)),
    };
    expect(planListingChange(state, stock, r)).toEqual({
      kind: 'inventory-only',
      tiktokProductId: 'TP1',
      inventory: { skus: [{ id: 'TS2', inventory: [{ warehouse_id: 'W1', quantity: 3 }] }] },
    });
    const both = {
      ...stock,
      skus: stock.skus.map((s, i) => (i === 0 ? { ...s, price: { amount: '1.00', currency: 'USD' } } : s)),
    };
    expect(planListingChange(state, both, r).kind).toBe('price-and-inventory');
  });
  it('edits (with existing SKU ids) when content changes or variants are added, removed or renamed', () => {
    const retitled = planListingChange(state, { ...base, title: 'Glow Serum, new formula' }, r);
    expect(retitled).toMatchObject({ kind: 'edit', tiktokProductId: 'TP1', why: ['content changed'] });
    expect(retitled.kind === 'edit' && retitled.body.skus.map((s) => s.id)).toEqual(['TS1', 'TS2']);
    expect(retitled.kind === 'edit' && retitled.body).not.toHaveProperty('save_mode');

    const renamed = planListingChange(state, { ...base, skus: [base.skus[0]!, { ...base.skus[1]!, sellerSku: 'SER-M2' }] }, r);
    expect(renamed).toMatchObject({
      kind: 'edit',
      why: ['variants added: SER-M2', 'variants removed: SER-M', 'content changed'],
    });
    expect(renamed.kind === 'edit' && renamed.body.skus.map((s) => s.id ?? null)).toEqual(['TS1', null]);

    const optionRenamed = planListingChange(
      state,
      { ...base, skus: [base.skus[0]!, { ...base.skus[1]!, salesAttributes: [{ name: 'Size', value_name: 'Medium' }] }] },
      r,
    );
    expect(optionRenamed).toMatchObject({ kind: 'edit', why: ['content changed'] });
  });
  it('deactivates a product Shopify removed (configurable), once, and activates it when it comes back', () => {
    expect(planListingChange(state, null, r)).toEqual({
      kind: 'deactivate',
      tiktokProductId: 'TP1',
      body: { product_ids: ['TP1'] },
    });
    expect(planListingChange(state, null, rules({ onShopifyRemoved: 'keep' }))).toEqual({ kind: 'none' });
    expect(planListingChange({ ...state, deactivated: true }, null, r)).toEqual({ kind: 'none' });
    expect(planListingChange({ ...state, deactivated: true }, base, r)).toMatchObject({
      kind: 'activate',
      body: { product_ids: ['TP1'] },
    });
    expect(planListingChange(undefined, null, r)).toEqual({ kind: 'none' });
  });
  it('content hash ignores prices, stock and TikTok ids', () => {
    const priced = {
      ...base,
      skus: base.skus.map((s) => ({ ...s, tiktokSkuId: 'X', price: { amount: '1.00', currency: 'USD' }, inventory: [] })),
    };
    expect(listingContentHash(priced)).toBe(listingContentHash(base));
    expect(listingContentHash({ ...base, description: '<p>New</p>' })).not.toBe(listingContentHash(base));
  });
});
