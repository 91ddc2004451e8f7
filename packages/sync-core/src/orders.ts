import { convertMoneyBack, currencyMismatch } from './listing/price.js';
import { formatMoneyIn, parseMoney, sumMoney, type Micros } from './money.js';
import type { StoreRules } from './rules.js';
import type { ShopifyVariantRef } from './shopify-types.js';
import type {
  ShopifyMailingAddressInput,
  ShopifyMoneyBagInput,
  ShopifyOrderCreateLineItemInput,
  ShopifyOrderCreateOrderInput,
  ShopifyOrderCreateVariables,
} from './shopify-order-input.js';
import type { TikTokOrder, TikTokOrderLineItem, TikTokRecipientAddress } from './tiktok-types.js';

export type OrderImportDecision =
  | { import: true }
  | {
      import: false;
      reason: 'not-yet' | 'cancelled' | 'status-not-imported' | 'fulfilled-by-tiktok' | 'sample-order' | 'created-before-cutoff';
      /** false: the order may still become importable (check again on its next status change). */
      final: boolean;
      message: string;
    };

// Statuses an order passes through before it may ship; anything later is past the import point.
const BEFORE_SHIPMENT = new Set(['UNPAID', 'ON_HOLD']);

/** Whether a TikTok order should be created in Shopify now, per the store's order rules. */
export function shouldImportOrder(
  order: Pick<TikTokOrder, 'id' | 'status' | 'create_time' | 'fulfillment_type' | 'is_sample_order'>,
  rules: StoreRules,
): OrderImportDecision {
  const r = rules.orders;
  if (order.status === 'CANCELLED' || order.status === 'CANCEL') {
    return { import: false, reason: 'cancelled', final: true, message: `TikTok order ${order.id} is cancelled.` };
  }
  if (order.fulfillment_type === 'FULFILLMENT_BY_TIKTOK' && !r.importFulfilledByTikTok) {
    return {
      import: false,
      reason: 'fulfilled-by-tiktok',
      final: true,
      message: `TikTok order ${order.id} ships from TikTok's warehouse (rules.orders.importFulfilledByTikTok is off).`,
    };
  }
  if (order.is_sample_order && !r.importSampleOrders) {
    return {
      import: false,
      reason: 'sample-order',
      final: true,
      message: `TikTok order ${order.id} is a creator sample (rules.orders.importSampleOrders is off).`,
    };
  }
  if (r.importCreatedAfter && order.create_time !== undefined && order.create_time * 1000 < Date.parse(r.importCreatedAfter)) {
    return {
      import: false,
      reason: 'created-before-cutoff',
      final: true,
      message: `TikTok order ${order.id} was created before ${r.importCreatedAfter} (rules.orders.importCreatedAfter).`,
    };
  }
  // The status alone decides: `is_on_hold_order` is not documented to clear when the window ends,
  // and trusting it could hold an order back forever.
  if ((r.importStatuses as readonly string[]).includes(order.status)) return { import: true };
  if (BEFORE_SHIPMENT.has(order.status)) {
    return {
      import: false,
      reason: 'not-yet',
      final: false,
      message: `TikTok order ${order.id} is ${order.status}; it is imported once it reaches ${r.importStatuses.join(' or ')}.`,
    };
  }
  return {
    import: false,
    reason: 'status-not-imported',
    final: true,
    message: `TikTok order ${order.id} is ${order.status}, past the statuses this store imports (${r.importStatuses.join(', ')}).`,
  };
}

/** Shopify variants by SKU, plus SKUs we once linked whose Shopify variant is gone. */
export interface SkuIndex {
  bySku: ReadonlyMap<string, readonly ShopifyVariantRef[]>;
  deletedSkus: ReadonlySet<string>;
  /** The variant each SKU is linked to on TikTok (the one whose stock TikTok shows). */
  linkedVariantBySku: ReadonlyMap<string, string>;
}

/**
 * Builds the lookup `buildOrderCreateInput` uses. Pass the variants found for the order's SKUs
 * (e.g. a `sku:` search in Shopify), and the SKUs whose linked variant Shopify no longer has.
 */
