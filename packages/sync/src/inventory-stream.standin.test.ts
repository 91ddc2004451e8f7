// The full stock sync of a big store streams Shopify's stock export (real Redis, both stand-ins
// over HTTP, the real handlers), and a webhook's one-item job runs beside it.
import { Writable } from 'node:stream';
import type { StoreConfig } from '@shoptok/config';
import { createLogger } from '@shoptok/logger';
import { createRedisConnection, QueueFactory } from '@shoptok/queues';
import { parseStoreRules } from '@shoptok/sync-core';
import { useTestRedis, waitUntil, type TestRedis } from '@shoptok/testkit';
import { startShopifyStandIn, type ShopifyStandIn } from '@shoptok/testkit/shopify';
import { startTikTokStandIn, type TikTokStandIn } from '@shoptok/testkit/tiktok';
import { runInventoryItem, runInventorySync } from './inventory.js';
import { createStoreServices, type StoreServices } from './services.js';

const STORE = 'streamed-stock';
const WAREHOUSE = '770000000000000031';
/** Every log line, parsed: what a merchant reads about why a SKU changed. */
const logged: Record<string, unknown>[] = [];
const logger = createLogger({
  level: 'debug',
  pretty: false,
  console: new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logged.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  }),
});

describe('full stock sync of a big store, streamed (real Redis, stand-ins over HTTP)', () => {
  let redis: TestRedis;
  let tts: TikTokStandIn;
  let shopify: ShopifyStandIn;
  let queues: QueueFactory;
  let svc: StoreServices;
  let shopId: string;
  const connections: ReturnType<typeof createRedisConnection>[] = [];
  /** Seller SKU -> the Shopify inventory item listed under it on TikTok. */
  const listed = new Map<string, number>();

  beforeAll(async () => {
    redis = await useTestRedis('streamed-stock');
    tts = await startTikTokStandIn({
      auditDelayMs: 10,
      // Slow enough that a full sync of the store is still running when a one-item job starts.
      latencyMs: { min: 60, max: 120 },
      shops: [
        {
          appKey: 'streamed-app',
          appSecret: 'streamed-app-secret-0123456789',
          name: STORE,
          warehouses: [{ id: WAREHOUSE, name: 'Main', isDefault: true }],
        },
      ],
    });
    // From 100 products on, an already linked store's sync is streamed.
    shopify = await startShopifyStandIn({
      shopDomain: `${STORE}.myshopify.com`,
      accessToken: 'shpat_streamed0123456789abcdef',
      catalogue: { products: 130, seed: 31, locations: 2 },
      bucket: { maximumAvailable: 20_000, restoreRate: 1_000 },
    });
    const shop = tts.shops[0]!;
    shopId = shop.shopId;
    const seen = new Map<string, number>();
    for (const p of shopify.state.products) for (const v of p.variants) if (v.sku) seen.set(v.sku, (seen.get(v.sku) ?? 0) + 1);
    let skuId = 1_734_000_000_000_000_000n;
    for (const product of shopify.state.products.filter((p) => p.status === 'ACTIVE')) {
      const variants = product.variants.filter((v) => v.sku && seen.get(v.sku) === 1 && v.tracked);
      if (variants.length === 0) continue;
      tts.admin.seedProduct(shopId, {
        title: product.title.padEnd(25, '.'),
        category_id: '601226',
        status: 'ACTIVATE',
        skus: variants.map((v, i) => ({
          id: String(skuId++),
          seller_sku: v.sku as string,
          price: { amount: v.price, currency: 'GBP' },
          inventory: [{ warehouse_id: WAREHOUSE, quantity: 0 }],
          sales_attributes: [{ name: 'Variant', value_name: `${v.title} ${i}` }],
        })),
      });
      for (const v of variants) listed.set(v.sku as string, v.inventoryItemId);
    }
    const client = createRedisConnection({ url: redis.url, role: 'client', name: 'test-streamed-stock' });
    connections.push(client);
    queues = new QueueFactory({ connection: client, prefix: redis.prefix, retry: { maxRetries: 1, backoffSeconds: 0.05 } });
    const store: StoreConfig = {
      id: STORE,
      name: 'Streamed Stock',
      enabled: true,
      shopify: { domain: shopify.shopDomain, accessToken: shopify.accessToken, apiSecret: undefined, apiBase: shopify.url },
      tiktok: {
        appKey: 'streamed-app',
        appSecret: 'streamed-app-secret-0123456789',
        accessToken: shop.tokens.accessToken,
        refreshToken: shop.tokens.refreshToken,
        shopCipher: shop.cipher,
      },
      syncIntervalSeconds: 300,
      batchSize: 50,
      dryRun: false,
      mode: 'live',
      rules: parseStoreRules({}),
    };
    svc = await createStoreServices({
      config: {
        queuePrefix: redis.prefix,
        tiktok: { apiBase: tts.url, authBase: tts.authUrl },
        shopify: { apiBase: shopify.url, orderClaimTtlMs: 300_000 },
      },
      store,
      redis: client,
      queues,
      logger,
    });
    // The first sync finds no links: it reads the catalogue whole and links by seller SKU.
    const first = await runInventorySync(svc, { dryRun: false });
    expect(first.pushed).toBeGreaterThan(0);
  });

  afterAll(async () => {
    svc?.close();
    await queues?.close();
    await tts?.close();
    await shopify?.close();
    await redis?.cleanup();
    await Promise.all(connections.map((c) => c.quit()));
  });

  const tiktokQuantity = (sellerSku: string) => {
    for (const product of tts.admin.shop(shopId).products.values()) {
      const sku = product.skus.find((s) => s.seller_sku === sellerSku);
      if (sku) return sku.inventory.find((i) => i.warehouse_id === WAREHOUSE)?.quantity;
    }
    return undefined;
  };
  /** What TikTok should show: the item's stock summed over every location, 0 once its variant or product is gone. */
  const expected = (itemId: number) => {
    const found = shopify.state.variantByItem(itemId);
    if (!found || found.product.status !== 'ACTIVE') return 0;
    let sum = 0;
    for (const available of shopify.state.stock.get(itemId)?.values() ?? []) sum += available;
    return Math.max(0, sum);
  };
  const wrong = () => [...listed].filter(([sku, item]) => tiktokQuantity(sku) !== expected(item)).map(([sku]) => sku);
  const operations = () => ({ ...shopify.counters.byOperation });

  it('reads only the stock export (no catalogue), pushes what changed, and zeroes deleted variants and archived products', async () => {
    expect(wrong()).toEqual([]);
    const items = [...listed.values()];
    const locations = shopify.state.locations.map((l) => l.id);
    // Stock moves on a few items, a product is archived, a variant is deleted.
    shopify.setStock(items[0]!, locations[1]!, 17);
    shopify.setStock(items[5]!, locations[0]!, 0);
    shopify.setStock(items[9]!, locations[0]!, -4);
    const archived = shopify.state.variantByItem(items[20]!)!.product;
    archived.status = 'ARCHIVED';
    const deletedFrom = shopify.state.variantByItem(items[40]!)!;
    deletedFrom.product.variants.splice(deletedFrom.product.variants.indexOf(deletedFrom.variant), 1);
    shopify.state.stock.delete(deletedFrom.variant.inventoryItemId);

    const before = operations();
    const linesBefore = logged.length;
    const run = await runInventorySync(svc, { dryRun: false });
    const runLines = logged.slice(linesBefore);
    const after = operations();
    const used = Object.fromEntries(
      Object.entries(after)
        .map(([op, n]) => [op, n - (before[op] ?? 0)] as const)
        .filter(([, n]) => n > 0),
    );
    // Count, locations, one stock export and its polls: never a catalogue page or export.
    expect(Object.keys(used).sort()).toEqual(['BulkOperationStatus', 'BulkRunQuery', 'LocationsPage', 'ProductsCount']);
    expect(used.BulkRunQuery).toBe(1);
    expect(wrong()).toEqual([]);
    expect(run.pushed).toBe(3 + archived.variants.filter((v) => listed.has(v.sku ?? '')).length + 1);
    expect(run.failed).toBe(0);
    // Why each SKU changed: one info line per slice (counted by reason, a bounded sample by SKU),
    // each SKU's own line at debug only (a 100,000-SKU store would log 200,000 info lines).
    const summaries = runLines.filter((l) => String(l.msg).startsWith('stock changes'));
    expect(summaries.every((l) => l.level === 'info')).toBe(true);
    const byReason = (reason: string) => summaries.reduce((n, l) => n + ((l.byReason as Record<string, number>)[reason] ?? 0), 0);
    expect(byReason('variant-deleted')).toBe(1);
    expect(byReason('product-inactive')).toBeGreaterThan(0);
    const perSku = runLines.filter((l) => l.msg === 'stock change');
    expect(perSku.length).toBe(summaries.reduce((n, l) => n + (l.changes as number), 0));
    expect(perSku.every((l) => l.level === 'debug')).toBe(true);
    expect(summaries.flatMap((l) => l.sample as { sku: string }[]).length).toBeLessThanOrEqual(20 * summaries.length);

    // Nothing changed since: the next run sends nothing.
    const again = await runInventorySync(svc, { dryRun: false });
    expect(again.pushed).toBe(0);
    expect(again.changed).toBe(0);
  });

  it("a webhook's one-item job lands while a full sync runs, and a second full sync waits for the first, then runs", async () => {
    // Every SKU changes, so the full sync has a call for every product (several seconds at this latency).
    for (const item of listed.values()) for (const loc of shopify.state.locations) shopify.setStock(item, loc.id, 5);
    let fullDone = false;
    const full = runInventorySync(svc, { dryRun: false }).finally(() => {
      fullDone = true;
    });
    const inventoryCalls = () =>
      tts.counters
        .rows()
        .filter((r) => r.api.endsWith('/inventory/update'))
        .reduce((n, r) => n + r.requests, 0);
    const callsBefore = inventoryCalls();
    await waitUntil(() => inventoryCalls() > callsBefore + 5, { what: 'the full sync to be pushing' });

    let secondDoneWhileFullRan: boolean | undefined;
    const second = runInventorySync(svc, { dryRun: false }).finally(() => {
      secondDoneWhileFullRan = !fullDone;
    });

    // A sale on the last listed SKU: its job must not wait for the full sync.
    const [sku, item] = [...listed].at(-1)!;
    shopify.setStock(item, shopify.state.locations[0]!.id, 1);
    const linesBefore = logged.length;
    const one = await runInventoryItem(svc, { dryRun: false, inventoryItemId: `gid://shopify/InventoryItem/${item}` });
    // A one-item job logs its SKU's change at info, as it always did.
    expect(logged.slice(linesBefore).filter((l) => l.msg === 'stock change' && l.sku === sku && l.level === 'info')).not.toEqual(
      [],
    );
    expect(fullDone).toBe(false);
    expect(one.pushed).toBe(1);
    expect(tiktokQuantity(sku)).toBe(expected(item));

    const result = await full;
    // The full sync read 5 before the sale; the one-item job's newer number stays on TikTok.
    expect(tiktokQuantity(sku)).toBe(expected(item));
    expect(result.failed).toBe(0);
    expect(wrong()).toEqual([]);

    // The second full sync ran only after the first, and found nothing left to send.
    const secondResult = await second;
    expect(secondDoneWhileFullRan).toBe(false);
    expect(secondResult.notes.join(' ')).toMatch(/already running: this run waited/);
    expect(secondResult.failed).toBe(0);
    expect(secondResult.pushed).toBe(0);
    expect(wrong()).toEqual([]);
  });
});
