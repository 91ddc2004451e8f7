import { buildOrderCreateInput, buildSkuIndex, shouldImportOrder, toMailingAddress } from './orders.js';
import { parseStoreRules, type StoreRulesInput } from './rules.js';
import type { ShopifyVariantRef } from './shopify-types.js';
import type { TikTokOrder, TikTokOrderLineItem } from './tiktok-types.js';

const rules = (orders: StoreRulesInput['orders'] = {}) => parseStoreRules({ orders });

function line(id: string, sellerSku: string | null, extra: Partial<TikTokOrderLineItem> = {}): TikTokOrderLineItem {
  return {
    id,
    sku_id: `tt-${sellerSku ?? 'none'}`,
    seller_sku: sellerSku,
    product_name: 'Glow Serum',
    sku_name: '30 ml',
    original_price: '20.00',
    sale_price: '18.00',
    seller_discount: '2.00',
    platform_discount: '0',
    currency: 'USD',
    ...extra,
  };
}

function order(extra: Partial<TikTokOrder> = {}): TikTokOrder {
  return {
    id: '576461413038785752',
    status: 'AWAITING_SHIPMENT',
    create_time: 1_760_000_000,
    paid_time: 1_760_000_060,
    buyer_email: 'v2abcdef123@scs.tiktokw.us',
    buyer_message: 'Please gift wrap',
    delivery_option_id: '7091146663229654785',
    delivery_option_name: 'Standard shipping',
    payment: {
      currency: 'USD',
      sub_total: '56.00',
      shipping_fee: '4.99',
      seller_discount: '6.00',
      platform_discount: '0',
      tax: '4.60',
      total_amount: '65.59',
      original_total_product_price: '60.00',
    },
    recipient_address: {
      name: 'Jane Q Doe',
      phone_number: '(+1)213*****63',
      address_line1: '1 Main St',
      address_line2: 'Apt 4',
      postal_code: '90001',
      region_code: 'US',
      district_info: [
        { address_level: 'L0', address_level_name: 'Country', address_name: 'United States' },
        { address_level: 'L1', address_level_name: 'State', address_name: 'California' },
        { address_level: 'L2', address_level_name: 'County', address_name: 'Los Angeles County' },
        { address_level: 'L3', address_level_name: 'City', address_name: 'Los Angeles' },
      ],
    },
    line_items: [
      line('L1', 'SERUM-30'),
      line('L2', 'SERUM-30'),
      line('L3', 'CREAM-50', { original_price: '20.00', product_name: 'Cream' }),
    ],
    ...extra,
  };
}

const serum: ShopifyVariantRef = {
  variantId: 'gid://shopify/ProductVariant/11',
  productId: 'gid://shopify/Product/1',
  productStatus: 'ACTIVE',
  sku: 'SERUM-30',
  productTitle: 'Glow Serum',
  variantTitle: '30 ml',
  vendor: 'Glow',
};
const cream: ShopifyVariantRef = {
  variantId: 'gid://shopify/ProductVariant/22',
  productId: 'gid://shopify/Product/2',
  productStatus: 'ACTIVE',
  sku: 'CREAM-50',
  productTitle: 'Cream',
};