export function buildSkuIndex(
  variants: readonly ShopifyVariantRef[],
  deletedSkus: Iterable<string> = [],
  linkedVariantBySku: ReadonlyMap<string, string> = new Map(),
): SkuIndex {
  const bySku = new Map<string, ShopifyVariantRef[]>();
  for (const v of variants) {
    const sku = v.sku?.trim();
    if (!sku) continue;
    const list = bySku.get(sku) ?? [];
    if (!list.some((x) => x.variantId === v.variantId)) list.push(v);
    bySku.set(sku, list);
  }
  return { bySku, deletedSkus: new Set([...deletedSkus].map((s) => s.trim())), linkedVariantBySku };
}

export type OrderRejectReason =
  | { code: 'missing-sku'; lineItemIds: string[]; message: string }
  | { code: 'unknown-sku'; sellerSku: string; lineItemIds: string[]; message: string }
  | { code: 'variant-deleted'; sellerSku: string; lineItemIds: string[]; message: string }
  | { code: 'duplicate-sku'; sellerSku: string; variantIds: string[]; message: string }
  | { code: 'currency-mismatch'; orderCurrency: string; shopCurrency: string; message: string }
  | { code: 'invalid-amount'; field: string; value: string; message: string }
  | { code: 'no-lines'; message: string }
  | { code: 'no-payment'; message: string };

export type OrderCreateResult =
  { ok: true; variables: ShopifyOrderCreateVariables; warnings: string[] } | { ok: false; reasons: OrderRejectReason[] };

export interface BuildOrderOptions {
  /**
   * The Shopify shop's currency. An order in another currency is created in it at the rate of
   * `rules.listing.price.conversion` (TikTok's amounts kept as presentment money), or refused without one.
   */
  shopCurrency?: string;
  /** Whether the order's prices include tax: `taxesIncludedFor(rules.orders, market)`; default `rules.orders.taxesIncluded ?? false`. */
  taxesIncluded?: boolean;
}

const SIMPLE_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const DISCOUNT_CODE = 'TIKTOK_SHOP';

/**
 * A SKU that several Shopify variants share still names one variant when shoptok linked it to
 * TikTok (the listing and the stock TikTok shows come from it), or when only one of them is in
 * an active product (only those are listed). Otherwise the order is refused: guessing would take
 * stock from the wrong product.
 */
function narrowDuplicates(
  sku: string,
  candidates: readonly ShopifyVariantRef[],
  skuIndex: SkuIndex,
  warnings: string[],
): readonly ShopifyVariantRef[] {
  if (candidates.length <= 1) return candidates;
  const linked = candidates.filter((c) => c.variantId === skuIndex.linkedVariantBySku.get(sku));
  if (linked.length === 1) return linked;
  const active = candidates.filter((c) => c.productStatus === 'ACTIVE');
  if (active.length === 1) {
    warnings.push(
      `SKU "${sku}" belongs to ${candidates.length} Shopify variants; the one in the active product "${active[0]?.productTitle ?? ''}" was used. Give each variant its own SKU.`,
    );
    return active;
  }
  return candidates;
}

function isCancelledLine(line: TikTokOrderLineItem): boolean {
  return Boolean(line.cancel_reason) || line.display_status === 'CANCELLED';
}

/**
 * Translates a TikTok order into `orderCreate` variables. TikTok sends one line item per unit; they
 * are grouped by SKU and unit price into Shopify lines with a quantity. Returns every reason the
 * order cannot be imported instead (each needs the merchant), never a partial order.
 */
