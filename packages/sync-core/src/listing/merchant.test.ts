import { parseStoreRules } from '../rules.js';
import {
  matchCategoryRule,
  merchantAttributeValues,
  type MerchantProductFacts,
  variantMetafieldDisagreement,
  whereToSetAttribute,
} from './merchant.js';

const product = (over: Partial<MerchantProductFacts> = {}): MerchantProductFacts => ({
  title: 'Everyday Soy Candle, Fig',
  productType: 'Candle',
  vendor: 'Hearth Studio',
  tags: ['Home', 'material:Soy wax'],
  collections: [{ id: 'gid://shopify/Collection/42', handle: 'autumn' }],
  category: { id: 'gid://shopify/TaxonomyCategory/hg-3-10', fullName: 'Home & Garden > Decor > Candles' },
  options: [{ name: 'Size', values: ['Large'] }],
  metafields: [],
  ...over,
});

describe('matchCategoryRule', () => {
  const rules = parseStoreRules({
    listing: {
      categories: [
        { match: { tag: 'clearance', vendor: 'Hearth Studio' }, category: '111' },
        { match: { collection: ['spring', '42'] }, category: 222 },
        { match: { shopifyCategory: 'Home & Garden > Decor' }, category: '333' },
      ],
    },
  }).listing.categories;

  it('takes the first rule whose every condition holds, and says which matched', () => {
    expect(matchCategoryRule(product(), rules)).toEqual({
      ruleIndex: 1,
      categoryId: '222',
      reason: 'rules.listing.categories[1] matched collection "42"',
    });
    expect(matchCategoryRule(product({ tags: ['CLEARANCE'] }), rules)?.ruleIndex).toBe(0);
    expect(matchCategoryRule(product({ collections: [] }), rules)?.ruleIndex).toBe(2);
    expect(matchCategoryRule(product({ collections: [], category: null }), rules)).toBeUndefined();
  });

  it('matches title words as whole words, all of them', () => {
    const byTitle = parseStoreRules({ listing: { categories: [{ match: { titleWords: ['soy', 'candle'] }, category: '9' }] } })
      .listing.categories;
    expect(matchCategoryRule(product(), byTitle)?.categoryId).toBe('9');
    expect(matchCategoryRule(product({ title: 'Soy Candleholder' }), byTitle)).toBeUndefined();
  });

  it('refuses a rule without conditions or with a category that is not an id', () => {
    expect(() => parseStoreRules({ listing: { categories: [{ match: {}, category: '1' }] } })).toThrow(/at least one of/);
    expect(() => parseStoreRules({ listing: { categories: [{ match: { tag: 'x' }, category: 'Dresses' }] } })).toThrow(
      /TikTok category id/,
    );
  });
});

describe('merchantAttributeValues', () => {
  const defaults = [
    { category: '601226', values: { Material: 'Cotton', 'Warranty Period': '1 year' }, from: 'rules.listing.attributes[0]' },
  ];

  it('takes a metafield first, then a single-value option, then a name:value tag, then the store default', () => {
    const values = merchantAttributeValues(
      product({
        metafields: [
          { namespace: 'reviews', key: 'material', type: 'single_line_text_field', value: 'ignored: custom wins' },
          { namespace: 'custom', key: 'material', type: 'list.single_line_text_field', value: '["Wool","Cashmere"]' },
        ],
      }),
      ['Material', 'Size', 'Warranty Period', 'Pattern'],
      '601226',
      defaults,
    );
    expect(values).toEqual([
      { attributeName: 'Material', values: ['Wool', 'Cashmere'], source: 'metafield', from: 'metafield custom.material' },
      { attributeName: 'Size', values: ['Large'], source: 'option', from: 'option Size' },
      { attributeName: 'Warranty Period', values: ['1 year'], source: 'store-default', from: 'rules.listing.attributes[0]' },
    ]);
    const fromTag = merchantAttributeValues(product(), ['Material'], '601226', defaults);
    expect(fromTag).toEqual([{ attributeName: 'Material', values: ['Soy wax'], source: 'tag', from: 'tag material:Soy wax' }]);
  });

  it('uses a default only for its own category, and never a multi-value option (those are per SKU)', () => {
    const p = product({ tags: [], options: [{ name: 'Material', values: ['Cotton', 'Linen'] }] });
    expect(merchantAttributeValues(p, ['Material'], '999', defaults)).toEqual([]);
  });

  describe('variant metafields', () => {
    const text = (key: string, value: string, namespace = 'custom') => ({
      namespace,
      key,
      type: 'single_line_text_field',
      value,
    });
    const withVariants = (...metafields: (ReturnType<typeof text>[] | undefined)[]) =>
      product({
        tags: [],
        options: [],
        variants: metafields.map((m, i) => ({ sku: `SKU-${i + 1}`, ...(m ? { metafields: m } : {}) })),
      });

    it('come after the product metafield and before options, tags and defaults, when the variants agree', () => {
      const agreeing = withVariants([text('material', 'Linen')], [text('material', 'linen')], undefined);
      expect(merchantAttributeValues(agreeing, ['Material'], '601226', defaults)).toEqual([
        {
          attributeName: 'Material',
          values: ['Linen'],
          source: 'variant-metafield',
          from: 'variant metafield custom.material (2 of 3 variants)',
        },
      ]);
      const productToo = { ...agreeing, metafields: [text('material', 'Wool')] };
      expect(merchantAttributeValues(productToo, ['Material'], '601226', defaults)[0]).toMatchObject({
        values: ['Wool'],
        source: 'metafield',
      });
    });

    it('disagreeing variants give a single-value attribute nothing (pre-flight says why), a multi-value one every value', () => {
      const split = withVariants([text('material', 'Linen')], [text('material', 'Wool')]);
      // Falls through to the store default of the category.
      expect(merchantAttributeValues(split, ['Material'], '601226', defaults)[0]).toMatchObject({ source: 'store-default' });
      expect(merchantAttributeValues(split, ['Material'], '999', defaults)).toEqual([]);
      expect(variantMetafieldDisagreement(split, 'Material')).toBe(
        'Its variants disagree: variant metafield custom.material is "Linen" on SKU SKU-1, "Wool" on SKU SKU-2; "Material" takes one value per TikTok product, so set it on the product (metafield custom.material) or give every variant the same value.',
      );
      expect(merchantAttributeValues(split, [{ name: 'Material', multiple: true }], '999', [])).toEqual([
        {
          attributeName: 'Material',
          values: ['Linen', 'Wool'],
          source: 'variant-metafield',
          from: 'variant metafield custom.material (2 of 2 variants)',
        },
      ]);
      expect(variantMetafieldDisagreement(withVariants([text('material', 'Linen')]), 'Material')).toBeUndefined();
    });

    it('the pre-flight hint names the variant metafield as a place to set a value', () => {
      expect(whereToSetAttribute('brand-a', '601226', 'Pattern Type')).toContain('variant metafield custom.pattern_type');
    });
  });
});