describe('shouldImportOrder', () => {
  const o = (status: string, extra: Partial<TikTokOrder> = {}) => ({ id: '1', status, ...extra });
  it('by default imports only AWAITING_SHIPMENT, waits on UNPAID and ON_HOLD', () => {
    expect(shouldImportOrder(o('AWAITING_SHIPMENT'), rules())).toEqual({ import: true });
    expect(shouldImportOrder(o('ON_HOLD'), rules())).toMatchObject({ import: false, reason: 'not-yet', final: false });
    expect(shouldImportOrder(o('UNPAID'), rules())).toMatchObject({ import: false, reason: 'not-yet', final: false });
    expect(shouldImportOrder(o('IN_TRANSIT'), rules())).toMatchObject({
      import: false,
      reason: 'status-not-imported',
      final: true,
    });
  });
  it('never imports a cancelled order (API says CANCELLED, the webhook says CANCEL)', () => {
    expect(shouldImportOrder(o('CANCELLED'), rules())).toMatchObject({ import: false, reason: 'cancelled', final: true });
    expect(shouldImportOrder(o('CANCEL'), rules())).toMatchObject({ import: false, reason: 'cancelled', final: true });
  });
  it('goes by the status, not the on-hold flag, and imports ON_HOLD only when opted into', () => {
    expect(shouldImportOrder(o('AWAITING_SHIPMENT', { is_on_hold_order: true }), rules())).toEqual({ import: true });
    expect(
      shouldImportOrder(o('ON_HOLD', { is_on_hold_order: true }), rules({ importStatuses: ['ON_HOLD', 'AWAITING_SHIPMENT'] })),
    ).toEqual({ import: true });
  });
  it('skips TikTok-fulfilled orders and samples when the rules say so, and orders before the cutoff', () => {
    expect(shouldImportOrder(o('AWAITING_SHIPMENT', { fulfillment_type: 'FULFILLMENT_BY_TIKTOK' }), rules())).toMatchObject({
      reason: 'fulfilled-by-tiktok',
    });
    expect(
      shouldImportOrder(
        o('AWAITING_SHIPMENT', { fulfillment_type: 'FULFILLMENT_BY_TIKTOK' }),
        rules({ importFulfilledByTikTok: true }),
      ),
    ).toEqual({ import: true });
    expect(shouldImportOrder(o('AWAITING_SHIPMENT', { is_sample_order: true }), rules())).toEqual({ import: true });
    expect(
      shouldImportOrder(o('AWAITING_SHIPMENT', { is_sample_order: true }), rules({ importSampleOrders: false })),
    ).toMatchObject({ reason: 'sample-order' });
    const cutoff = rules({ importCreatedAfter: '2025-10-09T09:00:00Z' });
    expect(
      shouldImportOrder(o('AWAITING_SHIPMENT', { create_time: Date.parse('2025-10-09T08:59:59Z') / 1000 }), cutoff),
    ).toMatchObject({ reason: 'created-before-cutoff' });
    expect(shouldImportOrder(o('AWAITING_SHIPMENT', { create_time: Date.parse('2025-10-09T09:00:00Z') / 1000 }), cutoff)).toEqual(
      { import: true },
    );
  });
});

