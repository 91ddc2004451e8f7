import { applyInventoryRules, computeInventoryDiff, type InventoryDiffInput, type TikTokSkuLink } from './inventory.js';
import { parseStoreRules, type StoreRulesInput } from './rules.js';
import type { ShopifyVariantStock } from './shopify-types.js';

const LOC_A = 'gid://shopify/Location/1';
const LOC_B = 'gid://shopify/Location/2';
const LOC_C = 'gid://shopify/Location/3';

function variant(
  n: number,
  sku: string | null,
  levels: [string, number][],
  extra: Partial<ShopifyVariantStock> = {},
): ShopifyVariantStock {
  return {
    variantId: `gid://shopify/ProductVariant/${n}`,
    productId: `gid://shopify/Product/${100 + n}`,
    productStatus: 'ACTIVE',
    sku,
    tracked: true,
    levels: levels.map(([locationId, available]) => ({ locationId, available })),
    ...extra,
  };
}
function link(product: string, skuId: string, sellerSku: string, shopifyVariantId?: string): TikTokSkuLink {
  return { tiktokProductId: product, tiktokSkuId: skuId, sellerSku, ...(shopifyVariantId ? { shopifyVariantId } : {}) };
}
const rulesWith = (inventory: StoreRulesInput['inventory'] = {}) => parseStoreRules({ inventory });
function diff(input: Partial<InventoryDiffInput>, inventory: StoreRulesInput['inventory'] = {}) {
  return computeInventoryDiff(
    { variants: [], links: [], lastPushed: {}, defaultWarehouseId: 'WH-DEFAULT', ...input },
    rulesWith(inventory),
  );
}

describe('applyInventoryRules', () => {
  const base = rulesWith().inventory;
  it('passes stock through with the default rules', () => expect(applyInventoryRules(12, base)).toBe(12));
  it('treats negative or non-finite stock as 0', () => {
    expect(applyInventoryRules(-4, base)).toBe(0);
    expect(applyInventoryRules(Number.NaN, base)).toBe(0);
  });
  it('applies the percentage buffer rounding down, then the fixed buffer', () => {
    expect(applyInventoryRules(10, { ...base, bufferPercent: 30 })).toBe(7); // 7.000…, not 6
    expect(applyInventoryRules(9, { ...base, bufferPercent: 50 })).toBe(4);
    expect(applyInventoryRules(10, { ...base, bufferPercent: 10, bufferUnits: 2 })).toBe(7);
    expect(applyInventoryRules(2, { ...base, bufferUnits: 5 })).toBe(0);
  });
  it('shows 0 at or below the out-of-stock threshold (on Shopify stock), and the full stock above it', () => {
    expect(applyInventoryRules(3, { ...base, outOfStockThreshold: 3 })).toBe(0);
    expect(applyInventoryRules(4, { ...base, outOfStockThreshold: 3 })).toBe(4);
  });
  it("caps at the maximum and at TikTok's 99,999", () => {
    expect(applyInventoryRules(500, { ...base, maxQuantity: 50 })).toBe(50);
    expect(applyInventoryRules(1_000_000, base)).toBe(99_999);
  });
});

