// A TikTok order in another currency than the Shopify shop's, end to end: the store is configured
// as an operator does it (the single-store environment with STORE_RULES, read by loadConfig), the
// order comes from the TikTok stand-in over HTTP, is polled and imported into the Shopify
// stand-in (which executes the real Admin 2026-10 schema), with a real Redis.
import { jobIds } from '@shoptok/queues';
import { useTestRedis, type TestRedis } from '@shoptok/testkit';
import { startShopifyStandIn, type ShopifyStandIn } from '@shoptok/testkit/shopify';
import { startTikTokStandIn, type TikTokStandIn } from '@shoptok/testkit/tiktok';
import { runOrderImport, runOrderPoll } from './orders.js';
import { configuredStore, listShopifyCatalogueOnTikTok, singleStoreEnv, type ConfiguredStore } from './settings.test-helpers.js';

const APP = { appKey: 'order-currency-app', appSecret: 'order-currency-secret-0123456789' };
const WAREHOUSE = '770000000000000041';
// 1 USD = 0.79 GBP: TikTok's GBP amounts are divided by it for the USD shop.
const RATE = 0.79;
const CONVERSION_RULES = JSON.stringify({ listing: { price: { conversion: { from: 'USD', to: 'GBP', rate: '0.79' } } } });

interface Money {
  amount: string;
  currencyCode: string;
}
interface Bag {
  shopMoney: Money;
  presentmentMoney?: Money;
}
interface CreateInput {
  currency: string;
  presentmentCurrency?: string;
  lineItems: { sku?: string; quantity: number; priceSet: Bag }[];
  shippingLines: { priceSet: Bag }[];
  taxLines?: { priceSet: Bag }[];
  discountCode?: { itemFixedDiscountCode: { amountSet: Bag } };
  transactions: { amountSet: Bag }[];
}

const cents = (amount: string) => Math.round(Number(amount) * 100);
const inUsd = (gbp: string) => (Math.round((Number(gbp) / RATE) * 100) / 100).toFixed(2);

