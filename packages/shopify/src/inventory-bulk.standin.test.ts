import { useTestRedis, type TestRedis } from '@shoptok/testkit';
import { startShopifyStandIn, type ShopifyStandIn } from '@shoptok/testkit/shopify';
import { assembleBulkInventory } from './bulk.js';
import { ShopifyClient } from './client.js';
import { ShopifyResponseShapeError } from './errors.js';

// Stock read in bulk must equal stock read page by page, for far fewer cost points.

let redis: TestRedis;
let shop: ShopifyStandIn;

beforeAll(async () => {
  redis = await useTestRedis('shopify-inventory-bulk');
  shop = await startShopifyStandIn({ catalogue: { products: 40, seed: 5, locations: 3 }, bulkDelayMs: 5 });
});
afterAll(async () => {
  await shop.close();
  await redis.cleanup();
});

function client(bulkInventoryThreshold: number): ShopifyClient {
  return new ShopifyClient({
    storeDomain: shop.shopDomain,
    accessToken: shop.accessToken,
    apiSecretKey: shop.apiSecret,
    redis: redis.client,
    keyPrefix: redis.prefix,
    storeId: `bulk-${bulkInventoryThreshold}`,
    endpoint: shop.url,
    bulkPollIntervalMs: 10,
    bulkInventoryThreshold,
  });
}

const sorted = (levels: { inventoryItemId: string; locationId: string; available: number }[]) =>
  [...levels].sort((a, b) => `${a.inventoryItemId}${a.locationId}`.localeCompare(`${b.inventoryItemId}${b.locationId}`));

describe('getAvailableInventory', () => {
  it('reads many items with one bulk export, the same levels as the paged queries, for a fraction of the cost', async () => {
    const items = shop.state.products.flatMap((p) => p.variants.map((v) => `gid://shopify/InventoryItem/${v.inventoryItemId}`));
    const wanted = items.slice(0, Math.floor(items.length / 2)).concat('gid://shopify/InventoryItem/1'); // one unknown id
    shop.setStock(items[0]!, shop.state.locations[0]!.id, -3); // oversold stays negative

    const costBefore = shop.requestLog.reduce((n, e) => n + (e.requestedCost ?? 0), 0);
    const paged = await client(1_000_000).getAvailableInventory(wanted);
    const pagedCost = shop.requestLog.reduce((n, e) => n + (e.requestedCost ?? 0), 0) - costBefore;
    const operations = shop.requestLog.length;
    const bulk = await client(1).getAvailableInventory(wanted);
    const bulkCost = shop.requestLog.reduce((n, e) => n + (e.requestedCost ?? 0), 0) - costBefore - pagedCost;

    expect(sorted(bulk)).toEqual(sorted(paged));
    expect(bulk).toHaveLength((wanted.length - 1) * 3);
    expect(bulk).toContainEqual({
      inventoryItemId: items[0],
      locationId: `gid://shopify/Location/${shop.state.locations[0]!.id}`,
      available: -3,
    });
    expect(shop.requestLog.slice(operations).map((e) => e.operation)).toEqual(
      expect.arrayContaining(['BulkRunQuery', 'BulkOperationStatus']),
    );
    expect(bulkCost).toBeLessThan(pagedCost / 10);
  });
});

describe('assembleBulkInventory', () => {
  it('keeps the wanted items only and refuses a level line of the wrong shape', () => {
    const jsonl = [
      '{"id":"gid://shopify/InventoryItem/1"}',
      '{"id":"gid://shopify/InventoryLevel/7?inventory_item_id=1","location":{"id":"gid://shopify/Location/7"},"quantities":[{"name":"available","quantity":4}],"__parentId":"gid://shopify/InventoryItem/1"}',
      '{"id":"gid://shopify/InventoryLevel/7?inventory_item_id=2","location":{"id":"gid://shopify/Location/7"},"quantities":[{"name":"available","quantity":9}],"__parentId":"gid://shopify/InventoryItem/2"}',
      '',
    ].join('\n');
    expect(assembleBulkInventory(jsonl, new Set(['gid://shopify/InventoryItem/1']))).toEqual([
      { inventoryItemId: 'gid://shopify/InventoryItem/1', locationId: 'gid://shopify/Location/7', available: 4 },
    ]);
    expect(() => assembleBulkInventory('{"location":{},"__parentId":"x"}\n', new Set(['x']))).toThrow(ShopifyResponseShapeError);
  });
});