describe('computeInventoryDiff', () => {
  it('sums only the locations mapped to each warehouse and groups changed SKUs per TikTok product', () => {
    const result = diff(
      {
        variants: [
          variant(1, 'RED-S', [
            [LOC_A, 5],
            [LOC_B, 3],
            [LOC_C, 100],
          ]),
          variant(2, 'RED-M', [
            [LOC_A, 1],
            [LOC_C, 4],
          ]),
          variant(3, 'BLUE', [[LOC_A, 9]]),
        ],
        links: [link('P1', 'S1', 'RED-S'), link('P1', 'S2', 'RED-M'), link('P2', 'S3', 'BLUE')],
        lastPushed: { S1: { W1: 8, W2: 100 }, S2: { W1: 0, W2: 3 }, S3: { W1: 9, W2: 0 } },
      },
      {
        warehouses: [
          { tiktokWarehouseId: 'W1', shopifyLocationIds: [1, 2] },
          { tiktokWarehouseId: 'W2', shopifyLocationIds: [3] },
        ],
      },
    );
    // S1 unchanged (8 / 100), S3 unchanged (9 / 0); S2: W1 0 -> 1, W2 3 -> 4.
    expect(result.unchangedSkus).toBe(2);
    expect(result.updates).toEqual([
      {
        tiktokProductId: 'P1',
        body: {
          skus: [
            {
              id: 'S2',
              inventory: [
                { warehouse_id: 'W1', quantity: 1 },
                { warehouse_id: 'W2', quantity: 4 },
              ],
            },
          ],
        },
        changes: [
          expect.objectContaining({ tiktokSkuId: 'S2', warehouseId: 'W1', from: 0, to: 1, reason: 'changed' }),
          expect.objectContaining({ tiktokSkuId: 'S2', warehouseId: 'W2', from: 3, to: 4, reason: 'changed' }),
        ],
      },
    ]);
    expect(result.skipped).toEqual([]);
  });

  it('makes one call per product even when several of its SKUs change, and sends every warehouse of a changed SKU', () => {
    const result = diff(
      {
        variants: [
          variant(1, 'A', [
            [LOC_A, 5],
            [LOC_B, 2],
          ]),
          variant(2, 'B', [[LOC_A, 6]]),
        ],
        links: [link('P1', 'S1', 'A'), link('P1', 'S2', 'B')],
        lastPushed: { S1: { W1: 5, W2: 1 } },
      },
      {
        warehouses: [
          { tiktokWarehouseId: 'W1', shopifyLocationIds: [1] },
          { tiktokWarehouseId: 'W2', shopifyLocationIds: [2] },
        ],
      },
    );
    expect(result.updates).toHaveLength(1);
    expect(result.updates[0]?.body.skus).toEqual([
      {
        id: 'S1',
        inventory: [
          { warehouse_id: 'W1', quantity: 5 },
          { warehouse_id: 'W2', quantity: 2 },
        ],
      },
      {
        id: 'S2',
        inventory: [
          { warehouse_id: 'W1', quantity: 6 },
          { warehouse_id: 'W2', quantity: 0 },
        ],
      },
    ]);
    // Only the warehouse that moved is a change for S1; S2 was never pushed.
    expect(result.updates[0]?.changes.map((c) => [c.tiktokSkuId, c.warehouseId, c.reason])).toEqual([
      ['S1', 'W2', 'changed'],
      ['S2', 'W1', 'first-push'],
      ['S2', 'W2', 'first-push'],
    ]);
  });

  it('without a warehouse map, sums every location into the default warehouse, after the rules', () => {
    const result = diff(
      {
        variants: [
          variant(1, 'A', [
            [LOC_A, 10],
            [LOC_B, 10],
            [LOC_C, -3],
          ]),
        ],
        links: [link('P1', 'S1', 'A')],
      },
      { bufferPercent: 10, bufferUnits: 1 },
    );
    // 17 available, 90 % -> 15 (rounded down), minus 1 -> 14.
    expect(result.updates[0]?.body.skus).toEqual([{ id: 'S1', inventory: [{ warehouse_id: 'WH-DEFAULT', quantity: 14 }] }]);
  });

  it('reports a missing warehouse instead of guessing', () => {
    const result = computeInventoryDiff(
      { variants: [variant(1, 'A', [[LOC_A, 1]])], links: [link('P1', 'S1', 'A')], lastPushed: {} },
      rulesWith(),
    );
    expect(result.updates).toEqual([]);
    expect(result.skipped.map((s) => s.reason)).toEqual(['no-warehouse']);
  });

  it('negative total stock goes to TikTok as 0', () => {
    const result = diff({
      variants: [variant(1, 'A', [[LOC_A, -2]])],
      links: [link('P1', 'S1', 'A')],
      lastPushed: { S1: { 'WH-DEFAULT': 3 } },
    });
    expect(result.updates[0]?.body.skus[0]?.inventory).toEqual([{ warehouse_id: 'WH-DEFAULT', quantity: 0 }]);
  });

  it('skips untracked variants by default, or sends the configured quantity', () => {
    const input = { variants: [variant(1, 'A', [], { tracked: false })], links: [link('P1', 'S1', 'A')] };
    const skipped = diff(input);
    expect(skipped.updates).toEqual([]);
    expect(skipped.skipped).toEqual([expect.objectContaining({ reason: 'untracked', sellerSku: 'A', tiktokSkuId: 'S1' })]);
    const pushed = diff(input, { untrackedQuantity: 50, maxQuantity: 20 });
    expect(pushed.updates[0]?.body.skus[0]?.inventory).toEqual([{ warehouse_id: 'WH-DEFAULT', quantity: 20 }]);
  });

  it('refuses to guess when a SKU is duplicated across products, unless the link pins the variant', () => {
    const variants = [
      variant(1, 'DUP', [[LOC_A, 4]]),
      variant(2, 'DUP', [[LOC_A, 9]], { productId: 'gid://shopify/Product/999' }),
    ];
    const bySku = diff({ variants, links: [link('P1', 'S1', 'DUP')] });
    expect(bySku.updates).toEqual([]);
    expect(bySku.skipped).toEqual([expect.objectContaining({ reason: 'duplicate-sku', sellerSku: 'DUP' })]);
    expect(bySku.skipped[0]?.message).toContain('gid://shopify/ProductVariant/2');

    const pinned = diff({ variants, links: [link('P1', 'S1', 'DUP', 'gid://shopify/ProductVariant/2')] });
    expect(pinned.updates[0]?.body.skus).toEqual([{ id: 'S1', inventory: [{ warehouse_id: 'WH-DEFAULT', quantity: 9 }] }]);
    // The other variant with the same SKU is not linked and says so.
    expect(pinned.skipped).toEqual([
      expect.objectContaining({ reason: 'unlinked', shopifyVariantId: 'gid://shopify/ProductVariant/1' }),
    ]);
  });

  it('sends 0 for a deleted variant or an archived product, or leaves them when the rules say skip', () => {
    const variants = [
      variant(2, 'ARCH', [[LOC_A, 7]], { productStatus: 'ARCHIVED' }),
      variant(3, 'DRAFT', [[LOC_A, 7]], { productStatus: 'DRAFT' }),
    ];
    const links = [
      link('P1', 'S1', 'GONE', 'gid://shopify/ProductVariant/1'),
      link('P1', 'S2', 'ARCH'),
      link('P2', 'S3', 'DRAFT'),
      link('P2', 'S4', 'RENAMED'),
    ];
    const lastPushed = { S1: { 'WH-DEFAULT': 5 }, S2: { 'WH-DEFAULT': 7 }, S3: { 'WH-DEFAULT': 0 }, S4: { 'WH-DEFAULT': 2 } };
    const zeroed = diff({ variants, links, lastPushed });
    expect(zeroed.updates.flatMap((u) => u.changes.map((c) => [c.tiktokSkuId, c.to, c.reason]))).toEqual([
      ['S1', 0, 'variant-deleted'],
      ['S2', 0, 'product-inactive'],
      ['S4', 0, 'variant-deleted'],
    ]);
    expect(zeroed.unchangedSkus).toBe(1); // S3 already at 0

    const left = diff({ variants, links, lastPushed }, { unavailableVariants: 'skip' });
    expect(left.updates).toEqual([]);
    expect(left.skipped.map((s) => [s.tiktokSkuId, s.reason])).toEqual([
      ['S1', 'variant-deleted'],
      ['S2', 'product-inactive'],
      ['S3', 'product-inactive'],
      ['S4', 'variant-deleted'],
    ]);
  });

  it('overwrites a hand edit on TikTok and says so, even when Shopify did not change', () => {
    const result = diff({
      variants: [variant(1, 'A', [[LOC_A, 6]])],
      links: [link('P1', 'S1', 'A')],
      lastPushed: { S1: { 'WH-DEFAULT': 6 } },
      observed: { S1: { 'WH-DEFAULT': 40 } },
    });
    expect(result.updates[0]?.changes).toEqual([
      expect.objectContaining({ from: 6, observed: 40, to: 6, reason: 'overwrites-manual-change' }),
    ]);
    const inStep = diff({
      variants: [variant(1, 'A', [[LOC_A, 6]])],
      links: [link('P1', 'S1', 'A')],
      lastPushed: { S1: { 'WH-DEFAULT': 6 } },
      observed: { S1: { 'WH-DEFAULT': 6 } },
    });
    expect(inStep.updates).toEqual([]);
    expect(inStep.unchangedSkus).toBe(1);
  });

  it('reports variants without SKU and SKUs not on TikTok, and a TikTok SKU linked twice', () => {
    const result = diff({
      variants: [
        variant(1, null, [[LOC_A, 1]]),
        variant(2, '  ', [[LOC_A, 1]]),
        variant(3, 'NEW', [[LOC_A, 1]]),
        variant(4, 'A', [[LOC_A, 2]]),
      ],
      links: [link('P1', 'S1', 'A'), link('P1', 'S1', 'A')],
    });
    expect(result.skipped.map((s) => s.reason).sort()).toEqual(['duplicate-link', 'no-sku', 'no-sku', 'unlinked']);
    expect(result.updates).toHaveLength(1);
  });
});
