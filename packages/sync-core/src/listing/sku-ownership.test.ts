import { adoptableListing, skuConflicts, type ListedSku, type SkuUser } from './sku-ownership.js';

const link = (shopifyProductId: string, shopifyVariantId: string, tiktokProductId: string): ListedSku => ({
  shopifyProductId,
  shopifyVariantId,
  tiktokProductId,
});

describe('skuConflicts', () => {
  const users = (entries: Record<string, SkuUser[]>) => new Map(Object.entries(entries));

  it('finds nothing when each SKU is used by this product alone and linked nowhere', () => {
    const variants = [
      { id: 'v1', sku: 'JEAN-30' },
      { id: 'v2', sku: 'JEAN-32' },
    ];
    const skuUsers = users({
      'JEAN-30': [{ productId: 'p1', title: 'Jeans' }],
      'JEAN-32': [{ productId: 'p1', title: 'Jeans' }],
    });
    expect(skuConflicts('p1', variants, new Map(), skuUsers)).toEqual([]);
  });

  it('holds back a SKU another product of the run also uses, naming every other user', () => {
    const skuUsers = users({
      'TEE-S': [
        { productId: 'p1', title: 'Tee' },
        { productId: 'p2', title: 'Old tee' },
        { productId: 'p3', title: 'Tee (copy)' },
      ],
    });
    const reasons = skuConflicts('p1', [{ id: 'v1', sku: ' TEE-S ' }], new Map(), skuUsers);
    expect(reasons.map((r) => r.code)).toEqual(['duplicate-sku']);
    expect(reasons[0]?.message).toContain('SKU "TEE-S" is also used by "Old tee" (p2), "Tee (copy)" (p3)');
  });

  it('holds back a SKU already listed on TikTok for another Shopify product', () => {
    const linkBySku = new Map([['MUG-1', link('p9', 'v9', '1729000000000000009')]]);
    const reasons = skuConflicts('p1', [{ id: 'v1', sku: 'MUG-1' }], linkBySku, new Map());
    expect(reasons).toEqual([
      {
        code: 'sku-listed-elsewhere',
        message: expect.stringContaining('already listed on TikTok (product 1729000000000000009) for Shopify product p9'),
      },
    ]);
  });

  it('lets the variant that owns the SKU on TikTok keep it, even if a copy uses it too', () => {
    const linkBySku = new Map([['CAP-1', link('p1', 'v1', '1729000000000000001')]]);
    const skuUsers = users({
      'CAP-1': [
        { productId: 'p1', title: 'Cap' },
        { productId: 'p2', title: 'Cap copy' },
      ],
    });
    expect(skuConflicts('p1', [{ id: 'v1', sku: 'CAP-1' }], linkBySku, skuUsers)).toEqual([]);
    // The copy is the one held back.
    expect(skuConflicts('p2', [{ id: 'v2', sku: 'CAP-1' }], linkBySku, skuUsers).map((r) => r.code)).toEqual(['duplicate-sku']);
  });

  it('does not flag a SKU linked to another variant of the same product', () => {
    const linkBySku = new Map([['BAG-1', link('p1', 'v-old', '1729000000000000001')]]);
    expect(skuConflicts('p1', [{ id: 'v-new', sku: 'BAG-1' }], linkBySku, new Map())).toEqual([]);
  });
});

describe('adoptableListing', () => {
  it('creates normally when none of the SKUs is linked to this product', () => {
    const linkBySku = new Map([['A', link('p9', 'v9', '1729000000000000009')]]);
    expect(adoptableListing('p1', ['A', 'B'], linkBySku)).toBeUndefined();
  });

  it('adopts the one TikTok product the SKUs are linked to', () => {
    const linkBySku = new Map([
      ['A', link('p1', 'v1', '1729000000000000001')],
      ['B', link('p1', 'v2', '1729000000000000001')],
    ]);
    expect(adoptableListing('p1', ['A', 'B', 'C'], linkBySku)).toEqual({ tiktokProductId: '1729000000000000001' });
  });

  it('holds the product back when its SKUs are spread over several TikTok products', () => {
    const linkBySku = new Map([
      ['A', link('p1', 'v1', '1729000000000000001')],
      ['B', link('p1', 'v2', '1729000000000000002')],
    ]);
    const result = adoptableListing('p1', ['A', 'B'], linkBySku);
    expect(result && 'reasons' in result ? result.reasons.map((r) => r.code) : result).toEqual(['sku-spread']);
    expect(result && 'reasons' in result ? result.reasons[0]?.message : '').toContain('1729000000000000001, 1729000000000000002');
  });

  it('ignores links of other products when deciding', () => {
    const linkBySku = new Map([
      ['A', link('p1', 'v1', '1729000000000000001')],
      ['B', link('p2', 'v2', '1729000000000000002')],
    ]);
    expect(adoptableListing('p1', ['A', 'B'], linkBySku)).toEqual({ tiktokProductId: '1729000000000000001' });
  });
});