describe('a GBP TikTok order into a USD Shopify shop (stand-ins over HTTP, real Redis, config from the environment)', () => {
  let redis: TestRedis;
  let tts: TikTokStandIn;
  let usdShopify: ShopifyStandIn;
  const stores: ConfiguredStore[] = [];
  let n = 0;

  async function store(extra: Record<string, string>) {
    n += 1;
    const shop = tts.admin.addShop({
      ...APP,
      name: `gb-currency-shop-${n}`,
      region: 'GB',
      warehouses: [{ id: WAREHOUSE, name: 'Main', isDefault: true }],
    });
    listShopifyCatalogueOnTikTok(tts, shop.shopId, usdShopify, WAREHOUSE);
    const env = singleStoreEnv(
      tts,
      { ...APP, cipher: shop.cipher, tokens: shop.tokens },
      usdShopify,
      `${redis.prefix}-c${n}`,
      extra,
    );
    const configured = await configuredStore(env, redis.url);
    stores.push(configured);
    return { ...configured, shop };
  }

  const createInputOf = (tiktokOrderId: string) => {
    const created = usdShopify.state.orders.find((o) => o.sourceIdentifier === `tiktok-${tiktokOrderId}`);
    if (!created) throw new Error(`TikTok order ${tiktokOrderId} is not in Shopify`);
    return { created, input: created.createInput as unknown as CreateInput };
  };

  beforeAll(async () => {
    redis = await useTestRedis('order-currency');
    tts = await startTikTokStandIn({ auditDelayMs: 10, shops: [] });
    usdShopify = await startShopifyStandIn({
      catalogue: { products: 6, seed: 43, locations: 1 },
      bucket: { maximumAvailable: 20_000, restoreRate: 1_000 },
      currency: 'USD',
    });
  });

  afterAll(async () => {
    for (const s of stores) await s.close();
    await tts?.close();
    await usdShopify?.close();
    await redis?.cleanup();
  });

  it('imports with a conversion rule: presentment money is the TikTok order, shop money converted at the rule rate', async () => {
    const { svc, queues, shop } = await store({ STORE_RULES: CONVERSION_RULES });
    const [order] = tts.admin.generateOrders(shop.shopId, {
      count: 1,
      maxSkus: 2,
      maxUnits: 2,
      status: 'AWAITING_SHIPMENT',
      lineDiscount: { seller: 1.5, platform: 0.5 },
    });
    // The poll queues it like any other order; the import job creates it.
    await runOrderPoll(svc, { dryRun: false });
    expect(await queues.queue('orders', svc.storeId).getJob(jobIds.orderImport(svc.storeId, order!.id))).toBeDefined();
    const summary = await runOrderImport(svc, { dryRun: false, tiktokOrderId: order!.id });
    expect(summary.pushed).toBe(1);

    const { created, input } = createInputOf(order!.id);
    expect(created).toMatchObject({ currencyCode: 'USD', presentmentCurrencyCode: 'GBP' });
    expect(input.currency).toBe('USD');
    expect(input.presentmentCurrency).toBe('GBP');

    // Each line: TikTok's unit price as presentment money, the same / 0.79 (rounded to the cent) as shop money.
    const unitsBySku = new Map<string, { units: number; price: string }>();
    for (const l of order!.line_items)
      unitsBySku.set(l.seller_sku, { units: (unitsBySku.get(l.seller_sku)?.units ?? 0) + 1, price: l.original_price });
    expect(input.lineItems).toHaveLength(unitsBySku.size);
    for (const line of input.lineItems) {
      const tiktok = unitsBySku.get(line.sku ?? '')!;
      expect(line.quantity).toBe(tiktok.units);
      expect(line.priceSet.presentmentMoney).toEqual({ amount: Number(tiktok.price).toFixed(2), currencyCode: 'GBP' });
      expect(line.priceSet.shopMoney).toEqual({ amount: inUsd(tiktok.price), currencyCode: 'USD' });
    }
    const payment = order!.payment;
    expect(input.shippingLines[0]!.priceSet).toEqual({
      shopMoney: { amount: inUsd(payment.shipping_fee!), currencyCode: 'USD' },
      presentmentMoney: { amount: Number(payment.shipping_fee!).toFixed(2), currencyCode: 'GBP' },
    });
    const discount = input.discountCode!.itemFixedDiscountCode.amountSet;
    expect(discount.presentmentMoney).toEqual({ amount: payment.seller_discount, currencyCode: 'GBP' });
    expect(discount.shopMoney).toEqual({ amount: inUsd(payment.seller_discount!), currencyCode: 'USD' });
    expect(input.taxLines![0]!.priceSet.presentmentMoney).toEqual({ amount: payment.tax, currencyCode: 'GBP' });
    expect(input.taxLines![0]!.priceSet.shopMoney.amount).toBe(inUsd(payment.tax!));

    // The sale in GBP: the items before discounts, less the seller's discount (TikTok funds its
    // platform discount), plus shipping; GB prices include VAT. In USD: the sum of the converted
    // parts, so Shopify's own sums of the shop money agree with the transaction.
    const sale = input.transactions[0]!.amountSet;
    const gbpSale =
      order!.line_items.reduce((sum, l) => sum + cents(l.original_price), 0) -
      cents(payment.seller_discount!) +
      cents(payment.shipping_fee!);
    expect(sale.presentmentMoney).toEqual({ amount: (gbpSale / 100).toFixed(2), currencyCode: 'GBP' });
    const shopParts =
      input.lineItems.reduce((sum, l) => sum + cents(l.priceSet.shopMoney.amount) * l.quantity, 0) -
      cents(discount.shopMoney.amount) +
      cents(input.shippingLines[0]!.priceSet.shopMoney.amount);
    expect(cents(sale.shopMoney.amount)).toBe(shopParts);
    expect(sale.shopMoney.currencyCode).toBe('USD');
    expect(Math.abs(cents(sale.shopMoney.amount) - gbpSale / RATE)).toBeLessThanOrEqual(input.lineItems.length + 2);
    expect((await svc.state.orderFailures()).has(order!.id)).toBe(false);
  });

  it('without a conversion rule the same order is refused in plain words, recorded for the operator, and nothing is created', async () => {
    const { svc, shop } = await store({});
    const [order] = tts.admin.generateOrders(shop.shopId, { count: 1, maxSkus: 1, maxUnits: 1, status: 'AWAITING_SHIPMENT' });
    const before = usdShopify.state.orders.length;
    await expect(runOrderImport(svc, { dryRun: false, tiktokOrderId: order!.id })).rejects.toMatchObject({
      name: 'OrderNotImportableError',
      message: expect.stringContaining('is in GBP but the Shopify store sells in USD'),
    });
    expect(usdShopify.state.orders).toHaveLength(before);
    // What `shoptok status` and the dashboard list as the order's failure.
    const failure = (await svc.state.orderFailures()).get(order!.id);
    expect(failure?.reasons).toEqual([
      {
        code: 'currency-mismatch',
        message: expect.stringMatching(/is in GBP but the Shopify store sells in USD.*rules\.listing\.price\.conversion/),
      },
    ]);
  });
});
