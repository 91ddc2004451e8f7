import { ZodError } from 'zod';
import { defaultStoreRules, parseStoreRules, storeRulesSchema } from './rules.js';

describe('storeRulesSchema', () => {
  it('gives every default from an empty object (and from a missing rules object)', () => {
    const rules = parseStoreRules({});
    expect(rules.inventory).toEqual({
      bufferUnits: 0,
      bufferPercent: 0,
      outOfStockThreshold: 0,
      maxQuantity: 99_999,
      untrackedQuantity: null,
      unavailableVariants: 'zero',
      warehouses: [],
    });
    expect(rules.orders.importStatuses).toEqual(['AWAITING_SHIPMENT']);
    expect(rules.orders.inventoryBehaviour).toBe('DECREMENT_IGNORING_POLICY');
    expect(rules.orders.unknownSku).toBe('reject');
    expect(rules.shipping.carrierOverrides).toEqual({});
    expect(rules.listing.filters.statuses).toEqual(['ACTIVE']);
    expect(rules.listing.price).toEqual({ source: 'price', markupPercent: 0, markupFixed: '0', ending: null });
    expect(rules.listing.onShopifyRemoved).toBe('deactivate');
    expect(parseStoreRules(undefined)).toEqual(rules);
    expect(defaultStoreRules()).toEqual(rules);
  });

  it('keeps given values, fills the rest of the same section, and normalises location ids', () => {
    const rules = parseStoreRules({
      inventory: {
        bufferUnits: 2,
        warehouses: [{ tiktokWarehouseId: 'W1', shopifyLocationIds: [123, 'gid://shopify/Location/456', '789'] }],
      },
      listing: { price: { markupPercent: 10, markupFixed: 1.5, ending: '.99' } },
    });
    expect(rules.inventory.bufferUnits).toBe(2);
    expect(rules.inventory.bufferPercent).toBe(0);
    expect(rules.inventory.warehouses[0]?.shopifyLocationIds).toEqual([
      'gid://shopify/Location/123',
      'gid://shopify/Location/456',
      'gid://shopify/Location/789',
    ]);
    expect(rules.listing.price.markupFixed).toBe('1.5');
    expect(rules.listing.filters.statuses).toEqual(['ACTIVE']);
  });

  it('reports every problem at once, with paths, and refuses unknown keys (typos)', () => {
    const result = storeRulesSchema.safeParse({
      inventory: {
        bufferPercent: 120,
        bufferUnitz: 3,
        warehouses: [
          { tiktokWarehouseId: 'W1', shopifyLocationIds: ['abc'] },
          { tiktokWarehouseId: 'W1', shopifyLocationIds: [1] },
        ],
      },
      orders: { importStatuses: ['SHIPPED'] },
      listing: { price: { ending: '99' } },
    });
    expect(result.success).toBe(false);
    const paths = (result.error as ZodError).issues.map((i) => i.path.join('.')).sort();
    expect(paths).toEqual(
      expect.arrayContaining([
        'inventory',
        'inventory.bufferPercent',
        'inventory.warehouses.0.shopifyLocationIds.0',
        'orders.importStatuses.0',
        'listing.price.ending',
      ]),
    );
    expect((result.error as ZodError).issues.some((i) => i.code === 'unrecognized_keys')).toBe(true);
  });

  it('refuses a TikTok warehouse listed twice', () => {
    const result = storeRulesSchema.safeParse({
      inventory: {
        warehouses: [
          { tiktokWarehouseId: 'W1', shopifyLocationIds: [1] },
          { tiktokWarehouseId: 'W1', shopifyLocationIds: [2] },
        ],
      },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/listed twice/);
  });

  it('refuses a max quantity above what TikTok accepts', () => {
    expect(() => parseStoreRules({ inventory: { maxQuantity: 100_000 } })).toThrow(ZodError);
  });
});
