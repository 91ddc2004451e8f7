// Issue 19 items 4, 11 and 12, each through a real import: the rules come from where an operator
// writes them (a stores file's rules:, or the single store's RULES_FILE / STORE_RULES, read by
// loadConfig as the apps read them), orders from the TikTok stand-in over HTTP, and they land in
// the Shopify stand-in; real Redis. Each assertion is one defect, so each fails alone on the code
// before the fix (rules the pre-fix code already read, where the point is another setting).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useTestRedis, type TestRedis } from '@shoptok/testkit';
import { startShopifyStandIn, type ShopifyStandIn } from '@shoptok/testkit/shopify';
import { startTikTokStandIn, type TikTokStandIn } from '@shoptok/testkit/tiktok';
import { runOrderImport, runOrderPoll } from './orders.js';
import { configuredStore, listShopifyCatalogueOnTikTok, singleStoreEnv, type ConfiguredStore } from './settings.test-helpers.js';

const APP = { appKey: 'verify19-app', appSecret: 'verify19-secret-0123456789' };
const WAREHOUSE = '770000000000000041';
const EXPRESS = { id: '690000000000000041', name: 'Express 24h' };

interface CreateInput {
  tags?: string[];
  taxesIncluded?: boolean;
  shippingLines: { title: string; code?: string }[];
  lineItems: { sku?: string; properties?: { name: string; value: string }[] }[];
}

