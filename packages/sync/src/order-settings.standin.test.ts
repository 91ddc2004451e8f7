// Order settings end to end: each store is configured as an operator does it (the single-store
// environment, with RULES_FILE or STORE_RULES, read by loadConfig), orders come from the TikTok
// stand-in over HTTP and land in the Shopify stand-in. Real Redis; nothing built by hand.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobIds } from '@shoptok/queues';
import { useTestRedis, type TestRedis } from '@shoptok/testkit';
import { startShopifyStandIn, type ShopifyStandIn } from '@shoptok/testkit/shopify';
import { startTikTokStandIn, type TikTokStandIn } from '@shoptok/testkit/tiktok';
import { runOrderImport, runOrderPoll } from './orders.js';
import { configuredStore, listShopifyCatalogueOnTikTok, singleStoreEnv, type ConfiguredStore } from './settings.test-helpers.js';

const APP = { appKey: 'order-settings-app', appSecret: 'order-settings-secret-0123456789' };
const WAREHOUSE = '770000000000000031';
const EXPRESS = { id: '690000000000000031', name: 'Express 24h' };

interface CreateInput {
  currency: string;
  taxesIncluded: boolean;
  shippingLines: { title: string; code?: string }[];
  lineItems: { sku?: string; quantity: number; properties?: { name: string; value: string }[] }[];
  discountCode?: { itemFixedDiscountCode: { amountSet: { shopMoney: { amount: string } } } };
  transactions: { amountSet: { shopMoney: { amount: string } } }[];
}