export function buildOrderCreateInput(
  order: TikTokOrder,
  skuIndex: SkuIndex,
  rules: StoreRules,
  options: BuildOrderOptions = {},
): OrderCreateResult {
  const r = rules.orders;
  const taxesIncluded = options.taxesIncluded ?? r.taxesIncluded ?? false;
  const payment = order.payment;
  if (!payment)
    return {
      ok: false,
      reasons: [
        {
          code: 'no-payment',
          message: `TikTok sent order ${order.id} without its payment (currency and amounts), so its prices are unknown; import it by hand.`,
        },
      ],
    };
  const currency = payment.currency.toUpperCase();
  const reasons: OrderRejectReason[] = [];
  const warnings: string[] = [];

  // An order in another currency than the shop's is created in the shop's currency (shop money,
  // converted at the price rule's rate) and presented in TikTok's (presentment money: exactly what
  // the buyer paid). Without a rule naming both currencies it is refused.
  const shopCurrency = options.shopCurrency?.toUpperCase();
  const conversion = rules.listing.price.conversion;
  let toShop: ((amount: Micros) => Micros) | undefined;
  if (shopCurrency && shopCurrency !== currency) {
    const mismatch = currencyMismatch(shopCurrency, currency, conversion);
    if (mismatch || !conversion) {
      reasons.push({
        code: 'currency-mismatch',
        orderCurrency: currency,
        shopCurrency,
        message: conversion
          ? `TikTok order ${order.id} is in ${currency} but the Shopify store sells in ${shopCurrency}; ${mismatch ?? ''}.`
          : `TikTok order ${order.id} is in ${currency} but the Shopify store sells in ${shopCurrency}; shoptok imports an order across currencies only when rules.listing.price.conversion names the rate (from: ${shopCurrency}, to: ${currency}, rate: <${currency} per 1 ${shopCurrency}>). Set it, or import the order by hand.`,
      });
    } else {
      const rate = conversion.rate;
      toShop = (amount) => convertMoneyBack(amount, rate, shopCurrency);
      warnings.push(
        `TikTok order ${order.id} is in ${currency}: created in ${shopCurrency} at ${rate} ${currency} per ${shopCurrency} (rules.listing.price.conversion).`,
      );
    }
  }

  const money = (field: string, value: string | undefined, fallback: Micros | undefined = 0n): Micros => {
    if (value === undefined || value === '') return fallback ?? 0n;
    const parsed = parseMoney(value);
    if (parsed === undefined) {
      reasons.push({
        code: 'invalid-amount',
        field,
        value,
        message: `TikTok sent "${value}" for ${field}, which is not an amount.`,
      });
      return 0n;
    }
    return parsed;
  };
  // `shopAmount` is given where the shop money is a sum of converted parts (the sale's total).
  const bag = (amount: Micros, shopAmount?: Micros): ShopifyMoneyBagInput =>
    toShop && shopCurrency
      ? {
          shopMoney: { amount: formatMoneyIn(shopAmount ?? toShop(amount), shopCurrency), currencyCode: shopCurrency },
          presentmentMoney: { amount: formatMoneyIn(amount, currency), currencyCode: currency },
        }
      : { shopMoney: { amount: formatMoneyIn(amount, currency), currencyCode: currency } };
  /** Unit price (TikTok's currency) and quantity of each Shopify line, for the order's sums. */
  const linePrices: { unitPrice: Micros; quantity: number }[] = [];

  const lines = order.line_items.filter((l) => !isCancelledLine(l));
  if (lines.length === 0)
    reasons.push({ code: 'no-lines', message: `TikTok order ${order.id} has no line left to ship (every line is cancelled).` });

  // Group units: same SKU and same unit price make one Shopify line.
  interface Group {
    sku: string | null;
    unitPrice: Micros;
    lines: TikTokOrderLineItem[];
    /** Per-line discounts of the group's units (TikTok gives them per unit line). */
    sellerDiscount: Micros;
    platformDiscount: Micros;
  }
  const groups = new Map<string, Group>();
  let sellerDiscount = 0n;
  let platformDiscount = 0n;
  let lineDiscountsGiven = false;
  for (const line of lines) {
    const sku = line.seller_sku?.trim() || null;
    const unitPrice = money(`line ${line.id} original_price`, line.original_price ?? line.sale_price);
    const key = `${sku ?? `\u0000${line.sku_id}`}\u0000${unitPrice}`;
    const group = groups.get(key) ?? { sku, unitPrice, lines: [], sellerDiscount: 0n, platformDiscount: 0n };
    // Without original_price the sale price already has the discounts in it: do not take them twice.
    if (line.original_price !== undefined && (line.seller_discount !== undefined || line.platform_discount !== undefined)) {
      lineDiscountsGiven = true;
      const seller = money(`line ${line.id} seller_discount`, line.seller_discount);
      const platform = money(`line ${line.id} platform_discount`, line.platform_discount);
      sellerDiscount += seller;
      platformDiscount += platform;
      group.sellerDiscount += seller;
      group.platformDiscount += platform;
    }
    group.lines.push(line);
    groups.set(key, group);
  }
  // Payment-level discounts only apply to prices before discounts (every line has original_price).
  if (!lineDiscountsGiven && lines.every((l) => l.original_price !== undefined)) {
    sellerDiscount = money('payment.seller_discount', payment.seller_discount);
    platformDiscount = money('payment.platform_discount', payment.platform_discount);
  }

  const lineItems: ShopifyOrderCreateLineItemInput[] = [];
  const reportedSkus = new Set<string>();
  for (const group of groups.values()) {
    const ids = group.lines.map((l) => l.id);
    const first = group.lines[0];
    // orderCreate takes one order-level discount code: each line's own TikTok discounts stay visible on it.
    const discountProperties = [
      ...(group.sellerDiscount > 0n
        ? [{ name: 'TikTok seller discount', value: `${formatMoneyIn(group.sellerDiscount, currency)} ${currency}` }]
        : []),
      ...(group.platformDiscount > 0n
        ? [{ name: 'TikTok platform discount', value: `${formatMoneyIn(group.platformDiscount, currency)} ${currency}` }]
        : []),
    ];
    const properties = discountProperties.length > 0 ? { properties: discountProperties } : {};
    const custom = (): ShopifyOrderCreateLineItemInput => ({
      title: first?.product_name ?? group.sku ?? 'TikTok Shop item',
      ...(first?.sku_name ? { variantTitle: first.sku_name } : {}),
      ...(group.sku ? { sku: group.sku } : {}),
      quantity: group.lines.length,
      priceSet: bag(group.unitPrice),
      requiresShipping: true,
      ...properties,
    });
    if (!group.sku) {
      if (r.unknownSku === 'custom-line-item') {
        lineItems.push(custom());
        linePrices.push({ unitPrice: group.unitPrice, quantity: group.lines.length });
        warnings.push(`Lines ${ids.join(', ')} have no seller SKU on TikTok; imported as a custom line.`);
      } else {
        reasons.push({
          code: 'missing-sku',
          lineItemIds: ids,
          message: `TikTok lines ${ids.join(', ')} (${first?.product_name ?? 'unnamed'}) have no seller SKU; set the SKU on TikTok to match Shopify.`,
        });
      }
      continue;
    }
    const candidates = narrowDuplicates(group.sku, skuIndex.bySku.get(group.sku) ?? [], skuIndex, warnings);
    if (candidates.length > 1) {
      if (!reportedSkus.has(group.sku)) {
        reasons.push({
          code: 'duplicate-sku',
          sellerSku: group.sku,
          variantIds: candidates.map((c) => c.variantId),
          message: `SKU "${group.sku}" belongs to ${candidates.length} Shopify variants; give each its own SKU so the order takes stock from the right one.`,
        });
        reportedSkus.add(group.sku);
      }
      continue;
    }
    const variant = candidates[0];
    if (!variant) {
      if (r.unknownSku === 'custom-line-item') {
        lineItems.push(custom());
        linePrices.push({ unitPrice: group.unitPrice, quantity: group.lines.length });
        warnings.push(`SKU "${group.sku}" is not in Shopify; imported as a custom line (no stock taken).`);
        continue;
      }
      const deleted = skuIndex.deletedSkus.has(group.sku);
      reasons.push(
        deleted
          ? {
              code: 'variant-deleted',
              sellerSku: group.sku,
              lineItemIds: ids,
              message: `SKU "${group.sku}" was deleted in Shopify after it was listed on TikTok; restore the variant or import the order by hand.`,
            }
          : {
              code: 'unknown-sku',
              sellerSku: group.sku,
              lineItemIds: ids,
              message: `No Shopify variant has SKU "${group.sku}" (TikTok lines ${ids.join(', ')}); fix the SKU in Shopify or on TikTok.`,
            },
      );
      continue;
    }
    if (variant.productStatus === 'ARCHIVED' || variant.productStatus === 'DRAFT') {
      warnings.push(
        `SKU "${group.sku}" belongs to a ${variant.productStatus.toLowerCase()} Shopify product; the order line still references it.`,
      );
    }
    const variantTitle = variant.variantTitle ?? first?.sku_name;
    lineItems.push({
      variantId: variant.variantId,
      sku: group.sku,
      title: variant.productTitle ?? first?.product_name ?? group.sku,
      ...(variantTitle ? { variantTitle } : {}),
      ...(variant.vendor ? { vendor: variant.vendor } : {}),
      quantity: group.lines.length,
      priceSet: bag(group.unitPrice),
      requiresShipping: variant.requiresShipping ?? true,
      ...properties,
    });
    linePrices.push({ unitPrice: group.unitPrice, quantity: group.lines.length });
  }

  const shipping = money('payment.shipping_fee', payment.shipping_fee);
  const tax = money('payment.tax', payment.tax);
  if (reasons.length > 0) return { ok: false, reasons };

  const subtotal = sumMoney(linePrices.map((l) => l.unitPrice * BigInt(l.quantity)));
  let discount = sellerDiscount + (r.platformDiscount === 'discount' ? platformDiscount : 0n);
  if (discount > subtotal) discount = subtotal;
  const total = subtotal - discount + shipping + (taxesIncluded ? 0n : tax);
  // In the shop currency the sale is the sum of the converted parts (each rounded to the cent),
  // so it agrees with the totals Shopify sums from the lines, shipping, discount and tax.
  const shopTotal = toShop
    ? sumMoney(linePrices.map((l) => toShop(l.unitPrice) * BigInt(l.quantity))) -
      toShop(discount) +
      toShop(shipping) +
      (taxesIncluded ? 0n : toShop(tax))
    : undefined;
  const processedAt = order.create_time !== undefined ? new Date(order.create_time * 1000).toISOString() : undefined;
  const paidAt = order.paid_time !== undefined ? new Date(order.paid_time * 1000).toISOString() : processedAt;

  const address = toMailingAddress(order.recipient_address);
  const email = order.buyer_email?.trim();
  const noteParts = [`TikTok Shop order ${order.id}`];
  if (order.buyer_message?.trim()) noteParts.push(`Buyer message: ${order.buyer_message.trim()}`);

  const customAttributes = [
    { key: 'TikTok order id', value: order.id },
    ...(payment.total_amount ? [{ key: 'TikTok buyer paid', value: `${payment.total_amount} ${currency}` }] : []),
    ...(platformDiscount > 0n
      ? [{ key: 'TikTok platform discount', value: `${formatMoneyIn(platformDiscount, currency)} ${currency}` }]
      : []),
    ...(order.delivery_option_name ? [{ key: 'TikTok delivery option', value: order.delivery_option_name }] : []),
    ...(toShop && conversion
      ? [
          {
            key: 'TikTok exchange rate',
            value: `${conversion.rate} ${currency} per 1 ${shopCurrency} (rules.listing.price.conversion)`,
          },
        ]
      : []),
  ];

  const orderInput: ShopifyOrderCreateOrderInput = {
    ...(toShop && shopCurrency ? { currency: shopCurrency, presentmentCurrency: currency } : { currency }),
    ...(email && SIMPLE_EMAIL.test(email) ? { email } : {}),
    ...(address?.phone ? { phone: address.phone } : {}),
    ...(r.orderNamePrefix ? { name: `${r.orderNamePrefix}${order.id}` } : {}),
    note: noteParts.join('\n'),
    ...(processedAt ? { processedAt } : {}),
    sourceIdentifier: order.id,
    ...(r.sourceName ? { sourceName: r.sourceName } : {}),
    tags: [...r.tags],
    taxesIncluded,
    financialStatus: 'PAID',
    lineItems,
    shippingLines: [
      {
        title: order.delivery_option_name?.trim() || 'TikTok Shop shipping',
        ...(order.delivery_option_id ? { code: order.delivery_option_id } : {}),
        source: 'tiktok_shop',
        priceSet: bag(shipping),
      },
    ],
    ...(tax > 0n
      ? {
          taxLines: [
            {
              title: r.taxTitle,
              rate: taxRate(tax, subtotal - discount, taxesIncluded),
              priceSet: bag(tax),
              channelLiable: r.taxChannelLiable,
            },
          ],
        }
      : {}),
    ...(discount > 0n ? { discountCode: { itemFixedDiscountCode: { code: DISCOUNT_CODE, amountSet: bag(discount) } } } : {}),
    ...(address ? { shippingAddress: address, billingAddress: address } : {}),
    customAttributes,
    transactions: [
      {
        kind: 'SALE',
        status: 'SUCCESS',
        gateway: r.gateway,
        amountSet: bag(total, shopTotal),
        ...(paidAt ? { processedAt: paidAt } : {}),
      },
    ],
  };
  return {
    ok: true,
    variables: {
      order: orderInput,
      options: {
        inventoryBehaviour: r.inventoryBehaviour,
        sendReceipt: r.sendReceipt,
        sendFulfillmentReceipt: r.sendFulfillmentReceipt,
      },
    },
    warnings,
  };
}