describe('buildOrderCreateInput', () => {
  it('groups one-unit TikTok lines by SKU and carries prices, discount, shipping, tax, address and email', () => {
    const result = buildOrderCreateInput(order(), buildSkuIndex([serum, cream]), rules(), { shopCurrency: 'usd' });
    if (!result.ok) throw new Error(JSON.stringify(result.reasons));
    const { order: input, options } = result.variables;
    expect(input.lineItems).toEqual([
      {
        variantId: serum.variantId,
        sku: 'SERUM-30',
        title: 'Glow Serum',
        variantTitle: '30 ml',
        vendor: 'Glow',
        quantity: 2,
        priceSet: { shopMoney: { amount: '20.00', currencyCode: 'USD' } },
        requiresShipping: true,
        // orderCreate has only an order-level discount: each line's own stays visible on it.
        properties: [{ name: 'TikTok seller discount', value: '4.00 USD' }],
      },
      {
        variantId: cream.variantId,
        sku: 'CREAM-50',
        title: 'Cream',
        variantTitle: '30 ml',
        quantity: 1,
        priceSet: { shopMoney: { amount: '20.00', currencyCode: 'USD' } },
        requiresShipping: true,
        properties: [{ name: 'TikTok seller discount', value: '2.00 USD' }],
      },
    ]);
    // Seller discounts of the three lines (3 x 2.00).
    expect(input.discountCode).toEqual({
      itemFixedDiscountCode: { code: 'TIKTOK_SHOP', amountSet: { shopMoney: { amount: '6.00', currencyCode: 'USD' } } },
    });
    expect(input.shippingLines).toEqual([
      {
        title: 'Standard shipping',
        code: '7091146663229654785',
        source: 'tiktok_shop',
        priceSet: { shopMoney: { amount: '4.99', currencyCode: 'USD' } },
      },
    ]);
    // 4.60 on 54.00 taxable -> 0.0852.
    expect(input.taxLines).toEqual([
      { title: 'Tax', rate: '0.0852', priceSet: { shopMoney: { amount: '4.60', currencyCode: 'USD' } }, channelLiable: true },
    ]);
    // 60 - 6 + 4.99 + 4.60
    expect(input.transactions).toEqual([
      {
        kind: 'SALE',
        status: 'SUCCESS',
        gateway: 'TikTok Shop',
        amountSet: { shopMoney: { amount: '63.59', currencyCode: 'USD' } },
        processedAt: new Date(1_760_000_060_000).toISOString(),
      },
    ]);
    expect(input.email).toBe('v2abcdef123@scs.tiktokw.us');
    expect(input.phone).toBeUndefined(); // masked by TikTok, Shopify would refuse it
    expect(input.shippingAddress).toEqual({
      firstName: 'Jane Q',
      lastName: 'Doe',
      address1: '1 Main St',
      address2: 'Apt 4',
      city: 'Los Angeles',
      province: 'California',
      countryCode: 'US',
      zip: '90001',
    });
    expect(input.billingAddress).toEqual(input.shippingAddress);
    expect(input.sourceIdentifier).toBe('576461413038785752');
    expect(input.processedAt).toBe(new Date(1_760_000_000_000).toISOString());
    expect(input.financialStatus).toBe('PAID');
    expect(input.currency).toBe('USD');
    expect(input.tags).toEqual(['TikTok Shop']);
    expect(input.note).toContain('Please gift wrap');
    expect(input.customAttributes).toContainEqual({ key: 'TikTok order id', value: '576461413038785752' });
    expect(input).not.toHaveProperty('name');
    expect(input).not.toHaveProperty('sourceName');
    expect(options).toEqual({
      inventoryBehaviour: 'DECREMENT_IGNORING_POLICY',
      sendReceipt: false,
      sendFulfillmentReceipt: false,
    });
  });

  it('keeps units of one SKU at different prices on separate lines, and drops cancelled lines', () => {
    const o = order({
      line_items: [
        line('L1', 'SERUM-30'),
        line('L2', 'SERUM-30', { original_price: '0.00', seller_discount: '0', is_gift: true }),
        line('L3', 'CREAM-50', { cancel_reason: 'Out of stock' }),
      ],
    });
    const result = buildOrderCreateInput(o, buildSkuIndex([serum]), rules());
    if (!result.ok) throw new Error(JSON.stringify(result.reasons));
    expect(result.variables.order.lineItems.map((l) => [l.sku, l.quantity, l.priceSet?.shopMoney.amount])).toEqual([
      ['SERUM-30', 1, '20.00'],
      ['SERUM-30', 1, '0.00'],
    ]);
  });

  it('shows platform-funded discounts only when the rules say so', () => {
    const o = order({
      line_items: [line('L1', 'SERUM-30', { seller_discount: '1.00', platform_discount: '3.00' })],
      payment: { currency: 'USD', shipping_fee: '0', tax: '0' },
    });
    const excluded = buildOrderCreateInput(o, buildSkuIndex([serum]), rules());
    const shown = buildOrderCreateInput(o, buildSkuIndex([serum]), rules({ platformDiscount: 'discount' }));
    if (!excluded.ok || !shown.ok) throw new Error('expected both to build');
    expect(excluded.variables.order.discountCode?.itemFixedDiscountCode.amountSet.shopMoney.amount).toBe('1.00');
    expect(excluded.variables.order.transactions?.[0]?.amountSet.shopMoney.amount).toBe('19.00');
    expect(excluded.variables.order.customAttributes).toContainEqual({ key: 'TikTok platform discount', value: '3.00 USD' });
    expect(shown.variables.order.discountCode?.itemFixedDiscountCode.amountSet.shopMoney.amount).toBe('4.00');
    expect(shown.variables.order.transactions?.[0]?.amountSet.shopMoney.amount).toBe('16.00');
    expect(excluded.variables.order.taxLines).toBeUndefined();
  });

  it('takes discounts from the payment when lines carry none, and tax-inclusive totals do not add tax again', () => {
    const o = order({
      line_items: [line('L1', 'SERUM-30', { seller_discount: undefined, platform_discount: undefined })],
      payment: { currency: 'GBP', shipping_fee: '2.50', seller_discount: '5.00', platform_discount: '0', tax: '2.50' },
    });
    const result = buildOrderCreateInput(o, buildSkuIndex([serum]), rules({ taxesIncluded: true }));
    if (!result.ok) throw new Error(JSON.stringify(result.reasons));
    expect(result.variables.order.taxesIncluded).toBe(true);
    expect(result.variables.order.discountCode?.itemFixedDiscountCode.amountSet.shopMoney).toEqual({
      amount: '5.00',
      currencyCode: 'GBP',
    });
    // 20 - 5 + 2.50; VAT 2.50 is inside the 15.00 (rate on 12.50 net = 0.2).
    expect(result.variables.order.transactions?.[0]?.amountSet.shopMoney.amount).toBe('17.50');
    expect(result.variables.order.taxLines?.[0]?.rate).toBe('0.2000');
  });

  it('formats zero-decimal currencies without decimals', () => {
    const o = order({
      line_items: [line('L1', 'SERUM-30', { original_price: '1200', seller_discount: '0' })],
      payment: { currency: 'JPY', shipping_fee: '500', tax: '0' },
    });
    const result = buildOrderCreateInput(o, buildSkuIndex([serum]), rules());
    if (!result.ok) throw new Error(JSON.stringify(result.reasons));
    expect(result.variables.order.lineItems[0]?.priceSet?.shopMoney).toEqual({ amount: '1200', currencyCode: 'JPY' });
    expect(result.variables.order.transactions?.[0]?.amountSet.shopMoney.amount).toBe('1700');
  });

  it('refuses an order with an unknown SKU, a missing SKU, a deleted variant or a duplicated SKU, listing every reason', () => {
    const dupA: ShopifyVariantRef = { ...cream, variantId: 'gid://shopify/ProductVariant/31', sku: 'DUP' };
    const dupB: ShopifyVariantRef = {
      ...cream,
      variantId: 'gid://shopify/ProductVariant/32',
      productId: 'gid://shopify/Product/3',
      sku: 'DUP',
    };
    const o = order({
      line_items: [line('L1', 'NOPE'), line('L2', null), line('L3', 'GONE'), line('L4', 'DUP'), line('L5', 'SERUM-30')],
    });
    const result = buildOrderCreateInput(o, buildSkuIndex([serum, dupA, dupB], ['GONE']), rules());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reasons.map((r) => r.code).sort()).toEqual(['duplicate-sku', 'missing-sku', 'unknown-sku', 'variant-deleted']);
    expect(result.reasons.find((r) => r.code === 'unknown-sku')).toMatchObject({ sellerSku: 'NOPE', lineItemIds: ['L1'] });
    expect(result.reasons.find((r) => r.code === 'duplicate-sku')).toMatchObject({
      variantIds: [dupA.variantId, dupB.variantId],
    });
  });

  it('takes a shared SKU from the variant linked to TikTok, else from the only active product; two active ones are refused', () => {
    const listed: ShopifyVariantRef = { ...cream, variantId: 'gid://shopify/ProductVariant/41', sku: 'SHARED' };
    const draftCopy: ShopifyVariantRef = {
      ...cream,
      variantId: 'gid://shopify/ProductVariant/42',
      productId: 'gid://shopify/Product/4',
      productStatus: 'DRAFT',
      sku: 'SHARED',
    };
    const o = order({ line_items: [line('L1', 'SHARED'), line('L2', 'SHARED')] });
    const variantOf = (result: ReturnType<typeof buildOrderCreateInput>) =>
      result.ok ? result.variables.order.lineItems.map((l) => [l.variantId, l.quantity]) : result.reasons.map((r) => r.code);

    // Linked: the link decides, even against the active product.
    const linkedToDraft = buildSkuIndex([listed, draftCopy], [], new Map([['SHARED', draftCopy.variantId]]));
    expect(variantOf(buildOrderCreateInput(o, linkedToDraft, rules()))).toEqual([[draftCopy.variantId, 2]]);
    // Not linked (e.g. state lost): the one active product, with a warning to fix the SKUs.
    const unlinked = buildOrderCreateInput(o, buildSkuIndex([listed, draftCopy]), rules());
    expect(variantOf(unlinked)).toEqual([[listed.variantId, 2]]);
    expect(unlinked.ok && unlinked.warnings.join(' ')).toMatch(/SHARED.*2 Shopify variants/);
    // Two active products and no link: refused, never guessed.
    const bothActive = buildSkuIndex([listed, { ...draftCopy, productStatus: 'ACTIVE' }]);
    expect(variantOf(buildOrderCreateInput(o, bothActive, rules()))).toEqual(['duplicate-sku']);
  });

  it('imports unknown SKUs as custom lines when the rules allow it', () => {
    const o = order({
      line_items: [
        line('L1', 'NOPE', { product_name: 'Mystery' }),
        line('L2', 'NOPE', { product_name: 'Mystery' }),
        line('L3', 'SERUM-30'),
      ],
    });
    const result = buildOrderCreateInput(o, buildSkuIndex([serum]), rules({ unknownSku: 'custom-line-item' }));
    if (!result.ok) throw new Error(JSON.stringify(result.reasons));
    expect(result.variables.order.lineItems[0]).toEqual({
      title: 'Mystery',
      variantTitle: '30 ml',
      sku: 'NOPE',
      quantity: 2,
      priceSet: { shopMoney: { amount: '20.00', currencyCode: 'USD' } },
      requiresShipping: true,
      properties: [{ name: 'TikTok seller discount', value: '4.00 USD' }],
    });
    expect(result.warnings).toHaveLength(1);
  });

  it('warns but imports a line of an archived product', () => {
    const result = buildOrderCreateInput(
      order({ line_items: [line('L1', 'SERUM-30')] }),
      buildSkuIndex([{ ...serum, productStatus: 'ARCHIVED' }]),
      rules(),
    );
    expect(result.ok && result.warnings[0]).toMatch(/archived/);
  });

  it("refuses an order in another currency than the shop's, and amounts that are not amounts", () => {
    const result = buildOrderCreateInput(
      order({ line_items: [line('L1', 'SERUM-30', { original_price: '12,50' })] }),
      buildSkuIndex([serum]),
      rules(),
      { shopCurrency: 'EUR' },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reasons.map((r) => r.code)).toEqual(['currency-mismatch', 'invalid-amount']);
  });

  it('creates an order in another currency in the shop currency when the price rule names the conversion', () => {
    const withRate = (from: string, to: string) =>
      parseStoreRules({ listing: { price: { conversion: { from, to, rate: '0.8' } } } });
    // USD order, EUR shop, 0.8 USD per EUR: shop money = USD / 0.8, rounded to the cent.
    const result = buildOrderCreateInput(order(), buildSkuIndex([serum, cream]), withRate('EUR', 'USD'), { shopCurrency: 'EUR' });
    if (!result.ok) throw new Error(JSON.stringify(result.reasons));
    const o = result.variables.order;
    expect([o.currency, o.presentmentCurrency]).toEqual(['EUR', 'USD']);
    expect(o.lineItems[0]?.priceSet).toEqual({
      shopMoney: { amount: '25.00', currencyCode: 'EUR' },
      presentmentMoney: { amount: '20.00', currencyCode: 'USD' },
    });
    expect(o.shippingLines?.[0]?.priceSet).toEqual({
      shopMoney: { amount: '6.24', currencyCode: 'EUR' }, // 4.99 / 0.8 = 6.2375
      presentmentMoney: { amount: '4.99', currencyCode: 'USD' },
    });
    // Every amount has both monies, and the sale in EUR is the sum of the converted parts.
    const sale = o.transactions?.[0]?.amountSet;
    const parts = [
      ...o.lineItems.map((l) => Number(l.priceSet?.shopMoney.amount) * l.quantity),
      -Number(o.discountCode?.itemFixedDiscountCode.amountSet.shopMoney.amount ?? 0),
      Number(o.shippingLines?.[0]?.priceSet.shopMoney.amount),
      Number(o.taxLines?.[0]?.priceSet.shopMoney.amount ?? 0),
    ];
    expect(Number(sale?.shopMoney.amount)).toBeCloseTo(
      parts.reduce((a, b) => a + b, 0),
      6,
    );
    expect(sale?.presentmentMoney?.currencyCode).toBe('USD');

    // A rule for two other currencies does not apply: refused, naming the rule.
    const wrong = buildOrderCreateInput(order(), buildSkuIndex([serum, cream]), withRate('GBP', 'USD'), { shopCurrency: 'EUR' });
    expect(wrong).toMatchObject({ ok: false, reasons: [{ code: 'currency-mismatch' }] });
    if (!wrong.ok) expect(wrong.reasons[0]?.message).toContain('rules.listing.price.conversion converts GBP to USD');
  });

  it('refuses an order whose lines are all cancelled', () => {
    const result = buildOrderCreateInput(
      order({ line_items: [line('L1', 'SERUM-30', { display_status: 'CANCELLED' })] }),
      buildSkuIndex([serum]),
      rules(),
    );
    expect(result).toMatchObject({ ok: false, reasons: [{ code: 'no-lines' }] });
  });

  it('names the order after the TikTok id, with a source name, when configured', () => {
    const result = buildOrderCreateInput(
      order(),
      buildSkuIndex([serum, cream]),
      rules({ orderNamePrefix: 'TT-', sourceName: 'tiktok', tags: ['TikTok', 'Imported'] }),
    );
    expect(result.ok && result.variables.order).toMatchObject({
      name: 'TT-576461413038785752',
      sourceName: 'tiktok',
      tags: ['TikTok', 'Imported'],
    });
  });
});

