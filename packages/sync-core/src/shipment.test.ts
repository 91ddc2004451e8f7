import { parseStoreRules } from './rules.js';
import { buildTikTokShipment, mapCarrierToProvider, normaliseCarrierName, type ShopifyFulfillment } from './shipment.js';
import type { TikTokOrderLineItem, TikTokShippingProvider } from './tiktok-types.js';

const providers: TikTokShippingProvider[] = [
  { id: '7117858858072016686', name: 'USPS' },
  { id: '7117859084333745966', name: 'UPS' },
  { id: '7129736293314053934', name: 'FedEx' },
  { id: '7212608507307099909', name: 'Evri' },
  { id: '7300000000000000001', name: 'DHL eCommerce' },
  { id: '7300000000000000002', name: 'DHL Express' },
];
const rules = parseStoreRules({});
const tiktokLine = (id: string, sku: string, extra: Partial<TikTokOrderLineItem> = {}): TikTokOrderLineItem => ({
  id,
  sku_id: `tt-${sku}`,
  seller_sku: sku,
  ...extra,
});
const tiktokOrder = {
  id: '5764',
  line_items: [
    tiktokLine('L1', 'A'),
    tiktokLine('L2', 'A'),
    tiktokLine('L3', 'B'),
    tiktokLine('L4', 'C', { cancel_reason: 'Buyer' }),
  ],
};
const fulfilment = (extra: Partial<ShopifyFulfillment> = {}): ShopifyFulfillment => ({
  id: 'gid://shopify/Fulfillment/1',
  status: 'SUCCESS',
  trackingInfo: [{ company: 'United States Postal Service', number: '9400 1000 0000 0000 0000 00', url: null }],
  lineItems: [
    { sku: 'A', quantity: 2 },
    { sku: 'B', quantity: 1 },
  ],
  ...extra,
});

describe('normaliseCarrierName', () => {
  it('ignores case, punctuation, "&" and company suffixes', () => {
    expect(normaliseCarrierName('FedEx, Inc.')).toBe('fedex');
    expect(normaliseCarrierName('  Royal-Mail ')).toBe('royalmail');
    expect(normaliseCarrierName('A & B Co')).toBe('aandb');
    expect(normaliseCarrierName('Co')).toBe('co');
  });
});

describe('mapCarrierToProvider', () => {
  it('matches by name, then by known alias', () => {
    expect(mapCarrierToProvider('ups', providers, rules)).toMatchObject({
      ok: true,
      id: '7117859084333745966',
      matchedBy: 'name',
    });
    expect(mapCarrierToProvider('United States Postal Service', providers, rules)).toMatchObject({
      ok: true,
      id: '7117858858072016686',
      matchedBy: 'alias',
    });
    expect(mapCarrierToProvider('Hermes UK', providers, rules)).toMatchObject({ ok: true, name: 'Evri', matchedBy: 'alias' });
  });
  it('does not guess between similar providers: "DHL" has no mapping', () => {
    expect(mapCarrierToProvider('DHL', providers, rules)).toMatchObject({
      ok: false,
      reason: { code: 'carrier-unmapped', carrier: 'DHL' },
    });
  });
  it('uses overrides by provider id or name, case-insensitively on the Shopify side', () => {
    const withOverrides = parseStoreRules({
      shipping: { carrierOverrides: { dhl: '7300000000000000002', 'Local Courier': 'dhl ecommerce', Other: 'Nope Express' } },
    });
    expect(mapCarrierToProvider('DHL', providers, withOverrides)).toMatchObject({
      ok: true,
      id: '7300000000000000002',
      matchedBy: 'override',
    });
    expect(mapCarrierToProvider('local courier', providers, withOverrides)).toMatchObject({
      ok: true,
      id: '7300000000000000001',
      matchedBy: 'override',
    });
    expect(mapCarrierToProvider('Other', providers, withOverrides)).toMatchObject({
      ok: false,
      reason: { code: 'override-unknown-provider' },
    });
  });
  it('trusts an override id missing from the list, with a warning', () => {
    const r = parseStoreRules({ shipping: { carrierOverrides: { 'Amazon Logistics': '7999' } } });
    expect(mapCarrierToProvider('Amazon Logistics', providers, r)).toMatchObject({
      ok: true,
      id: '7999',
      warning: expect.stringContaining('7999'),
    });
  });
  it('reports ambiguity when two providers share a name', () => {
    expect(mapCarrierToProvider('UPS', [...providers, { id: '9', name: 'ups' }], rules)).toMatchObject({
      ok: false,
      reason: { code: 'carrier-ambiguous' },
    });
  });
});