/** Tax as a proportion of the taxable amount, 4 decimals ("0.0825"); Shopify requires a rate. */
function taxRate(tax: Micros, taxable: Micros, included: boolean): string {
  const base = included ? taxable - tax : taxable;
  if (base <= 0n) return '0';
  const basisPoints = (tax * 10_000n * 2n + base) / (base * 2n); // rounded half up
  return (Number(basisPoints) / 10_000).toFixed(4);
}

function districtName(address: TikTokRecipientAddress, level: string, namePattern: RegExp): string | undefined {
  const info = address.district_info ?? [];
  const byName = info.find((d) => d.address_level_name && namePattern.test(d.address_level_name));
  return (byName ?? info.find((d) => d.address_level === level))?.address_name?.trim() || undefined;
}

/** Maps TikTok's recipient address to `MailingAddressInput`; masked or malformed phones are dropped. */
export function toMailingAddress(address: TikTokRecipientAddress | undefined): ShopifyMailingAddressInput | undefined {
  if (!address) return undefined;
  let firstName = address.first_name?.trim();
  let lastName = address.last_name?.trim();
  if (!firstName && !lastName && address.name?.trim()) {
    const parts = address.name.trim().split(/\s+/);
    lastName = parts.length > 1 ? parts.pop() : undefined;
    firstName = parts.join(' ');
  }
  const region = address.region_code?.trim().toUpperCase();
  const countryCode = region === 'UK' ? 'GB' : region;
  const address1 = address.address_line1?.trim() || address.full_address?.trim();
  const extra = [address.address_line2, address.address_line3, address.address_line4]
    .map((l) => l?.trim())
    .filter(Boolean)
    .join(', ');
  // TikTok masks buyer phones ("(+1)213*****63"); Shopify rejects anything that is not E.164.
  const phone = address.phone_number?.replace(/[\s()-]/g, '');
  const city = districtName(address, 'L3', /city|town/i) ?? districtName(address, 'L2', /county|district/i);
  const province = districtName(address, 'L1', /state|province|region|prefecture/i);
  const out: ShopifyMailingAddressInput = {
    ...(firstName ? { firstName } : {}),
    ...(lastName ? { lastName } : {}),
    ...(address1 ? { address1 } : {}),
    ...(extra ? { address2: extra } : {}),
    ...(city ? { city } : {}),
    ...(province ? { province } : {}),
    ...(countryCode && /^[A-Z]{2}$/.test(countryCode) ? { countryCode } : {}),
    ...(address.postal_code?.trim() ? { zip: address.postal_code.trim() } : {}),
    ...(phone && E164.test(phone) ? { phone } : {}),
  };
  return Object.keys(out).length > 0 ? out : undefined;
}