describe('order settings through a real run (stand-ins over HTTP, real Redis, config from the environment)', () => {
  let redis: TestRedis;
  let tts: TikTokStandIn;
  let gbpShopify: ShopifyStandIn;
  let usdShopify: ShopifyStandIn;
  let shop: TikTokStandIn['shops'][number];
  const SHOP_SEED = {
    ...APP,
    region: 'GB',
    warehouses: [{ id: WAREHOUSE, name: 'Main', isDefault: true }],
    deliveryOptions: [{ ...EXPRESS, providers: [{ id: '6617675021119438849', name: 'Royal Mail' }] }],
  };
  let dir: string;
  const stores: ConfiguredStore[] = [];
  let n = 0;

  /**
   * A store as the `.env` describes it, on a TikTok shop of its own (a refresh rotates the shop's
   * refresh token) and its own key prefix (single-store mode is always store `default`).
   */
  async function store(shopify: ShopifyStandIn, extra: Record<string, string> = {}) {
    n += 1;
    shop = tts.admin.addShop({ ...SHOP_SEED, name: `gb-shop-${n}` });
    listShopifyCatalogueOnTikTok(tts, shop.shopId, shopify, WAREHOUSE);
    const env = singleStoreEnv(
      tts,
      { ...APP, cipher: shop.cipher, tokens: shop.tokens },
      shopify,
      `${redis.prefix}-s${n}`,
      extra,
    );
    const configured = await configuredStore(env, redis.url, { cwd: dir });
    stores.push(configured);
    return configured;
  }

  const orders = (options: Parameters<TikTokStandIn['admin']['generateOrders']>[1]) =>
    tts.admin.generateOrders(shop.shopId, { maxSkus: 2, maxUnits: 2, status: 'AWAITING_SHIPMENT', ...options });
  const createInputOf = (shopify: ShopifyStandIn, tiktokOrderId: string) => {
    const created = shopify.state.orders.find((o) => o.sourceIdentifier?.includes(tiktokOrderId));
    if (!created) throw new Error(`TikTok order ${tiktokOrderId} is not in Shopify`);
    return created.createInput as unknown as CreateInput;
  };

  beforeAll(async () => {
    redis = await useTestRedis('order-settings');
    dir = mkdtempSync(join(tmpdir(), 'shoptok-order-settings-'));
    tts = await startTikTokStandIn({ auditDelayMs: 10, shops: [] });
    // One catalogue (same SKUs) in a GBP store and in a USD store.
    const catalogue = { products: 6, seed: 41, locations: 1 };
    const bucket = { maximumAvailable: 20_000, restoreRate: 1_000 };
    gbpShopify = await startShopifyStandIn({ catalogue, bucket, currency: 'GBP' });
    usdShopify = await startShopifyStandIn({ catalogue, bucket, currency: 'USD' });
  });

  afterAll(async () => {
    for (const s of stores) await s.close();
    await tts?.close();
    await gbpShopify?.close();
    await usdShopify?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await redis?.cleanup();
  });

  it('importSampleOrders: false (from RULES_FILE) keeps creator samples out of Shopify; other orders import', async () => {
    writeFileSync(join(dir, 'rules.yaml'), 'orders:\n  importSampleOrders: false\n');
    const { svc, queues } = await store(gbpShopify, { RULES_FILE: 'rules.yaml' });
    const [sample] = orders({ count: 1, sampleOrder: true });
    const [paid] = orders({ count: 1 });

    const poll = await runOrderPoll(svc, { dryRun: false });
    expect(poll.skippedReasons['sample-order']).toBe(1);
    const queue = queues.queue('orders', svc.storeId);
    expect(await queue.getJob(jobIds.orderImport(svc.storeId, sample!.id))).toBeUndefined();
    expect(await queue.getJob(jobIds.orderImport(svc.storeId, paid!.id))).toBeDefined();

    // A sample that reaches the import anyway (a webhook, a replay) is still not created.
    const direct = await runOrderImport(svc, { dryRun: false, tiktokOrderId: sample!.id });
    expect(direct.skippedReasons['sample-order']).toBe(1);
    await runOrderImport(svc, { dryRun: false, tiktokOrderId: paid!.id });
    expect(gbpShopify.state.orders.some((o) => o.sourceIdentifier?.includes(sample!.id))).toBe(false);
    expect(gbpShopify.state.orders.some((o) => o.sourceIdentifier?.includes(paid!.id))).toBe(true);
  });

  it("keeps TikTok's delivery option name on the shipping line and each line's discounts on its Shopify line", async () => {
    const { svc } = await store(gbpShopify);
    const [order] = orders({ count: 1, lineDiscount: { seller: 1.5, platform: 0.5 } });
    await runOrderImport(svc, { dryRun: false, tiktokOrderId: order!.id });

    const input = createInputOf(gbpShopify, order!.id);
    expect(input.shippingLines).toEqual([expect.objectContaining({ title: EXPRESS.name, code: EXPRESS.id })]);
    const unitsBySku = new Map<string, number>();
    for (const li of order!.line_items) unitsBySku.set(li.seller_sku, (unitsBySku.get(li.seller_sku) ?? 0) + 1);
    expect(input.lineItems).toHaveLength(unitsBySku.size);
    for (const line of input.lineItems) {
      const units = unitsBySku.get(line.sku ?? '') ?? 0;
      expect(line.properties).toEqual([
        { name: 'TikTok seller discount', value: `${(1.5 * units).toFixed(2)} GBP` },
        { name: 'TikTok platform discount', value: `${(0.5 * units).toFixed(2)} GBP` },
      ]);
    }
    // The seller's discounts are the Shopify discount; TikTok funds its own (rules.orders.platformDiscount: exclude).
    const units = order!.line_items.length;
    expect(input.discountCode?.itemFixedDiscountCode.amountSet.shopMoney.amount).toBe((1.5 * units).toFixed(2));
  });

  it('a GB shop imports with taxes included by default, so Shopify records what the buyer paid; STORE_RULES can say otherwise', async () => {
    const byDefault = await store(gbpShopify);
    const [order] = orders({ count: 1 });
    await runOrderImport(byDefault.svc, { dryRun: false, tiktokOrderId: order!.id });
    const input = createInputOf(gbpShopify, order!.id);
    expect(input.taxesIncluded).toBe(true);
    expect(input.transactions[0]!.amountSet.shopMoney.amount).toBe(order!.payment.total_amount);

    const explicit = await store(gbpShopify, { STORE_RULES: '{"orders":{"taxesIncluded":false}}' });
    const [second] = orders({ count: 1 });
    await runOrderImport(explicit.svc, { dryRun: false, tiktokOrderId: second!.id });
    const exclusive = createInputOf(gbpShopify, second!.id);
    expect(exclusive.taxesIncluded).toBe(false);
    const onTop = Number(second!.payment.total_amount) + Number(second!.payment.tax);
    expect(exclusive.transactions[0]!.amountSet.shopMoney.amount).toBe(onTop.toFixed(2));
  });

  it('a USD Shopify store refuses a GBP TikTok order in plain words and creates nothing', async () => {
    const { svc } = await store(usdShopify);
    const [order] = orders({ count: 1 });
    await expect(runOrderImport(svc, { dryRun: false, tiktokOrderId: order!.id })).rejects.toMatchObject({
      name: 'OrderNotImportableError',
      message: expect.stringContaining('is in GBP but the Shopify store sells in USD'),
    });
    expect(usdShopify.state.orders).toHaveLength(0);
    expect((await svc.state.orderFailures()).get(order!.id)?.reasons).toEqual([
      expect.objectContaining({ code: 'currency-mismatch' }),
    ]);
  });
});