describe('buildTikTokShipment', () => {
  it('builds the Mark Package As Shipped body with one TikTok line per unit shipped', () => {
    const result = buildTikTokShipment(fulfilment(), tiktokOrder, providers, rules);
    expect(result).toEqual({
      ok: true,
      orderId: '5764',
      body: {
        tracking_number: '9400 1000 0000 0000 0000 00',
        shipping_provider_id: '7117858858072016686',
        order_line_item_ids: ['L1', 'L2', 'L3'],
      },
      provider: { id: '7117858858072016686', name: 'USPS', matchedBy: 'alias' },
      warnings: [],
    });
  });

  it('ships only the lines of a partial fulfilment, and skips lines TikTok already shipped', () => {
    const order = {
      id: '5764',
      line_items: [tiktokLine('L1', 'A', { tracking_number: 'OLD1' }), tiktokLine('L2', 'A'), tiktokLine('L3', 'B')],
    };
    const result = buildTikTokShipment(fulfilment({ lineItems: [{ sku: 'A', quantity: 1 }] }), order, providers, rules);
    expect(result.ok && result.body.order_line_item_ids).toEqual(['L2']);
  });

  it('warns when Shopify shipped more units than TikTok has open, or SKUs the order does not have', () => {
    const result = buildTikTokShipment(
      fulfilment({
        lineItems: [
          { sku: 'A', quantity: 3 },
          { sku: 'Z', quantity: 1 },
        ],
      }),
      tiktokOrder,
      providers,
      rules,
    );
    expect(result.ok && result.body.order_line_item_ids).toEqual(['L1', 'L2']);
    expect(result.ok && result.warnings).toHaveLength(2);
  });

  it('gives a clear reason for a carrier with no mapping, and for a missing tracking number', () => {
    const result = buildTikTokShipment(
      fulfilment({ trackingInfo: [{ company: "Bob's Vans", number: '  ' }] }),
      tiktokOrder,
      providers,
      rules,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reasons.map((r) => r.code)).toEqual(['no-tracking-number', 'carrier-unmapped']);
    expect(result.reasons[1]?.message).toContain('rules.shipping.carrierOverrides');
    expect(result.reasons[1]?.message).toContain('USPS');
  });

  it('needs a carrier name', () => {
    const result = buildTikTokShipment(
      fulfilment({ trackingInfo: [{ company: null, number: '1Z' }] }),
      tiktokOrder,
      providers,
      rules,
    );
    expect(result).toMatchObject({ ok: false, reasons: [{ code: 'no-carrier' }] });
  });

  it('says when the order is already shipped, or none of the SKUs match', () => {
    const shipped = { id: '5764', line_items: [tiktokLine('L1', 'A', { display_status: 'IN_TRANSIT' })] };
    expect(buildTikTokShipment(fulfilment(), shipped, providers, rules)).toMatchObject({
      ok: false,
      reasons: [{ code: 'already-shipped' }],
    });
    expect(
      buildTikTokShipment(fulfilment({ lineItems: [{ sku: 'Q', quantity: 1 }] }), tiktokOrder, providers, rules),
    ).toMatchObject({ ok: false, reasons: [{ code: 'no-matching-lines', skus: ['Q'] }] });
  });

  it('ignores fulfilments that did not succeed', () => {
    expect(buildTikTokShipment(fulfilment({ status: 'CANCELLED' }), tiktokOrder, providers, rules)).toMatchObject({
      ok: false,
      reasons: [{ code: 'fulfilment-not-successful' }],
    });
  });
});