describe('issue 19 items 4, 11 and 12 through a real import (stores file, stand-ins, real Redis)', () => {
  let redis: TestRedis;
  let tts: TikTokStandIn;
  let shopify: ShopifyStandIn;
  let dir: string;
  const stores: ConfiguredStore[] = [];
  let n = 0;

  /** A store in a stores file, with the given rules line, on a TikTok shop of its own. */
  async function store(rulesLine?: string) {
    n += 1;
    const shop = tts.admin.addShop({
      ...APP,
      name: `verify19-${n}`,
      region: 'GB',
      warehouses: [{ id: WAREHOUSE, name: 'Main', isDefault: true }],
      deliveryOptions: [{ ...EXPRESS, providers: [{ id: '6617675021119438849', name: 'Royal Mail' }] }],
    });
    listShopifyCatalogueOnTikTok(tts, shop.shopId, shopify, WAREHOUSE);
    writeFileSync(
      join(dir, `stores-${n}.yaml`),
      [
        'stores:',
        '  - id: v19',
        `    shopify: { store: ${shopify.shopDomain}, tokenEnv: V_SHOPIFY, apiBase: "${shopify.url}" }`,
        `    tiktok: { accessTokenEnv: V_TT_ACCESS, refreshTokenEnv: V_TT_REFRESH, shopCipher: ${shop.cipher} }`,
        ...(rulesLine ? [`    rules: ${rulesLine}`] : []),
        '',
      ].join('\n'),
    );
    const configured = await configuredStore(
      {
        STORES_FILE: `stores-${n}.yaml`,
        V_SHOPIFY: shopify.accessToken,
        V_TT_ACCESS: shop.tokens.accessToken,
        V_TT_REFRESH: shop.tokens.refreshToken,
        TIKTOK_APP_KEY: APP.appKey,
        TIKTOK_SECRET: APP.appSecret,
        TIKTOK_API_BASE: tts.url,
        TIKTOK_AUTH_BASE: tts.authUrl,
        QUEUE_PREFIX: `${redis.prefix}-s${n}`,
      },
      redis.url,
      { cwd: dir },
    );
    stores.push(configured);
    return { ...configured, shop };
  }

  const createInputOf = (tiktokOrderId: string) => {
    const created = shopify.state.orders.find((o) => o.sourceIdentifier?.includes(tiktokOrderId));
    if (!created) throw new Error(`TikTok order ${tiktokOrderId} is not in Shopify`);
    return created.createInput as unknown as CreateInput;
  };

  beforeAll(async () => {
    redis = await useTestRedis('verify19-orders');
    dir = mkdtempSync(join(tmpdir(), 'shoptok-verify19-orders-'));
    tts = await startTikTokStandIn({ auditDelayMs: 10, shops: [] });
    shopify = await startShopifyStandIn({
      catalogue: { products: 6, seed: 41, locations: 1 },
      bucket: { maximumAvailable: 20_000, restoreRate: 1_000 },
      currency: 'GBP',
    });
  });

  afterAll(async () => {
    for (const s of stores) await s.close();
    await tts?.close();
    await shopify?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await redis?.cleanup();
  });

  it('item 4: rules.orders.importSampleOrders: false keeps a creator sample out of Shopify; a paid order imports', async () => {
    const { svc, shop } = await store('{ orders: { importSampleOrders: false } }');
    const [sample] = tts.admin.generateOrders(shop.shopId, {
      count: 1,
      maxSkus: 1,
      status: 'AWAITING_SHIPMENT',
      sampleOrder: true,
    });
    const [paid] = tts.admin.generateOrders(shop.shopId, { count: 1, maxSkus: 1, status: 'AWAITING_SHIPMENT' });
    await runOrderImport(svc, { dryRun: false, tiktokOrderId: sample!.id }).catch(() => undefined);
    await runOrderImport(svc, { dryRun: false, tiktokOrderId: paid!.id });
    const imported = (id: string) => shopify.state.orders.some((o) => o.sourceIdentifier?.includes(id));
    expect({ sample: imported(sample!.id), paid: imported(paid!.id) }).toEqual({ sample: false, paid: true });
    // The poll skips it too, saying why.
    const [another] = tts.admin.generateOrders(shop.shopId, {
      count: 1,
      maxSkus: 1,
      status: 'AWAITING_SHIPMENT',
      sampleOrder: true,
    });
    const poll = await runOrderPoll(svc, { dryRun: false });
    expect(poll.skippedReasons['sample-order']).toBeGreaterThanOrEqual(1);
    expect(imported(another!.id)).toBe(false);
  });

  it("item 11: the Shopify shipping line carries TikTok's delivery option name", async () => {
    const { svc, shop } = await store();
    const [order] = tts.admin.generateOrders(shop.shopId, { count: 1, maxSkus: 2, maxUnits: 2, status: 'AWAITING_SHIPMENT' });
    await runOrderImport(svc, { dryRun: false, tiktokOrderId: order!.id });
    expect(createInputOf(order!.id).shippingLines).toEqual([expect.objectContaining({ title: EXPRESS.name, code: EXPRESS.id })]);
  });

  it("item 11: each line's TikTok discounts stay on its Shopify line", async () => {
    const { svc, shop } = await store();
    const [order] = tts.admin.generateOrders(shop.shopId, {
      count: 1,
      maxSkus: 2,
      maxUnits: 2,
      status: 'AWAITING_SHIPMENT',
      lineDiscount: { seller: 1.5, platform: 0.5 },
    });
    await runOrderImport(svc, { dryRun: false, tiktokOrderId: order!.id });
    const unitsBySku = new Map<string, number>();
    for (const li of order!.line_items) unitsBySku.set(li.seller_sku, (unitsBySku.get(li.seller_sku) ?? 0) + 1);
    const lines = createInputOf(order!.id).lineItems;
    expect(lines).toHaveLength(unitsBySku.size);
    for (const line of lines) {
      const units = unitsBySku.get(line.sku ?? '') ?? 0;
      expect({ sku: line.sku, properties: line.properties }).toEqual({
        sku: line.sku,
        properties: [
          { name: 'TikTok seller discount', value: `${(1.5 * units).toFixed(2)} GBP` },
          { name: 'TikTok platform discount', value: `${(0.5 * units).toFixed(2)} GBP` },
        ],
      });
    }
  });
  it('item 12: the single store (.env) takes its rules from RULES_FILE or STORE_RULES', async () => {
    const singleStore = async (extra: Record<string, string>) => {
      n += 1;
      const shop = tts.admin.addShop({
        ...APP,
        name: `verify19-${n}`,
        region: 'GB',
        warehouses: [{ id: WAREHOUSE, name: 'Main', isDefault: true }],
        deliveryOptions: [{ ...EXPRESS, providers: [{ id: '6617675021119438849', name: 'Royal Mail' }] }],
      });
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
      return { ...configured, shop };
    };
    writeFileSync(join(dir, 'rules.yaml'), 'orders:\n  tags: [from-rules-file]\n');
    const fromFile = await singleStore({ RULES_FILE: 'rules.yaml' });
    const [first] = tts.admin.generateOrders(fromFile.shop.shopId, { count: 1, maxSkus: 1, status: 'AWAITING_SHIPMENT' });
    await runOrderImport(fromFile.svc, { dryRun: false, tiktokOrderId: first!.id });
    expect(createInputOf(first!.id).tags).toEqual(expect.arrayContaining(['from-rules-file']));

    const fromJson = await singleStore({ STORE_RULES: '{"orders":{"tags":["from-store-rules"]}}' });
    const [second] = tts.admin.generateOrders(fromJson.shop.shopId, { count: 1, maxSkus: 1, status: 'AWAITING_SHIPMENT' });
    await runOrderImport(fromJson.svc, { dryRun: false, tiktokOrderId: second!.id });
    expect(createInputOf(second!.id).tags).toEqual(expect.arrayContaining(['from-store-rules']));
  });

  it('item 12: a GB shop imports with taxes included by default (VAT-inclusive market)', async () => {
    const { svc, shop } = await store();
    const [order] = tts.admin.generateOrders(shop.shopId, { count: 1, maxSkus: 1, status: 'AWAITING_SHIPMENT' });
    await runOrderImport(svc, { dryRun: false, tiktokOrderId: order!.id });
    expect(createInputOf(order!.id).taxesIncluded).toBe(true);
  });
});