describe('toMailingAddress', () => {
  it('maps a UK address (region GB or UK) and keeps an E.164 phone', () => {
    expect(
      toMailingAddress({
        first_name: 'Sam',
        last_name: 'Smith',
        phone_number: '+44 7700 900123',
        full_address: '10 Downing St, London',
        postal_code: 'SW1A 2AA',
        region_code: 'UK',
        district_info: [
          { address_level: 'L0', address_name: 'United Kingdom' },
          { address_level: 'L1', address_name: 'England' },
          { address_level: 'L2', address_name: 'Greater London' },
          { address_level: 'L3', address_name: 'London' },
        ],
      }),
    ).toEqual({
      firstName: 'Sam',
      lastName: 'Smith',
      address1: '10 Downing St, London',
      city: 'London',
      province: 'England',
      countryCode: 'GB',
      zip: 'SW1A 2AA',
      phone: '+447700900123',
    });
  });
  it('returns undefined for nothing', () => {
    expect(toMailingAddress(undefined)).toBeUndefined();
    expect(toMailingAddress({})).toBeUndefined();
  });
});

describe('buildOrderCreateInput without original prices', () => {
  it('uses the sale price and takes no discount a second time', () => {
    const o = order({
      line_items: [line('L1', 'SERUM-30', { original_price: undefined, sale_price: '18.00', seller_discount: '2.00' })],
      payment: { currency: 'USD', shipping_fee: '0', seller_discount: '2.00', tax: '0' },
    });
    const result = buildOrderCreateInput(o, buildSkuIndex([serum]), rules());
    if (!result.ok) throw new Error(JSON.stringify(result.reasons));
    expect(result.variables.order.lineItems[0]?.priceSet?.shopMoney.amount).toBe('18.00');
    expect(result.variables.order.discountCode).toBeUndefined();
    expect(result.variables.order.transactions?.[0]?.amountSet.shopMoney.amount).toBe('18.00');
  });
});
